"""Timing options that write files or refuse bad values: timelines, JUnit, usage errors.

Timing claims and directives are told by the case articles under tests/cases/timing, and
the clock, tolerance and cap options by those under tests/cases/*-option and *-ini,
checked by tests/plugin/test_cases.py.
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
