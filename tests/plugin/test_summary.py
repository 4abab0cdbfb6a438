"""The `mdverify:` line at the end of the terminal summary."""

from __future__ import annotations

import pytest


def test_summary_line_counts_passed_failed_and_skipped_blocks(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")  # a
        ```

        ```python
        print("b")  # b
        ```

        ```python
        raise ValueError("no")
        ```

        <!-- mdverify: skip -->

        ```python
        raise ValueError("skipped")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["mdverify: 2 blocks passed, 1 failed, 1 skipped"])


def test_summary_line_is_absent_when_no_article_ran(pytester):
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("mdverify:*")


def test_the_summary_says_what_was_really_checked(pytester, article):
    article(
        "a.md",
        """
        # A

        ```python
        print(1)  # 1
        ```

        ```python
        x = 1
        ```

        ```python
        import asyncio
        asyncio.run(asyncio.sleep(1))  # takes ~1s
        ```

        ```python
        import not_installed_anywhere
        ```

        <!-- mdverify: skip="draft" -->

        ```python
        y
        ```

        <!-- mdverify: requires="not_installed_anywhere" -->

        ```python
        y
        ```
        """,
    )
    article("b.md", '# B\n\n<!-- mdverify: skip="draft" -->\n\n```python\ny\n```\n')
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1, skipped=3)
    result.stdout.fnmatch_lines(
        [
            (
                "mdverify: 4 blocks ran: 1 with output compared (1 output), "
                "1 with timing checked (1 claim), 1 passed with nothing compared"
            ),
            "mdverify: 3 blocks skipped:",
            "  2 x draft",
            "  1 x *not_installed_anywhere*",
            "mdverify: 1 environment failure:",
            "  1 x missing package",
        ]
    )


def test_the_summary_counts_the_blocks_of_every_xdist_worker(pytester, article):
    pytest.importorskip("xdist")
    for n in range(4):
        article(f"a{n}.md", f"# A\n\n```python\nprint({n})  # {n}\n```\n\n```python\nx = 1\n```\n")
    result = pytester.runpytest("-n", "2")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(
        [
            (
                "mdverify: 8 blocks ran: 4 with output compared (4 outputs), "
                "0 with timing checked (0 claims), 4 passed with nothing compared"
            )
        ]
    )


NORUN_AND_STDIN = """
    # Compile-only and input

    <!-- mdverify: norun -->

    ```python
    import company_sdk

    print(company_sdk.Client("MY-KEY").ask("weather"))  # Sunny
    ```

    <!-- mdverify: norun -->

    ```python
    import mdverify_no_such_sdk
    ```

    <!-- mdverify: stdin="Ada\\n" -->

    ```python
    print(f"Hello, {input()}")  # Hello, Ada
    ```
    """


@pytest.mark.parametrize("start", [(), ("--mdverify-start=cold",), ("-n", "2")])
def test_the_summary_says_which_blocks_only_compiled_on_either_start_and_under_xdist(
    pytester, article, start
):
    if "-n" in start:
        pytest.importorskip("xdist")
    # The configured paths are on the path the imports are looked up on; looking a module
    # up runs none of it.
    pytester.makeini("[pytest]\npythonpath = lib\n")
    article("lib/company_sdk.py", 'raise RuntimeError("imported")\n')
    article("a.md", NORUN_AND_STDIN)
    result = pytester.runpytest(*start)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*a.md:14: ModuleNotFoundError: No module named 'mdverify_no_such_sdk'",
            "mdverify: 2 blocks passed, 1 failed",
            (
                "mdverify: 1 block ran: 1 with output compared (1 output), "
                "0 with timing checked (0 claims), 0 passed with nothing compared"
            ),
            "mdverify: 2 blocks compiled, not run (norun): 1 declared output not compared",
            "mdverify: 1 environment failure:",
            "  1 x missing package",
        ]
    )
