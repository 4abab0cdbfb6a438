"""`--mdverify-update`: wrong declared outputs are rewritten in place, and nothing else is."""

from __future__ import annotations

import textwrap

import pytest

UPDATE = "--mdverify-update"


def write(pytester, name: str, text: str) -> bytes:
    data = textwrap.dedent(text).lstrip("\n").encode()
    (pytester.path / name).write_bytes(data)
    return data


def read(pytester, name: str) -> str:
    return (pytester.path / name).read_text(encoding="utf-8")


def test_output_fence_is_rewritten_and_the_summary_names_file_and_line(pytester):
    write(
        pytester,
        "article.md",
        """
        # Title

        ```python
        print("hello")
        ```

        **Output:**

        ```text
        goodbye
        ```
        """,
    )
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["mdverify: rewrote 1 declared output in 1 file", "  article.md: line 10"]
    )
    assert "```text\nhello\n```" in read(pytester, "article.md")


def test_output_comments_of_every_kind_are_rewritten(pytester):
    write(
        pytester,
        "article.md",
        """
        ```python
        total = sum(range(5))
        print(total)
        # 11

        print(2 ** 10)  # -> 1000
        print({"x": 1})
        #> {'x': 2}
        ```
        """,
    )
    pytester.runpytest(UPDATE).assert_outcomes(failed=1)
    assert read(pytester, "article.md") == textwrap.dedent(
        """\
        ```python
        total = sum(range(5))
        print(total)
        # 10

        print(2 ** 10)  # -> 1024
        print({"x": 1})
        #> {'x': 1}
        ```
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_crlf_article_with_a_bom_round_trips_byte_for_byte(pytester):
    before = (
        "\ufeff---\r\ntitle: CRLF\r\n---\r\n\r\n# Title\r\n\r\n"
        '```python\r\nprint("new")\r\n```\r\n\r\n```\r\nold\r\n```\r\n\r\nTrailing  \r\n'
    ).encode()
    (pytester.path / "article.md").write_bytes(before)
    pytester.runpytest(UPDATE).assert_outcomes(failed=1)
    assert (pytester.path / "article.md").read_bytes() == before.replace(b"old", b"new")


def test_output_containing_a_fence_marker_gets_a_longer_fence(pytester):
    write(
        pytester,
        "article.md",
        """
        ```python
        print("```python")
        print("```")
        ```

        ```
        old
        ```
        """,
    )
    pytester.runpytest(UPDATE).assert_outcomes(failed=1)
    assert read(pytester, "article.md").endswith("````\n```python\n```\n````\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_output_inside_an_admonition_keeps_its_indentation(pytester):
    write(
        pytester,
        "article.md",
        """
        !!! note "Try it"

            ```python
            print("a")
            print("b")
            ```

            ```
            old
            ```

        After the note.
        """,
    )
    pytester.runpytest(UPDATE).assert_outcomes(failed=1)
    assert "\n    ```\n    a\n    b\n    ```\n\nAfter the note.\n" in read(pytester, "article.md")
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    "code",
    ['print("partial")\nraise ValueError("boom")', "import os\nprint(1)\nos._exit(3)"],
    ids=["raised", "crashed"],
)
def test_block_that_did_not_finish_is_not_rewritten(pytester, code):
    before = write(pytester, "article.md", f"```python\n{code}\n```\n\n```\nold\n```\n")
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(failed=1)
    assert (pytester.path / "article.md").read_bytes() == before
    result.stdout.fnmatch_lines(["mdverify: rewrote 0 declared outputs in 0 files"])


def test_block_that_timed_out_is_not_rewritten(pytester):
    code = 'print("before")\nimport time\nwhile True:\n    time.sleep(0.01)'
    before = write(pytester, "article.md", f"```python\n{code}\n```\n\n```\nold\n```\n")
    pytester.runpytest(UPDATE, "--mdverify-timeout=1", "--mdverify-clock=real").assert_outcomes(
        failed=1
    )
    assert (pytester.path / "article.md").read_bytes() == before


def test_article_that_fails_to_parse_is_not_rewritten(pytester):
    before = write(
        pytester,
        "article.md",
        "<!-- mdverify: no-such-key -->\n\n```python\nprint(1)\n```\n\n```\nold\n```\n",
    )
    pytester.runpytest(UPDATE).assert_outcomes(failed=1)
    assert (pytester.path / "article.md").read_bytes() == before


def test_xfail_block_is_not_rewritten(pytester):
    text = '<!-- mdverify: xfail reason="wrong on purpose" -->\n\n'
    before = write(pytester, "article.md", text + "```python\nprint(1)\n```\n\n```\n2\n```\n")
    pytester.runpytest(UPDATE).assert_outcomes(xfailed=1)
    assert (pytester.path / "article.md").read_bytes() == before


def test_second_update_changes_nothing(pytester):
    write(
        pytester,
        "article.md",
        """
        ```python
        print("one")  # 1
        for word in ["a", "b"]:
            print(word)
        ```

        ```
        wrong
        ```
        """,
    )
    pytester.runpytest(UPDATE).assert_outcomes(failed=1)
    after_first = (pytester.path / "article.md").read_bytes()
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["mdverify: rewrote 0 declared outputs in 0 files"])
    assert (pytester.path / "article.md").read_bytes() == after_first


def test_article_edited_during_the_run_is_not_overwritten_and_the_user_is_told(pytester):
    path = pytester.path / "article.md"
    code = f"with open({str(path)!r}, 'a') as f:\n    f.write('A line the writer added.\\n')\n"
    write(pytester, "article.md", f"```python\n{code}print(1)\n```\n\n```\nold\n```\n")
    result = pytester.runpytest(UPDATE)
    result.stdout.fnmatch_lines(["mdverify: article.md changed on disk * not rewritten"])
    assert "old" in read(pytester, "article.md")
    assert read(pytester, "article.md").endswith("A line the writer added.\n")


def test_timing_claim_is_not_rewritten_and_the_measurement_is_reported(pytester):
    before = write(
        pytester,
        "article.md",
        """
        ```python
        import asyncio
        asyncio.run(asyncio.sleep(2))  # takes about 1 second
        ```
        """,
    )
    result = pytester.runpytest(UPDATE)
    # The note quotes the writer's words, not the claim as the comparison reads it (~1s).
    result.stdout.fnmatch_lines(
        [
            (
                "article.md:3: timing claim 'takes about 1 second' is not rewritten: "
                "measured 2.000s on the virtual*"
            )
        ]
    )
    assert (pytester.path / "article.md").read_bytes() == before


def test_without_the_option_nothing_is_rewritten(pytester):
    before = write(pytester, "article.md", "```python\nprint(1)  # 2\n```\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert (pytester.path / "article.md").read_bytes() == before
    assert "rewrote" not in result.stdout.str()


def test_output_cut_at_the_output_limit_is_never_written_into_the_article(pytester):
    before = write(
        pytester,
        "article.md",
        """
        ```python
        for n in range(40):
            print(n)
        ```

        ```
        0
        ```
        """,
    )
    result = pytester.runpytest(UPDATE, "--mdverify-output-limit=100")
    result.assert_outcomes(failed=1)
    assert (pytester.path / "article.md").read_bytes() == before
    result.stdout.fnmatch_lines(["mdverify: rewrote 0 declared outputs in 0 files"])


def test_timing_comment_on_its_own_line_is_left_byte_for_byte(pytester):
    before = write(
        pytester,
        "article.md",
        """
        ```python
        import asyncio
        print("start")  # start
        asyncio.run(asyncio.sleep(1))
        # takes ~1s
        ```
        """,
    )
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["mdverify: rewrote 0 declared outputs in 0 files"])
    assert (pytester.path / "article.md").read_bytes() == before


