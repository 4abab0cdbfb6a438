"""The wall clocks beside `time.time`: calendar functions, `clock_gettime` and `datetime`.

An example may read the time in many ways, and on the virtual clock they must all tell
the same time as `time.time()` and `time.monotonic()` (`mdverify.clock.timefuncs`).
Each reading here is the real function applied to the virtual time:

* `time.localtime()`, `gmtime()`, `ctime()`, `asctime()` and `strftime(format)` when they
  are given no time of their own (an explicit one is converted as before);
* `time.clock_gettime[_ns]` for `CLOCK_REALTIME` (`time.time`), `CLOCK_TAI` (that plus
  this machine's TAI offset), and the monotonic clocks `CLOCK_MONOTONIC`,
  `CLOCK_MONOTONIC_RAW`, `CLOCK_BOOTTIME` and their BSD and macOS kin (`time.monotonic`);
  the CPU clocks and any other stay real, as `time.process_time` and `thread_time` do;
* `datetime.datetime.now()` and `utcnow()`, which the C module reads from the system
  clock directly. `date.today()` and `datetime.today()` need nothing: they already call
  `time.time()`. On 3.12 and later `utcnow()` still warns as the real one does: its
  warning is taken from the real one once, at install.

Each function reads `time.time_ns()` or `time.monotonic_ns()` when called, so it agrees
with whatever the `time` module holds: virtual time while the clock is installed.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import datetime as dt
import operator
import time
import warnings
from typing import TYPE_CHECKING, Final, SupportsIndex

from mdverify.clock.patches import patch
from mdverify.clock.realtime import NS_PER_S

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["patch_wall_clocks"]

_localtime = time.localtime
_gmtime = time.gmtime
_ctime = time.ctime
_asctime = time.asctime
_strftime = time.strftime
_clock_gettime = time.clock_gettime
_clock_gettime_ns = time.clock_gettime_ns
_fromtimestamp: Final = vars(dt.datetime)["fromtimestamp"]
_real_utcnow: Final = dt.datetime.utcnow


def _ids(*names: str) -> frozenset[int]:
    """The ids of the clocks this platform has among `names`."""
    return frozenset(getattr(time, name) for name in names if hasattr(time, name))


_WALL: Final = _ids("CLOCK_REALTIME")
_TAI: Final = _ids("CLOCK_TAI")
_MONOTONIC: Final = _ids(
    "CLOCK_MONOTONIC",
    "CLOCK_MONOTONIC_RAW",
    "CLOCK_BOOTTIME",
    "CLOCK_HIGHRES",
    "CLOCK_UPTIME",
    "CLOCK_UPTIME_RAW",
)


class _Offsets:
    tai_ns = 0
    """TAI minus UTC on this machine, in whole seconds: 0 unless the kernel was told."""
    utcnow_warnings: tuple[tuple[str, type[Warning]], ...] = ()
    """What the real `utcnow()` warns (3.12 and later), to warn the same."""


def _time_s(secs: float | None) -> float:
    return time.time() if secs is None else secs


def _virtual_localtime(secs: float | None = None, /) -> time.struct_time:
    """`time.localtime`, at virtual time when given no time."""
    return _localtime(_time_s(secs))


def _virtual_gmtime(secs: float | None = None, /) -> time.struct_time:
    """`time.gmtime`, at virtual time when given no time."""
    return _gmtime(_time_s(secs))


def _virtual_ctime(secs: float | None = None, /) -> str:
    """`time.ctime`, at virtual time when given no time."""
    return _ctime(_time_s(secs))


def _virtual_asctime(*t: time.struct_time) -> str:
    """`time.asctime`, at virtual local time when given no time (None is refused, as before)."""
    return _asctime(*(t or (_localtime(time.time()),)))


def _virtual_strftime(format: str, /, *t: time.struct_time) -> str:  # noqa: A002 - its name
    """`time.strftime`, at virtual local time when given no time."""
    return _strftime(format, *(t or (_localtime(time.time()),)))


def _reading(clk_id: SupportsIndex) -> Callable[[], int] | None:
    """What `clk_id` reads on the virtual clock, in ns; None: a real clock."""
    clock = operator.index(clk_id)  # the TypeError of the real function
    if clock in _WALL:
        return time.time_ns
    if clock in _TAI:
        return lambda: time.time_ns() + _Offsets.tai_ns
    if clock in _MONOTONIC:
        return time.monotonic_ns
    return None


def _virtual_clock_gettime_ns(clk_id: SupportsIndex, /) -> int:
    """`time.clock_gettime_ns`: the wall and monotonic clocks are virtual."""
    reading = _reading(clk_id)
    return _clock_gettime_ns(operator.index(clk_id)) if reading is None else reading()


def _virtual_clock_gettime(clk_id: SupportsIndex, /) -> float:
    """`time.clock_gettime`: the wall and monotonic clocks are virtual."""
    reading = _reading(clk_id)
    return _clock_gettime(operator.index(clk_id)) if reading is None else reading() / NS_PER_S


def _now(cls: type[dt.datetime], tz: dt.tzinfo | None = None) -> dt.datetime:
    """`datetime.datetime.now`, at virtual time; microseconds truncated, as the C one does."""
    seconds, ns = divmod(time.time_ns(), NS_PER_S)
    moment: dt.datetime = _fromtimestamp.__get__(None, cls)(seconds, tz)
    return moment.replace(microsecond=ns // 1000)


def _utcnow(cls: type[dt.datetime]) -> dt.datetime:
    """`datetime.datetime.utcnow`, at virtual time, with the real one's warning."""
    for message, category in _Offsets.utcnow_warnings:
        warnings.warn(message, category, stacklevel=2)
    seconds, ns = divmod(time.time_ns(), NS_PER_S)
    parts = _gmtime(seconds)
    # A leap second reads 59, as in the C module.
    second = min(parts.tm_sec, 59)
    return cls(*parts[:5], second, ns // 1000)


def _measure_offsets() -> None:
    if _TAI:
        (tai,) = _TAI
        gap = _clock_gettime_ns(tai) - _clock_gettime_ns(time.CLOCK_REALTIME)
        _Offsets.tai_ns = round(gap / NS_PER_S) * NS_PER_S
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _real_utcnow()
    _Offsets.utcnow_warnings = tuple((str(w.message), w.category) for w in caught)


def patch_wall_clocks() -> None:
    """Put the virtual wall clocks in the `time` module and on `datetime.datetime`."""
    _measure_offsets()
    for name, function in (
        ("localtime", _virtual_localtime),
        ("gmtime", _virtual_gmtime),
        ("ctime", _virtual_ctime),
        ("asctime", _virtual_asctime),
        ("strftime", _virtual_strftime),
        ("clock_gettime", _virtual_clock_gettime),
        ("clock_gettime_ns", _virtual_clock_gettime_ns),
    ):
        patch(time, name, function)
    patch(dt.datetime, "now", classmethod(_now))
    patch(dt.datetime, "utcnow", classmethod(_utcnow))
