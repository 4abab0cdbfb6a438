"""Filters applied to declared and printed output alike (`mdverify.check.filters`)."""

import pytest

from mdverify.article.filters import parse_filters
from mdverify.check.filters import Filters
from mdverify.check.tolerance import Tolerance

_TOLERANCE = Tolerance(relative=0.10, absolute=0.05)


def _apply(specs, declared, printed):
    return Filters(parse_filters(specs), _TOLERANCE).apply(declared, printed)


def test_no_filter_leaves_both_texts_alone():
    assert _apply([], "a 0x1f", "b") == ("a 0x1f", "b")


def test_a_regex_filter_rewrites_both_texts():
    assert _apply([r"id=\d+ => id=N"], "id=3 ok", "id=41 ok") == ("id=N ok", "id=N ok")


def test_a_replacement_may_use_the_groups():
    assert _apply([r"(\w+)@\w+ => \1@host"], "ada@one", "ada@two") == ("ada@host", "ada@host")


def test_none_drops_the_filters_before_it():
    assert _apply(["addresses", "none"], "at 0x7f00aa", "at 0x55bb") == ("at 0x7f00aa", "at 0x55bb")


@pytest.mark.parametrize(
    ("preset", "declared", "printed", "both"),
    [
        (
            "addresses",
            "<__main__.Point object at 0x7f3a2c1b9d50>",
            "<__main__.Point object at 0x7fe0aa10>",
            "<__main__.Point object at 0x…>",
        ),
        (
            "addresses",
            "<coroutine object main at 0xdeadbeef>",
            "<coroutine object main at 0x1>",
            "<coroutine object main at 0x…>",
        ),
        ("timestamps", "2019-05-03", "2026-12-02", "<timestamp>"),
        (
            "timestamps",
            "at 2019-05-03T10:00:00.123456+02:00!",
            "at 2026-12-02 04:20:05!",
            "at <timestamp>!",
        ),
        ("timestamps", "Fri May  3 10:00:00 2019", "Wed Dec  2 04:20:05 2026", "<timestamp>"),
        (
            "timestamps",
            "datetime.datetime(2019, 5, 3, 10, 0, 0, 12)",
            "datetime.datetime(2026, 12, 2, 4, 20)",
            "<timestamp>",
        ),
        ("timestamps", "Friday, May 03, 2019", "Wednesday, December 02, 2026", "<timestamp>"),
        ("timestamps", "3 May 2019", "2 Dec 2026", "<timestamp>"),
        ("timestamps", "05/03/2019 10:00:00", "12/02/2026 04:20:05", "<timestamp>"),
        ("timestamps", "8/7/2021, 7:38", "2/12/2026, 4:31", "<timestamp>"),
        ("timestamps", "now 10:00:00", "now 4:20:05", "now <time>"),
        (
            "uuids",
            "id 7d444840-9dc0-11d1-b245-5ffdce74fad2",
            "id 1b4e28ba-2fa1-11d2-883f-0016d3cca427",
            "id <uuid>",
        ),
        (
            "tmp_paths",
            "wrote /tmp/tmpk2j4x9/out.txt",
            "wrote /tmp/tmpa8b7c6/out.txt",
            "wrote <tmp>",
        ),
        ("tmp_paths", "in /var/folders/xy/abc123/T/tmpq", "in /tmp/tmpz", "in <tmp>"),
        ("tmp_paths", r"in C:\Users\ada\AppData\Local\Temp\tmpq", "in /tmp/tmpz", "in <tmp>"),
        (
            "task_names",
            "<Task finished name='Task-12'>",
            "<Task finished name='Task-3'>",
            "<Task finished name='Task-…'>",
        ),
    ],
)
def test_a_preset_makes_the_values_of_two_runs_equal(preset, declared, printed, both):
    assert _apply([preset], declared, printed) == (both, both)


@pytest.mark.parametrize(
    ("preset", "text"),
    [
        ("addresses", "hex(255) is 0xff"),
        ("timestamps", "version 3.11.4, 1/2 of 10"),
        ("uuids", "7d444840-9dc0"),
        ("tmp_paths", "/home/ada/tmp/notes.txt and /tmpfile"),
        ("task_names", "Task-one"),
    ],
)
def test_a_preset_leaves_what_only_looks_like_its_values(preset, text):
    assert _apply([preset], text, "")[0] == text


@pytest.mark.parametrize(
    ("declared", "printed"),
    [
        ("took 2.0031 s", "took 2.0 s"),
        ("done in 0.53s", "done in 0.5s"),
        ("took 1.2 seconds", "took 1.2000 seconds"),
        ("waited 505 ms", "waited 0.5 s"),
        ("Elapsed: 2.0031697750091553", "Elapsed: 2.0"),
        ("Tiempo usado:  4.004451036453247", "Tiempo usado:  4.0"),
    ],
)
def test_a_duration_within_the_tolerance_is_written_as_printed(declared, printed):
    assert _apply(["durations"], declared, printed) == (printed, printed)


@pytest.mark.parametrize(
    ("declared", "printed"),
    [
        ("took 3.0 s", "took 2.0 s"),
        ("took 1.0 s", "took 2.0 s"),
        ("Elapsed: 1.0", "Elapsed: 2.0"),
        ("pi is 3.14159", "pi is 3.1416"),
        ("sum 2.0031", "sum 2.0"),
    ],
)
def test_a_duration_outside_the_tolerance_or_a_number_that_is_none_is_kept(declared, printed):
    assert _apply(["durations"], declared, printed) == (declared, printed)


def test_durations_pair_in_order_and_a_stated_tolerance_wins():
    declared, printed = "a 1.1s b 2.5s", "a 1.0s b 2.0s"
    assert _apply(["durations"], declared, printed)[0] == "a 1.0s b 2.5s"
    assert _apply(["durations(30%)"], declared, printed)[0] == printed