def test_a_declared_traceback_is_rewritten_only_in_its_exception_line(pytester):
    write(
        pytester,
        "article.md",
        """
        ```python
        print("parsing")
        int("seven")
        ```

        Output:

        ```text
        parsing
        Traceback (most recent call last):
          File "demo.py", line 2, in <module>
        ValueError: invalid literal
        ```

        ```python
        {}["k"]
        ```

        ```text
        Traceback (most recent call last):
          ...
        KeyError: 'k'

        The above exception was the direct cause of the following exception:

        Traceback (most recent call last):
          ...
        RuntimeError: wrapped
        ```
        """,
    )
    result = pytester.runpytest(UPDATE, "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "mdverify: rewrote 1 declared output in 1 file",
            "  article.md: line 12",
            "mdverify: not rewritten: article.md:28: a chain or an exception group is not *",
        ]
    )
    text = read(pytester, "article.md")
    assert (
        "```text\nparsing\nTraceback (most recent call last):\n"
        '  File "demo.py", line 2, in <module>\n'
        "ValueError: invalid literal for int() with base 10: 'seven'\n```"
    ) in text
    again = pytester.runpytest("-p", "no:cacheprovider")
    again.assert_outcomes(passed=1, failed=1)


def test_a_filtered_output_is_rewritten_as_printed_not_as_compared(pytester):
    write(
        pytester,
        "article.md",
        """
        <!-- mdverify: filter="#\\d+ => #N" -->
        ```python
        class Point:
            pass

        print(Point(), "#41")
        print("total", 3)
        ```

        ```text
        <__main__.Point object at 0x7f00aa> #7
        total 2
        ```
        """,
    )
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(failed=1)
    fence = read(pytester, "article.md").split("```text\n")[1]
    assert fence.startswith("<__main__.Point object at 0x")
    assert "0x…" not in fence
    assert fence.endswith(" #41\ntotal 3\n```\n")
    pytester.runpytest().assert_outcomes(passed=1)


