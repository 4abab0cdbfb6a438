"""`<!-- mdverify: ... -->` comments and the front matter's `mdverify:` key."""

from __future__ import annotations

import pytest

GOOD = """
    # Good

    ```python
    print("ok")  # ok
    ```
    """


def test_skip_directive_skips_with_its_reason(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: skip reason="needs a database" -->

        ```python
        raise ValueError("must not run")
        ```
        """,
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED *article.md*needs a database"])


def test_skip_directive_applies_only_to_the_next_block(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: skip -->

        ```python
        raise ValueError("must not run")
        ```

        ```python
        print("runs")  # runs
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(skipped=1, passed=1)


def test_xfail_directive_on_a_failing_block_is_xfailed(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: xfail reason="known bug" -->

        ```python
        raise ValueError("expected")
        ```
        """,
    )
    result = pytester.runpytest("-rx")
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(["XFAIL *known bug*"])


def test_xfail_directive_on_a_passing_block_fails_because_xfail_is_strict(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: xfail -->

        ```python
        print("fine")  # fine
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_timeout_directive_limits_one_block(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: timeout=1 -->

        ```python
        while True:
            pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:5: timeout*1 s*"])


def test_timeout_directive_leaves_other_blocks_with_the_session_limit(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: timeout=0.5 -->

        ```python
        print("quick")  # quick
        ```

        ```python
        import time
        time.sleep(0.8)
        print("slower")  # slower
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_requires_missing_module_skips_naming_it(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: requires=some_missing_module -->

        ```python
        import some_missing_module
        ```
        """,
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED *some_missing_module*"])


def test_requires_available_module_runs(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: requires=json -->

        ```python
        import json
        print(json.dumps([1]))  # [2]
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-[[]2[]]", "+[[]1[]]"])


def test_python_version_not_met_skips(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: python>=3.99 -->

        ```python
        raise ValueError("must not run")
        ```
        """,
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED *3.99*"])


def test_python_version_met_runs(pytester, article):
    article(
        "article.md",
        """
        # Title

        <!-- mdverify: python>=3.8 -->

        ```python
        raise ValueError("ran")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ValueError: ran*"])


def test_front_matter_skip_applies_to_every_block(pytester, article):
    article(
        "article.md",
        """
        ---
        title: Draft
        mdverify:
          skip: "draft article"
        ---

        # Title

        ```python
        raise ValueError("one")
        ```

        ```python
        raise ValueError("two")
        ```
        """,
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["SKIPPED [[]2[]] *draft article"])


def test_front_matter_timeout_applies_to_every_block(pytester, article):
    article(
        "article.md",
        """
        ---
        mdverify:
          timeout: 1
        ---

        # Title

        ```python
        while True:
            pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:8: timeout*1 s*"])


def test_unknown_directive_key_fails_that_article_only(pytester, article):
    article(
        "bad.md",
        """
        # Title

        <!-- mdverify: skp -->

        ```python
        print("x")
        ```
        """,
    )
    article("good.md", GOOD)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*bad.md:3:*unknown directive 'skp'*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_unknown_front_matter_key_fails_that_article_only(pytester, article):
    article(
        "bad.md",
        """
        ---
        title: Bad
        mdverify:
          skp: true
        ---

        ```python
        print("x")
        ```
        """,
    )
    article("good.md", GOOD)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*bad.md:3:*unknown directive 'skp'*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED
