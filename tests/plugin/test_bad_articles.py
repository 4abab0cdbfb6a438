"""Articles mdverify cannot read fail alone, naming file and line, with no internal traceback."""

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
    assert "mdverify/parse.py" not in output


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


def test_unclosed_fence_fails_naming_file_and_line(pytester, article):
    article(
        "bad.md",
        """
        # Title

        Prose.

        ```python
        print("x")
        """,
    )
    article("good.md", GOOD)
    result = pytester.runpytest()
    _assert_clean_failure(result, "bad.md:5")
    result.stdout.fnmatch_lines(["*bad.md:5:*never closed*"])


def test_invalid_utf8_fails_naming_file_and_line(pytester, article):
    (pytester.path / "bad.md").write_bytes(
        b"# Title\n\nCaf\xe9 in Latin-1.\n\n```python\nprint('x')\n```\n"
    )
    article("good.md", GOOD)
    result = pytester.runpytest()
    _assert_clean_failure(result, "bad.md:3")
    result.stdout.fnmatch_lines(["*bad.md:3:*UTF-8*"])


def test_utf8_bom_file_reads_front_matter(pytester, article):
    text = (
        "---\n"
        "mdverify:\n"
        '  skip: "read from front matter"\n'
        "---\n"
        "\n"
        "```python\n"
        "raise ValueError\n"
        "```\n"
    )
    (pytester.path / "article.md").write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED *read from front matter"])


def test_utf8_bom_file_reads_block_on_line_one(pytester, article):
    text = '```python\nprint("hi")  # hi\n```\n'
    (pytester.path / "article.md").write_bytes(b"\xef\xbb\xbf" + text.encode())
    article("other.md", GOOD)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    collected = pytester.runpytest("--collect-only", "-q")
    collected.stdout.fnmatch_lines(["article.md::line 1"])


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