HIDDEN = """\
<!-- mdverify: hidden
```python
import json
shop = {"tea": 2}
```
-->
"""


def test_a_visible_rewrite_leaves_the_hidden_comment_byte_for_byte(pytester):
    visible = '```python\nprint(json.dumps(shop))\n```\n\n**Output:**\n\n```text\n{"tea": 3}\n```\n'
    teardown = HIDDEN.replace("import json", "del json")
    text = f"# Prices\n\n{HIDDEN}\n{visible}\n{teardown}"
    (pytester.path / "article.md").write_bytes(text.encode())
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["mdverify: rewrote 1 declared output in 1 file"])
    after = read(pytester, "article.md")
    assert after == text.replace('{"tea": 3}', '{"tea": 2}')
    assert after.startswith(f"# Prices\n\n{HIDDEN}\n```python\n")
    assert after.endswith(f"```\n\n{teardown}")
    pytester.runpytest().assert_outcomes(passed=3)


def test_output_a_hidden_block_declares_is_rewritten_inside_its_comment(pytester):
    write(
        pytester,
        "article.md",
        """
        <!-- mdverify: hidden
        ```python
        print(sum([1, 2]))  # 4
        print("a -" + "-> b")
        ```

        ```text
        old
        ```
        -->
        """,
    )
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(failed=1)
    # The trailing comment is rewritten; the fence would hold the comment's end: refused.
    result.stdout.fnmatch_lines(
        ["mdverify: not rewritten: article.md:8: *'-->'*end the hidden code's comment*"]
    )
    assert read(pytester, "article.md") == textwrap.dedent(
        """\
        <!-- mdverify: hidden
        ```python
        print(sum([1, 2]))  # 3
        print("a -" + "-> b")
        ```

        ```text
        old
        ```
        -->
        """
    )


def test_a_stderr_fence_is_rewritten_with_what_the_block_wrote_to_stderr_only(pytester):
    write(
        pytester,
        "article.md",
        """
        ```python
        import sys

        print("to stdout")
        print("low disk", file=sys.stderr)
        ```

        ```text
        to stdout
        ```

        ```stderr
        disk full
        ```
        """,
    )
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["mdverify: rewrote 1 declared output in 1 file", "*line 13"])
    text = read(pytester, "article.md")
    assert "```text\nto stdout\n```\n\n```stderr\nlow disk\n```\n" in text
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_update_declares_a_warning_with_the_articles_path_as_reports_name_it(pytester):
    write(
        pytester,
        "article.md",
        """
        ```python
        async def main():
            print("hi")

        main()
        ```

        ```stderr
        ```
        """,
    )
    pytester.runpytest(UPDATE).assert_outcomes(failed=1)
    assert read(pytester, "article.md").endswith(
        "```stderr\n"
        "article.md:5: RuntimeWarning: coroutine 'main' was never awaited\n"
        "  main()\n"
        "RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n"
        "```\n"
    )
    # The fence now declares the warning: the block passes as it stands.
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_file_block_is_never_rewritten_and_its_transcript_is_left_to_the_writer(pytester):
    text = write(
        pytester,
        "article.md",
        """
        ```python title="helpers.py"
        print(1)  # 2
        ```

        ```console
        $ python helpers.py
        3
        ```

        ```python file=other.py
        print(4)  # 5
        ```

        ```python
        import other
        ```

        ```text
        6
        ```
        """,
    )
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*a console transcript is not rewritten; update it by hand*"])
    expected = text.decode().replace("```text\n6\n", "```text\n4\n")
    assert read(pytester, "article.md") == expected


def test_a_console_transcript_gets_its_output_lines_and_nothing_else_changes(pytester):
    # CRLF, a quote's `> ` prefix and a line kept by `...`: everything but the output
    # lines that differ stays byte for byte.
    before = (
        b"# Run\r\n\r\n"
        b'```python title="hello.py"\r\nprint("hello")\r\nprint(1 + 1)\r\n```\r\n\r\n'
        b"> ```console\r\n"
        b'> $ python -c "import time; time.sleep(9)" &\r\n'
        b"> [1] 4242\r\n"
        b"> $ python hello.py\r\n"
        b"> ...\r\n"
        b"> 3\r\n"
        b'> $ python -c "print(4)"\r\n'
        b"> ```\r\n\r\nAfter.\r\n"
    )
    (pytester.path / "article.md").write_bytes(before)
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["mdverify: rewrote 2 declared outputs in 1 file"])
    after = before.replace(b"> 3\r\n", b"> 2\r\n")
    after = after.replace(b'"print(4)"\r\n', b'"print(4)"\r\n> 4\r\n')
    assert (pytester.path / "article.md").read_bytes() == after
    pytester.runpytest().assert_outcomes(passed=2)
