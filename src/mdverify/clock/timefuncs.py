"""The virtual `time` module: the functions `install` puts in place of the real ones.

`time.monotonic`, `time.perf_counter`, `time.time`, `time.sleep` and their `_ns` forms
read and move the coordinator's virtual time (`time.time` is the real epoch taken at
install plus the virtual time elapsed since). A blocking `time.sleep` on a loop's
thread advances the clock and blocks the loop, which is exactly what it does in real
life. Code that bound a function before uninstall reads the real clock afterwards.

Loops that are not ours (made before install, or by a library directly) cannot jump;
with a frozen monotonic clock their timers would never come due, so they keep real time.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import asyncio
import time

from mdverify.clock.current import CURRENT
from mdverify.clock.patches import patch
from mdverify.clock.realtime import NS_PER_S
from mdverify.clock.virtualtime import BASE_NS

__all__ = ["patch_time"]


def _virtual_ns() -> int:
    coordinator = CURRENT.coordinator
    return CURRENT.real.perf_counter_ns() if coordinator is None else coordinator.now_ns()


def _monotonic() -> float:
    """Virtual `time.monotonic()`."""
    return _virtual_ns() / NS_PER_S


def _monotonic_ns() -> int:
    """Virtual `time.monotonic_ns()`."""
    return _virtual_ns()


def _perf_counter() -> float:
    """Virtual `time.perf_counter()`."""
    return _virtual_ns() / NS_PER_S


def _perf_counter_ns() -> int:
    """Virtual `time.perf_counter_ns()`."""
    return _virtual_ns()


def _time_ns() -> int:
    """Virtual `time.time_ns()`: the real epoch at install plus virtual time since."""
    return CURRENT.epoch_ns + _virtual_ns() - BASE_NS


def _time() -> float:
    """Virtual `time.time()`."""
    return _time_ns() / NS_PER_S


def _sleep(secs: float, /) -> None:
    """Virtual `time.sleep()`: blocks this thread until virtual time has moved on."""
    if isinstance(secs, (str, bytes, bytearray)):
        msg = f"'{type(secs).__name__}' object cannot be interpreted as an integer"
        raise TypeError(msg)
    seconds = float(secs)
    if seconds != seconds:  # noqa: PLR0124 - the NaN test, as time.sleep does it
        msg = "Invalid value NaN (not a number)"
        raise ValueError(msg)
    if seconds < 0:
        msg = "sleep length must be non-negative"
        raise ValueError(msg)
    coordinator = CURRENT.coordinator
    if coordinator is None:
        CURRENT.real.sleep(seconds)
    else:
        coordinator.sleep(seconds)


def _real_loop_time(self: asyncio.AbstractEventLoop) -> float:  # noqa: ARG001 - a method
    """`BaseEventLoop.time` for loops that are not ours, which cannot jump."""
    return CURRENT.real.monotonic()


def patch_time() -> None:
    """Put the virtual functions in the `time` module, and real time in foreign loops."""
    for name, function in (
        ("monotonic", _monotonic),
        ("monotonic_ns", _monotonic_ns),
        ("perf_counter", _perf_counter),
        ("perf_counter_ns", _perf_counter_ns),
        ("time", _time),
        ("time_ns", _time_ns),
        ("sleep", _sleep),
    ):
        patch(time, name, function)
    patch(asyncio.BaseEventLoop, "time", _real_loop_time)
