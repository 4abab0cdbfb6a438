"""The timing options (clock, tolerance, cap, timelines) and what they change in a run.

Timing claims and directives themselves are told by the case articles under
tests/cases/timing, checked by tests/plugin/test_cases.py.
"""

from __future__ import annotations

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


def test_real_clock_option_measures_wall_time_and_failures_name_that_clock(pytester, article):
    article("article.md", ELAPSED_PRINTER.replace("{exactness}", "inexact"))
    article(
        "real.md",
        """
        # Real

        ```python
        import time
        time.sleep(0.1)  # takes ~3s
        ```
        """,
    )
    result = pytester.runpytest("--mdverify-clock=real")
    result.assert_outcomes(passed=1, failed=1)
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
