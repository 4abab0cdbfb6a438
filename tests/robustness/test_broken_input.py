"""Broken input files: each is read correctly or fails alone, naming file and line.

A broken article is a failed item of that file, never a collection error (which would stop
the session) and never an internal traceback. Fences nested in list items, blockquotes,
admonitions and tabs, and the broken files that can carry a front matter (unclosed fences,
bad directives, a stray byte, a BOM), are case articles under tests/cases/collection and
tests/cases/broken-input, checked by tests/plugin/test_cases.py.
"""

from __future__ import annotations

import pytest

GOOD = """
    # Good

    ```python
    print("ok")  # ok
    ```
    """


def _assert_clean_failure(result: pytest.RunResult, where: str) -> None:
    """One failed item naming `where` (file:line), the good article passed, no internals."""
    result.assert_outcomes(failed=1, passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"*{where}:*"])
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    assert "src/mdverify" not in output
    assert "/mdverify/" not in output  # no frame of ours, wherever it is installed


def test_invalid_yaml_front_matter_fails_naming_file_and_line(pytester, article):
    article(
        "bad.md",
        """
        ---
        title: Bad
        description: a: b
        ---

        ```python
        print("x")
        ```
        """,
    )
    article("good.md", GOOD)
    result = pytester.runpytest()
    _assert_clean_failure(result, "bad.md:3")
    result.stdout.fnmatch_lines(["*bad.md:3:*invalid YAML front matter*"])


def test_front_matter_that_is_a_list_fails_naming_file_and_line(pytester, article):
    article(
        "bad.md",
        """
        ---
        - one
        - two
        ---

        ```python
        print("x")
        ```
        """,
    )
    article("good.md", GOOD)
    result = pytester.runpytest()
    _assert_clean_failure(result, "bad.md:1")


def test_utf8_bom_file_reads_block_on_line_one(pytester, article):
    text = '```python\nprint("hi")  # hi\n```\n'
    (pytester.path / "article.md").write_bytes(b"\xef\xbb\xbf" + text.encode())
    article("other.md", GOOD)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    items, _ = pytester.inline_genitems()
    locations = {item.nodeid: item.location for item in items}
    assert locations["article.md::top"] == ("article.md", 0, "[mdverify] article.md::top (line 1)")


def test_crlf_file_works_normally(pytester):
    text = (
        "---\n"
        "title: Windows\n"
        "---\n"
        "\n"
        "# Title\n"
        "\n"
        "```python\n"
        'print("a")  # a\n'
        'print("b")\n'
        "```\n"
        "\n"
        "**Output:**\n"
        "\n"
        "```\n"
        "a\n"
        "wrong\n"
        "```\n"
    )
    (pytester.path / "article.md").write_bytes(text.replace("\n", "\r\n").encode())
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*article.md::Title (line 7)*",
            "article.md:15: output differs*",
            "--- expected (article.md:15)",
            "+++ got",
            " a",
            "-wrong",
            "+b",
        ]
    )


def test_empty_markdown_file_collects_nothing_and_is_not_an_error(pytester, article):
    (pytester.path / "empty.md").write_bytes(b"")
    article("good.md", GOOD)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK


def test_only_an_empty_markdown_file_collects_no_items(pytester):
    (pytester.path / "empty.md").write_bytes(b"")
    result = pytester.runpytest()
    result.assert_outcomes()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def _run_beside_good(pytester, article, name, data, *args):
    (pytester.path / name).write_bytes(data)
    article("good.md", GOOD)
    return pytester.runpytest(*args)


def test_lone_cr_line_endings_work_and_lines_are_counted(pytester, article):
    text = "# Old Mac\r\r```python\rprint(1)  # 2\r```\r"
    result = _run_beside_good(pytester, article, "bad.md", text.encode())
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["bad.md:4: output differs*"])


def test_binary_file_named_md_fails_alone(pytester, article):
    result = _run_beside_good(pytester, article, "bad.md", bytes(range(256)) * 4)
    _assert_clean_failure(result, "bad.md:1")
    result.stdout.fnmatch_lines(["*bad.md:1: contains NUL bytes: a binary file, not Markdown"])


def test_binary_file_without_nul_bytes_fails_as_not_utf8(pytester, article):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256))
    result = _run_beside_good(pytester, article, "bad.md", png)
    _assert_clean_failure(result, "bad.md:1")
    result.stdout.fnmatch_lines(["*bad.md:1: the file is not valid UTF-8 (byte 0x89 here)*"])


def test_ten_megabyte_article_runs_its_block_at_its_line(pytester, article):
    paragraph = ("A long line of prose in a very long article, " * 4 + "\n") * 8 + "\n"
    prose = paragraph * (10_000_000 // len(paragraph) + 1)
    lines = prose.count("\n")
    text = prose + "```python\nprint(1)  # 2\n```\n"
    assert len(text) > 10_000_000
    result = _run_beside_good(pytester, article, "big.md", text.encode())
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines([f"big.md:{lines + 2}: output differs*"])


def test_article_with_five_thousand_blocks_runs_them_all(pytester, article):
    blocks = "".join(f"```python\nprint({i})  # {i}\n```\n\n" for i in range(5000))
    wrong = "```python\nprint(1)  # 2\n```\n"
    result = _run_beside_good(pytester, article, "many.md", (blocks + wrong).encode(), "-q")
    result.assert_outcomes(passed=5001, failed=1)
    result.stdout.fnmatch_lines([f"many.md:{5000 * 4 + 2}: output differs*"])
