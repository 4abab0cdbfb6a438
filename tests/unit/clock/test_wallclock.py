"""The wall clocks beside `time.time`: calendar functions, `clock_gettime` and `datetime`."""

# The naive, local and deprecated readings are what these tests check.
# ruff: noqa: DTZ002, DTZ003, DTZ005, DTZ006, DTZ011

from __future__ import annotations

import datetime as dt
import time
import warnings

import pytest

from mdverify import clock
from mdverify.clock.installer import uninstall

DAY = 86_400
UTC = dt.timezone.utc


@pytest.fixture
def a_day_later(virtual, real):
    """The virtual epoch, in seconds, once a virtual day has passed since install."""
    time.sleep(DAY)
    return real.time_ns() // 1_000_000_000 + DAY


def test_calendar_functions_without_a_time_read_virtual_time(a_day_later):
    assert time.time() == a_day_later
    assert time.gmtime() == time.gmtime(a_day_later)
    assert time.localtime() == time.localtime(a_day_later)
    assert time.ctime() == time.ctime(a_day_later)
    assert time.asctime() == time.asctime(time.localtime(a_day_later))
    assert time.strftime("%Y-%m-%d %H:%M:%S") == time.strftime(
        "%Y-%m-%d %H:%M:%S", time.localtime(a_day_later)
    )
    assert time.localtime(None) == time.localtime(a_day_later)


def test_calendar_functions_given_a_time_convert_that_time(a_day_later):
    assert time.gmtime(0)[:6] == (1970, 1, 1, 0, 0, 0)
    assert time.strftime("%Y", time.gmtime(DAY * 366)) == "1971"
    assert time.asctime(time.gmtime(0)) == "Thu Jan  1 00:00:00 1970"
    assert time.ctime(a_day_later + 60) != time.ctime()


def test_calendar_functions_refuse_what_the_real_ones_refuse(virtual):
    with pytest.raises(TypeError, match="Tuple or struct_time"):
        time.strftime("%Y", None)
    with pytest.raises(TypeError, match="Tuple or struct_time"):
        time.asctime(None)
    with pytest.raises(TypeError):
        time.clock_gettime(0.0)


def test_clock_gettime_reads_the_virtual_wall_and_monotonic_clocks(a_day_later):
    assert time.clock_gettime_ns(time.CLOCK_REALTIME) == time.time_ns()
    assert time.clock_gettime(time.CLOCK_REALTIME) == a_day_later
    for name in ("CLOCK_MONOTONIC", "CLOCK_MONOTONIC_RAW", "CLOCK_BOOTTIME"):
        if hasattr(time, name):
            assert time.clock_gettime_ns(getattr(time, name)) == time.monotonic_ns(), name
            assert time.clock_gettime(getattr(time, name)) == time.monotonic(), name
    if hasattr(time, "CLOCK_TAI"):
        # TAI runs a whole number of seconds ahead of UTC, as this machine says.
        assert (time.clock_gettime_ns(time.CLOCK_TAI) - time.time_ns()) % 1_000_000_000 == 0


def test_clock_gettime_of_cpu_time_stays_real(virtual):
    before = time.process_time_ns()
    reading = time.clock_gettime_ns(time.CLOCK_PROCESS_CPUTIME_ID)
    after = time.process_time_ns()
    time.sleep(DAY)  # virtual time does not show on a CPU clock
    assert before <= reading <= after
    assert time.clock_gettime_ns(time.CLOCK_PROCESS_CPUTIME_ID) - reading < DAY * 10**9


def test_datetime_now_and_today_read_virtual_time(a_day_later):
    moment = dt.datetime.fromtimestamp(a_day_later)
    assert dt.datetime.now() == moment
    assert dt.datetime.today() == moment
    assert dt.date.today() == moment.date()
    assert dt.datetime.now(UTC) == dt.datetime.fromtimestamp(a_day_later, UTC)
    assert dt.datetime.now(tz=UTC).tzinfo is UTC
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        utc = dt.datetime.utcnow()
    assert utc == dt.datetime.fromtimestamp(a_day_later, UTC).replace(tzinfo=None)


def test_datetime_now_keeps_microseconds_and_their_differences_exact(virtual):
    before = dt.datetime.now()
    time.sleep(0.000_25)
    assert dt.datetime.now() - before == dt.timedelta(microseconds=250)
    assert dt.datetime.now().microsecond == time.time_ns() // 1000 % 1_000_000


def test_datetime_subclasses_get_their_own_class(virtual):
    class Moment(dt.datetime):
        pass

    assert type(Moment.now()) is Moment
    assert type(Moment.today()) is Moment
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert type(Moment.utcnow()) is Moment


def _utcnow_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dt.datetime.utcnow()  # the line the warning must name
    return [(str(w.message), w.category, w.filename) for w in caught]


def test_utcnow_warns_as_the_real_one_does(real):
    """On 3.12 and later utcnow() is deprecated; the virtual one says so in the same words."""
    expected = _utcnow_warnings()
    clock.install("virtual", real_time=real)
    try:
        assert _utcnow_warnings() == expected
    finally:
        uninstall()


def test_uninstall_puts_the_c_type_back(real):
    original = vars(dt.datetime)["now"]
    clock.install("virtual", real_time=real)
    try:
        assert vars(dt.datetime)["now"] is not original
    finally:
        uninstall()
    assert vars(dt.datetime)["now"] is original
    assert abs(dt.datetime.now().timestamp() - time.time()) < 60
