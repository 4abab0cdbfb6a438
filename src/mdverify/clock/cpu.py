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
  CPU is already in it, so no stretch counts. Starting a thread, submitting a job and
  spawning a child read the clock first (`mdverify.clock.tracking`), so that the stretch
  before the flow counts; what is left of it under the threshold is dropped.

Threads of the harness (those alive at install) are not measured: their work is not
the example's. Nor is the work the harness does on the example's own thread inside
`harness_work` (`mdverify.clock.installer`): compiling a block, marking where each
statement's output ends, finding which print call wrote what.

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


class _Mark:
    """Where a thread's stretch of CPU stands (mutable: it changes at every look)."""

    __slots__ = ("began", "cpu", "flow", "read")

    def __init__(self, cpu: int, now: int, flow: int | None) -> None:
        self.cpu = cpu
        """The thread's CPU time when the stretch began (0 while time flows: not needed)."""
        self.began = now
        """The real time (`perf_counter_ns`) when it began."""
        self.read = now
        """The real time of the last reading of the clock in the stretch (or its beginning)."""
        self.flow = flow
        """The stretch of still time it began in (`VirtualTime.still`)."""


class CpuStretches:
    """Each thread's CPU since its last counted look; the caller's lock guards it.

    Asking a thread's CPU time is a system call, many times dearer than a reading of the
    real clock, and the clock is read at every turn of a loop. CPU time never runs ahead
    of real time, so it is asked only once a stretch has lasted `THRESHOLD_NS` of real
    time: before that, it cannot have spent as much.
    """

    __slots__ = ("_marks", "_real")

    def __init__(self, real: RealTime) -> None:
        self._real = real
        self._marks: dict[int, _Mark] = {}

    def take(self, ident: int, flow: int | None, *, ends: bool = False) -> int:
        """The nanoseconds the calling thread `ident`'s stretch adds to virtual time.

        `flow` is the number of the stretch of still time now (None while time flows at
        real speed); `ends` when the thread is about to wait, and `begin` follows.
        """
        now = self._real.perf_counter_ns()
        mark = self._marks.get(ident)
        if mark is None or flow is None or mark.flow != flow:
            self._begin(ident, flow, now)
            return 0
        if now - mark.began < THRESHOLD_NS:
            if not ends:
                mark.read = now
            return 0
        cpu = self._real.thread_time_ns()
        spent = cpu - mark.cpu
        if ends:
            # What came before the last reading was read as still time: leave it so. It
            # took at most the real time before that reading.
            spent -= min(spent, mark.read - mark.began)
        if spent >= THRESHOLD_NS:
            mark.cpu, mark.began, mark.read = cpu, now, now
            return spent
        if not ends:
            mark.read = now
        return 0

    def begin(self, ident: int, flow: int | None) -> None:
        """Begin the calling thread `ident`'s stretch afresh (a wait ended, a block begins)."""
        self._begin(ident, flow, self._real.perf_counter_ns())

    def _begin(self, ident: int, flow: int | None, now: int) -> None:
        cpu = 0 if flow is None else self._real.thread_time_ns()
        self._marks[ident] = _Mark(cpu, now, flow)

    def exclude(self, ident: int, spent: int) -> None:
        """Leave `spent` ns of thread `ident`'s CPU out of its stretch: the harness's work."""
        mark = self._marks.get(ident)
        if mark is not None:
            mark.cpu += spent

    def clear(self) -> None:
        """Forget every thread (a forked child)."""
        self._marks.clear()
