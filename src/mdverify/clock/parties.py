"""The parties to virtual time: who waits on it, and who runs real code meanwhile.

Virtual time may jump only when every party waits on it alone. `Parties` keeps those
books for the coordinator (`mdverify.clock.coordinator`), which adds the rule itself:

* Sleepers and idle loops wait on virtual time: a thread in `time.sleep` until its
  wake-up time, a loop in `select` until its next timer.
* Runners run real code that no one can see through: a thread the example started,
  from `run()` to its end, except while it sleeps or idles; a job in an executor.
  Threads that existed at `install()` belong to the harness and are ignored, and so
  are idle pool workers: they wait for work, not for time. A
  `threading.active_count() > 1` test would not do: executor workers stay alive, idle,
  long after their last job.
* Executor jobs count from submission until their result is delivered (for
  `run_in_executor` and `to_thread`: until the loop's future is done, so the loop never
  jumps in the instant between the job's end and its result's arrival).
* Child processes run on real time. Liveness is asked with `os.waitid(..., WNOWAIT)`,
  which does not reap: reaping (`Popen.poll`, `waitpid`) would steal the exit status
  from asyncio's child watcher or `Popen.wait`. multiprocessing's resource tracker,
  which lives until exit, is not counted.

A runner or a live child holds virtual time (`VirtualTime.hold`), so it flows at real
speed meanwhile; `mdverify.clock.tracking` wraps the primitives that report them. A
thread's own CPU time moves it on too, in the stretches that `mdverify.clock.cpu`
counts; the harness's threads are not measured.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import concurrent.futures.thread
import contextlib
import os
import sys
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

from mdverify.clock.cpu import CpuStretches
from mdverify.clock.virtualtime import VirtualTime

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mdverify.clock.realtime import RealTime

__all__ = ["ExecutorJob", "IdleLoop", "LoopView", "Parties", "is_pool_worker"]

_POOL_WORKER: Final = getattr(concurrent.futures.thread, "_worker", None)
_HAS_WAITID: Final = hasattr(os, "waitid") and hasattr(os, "WNOWAIT")


def is_pool_worker(thread: threading.Thread) -> bool:
    """Whether `thread` is a `ThreadPoolExecutor` worker, which idles between jobs."""
    return _POOL_WORKER is not None and getattr(thread, "_target", None) is _POOL_WORKER


def _child_running(pid: int) -> bool:
    """Whether child `pid` still runs, asked without reaping it."""
    if _HAS_WAITID:
        try:
            # None: the child exists and has not exited. A result: it is a zombie.
            return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False  # already reaped
    # macOS before 3.13 has no waitid; a zombie then counts as running until reaped.
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _service_pids() -> frozenset[int]:
    """Children that live until the process exits and do no work of the example's."""
    module = sys.modules.get("multiprocessing.resource_tracker")
    tracker = getattr(module, "_resource_tracker", None)
    pid = getattr(tracker, "_pid", None)
    return frozenset({pid}) if isinstance(pid, int) else frozenset()


class LoopView(Protocol):
    """What the coordinator asks of an event loop that idles on virtual time."""

    def wake(self) -> None:
        """Make the loop leave `select` (safe from any thread)."""

    def has_pending_events(self) -> bool:
        """Whether a callback or I/O is ready (safe from any thread)."""

    def has_external_peers(self) -> bool:
        """Whether a registered socket talks to a peer that is not in this loop."""

    def awaits_reply(self) -> bool:
        """Whether a socket to a peer known to answer awaits its reply."""

    def next_deadline_ns(self) -> int | None:
        """The exact virtual time of the next timer; None without timers."""

    def wakeable(self) -> bool:
        """Whether a registered descriptor could still bring an event (a connection, a pipe)."""

    def serving(self) -> bool:
        """Whether it listens, and nothing else registered could bring an event."""


@dataclass(eq=False, slots=True)
class ExecutorJob:
    """One callable submitted to a `ThreadPoolExecutor` while the clock is installed."""

    loop_settled: bool
    """Whether a loop's `run_in_executor` settles it when its asyncio future is done."""
    started: bool = False
    finished: bool = False
    settled: bool = False

    @property
    def busy(self) -> bool:
        """Queued, or finished with its result not yet delivered."""
        return not self.started or (self.finished and not self.settled)


@dataclass(eq=False, slots=True)
class IdleLoop:
    """A loop blocked in `select`, and the deadline of its next timer."""

    loop: LoopView
    deadline_ns: int | None


