"""CPU time on virtual time: a stretch of real work moves the clock by the CPU it took.

Virtual time stands still while the example's code runs, which keeps the figures of
ordinary code exact: `await asyncio.sleep(5)` measures 5.0, not 5.0003. Real work is
another matter. A block that computes for 0.3 s between two sleeps takes 0.3 s on a real
clock, a `wait_for(..., 0.4)` around 0.6 s of computing times out, and a busy-wait
(`while time.monotonic() < deadline: pass`) ends. So each thread's CPU time
(`RealTime.thread_time_ns`) is measured in stretches, from one look to the next:

* A stretch of at least `THRESHOLD_NS` moves virtual time on by the CPU it took, at the
  first reading of the clock that sees it (`time.monotonic()`, the loop's `time()`).
* A shorter stretch goes on through readings, so a loop that reads the clock as it
  computes moves it in steps of about `THRESHOLD_NS`.
* A wait (`time.sleep`, a loop going idle) ends the stretch. What the thread spent since
  its last reading counts if it reaches `THRESHOLD_NS`; the rest is forgotten: a reading
  saw that part as still time, and moving the clock now would put it after the reading.
  So the overhead between two awaits, a few microseconds, never counts, and nor does the
  CPU a wait itself costs (the clock's own polling): the next stretch begins as it ends.
* While time flows at real speed anyway (a thread, a job or a child process runs) the
  CPU is already in it, so no stretch counts; one that began before the flow is dropped.

Threads of the harness (those alive at install) are not measured: their work is not
the example's. Nor is the work the harness does on the example's own thread inside
`harness_work` (`mdverify.clock.installer`): recording which print call wrote what.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

if TYPE_CHECKING:
    from mdverify.clock.realtime import RealTime

__all__ = ["THRESHOLD_NS", "CpuStretches"]

THRESHOLD_NS: Final = 3_000_000
"""The shortest stretch of CPU that moves virtual time: 3 ms, far above the overhead of
the calls between two awaits, and short enough for a busy-wait to end promptly."""


class _Mark(NamedTuple):
    """Where a thread's stretch of CPU stands."""

    began: int
    """The thread's CPU time when the stretch began."""
    read: int
    """Its CPU time at the last reading of the clock in the stretch (or its beginning)."""
    flow: int | None
    """The stretch of still time it began in (`VirtualTime.still`)."""


class CpuStretches:
    """Each thread's CPU since its last counted look; the caller's lock guards it."""

    __slots__ = ("_marks", "_real")

    def __init__(self, real: RealTime) -> None:
        self._real = real
        self._marks: dict[int, _Mark] = {}

    def take(self, ident: int, flow: int | None, *, ends: bool = False) -> int:
        """The nanoseconds the calling thread `ident`'s stretch adds to virtual time.

        `flow` is the number of the stretch of still time now (None while time flows at
        real speed); `ends` when the thread is about to wait.
        """
        cpu = self._real.thread_time_ns()
        mark = self._marks.get(ident)
        self._marks[ident] = _Mark(cpu, cpu, flow)
        if mark is None or flow is None or mark.flow != flow:
            return 0
        if ends:
            # What came before the last reading was read as still time: leave it so.
            spent = cpu - mark.read
        else:
            spent = cpu - mark.began
            if spent < THRESHOLD_NS:
                self._marks[ident] = _Mark(mark.began, cpu, flow)
        return spent if spent >= THRESHOLD_NS else 0

    def begin(self, ident: int, flow: int | None) -> None:
        """Begin the calling thread `ident`'s stretch afresh (a wait ended, a block begins)."""
        cpu = self._real.thread_time_ns()
        self._marks[ident] = _Mark(cpu, cpu, flow)

    def exclude(self, ident: int, spent: int) -> None:
        """Leave `spent` ns of thread `ident`'s CPU out of its stretch: the harness's work."""
        mark = self._marks.get(ident)
        if mark is not None:
            self._marks[ident] = _Mark(mark.began + spent, mark.read + spent, mark.flow)

    def clear(self) -> None:
        """Forget every thread (a forked child)."""
        self._marks.clear()
