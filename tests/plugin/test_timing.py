"""Timing claims and the clocks, seen from pytest: `pytest article.md`."""

from __future__ import annotations

import textwrap

SEQUENTIAL_CLAIMED_CONCURRENT = """
    # Gather

    ```python
    import asyncio

    async def fetch(n):
        await asyncio.sleep(1)
        return n

    async def main():
        # Run both concurrently (takes ~1s, not 2s)
        a = await fetch(1)
        b = await fetch(2)
        print(a, b)

    asyncio.run(main())
    # 1 2
    ```
    """


def test_claim_over_sequential_awaits_fails_on_timing_although_output_is_right(pytester, article):
    article("article.md", SEQUENTIAL_CLAIMED_CONCURRENT)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "article.md:11: timing: claimed ~1s, not 2s; measured 2.000s (virtual clock)",
            "*2.000s is more than 0.1s away from the claimed 1s*",
            "timeline (virtual clock*",
            "  main        |####*| 0.000s -> 2.000s",
            "  await fetch |####################    *| 0.000s -> 1.000s",
            "  await fetch |    *####################| 1.000s -> 2.000s",
        ]
    )
    result.stdout.no_fnmatch_line("*output differs*")


def test_claim_over_gathered_awaits_passes(pytester, article):
    article(
        "article.md",
        SEQUENTIAL_CLAIMED_CONCURRENT.replace(
            "a = await fetch(1)\n        b = await fetch(2)",
            "a, b = await asyncio.gather(fetch(1), fetch(2))",
        ),
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_not_clause_fails_when_the_block_takes_the_ruled_out_time(pytester, article):
    article(
        "article.md",
        """
        # Sleep

        ```python
        import asyncio
        asyncio.run(asyncio.sleep(2))  # takes ~2s, not 2s
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*within 0.2s of 2s, which the claim rules out*"])


def test_directive_claim_is_checked_and_reported_at_the_directive_line(pytester, article):
    article(
        "article.md",
        """
        # Breakfast

        <!-- mdverify: elapsed=~5s not=8s -->

        ```python
        import asyncio

        async def main():
            await asyncio.sleep(5)
            await asyncio.sleep(3)

        asyncio.run(main())
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["article.md:3: timing: claimed ~5s, not 8s; measured 8.000s (virtual clock)"]
    )


def test_claim_covers_the_whole_block_not_the_statement_it_stands_in(pytester, article):
    article(
        "article.md",
        """
        # Two statements

        ```python
        import time
        time.sleep(1)  # takes ~2s
        time.sleep(1)
        ```
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_not_without_elapsed_is_an_error_of_the_article(pytester, article):
    article(
        "article.md",
        """
        # Bad

        <!-- mdverify: not=2s -->

        ```python
        pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:3: 'not' needs an 'elapsed' claim beside it"])


def test_malformed_duration_in_a_directive_is_an_error_of_the_article(pytester, article):
    article(
        "article.md",
        """
        # Bad

        <!-- mdverify: elapsed=soon -->

        ```python
        pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:3: *'elapsed' needs a duration*"])


def test_elapsed_in_front_matter_is_refused(pytester, article):
    article(
        "article.md",
        """
        ---
        title: x
        mdverify:
          elapsed: 1s
        ---

        ```python
        pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:3: *belongs to one block*"])


def test_clock_on_one_block_is_refused_with_where_to_put_it(pytester, article):
    article(
        "article.md",
        """
        # Bad

        <!-- mdverify: clock=real -->

        ```python
        pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:3: 'clock' applies to a whole article*"])


ELAPSED_PRINTER = """
    # Clock

    ```python
    import asyncio, time
    start = time.perf_counter()
    asyncio.run(asyncio.sleep(0.3))
    took = time.perf_counter() - start
    print(f"took {took:.1f}s")
    print("exact" if round(took, 9) == 0.3 else "inexact")
    ```

    ```text
    took 0.3s
    {exactness}
    ```
    """


def test_virtual_clock_measures_sleeps_exactly(pytester, article):
    article("article.md", ELAPSED_PRINTER.replace("{exactness}", "exact"))
    pytester.runpytest().assert_outcomes(passed=1)


def test_real_clock_option_measures_wall_time(pytester, article):
    article("article.md", ELAPSED_PRINTER.replace("{exactness}", "inexact"))
    pytester.runpytest("--mdverify-clock=real").assert_outcomes(passed=1)


def test_real_clock_from_front_matter(pytester, article):
    article(
        "article.md",
        "---\nmdverify:\n  clock: real\n---\n"
        + textwrap.dedent(ELAPSED_PRINTER.replace("{exactness}", "inexact")),
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_real_clock_failure_names_the_real_clock(pytester, article):
    article(
        "article.md",
        """
        # Real

        ```python
        import time
        time.sleep(0.1)  # takes ~3s
        ```
        """,
    )
    result = pytester.runpytest("--mdverify-clock=real")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*timing: claimed ~3s; measured *s (real clock)*"])


def test_tolerance_option_widens_what_passes(pytester, article):
    article(
        "article.md",
        """
        # Loose

        ```python
        import time
        time.sleep(1.3)  # takes ~1s
        ```
        """,
    )
    pytester.runpytest().assert_outcomes(failed=1)
    pytester.runpytest("--mdverify-tolerance=50%").assert_outcomes(passed=1)


def test_tolerance_ini_option_is_read(pytester, article):
    article(
        "article.md",
        """
        # Loose

        ```python
        import time
        time.sleep(1.3)  # takes ~1s
        ```
        """,
    )
    pytester.makeini("[pytest]\nmdverify_tolerance = 0.4s\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_bad_tolerance_is_a_usage_error(pytester, article):
    article("article.md", "# x\n\n```python\npass\n```\n")
    result = pytester.runpytest("--mdverify-tolerance=lots")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*mdverify tolerance: not a duration*"])


def test_bad_clock_is_a_usage_error(pytester, article):
    article("article.md", "# x\n\n```python\npass\n```\n")
    result = pytester.runpytest("--mdverify-clock=sundial")
    assert result.ret == 4


def test_timelines_option_writes_an_svg_per_timing_failure(pytester, article):
    article("article.md", SEQUENTIAL_CLAIMED_CONCURRENT)
    result = pytester.runpytest(f"--mdverify-timelines={pytester.path / 'tl'}")
    result.assert_outcomes(failed=1)
    (svg,) = (pytester.path / "tl").glob("*.svg")
    assert svg.read_text().startswith("<svg")
    result.stdout.fnmatch_lines([f"timeline image: {svg}"])


def test_virtual_time_cap_stops_an_endless_loop_and_says_so(pytester, article):
    article(
        "article.md",
        """
        # Forever

        ```python
        import asyncio

        async def tick():
            while True:
                await asyncio.sleep(60)

        asyncio.run(tick())
        ```

        ```python
        print("next block")  # next block
        ```
        """,
    )
    result = pytester.runpytest("--mdverify-cap=3600")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["article.md:*: virtual-time cap reached*3600*"])


def test_measured_time_and_clock_go_into_junit_properties(pytester, article):
    article("article.md", "# x\n\n```python\nimport time\ntime.sleep(2)\n```\n")
    pytester.runpytest("--junitxml=out.xml").assert_outcomes(passed=1)
    xml = (pytester.path / "out.xml").read_text()
    assert 'name="mdverify_elapsed" value="2.000000s (virtual clock)"' in xml


def test_timeline_images_of_same_named_articles_in_two_folders_do_not_collide(pytester, article):
    article("a/index.md", SEQUENTIAL_CLAIMED_CONCURRENT)
    article("b/index.md", SEQUENTIAL_CLAIMED_CONCURRENT)
    pytester.runpytest(f"--mdverify-timelines={pytester.path / 'tl'}").assert_outcomes(failed=2)
    assert len(list((pytester.path / "tl").glob("*.svg"))) == 2


def test_timeout_in_the_ini_file_that_is_not_a_number_is_a_usage_error(pytester, article):
    article("article.md", "# x\n\n```python\npass\n```\n")
    pytester.makeini("[pytest]\nmdverify_timeout = 10s\n")
    result = pytester.runpytest()
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*mdverify_timeout must be a number of seconds, not '10s'*"])


TIMING_COMMENT_UNDER_A_STATEMENT = """
    # Nap

    ```python
    import asyncio
    print("start")  # start
    asyncio.run(asyncio.sleep(1))
    # takes ~1s
    ```
    """


def test_timing_comment_on_its_own_line_is_a_claim_not_declared_output(pytester, article):
    article("article.md", TIMING_COMMENT_UNDER_A_STATEMENT)
    pytester.runpytest().assert_outcomes(passed=1)
    article("article.md", TIMING_COMMENT_UNDER_A_STATEMENT.replace("~1s", "~3s"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["article.md:7: timing: claimed ~3s; measured 1.000s*"])
    result.stdout.no_fnmatch_line("*output differs*")
