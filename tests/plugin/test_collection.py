"""Which files and fences become items, what they are called, and which line they name."""

from __future__ import annotations

import pytest

RAISES = """
    # Title

    ```python
    raise ValueError("ran")
    ```
    """


def test_directory_argument_collects_markdown_files(pytester, article):
    article("docs/one.md", RAISES)
    article("docs/two.md", RAISES)
    result = pytester.runpytest("docs/")
    result.assert_outcomes(failed=2)


def test_file_argument_collects_only_that_article(pytester, article):
    article("docs/one.md", RAISES)
    article("docs/two.md", RAISES)
    result = pytester.runpytest("docs/one.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*docs/one.md::Title (line 3)*"])
    assert "two.md" not in result.stdout.str()


def test_dot_collects_markdown_files_in_subdirectories(pytester, article):
    article("top.md", RAISES)
    article("sub/dir/deep.md", RAISES)
    result = pytester.runpytest(".")
    result.assert_outcomes(failed=2)


def test_ini_globs_option_changes_which_files_are_articles(pytester, article):
    pytester.makeini("[pytest]\nmdverify_globs = *.markdown\n")
    article("ignored.md", RAISES)
    article("chosen.markdown", RAISES)
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["chosen.markdown::Title (line 3)"])
    assert "ignored.md" not in result.stdout.str()


@pytest.mark.parametrize("info", ["python", "py", "python3", 'python title="x"', "{.python}"])
def test_python_info_string_is_collected_and_run(pytester, article, info):
    article(
        "article.md",
        f"""
        # Title

        ```{info}
        raise ValueError("ran")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ValueError: ran*"])


@pytest.mark.parametrize("info", ["bash", "json"])
def test_non_python_fence_is_not_collected(pytester, article, info):
    article(
        "article.md",
        f"""
        # Title

        ```{info}
        this is not python {{
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_pycon_block_with_right_output_passes(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```pycon
        >>> 1 + 1
        2
        >>> print("a")
        a
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_pycon_block_with_wrong_output_fails(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```pycon
        >>> 1 + 1
        3
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-3", "+2"])


def test_pycon_block_with_expected_exception_passes(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```pycon
        >>> raise ValueError("x")
        Traceback (most recent call last):
          ...
        ValueError: x
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


# Each container holds a block whose first code line raises; FENCE is the fence's line.
CONTAINERS = {
    "list": (
        """
        # Title

        1. First step.

        2. Second step:

           ```python
           raise ValueError("inside")
           ```
        """,
        7,
    ),
    "blockquote": (
        """
        # Title

        Some prose.

        > A quote:
        >
        > ```python
        > raise ValueError("inside")
        > ```
        """,
        7,
    ),
    "admonition": (
        """
        # Title

        !!! note "A note"

            Some text.

            ```python
            raise ValueError("inside")
            ```
        """,
        7,
    ),
    "collapsible": (
        """
        # Title

        ??? tip "Closed"

            ```python
            raise ValueError("inside")
            ```
        """,
        5,
    ),
    "collapsible-open": (
        """
        # Title

        Prose.

        ???+ tip "Open"

            More prose.

            ```python
            raise ValueError("inside")
            ```
        """,
        9,
    ),
    "content-tab": (
        """
        # Title

        === "First"

            ```python
            print("first tab")
            ```

        === "Second"

            ```python
            raise ValueError("inside")
            ```
        """,
        11,
    ),
}


@pytest.mark.parametrize("container", list(CONTAINERS))
def test_block_inside_container_fails_at_its_absolute_line(pytester, article, container):
    text, fence = CONTAINERS[container]
    article("article.md", text)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=1 if container == "content-tab" else 0)
    result.stdout.fnmatch_lines(
        [
            f"*article.md::Title (line {fence})*",
            f"article.md:{fence + 1}: ValueError: inside",
        ]
    )


@pytest.mark.parametrize("container", list(CONTAINERS))
def test_block_inside_container_is_collected_at_its_absolute_line(pytester, article, container):
    text, fence = CONTAINERS[container]
    article("article.md", text)
    items = pytester.inline_genitems()[0]
    last = items[-1]
    assert last.name == f"Title (line {fence})"
    path, line, _domain = last.reportinfo()
    assert (path, line + 1) == (pytester.path / "article.md", fence)
    assert last.location[1] == fence - 1


def test_item_ids_are_article_heading_and_line(pytester, article):
    article(
        "article.md",
        """
        # Install

        ```python
        x = 1
        ```

        ## Use `it` **now**

        ```python
        y = 2
        ```
        """,
    )
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "article.md::Install (line 3)",
            "article.md::Use it now (line 9)",
        ]
    )


def test_block_before_any_heading_is_named_by_its_line(pytester, article):
    article(
        "article.md",
        """
        Intro.

        ```python
        x = 1
        ```
        """,
    )
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["article.md::line 3"])


def test_dash_k_selects_blocks_by_heading_words(pytester, article):
    article(
        "article.md",
        """
        # Install

        ```python
        x = 1
        ```

        # Teardown

        ```python
        raise ValueError("not selected")
        ```
        """,
    )
    result = pytester.runpytest("-k", "Install")
    result.assert_outcomes(passed=1, deselected=1)


def test_verbose_run_shows_item_ids_as_collected(pytester, article):
    article(
        "article.md",
        """
        # Task Groups (Python 3.11+)

        ```python
        x = 1
        ```
        """,
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["article.md::Task Groups (Python 3.11+) (line 3) PASSED*"])


def test_last_failed_reruns_only_the_failed_block(pytester, article):
    article(
        "article.md",
        """
        # Setup

        ```python
        x = 1
        ```

        # Broken

        ```python
        raise ValueError(x)
        ```

        # Fine

        ```python
        print(x)  # 1
        ```
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2, failed=1)
    result = pytester.runpytest("--lf", "-rf")
    result.assert_outcomes(failed=1)
    # The block still sees `x`: the block before it reran, unreported. (pytest 8.0's short
    # summary leaves out the message; later versions add it.)
    result.stdout.fnmatch_lines(["article.md:10: ValueError: 1", "FAILED article.md::Broken*"])


def test_an_article_edited_since_the_last_run_is_parsed_again(pytester, article):
    article("a.md", "# A\n\n```python\nprint(1)  # 1\n```\n")
    pytester.runpytest().assert_outcomes(passed=1)
    assert (pytester.path / ".pytest_cache" / "d" / "mdverify" / "articles.pickle").exists()
    article("a.md", "# A\n\n```python\nprint(1)  # 2\n```\n")
    pytester.runpytest().assert_outcomes(failed=1)