class Parties:
    """Who is blocked on virtual time, who runs real code, and whether all are quiet.

    Every field is guarded by `_cond`. It wraps an RLock because a finalizer or a
    signal handler may read the clock (logging does) on a thread that holds it.
    """

    def __init__(self, ignored: frozenset[threading.Thread], real: RealTime) -> None:
        self._cond = threading.Condition(threading.RLock())
        self._time = VirtualTime(real)
        self._ignored = ignored
        self._runners: set[int] = set()
        self._finished: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self._sleepers: dict[int, int] = {}
        self._idle: dict[int, IdleLoop] = {}
        self._jobs: set[ExecutorJob] = set()
        self._children: set[int] = set()
        self._children_hold = False
        self._cpu = CpuStretches(real)
        self._harness = frozenset(thread.ident for thread in ignored)

    def forget_after_fork(self) -> None:
        """In a forked child: forget every party, and start over with a fresh lock.

        Only the forking thread exists in the child, and the lock may be held by a thread
        that does not: nothing here takes it.
        """
        self._cond = threading.Condition(threading.RLock())
        self._runners.clear()
        self._sleepers.clear()
        self._idle.clear()
        self._jobs.clear()
        self._children.clear()
        self._children_hold = False
        self._cpu.clear()

    # -- CPU time (mdverify.clock.cpu)

    def _count_cpu_locked(self) -> None:
        """Move virtual time on by the calling thread's stretch of CPU, if it counts."""
        me = threading.get_ident()
        if me not in self._harness:
            spent = self._cpu.take(me, self._time.still)
            if spent:
                self._advance_locked(self._time.now() + spent, me)

    def restart_cpu(self) -> None:
        """Count the calling thread's CPU from now on (a block begins)."""
        with self._cond:
            self._cpu.begin(threading.get_ident(), self._time.still)

    def _wait_begins_locked(self, me: int) -> None:
        """Thread `me` is about to wait: its stretch of CPU ends."""
        if me not in self._harness:
            spent = self._cpu.take(me, self._time.still, ends=True)
            if spent:
                self._advance_locked(self._time.now() + spent, me)

    def _wait_ended_locked(self, me: int) -> None:
        """Thread `me` waited: the CPU the wait cost is the clock's, a new stretch begins."""
        if me not in self._harness:
            self._cpu.begin(me, self._time.still)

    @contextlib.contextmanager
    def harness_work(self) -> Iterator[None]:
        """The CPU the calling thread spends meanwhile is not the example's."""
        began = self._time.real.thread_time_ns()
        try:
            yield
        finally:
            spent = self._time.real.thread_time_ns() - began
            with self._cond:
                self._cpu.exclude(threading.get_ident(), spent)

    def _advance_locked(self, target: int, me: int) -> None:
        """Move virtual time to `target`, and wake every other party whose time has come."""
        self._time.advance(target)
        for ident, idle in self._idle.items():
            if ident != me and idle.deadline_ns is not None and idle.deadline_ns <= target:
                idle.loop.wake()
        self._cond.notify_all()

    def runner_started(self) -> None:
        """The calling thread begins to run real code (a thread's run, or a job)."""
        with self._cond:
            me = threading.get_ident()
            if me not in self._runners:
                self._runners.add(me)
                self._time.hold()

    def runner_finished(self, *, thread_ends: bool) -> None:
        """The calling thread stops running real code; `thread_ends` if for good."""
        with self._cond:
            me = threading.get_ident()
            if me in self._runners:
                self._runners.discard(me)
                self._time.unhold()
            if thread_ends:
                # The thread stays in threading.enumerate() a little longer.
                self._finished.add(threading.current_thread())
            self._changed_locked()

    def queue_job(self, *, loop_settled: bool) -> ExecutorJob:
        """Count a job from its submission."""
        job = ExecutorJob(loop_settled=loop_settled)
        with self._cond:
            self._jobs.add(job)
        return job

    def start_job(self, job: ExecutorJob) -> None:
        """The calling pool worker starts `job`."""
        with self._cond:
            job.started = True
        self.runner_started()

    def finish_job(self, job: ExecutorJob) -> None:
        """The calling pool worker is done with `job`."""
        with self._cond:
            job.finished = True
            self._forget_job_locked(job)
        self.runner_finished(thread_ends=False)

    def future_done(self, job: ExecutorJob) -> None:
        """`job`'s concurrent future is done: it ran, failed to start, or was cancelled."""
        with self._cond:
            if not job.started:
                job.started = job.finished = job.settled = True
            elif not job.loop_settled:
                job.settled = True
            self._forget_job_locked(job)
            self._changed_locked()

    def settle_job(self, job: ExecutorJob) -> None:
        """The loop that submitted `job` has its result."""
        with self._cond:
            job.settled = True
            self._forget_job_locked(job)
            self._changed_locked()

    def _forget_job_locked(self, job: ExecutorJob) -> None:
        if job.finished and job.settled:
            self._jobs.discard(job)

    def child_started(self, pid: int) -> None:
        """A child process runs: time flows at real speed until it is gone."""
        with self._cond:
            self._children.add(pid)
            if not self._children_hold:
                self._children_hold = True
                self._time.hold()

    def _children_running_locked(self) -> bool:
        if not self._children_hold:
            return False  # no child started since the last one was seen gone
        services = _service_pids()
        running = False
        for pid in list(self._children):
            if pid not in services and _child_running(pid):
                running = True
                break
            self._children.discard(pid)
        if not running and self._children_hold:
            self._children_hold = False
            self._time.unhold()
            self._changed_locked()
        return running

    def _changed_locked(self) -> None:
        """Make every waiting party look again: a thread, job or child is gone."""
        self._cond.notify_all()
        for idle in self._idle.values():
            idle.loop.wake()

    def _quiet_locked(self) -> bool:
        """Whether every party waits on virtual time, so that only a jump wakes anyone."""
        if any(job.busy for job in self._jobs) or self._children_running_locked():
            return False
        blocked = self._sleepers.keys() | self._idle.keys()
        for thread in threading.enumerate():
            if thread in self._ignored or thread in self._finished or thread.ident in blocked:
                continue
            if thread.ident not in self._runners and is_pool_worker(thread):
                continue  # an idle pool worker waits for work, not for time
            return False
        # An event that arrived since a loop's last look must be handled before a jump;
        # a reply on its way from another process is real work going on (rule 4).
        return not any(
            idle.loop.has_pending_events() or idle.loop.awaits_reply()
            for idle in self._idle.values()
        )

    def _nearest_deadline_locked(self) -> tuple[int, int] | None:
        """The earliest (deadline, thread ident) among sleepers and idle loops."""
        deadlines = [(deadline, ident) for ident, deadline in self._sleepers.items()]
        deadlines += [
            (idle.deadline_ns, ident)
            for ident, idle in self._idle.items()
            if idle.deadline_ns is not None
        ]
        return min(deadlines, default=None)
