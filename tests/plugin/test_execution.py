"""How an article's blocks run: one process, one namespace, in order, sandboxed."""

from __future__ import annotations


def test_blocks_of_one_article_share_a_namespace_in_order(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        x = 41
        ```

        ```python
        x += 1
        print(x)  # 42
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_two_articles_do_not_share_state(pytester, article):
    article(
        "a.md",
        """
        # A

        ```python
        shared = 1
        ```
        """,
    )
    article(
        "b.md",
        """
        # B

        ```python
        print("shared" in globals())  # False
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_working_directory_is_a_fresh_temporary_directory(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import os
        print(os.listdir("."))  # []
        with open("made-by-example.txt", "w") as f:
            f.write("x")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "made-by-example.txt").exists()


def test_asyncio_run_works(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import asyncio

        async def main():
            await asyncio.sleep(0.01)
            print("done")

        asyncio.run(main())
        # done
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_top_level_await_works(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import asyncio
        await asyncio.sleep(0.01)
        print("awaited")  # awaited
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_task_created_by_top_level_await_can_be_awaited_in_next_block(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import asyncio

        async def work():
            await asyncio.sleep(0.01)
            return 42

        async def start():
            return asyncio.create_task(work())

        task = await start()
        ```

        ```python
        print(await task)  # 42
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_task_created_at_top_level_of_an_awaiting_block_is_awaited_in_next(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import asyncio

        async def work():
            await asyncio.sleep(0.01)
            return 42

        task = asyncio.create_task(work())
        await asyncio.sleep(0)
        ```

        ```python
        print(await task)  # 42
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_main_guard_runs(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        if __name__ == "__main__":
            print("as a script")
        ```

        ```
        as a script
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_stdout_of_a_subprocess_counts_as_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import subprocess
        subprocess.run(["echo", "hi"])
        ```

        ```
        hi
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_stdout_written_to_file_descriptor_1_counts_as_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import os
        os.write(1, b"raw bytes\\n")
        ```

        ```
        raw bytes
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_stderr_is_shown_in_the_failure_report(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import sys
        print("a warning on stderr", file=sys.stderr)
        print("out")  # something else
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*stderr*", "a warning on stderr"])


def test_stderr_of_a_raising_block_is_shown_in_the_failure_report(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import sys
        print("a warning on stderr", file=sys.stderr)
        raise ValueError("boom")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ValueError: boom*", "*stderr*", "a warning on stderr"])


def test_raising_block_fails_with_traceback_at_the_article_line(pytester, article):
    article(
        "article.md",
        """
        # Title

        Prose.

        ```python
        def f():
            raise ValueError("boom")

        f()
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "article.md:7: ValueError: boom",
            "Traceback (most recent call last):",
            '  File "article.md", line 9, in <module>',
            '  File "article.md", line 7, in f',
            "ValueError: boom",
        ]
    )


def test_syntax_error_is_reported_at_the_article_line(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("fine")
        if True print("no colon")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:5: SyntaxError*", '*File "article.md", line 5*'])


def test_later_block_runs_and_passes_after_an_earlier_block_raised(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        raise ValueError("first")
        ```

        ```python
        print("second")  # second
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=1)


HANG = """
    # Spin

    ```python
    while True:
        pass
    ```

    ```python
    print("after")
    ```
    """

GOOD = """
    # Good

    ```python
    print("ok")  # ok
    ```
    """


def test_hanging_block_times_out_and_the_session_continues(pytester, article):
    article("hang.md", HANG)
    article("ok.md", GOOD)
    result = pytester.runpytest("--mdverify-timeout=1")
    result.assert_outcomes(failed=2, passed=1)
    result.stdout.fnmatch_lines(["*hang.md::Spin (line 3)*", "hang.md:3: timeout*1 s*"])


def test_blocks_after_a_timeout_are_reported_as_not_run(pytester, article):
    article("hang.md", HANG)
    result = pytester.runpytest("--mdverify-timeout=1")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*hang.md::Spin (line 8)*", "hang.md:8: not run*"])


def test_ini_timeout_option_limits_a_block(pytester, article):
    pytester.makeini("[pytest]\nmdverify_timeout = 1\n")
    article("hang.md", HANG)
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["hang.md:3: timeout*1 s*"])


def test_sys_exit_fails_only_that_block(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        import sys
        sys.exit(3)
        ```

        ```python
        print("still here")  # still here
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*SystemExit: 3*"])


def _dying_article(body: str) -> str:
    return f"""
        # Title

        ```python
        print("before")  # before
        ```

        ```python
        {body}
        ```

        ```python
        print("never")
        ```
        """


def test_os_exit_fails_the_block_and_the_rest_of_the_article_is_not_run(pytester, article):
    article("dies.md", _dying_article("import os; os._exit(1)"))
    article("ok.md", GOOD)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*dies.md::Title (line 7)*",
            "dies.md:7: *exited with status 1*",
            "*dies.md::Title (line 11)*",
            "dies.md:11: not run*",
        ]
    )


def test_segfault_fails_the_block_and_the_rest_of_the_article_is_not_run(pytester, article):
    article("dies.md", _dying_article("import ctypes; ctypes.string_at(0)"))
    article("ok.md", GOOD)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*dies.md::Title (line 7)*",
            "dies.md:7: *crashed (SIGSEGV)*",
            "*dies.md::Title (line 11)*",
            "dies.md:11: not run*",
        ]
    )
