"""The `mdverify:` line at the end of the terminal summary."""

from __future__ import annotations


def test_summary_line_counts_verified_failed_and_skipped_blocks(pytester, article):
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
    result.stdout.fnmatch_lines(["mdverify: 2 blocks verified, 1 failed, 1 skipped"])


def test_summary_line_is_absent_when_no_article_ran(pytester):
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("mdverify:*")
