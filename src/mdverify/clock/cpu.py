"""CPU time on virtual time: a stretch of real work moves the clock by the CPU it took.

Virtual time stands still while the example's code runs, which keeps the figures of
ordinary code exact: `await asyncio.sleep(5)` measures 5.0, not 5.0003. Real work is
another matter. A block that computes for 0.3 s between two sleeps takes 0.3 s on a real
clock, a `wait_for(..., 0.4)` around 0.6 s of computing times out, and a busy-wait
(`while time.monotonic() < deadline: pass`) ends. So each thread's CPU time
(`RealTime.thread_time_ns`) is measured in stretches, from one look to the next:

* A stretch of at least `THRESHOLD_NS` moves virtual time on by the CPU it took, at the
  first look that sees it: a reading of the clock (`time.monotonic()`, the loop's
  `time()`) or a wait (`time.sleep`, a loop going idle).
* A shorter stretch goes on through readings, so a loop that reads the clock as it
  computes moves it in steps of about `THRESHOLD_NS`; a wait ends it and forgets it.
  The overhead between two awaits, a few microseconds, never counts, and nor does the
  CPU a wait itself costs (the clock's own polling): the next stretch begins as it ends.
* While time flows at real speed anyway (a thread, a job or a child process runs) the
  CPU is already in it, so no stretch counts; one that began before the flow is dropped.

Threads of the harness (those alive at install) are not measured: their work is not
the example's.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mdverify.clock.realtime import RealTime

__all__ = ["THRESHOLD_NS", "CpuStretches"]

THRESHOLD_NS: Final = 3_000_000
"""The shortest stretch of CPU that moves virtual time: 3 ms, far above the overhead of
the calls between two awaits, and short enough for a busy-wait to end promptly."""


class CpuStretches:
    """Each thread's CPU since its last counted look; the caller's lock guards it."""

    __slots__ = ("_marks", "_real")

    def __init__(self, real: RealTime) -> None:
        self._real = real
        self._marks: dict[int, tuple[int, int | None]] = {}
        """Thread ident -> (its CPU time when its stretch began, the flow it began in)."""

    def take(self, ident: int, flow: int | None, *, ends: bool = False) -> int:
        """The nanoseconds the calling thread `ident`'s stretch adds to virtual time.

        `flow` is the number of the stretch of still time now (None while time flows at
        real speed); `ends` when the thread is about to wait.
        """
        cpu = self._real.thread_time_ns()
        mark = self._marks.get(ident)
        if mark is None or flow is None or mark[1] != flow:
            self._marks[ident] = (cpu, flow)
            return 0
        spent = cpu - mark[0]
        if spent >= THRESHOLD_NS:
            self._marks[ident] = (cpu, flow)
            return spent
        if ends:
            self._marks[ident] = (cpu, flow)
        return 0

    def begin(self, ident: int, flow: int | None) -> None:
        """Begin the calling thread `ident`'s stretch afresh (a wait ended, a block begins)."""
        self._marks[ident] = (self._real.thread_time_ns(), flow)

    def clear(self) -> None:
        """Forget every thread (a forked child)."""
        self._marks.clear()
