"""Declared output: output fences, comments under statements, `#>` lines, and matching."""

from __future__ import annotations

import pytest


def _fence_article(info: str, prose: str, expected: str) -> str:
    between = f"\n{prose}\n" if prose else ""
    return f"""
# Title

```python
print("hello")
```
{between}
```{info}
{expected}
```
"""


@pytest.mark.parametrize("info", ["", "text", "output", "console"])
def test_output_fence_right_after_the_block_is_checked(pytester, article, info):
    article("article.md", _fence_article(info, "", "goodbye"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-goodbye", "+hello"])


@pytest.mark.parametrize("info", ["", "text", "output", "console"])
def test_output_fence_with_right_output_passes(pytester, article, info):
    article("article.md", _fence_article(info, "", "hello"))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("prose", ["**Output:**", "Here is the output of this code:"])
def test_output_fence_after_one_line_of_prose_is_checked(pytester, article, prose):
    article("article.md", _fence_article("", prose, "goodbye"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-goodbye", "+hello"])


@pytest.mark.parametrize(
    "between", ["## Next section", "| a | b |\n|---|---|\n| 1 | 2 |"], ids=["heading", "table"]
)
def test_fence_after_a_heading_or_table_is_not_declared_output(pytester, article, between):
    article(
        "article.md",
        f"""
# Title

```python
print("hello")
```

{between}

```
something unrelated
```
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_comment_under_statements_declares_their_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")
        # a

        print("b")
        # b
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_wrong_comment_under_a_statement_fails(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")
        # not a

        print("b")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["--- expected (article.md:5)", "+++ got", "-not a", "+a"])


def test_comment_at_the_end_of_the_block_declares_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        x = 6 * 7
        print(x)
        # 41
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-41", "+42"])


def test_comment_with_blank_line_above_introducing_code_is_prose(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")

        # Now print something else
        print("b")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_comment_with_code_directly_below_is_prose(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")
        # then b
        print("b")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_trailing_comment_on_print_declares_its_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        x = 6 * 7
        print(x)  # 41
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-41", "+42"])


def test_right_trailing_comment_on_print_passes(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        x = 6 * 7
        print(x)  # 42
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_arrow_lines_declare_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        for i in range(2):
            print(i)
        #> 0
        #> 2
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-2", "+1"])


def test_right_arrow_lines_pass(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        for i in range(2):
            print(i)
        #> 0
        #> 1
        print("next")
        #> next
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_right_trailing_comment_and_wrong_fence_fails(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")  # a
        ```

        ```
        b
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["--- expected (article.md:8)", "+++ got", "-b", "+a"])


def test_wrong_trailing_comment_and_right_fence_fails(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")  # b
        ```

        ```
        a
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["--- expected (article.md:4)", "+++ got", "-b", "+a"])


def test_right_trailing_comment_and_right_fence_pass(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")  # a
        ```

        ```
        a
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_matching_ignores_trailing_whitespace(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a   ")
        print("b\\t")
        ```

        ```
        a
        b
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_matching_ignores_crlf_line_endings(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import sys
        sys.stdout.write("one\\r\\ntwo\\r\\n")
        ```

        ```
        one
        two
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_ellipsis_inside_a_line_matches_any_text(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        class Thing:
            pass

        print(Thing())
        ```

        ```
        <__main__.Thing object at 0x...>
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_ellipsis_inside_a_line_does_not_match_a_different_line(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("<object at 0x10>")
        ```

        ```
        <thing at 0x...>
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)


@pytest.mark.parametrize("count", [0, 1, 5])
def test_ellipsis_line_matches_any_number_of_lines(pytester, article, count):
    article(
        "article.md",
        f"""
        # Title

        ```python
        print("first")
        for i in range({count}):
            print(i)
        print("last")
        ```

        ```
        first
        ...
        last
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_mismatch_shows_a_unified_diff_naming_the_declared_line(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("same")
        print("actual")
        ```

        **Output:**

        ```
        same
        declared
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "article.md:11: output differs*",
            "--- expected (article.md:11)",
            "+++ got",
            "@@ *",
            " same",
            "-declared",
            "+actual",
        ]
    )


def test_block_without_declared_output_passes_when_it_runs(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        x = 1
        print("printed but not declared")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_coroutine_function_never_run_warns_naming_it(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import asyncio

        async def forgotten():
            print("never")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            "*MdverifyWarning: coroutine function forgotten() defined at line 6 is never run*",
        ]
    )


def test_coroutine_function_run_in_a_later_block_does_not_warn(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        async def later():
            print("ran")
        ```

        ```python
        import asyncio
        asyncio.run(later())  # ran
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, warnings=0)
