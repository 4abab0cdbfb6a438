"""Real time, the one thing the virtual clock is built on, behind one injectable object.

The coordinator never calls the `time` module or blocks on its own: it reads the real
clock and each thread's CPU time, sleeps and waits through a `RealTime`, as trio's
`MockClock` keeps its `_real_clock`. The waits it makes in real time are few and all
of them pass here: the grace period a loop gives an external peer, the slices in which
it holds the clock while a thread, a job or a child process runs, and `time.sleep` once
jumps are off.

`install(mode, real_time=...)` takes a substitute, so a test can pass a fake whose time
moves only when the test says so, and assert exact readings instead of bounding the
wall clock. The child process always uses `SYSTEM`.

The functions are taken at import, before `install` patches the `time` module.
"""

from __future__ import annotations

import selectors
import time
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import threading

__all__ = ["NS_PER_S", "SYSTEM", "Events", "RealTime"]

NS_PER_S: Final = 1_000_000_000

Events = list[tuple[selectors.SelectorKey, int]]
"""What `selectors.BaseSelector.select` returns."""

_perf_counter_ns = time.perf_counter_ns
_monotonic = time.monotonic
_time_ns = time.time_ns
_sleep = time.sleep
_thread_time_ns = time.thread_time_ns


class RealTime:
    """The real clock and the real waits; subclass it to fake them."""

    def perf_counter_ns(self) -> int:
        """Real nanoseconds, for measuring how long time flowed."""
        return _perf_counter_ns()

    def monotonic(self) -> float:
        """Real seconds, for event loops that are not ours and cannot jump."""
        return _monotonic()

    def time_ns(self) -> int:
        """The real epoch in nanoseconds, which `time.time` starts from."""
        return _time_ns()

    def thread_time_ns(self) -> int:
        """The calling thread's CPU time in nanoseconds, for counting real work."""
        return _thread_time_ns()

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for `seconds` of real time."""
        _sleep(seconds)

    def wait(self, cond: threading.Condition, timeout: float | None) -> None:
        """Wait on `cond` (held by the caller) until notified or `timeout` passes."""
        cond.wait(timeout)

    def select(self, selector: selectors.BaseSelector, timeout: float | None) -> Events:
        """Wait in the real `select` until I/O is ready or `timeout` passes."""
        return selector.select(timeout)


SYSTEM: Final = RealTime()
"""The real time of this machine."""
