"""Which files become articles, from the arguments, the ini file, -k, --lf and the cache.

Which fences become items, what they are called and which line they name is told by the
case articles under tests/cases/collection, checked by tests/plugin/test_cases.py.
"""

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
    result.stdout.fnmatch_lines(["chosen.markdown::Title"])
    assert "ignored.md" not in result.stdout.str()


# Each container holds a block whose first code line raises; FENCE is the fence's line.


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


SETUP_ARTICLE = """
    ---
    mdverify:
      setup: fakes.py
    ---
    # Title

    ```python
    print(greeting)  # hello
    ```
    """


def test_an_edit_of_the_setup_file_is_seen_though_the_article_is_cached(pytester, article):
    article("docs/a.md", SETUP_ARTICLE)
    article("docs/fakes.py", "greeting = 'hello'\n")
    pytester.runpytest("docs/").assert_outcomes(passed=2)
    assert (pytester.path / ".pytest_cache" / "d" / "mdverify" / "articles.pickle").exists()
    article("docs/fakes.py", "greeting = 'bye'\n")
    pytester.runpytest("docs/").assert_outcomes(passed=1, failed=1)


def test_a_visible_block_selected_alone_runs_after_the_hidden_code_above_it(pytester, article):
    article(
        "a.md",
        """
        # Title

        <!-- mdverify: hidden
        ```python
        x = 41
        ```
        -->

        ```python
        print(x + 1)  # 42
        ```
        """,
    )
    result = pytester.runpytest("-k", "Title", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*a.md::Title PASSED*"])
    pytester.runpytest("-k", "hidden").assert_outcomes(passed=1, deselected=1)


def test_a_warning_made_an_error_by_w_error_is_one_line_at_the_block(pytester):
    (pytester.path / "w.md").write_text("# W\n\n```python\nasync def f():\n    return 1\n```\n")
    result = pytester.runpytest("-W", "error::mdverify.plugin.items.MdverifyWarning")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            (
                "w.md:3: coroutine function f() defined at line 4 is never run or awaited"
                " (a warning, turned into an error by -W error)"
            )
        ]
    )
    assert "_pytest" not in result.stdout.str()  # none of pytest's own frames


def test_a_tree_with_no_pytest_asyncio_settings_runs_clean_under_w_error(pytester, monkeypatch):
    # The suite's own inner runs set the loop scope (tests/conftest.py): not this one, and in
    # a process of its own, since warning filters are the process's.
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")
    (pytester.path / "a.md").write_text("# A\n\n```python\nprint(1)  # 1\n```\n")
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()
    assert "PytestDeprecationWarning" not in result.stdout.str() + result.stderr.str()


def test_a_block_skipped_at_collection_is_reported_at_its_line(pytester):
    # pytest's -rs drops the line of a skip made by a mark: mdverify skips at setup instead.
    (pytester.path / "s.md").write_text(
        "# S\n\n<!-- mdverify: skip -->\n```python\nprint(1)\n```\n\n```python\nprint(2)\n```\n"
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED [[]1[]] s.md:4: *skip directive*"])


IDS = """\
# Install it

```python
print(1)  # 1
```

```python
print(2)  # 3
```

## Use it

```python
print(3)  # 3
```
"""


def test_ids_are_headings_kept_by_prose_added_above_and_k_selects_by_heading_words(
    pytester, article
):
    article("a.md", IDS)
    ids = ["a.md::Install it", "a.md::Install it #2", "a.md::Use it"]
    pytester.runpytest("--collect-only", "-q").stdout.fnmatch_lines(ids)
    result = pytester.runpytest("-k", "Install")
    result.assert_outcomes(passed=1, failed=1, deselected=1)
    # The report still says where the block is.
    result.stdout.fnmatch_lines(["*[[]mdverify[]] a.md::Install it #2 (line 7)*", "a.md:8: *"])
    # Prose above the failing block: the saved --lf id still names it.
    article("a.md", IDS.replace("# Install it\n", "# Install it\n\nFirst, a paragraph.\n"))
    pytester.runpytest("--collect-only", "-q").stdout.fnmatch_lines(ids)
    rerun = pytester.runpytest("--lf")
    rerun.assert_outcomes(failed=1)
    rerun.stdout.fnmatch_lines(
        [
            "run-last-failure: rerun previous 1 failure",
            "*[[]mdverify[]] a.md::Install it #2 (line 9)*",
        ]
    )
