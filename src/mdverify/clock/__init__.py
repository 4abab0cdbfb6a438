"""The virtual clock: event-loop time, the `time` module, and the rule for jumping.

An article says "gather takes ~1s, not 2s". To check that in milliseconds, the child
process that runs an article's examples calls `install("virtual")` before any example
code runs. From then on:

* every asyncio loop the examples make (`asyncio.run`, `asyncio.Runner`,
  `asyncio.new_event_loop()`, the default policy, `asyncio.SelectorEventLoop()`) is a
  `_VirtualLoop`: a selector loop whose `time()` is virtual and whose selector hands
  idle waits to the process-wide `_Coordinator` instead of blocking;
* `time.monotonic`, `time.perf_counter`, `time.time`, `time.sleep` and their `_ns`
  forms read and move the same virtual time (`time.time` is the real epoch taken at
  install plus the virtual time elapsed since).

Virtual time is an integer count of nanoseconds, so ten sleeps of 0.1 s read exactly
1.0. It starts at 1000 s: not zero, so code that treats 0 as "never" still works, and
small, so loop deadlines kept as float seconds still land on the 1 ns grid.

How time moves. While code runs on the example's own thread, virtual time stands
still; that is what makes `sleep(5)` measure exactly 5.0. It moves in two ways only:

* It *jumps* when every party is blocked on virtual time alone: each loop idle in
  `select` with nothing ready, each thread asleep in `time.sleep`, each pool worker
  idle. It jumps straight to the earliest deadline: a loop's next timer (taken exactly
  from `loop._scheduled`) or a sleeping thread's wake-up time. Whoever blocks last jumps
  and wakes the owner of the deadline. So `time.sleep(1)` on the loop's thread advances
  the clock by 1 s at once and delays every task, as in real life, and two threads that
  sleep 1 s side by side take 1 s together, not 2 s.
* It *flows* at real speed while something real is going on that no one can see
  through: while a thread the example started (or an executor job) runs real code,
  while a child process is alive, and while a party waits for real time (a loop or
  sleeper that cannot jump because someone else runs, or a loop waiting for I/O).

The jump rule (GUIDE.md), as applied by a loop that would otherwise block in `select`:

1. No I/O and no callback is ready: it polls with `select(0)` first.
2. No child process is alive. Otherwise the clock flows: the loop waits in the real
   `select` and time advances by the real time that passed.
3. No executor job and no other thread runs real code. Otherwise the loop holds the
   clock the same way, in short real slices, until the thread finishes or I/O arrives.
4. If the loop has a socket whose peer is not another socket of the same loop (a server
   in another process), it first waits a real grace period (`_GRACE_S`) in `select`, so
   that a response about to arrive is not overtaken by a timeout. A peer known to
   answer (`expect_replies_from`: the harness's own services) gets more: while a socket
   to it awaits a reply (the last data on it went out, nothing came back yet), the
   clock does not jump at all. It flows at real speed until data arrives or the loop's
   timer comes due in real time, as on the real clock. So a `ClientTimeout(total=5)`
   against a local server that answers in 0.5 s succeeds, and one of 0.2 s times out,
   on both clocks.

How parties are detected, and why:

* Threads: `threading.Thread.start` is wrapped so that a thread the example starts
  counts as running real code from `run()` to its end, except while it sleeps in
  `time.sleep` or idles in a virtual loop. Threads that existed at `install()` belong to
  the harness and are ignored. A `threading.active_count() > 1` test would not do:
  executor workers stay alive, idle, long after their last job.
* Executor jobs: `ThreadPoolExecutor.submit` is wrapped so that each job counts from
  submission until its result is delivered (for `run_in_executor` and `to_thread`:
  until the loop's future is done, so the loop never jumps in the instant between the
  job's end and its result's arrival).
* Children: the spawn primitives (`os.fork`, `os.forkpty`, `os.posix_spawn[p]`,
  `_posixsubprocess.fork_exec`, which serves `subprocess`, asyncio subprocesses and
  multiprocessing's spawn) are wrapped to record pids. Liveness is asked with
  `os.waitid(..., WNOWAIT)`, which does not reap: reaping (`Popen.poll`, `waitpid`)
  would steal the exit status from asyncio's child watcher or `Popen.wait`.
  multiprocessing's resource tracker, which lives until exit, is not counted. A forked
  child keeps the time it forked at but runs on real time from then on: it is a child.
* Sockets: the loop's registered sockets are compared by address; a connected socket
  whose peer address is not the local address of another socket of this loop is external.
  `socket.socket`'s send and receive methods are wrapped to note, per descriptor, whether
  the last data went out (awaiting a reply) or came in.

The cap: `Clock.begin_block(cap)` sets a limit of virtual time. A jump or a
`time.sleep` that would pass it raises `VirtualTimeExceeded` in the party that would
pass it; for a loop that is inside `select`, so it propagates out of
`run_until_complete` and `asyncio.run` into the example's code. Real-speed flow may pass
the cap; the parent's real timeout bounds that.

The timeline: both clocks record every task created on their loops, with its start and
end relative to `begin_block`, to show a reader what ran concurrently.

This module never imports pytest: the child process imports it. It uses CPython loop
internals (`_scheduled`, `_ready`, `_clock_resolution`), `concurrent.futures.thread.
_worker` and `subprocess._fork_exec`; verified on CPython 3.10.13, 3.11.7, 3.12.1 and
3.13.0 on Linux. POSIX only: Windows has none of the spawn primitives.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.thread
import contextlib
import functools
import os
import re
import selectors
import socket
import stat
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, ParamSpec, TypeVar

from mdverify.model import ClockName, TaskSpan

if TYPE_CHECKING:
    import collections
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from _typeshed import FileDescriptorLike
    from typing_extensions import TypeVarTuple, Unpack

    _Ts = TypeVarTuple("_Ts")

__all__ = [
    "Clock",
    "ClockName",
    "TaskSpan",
    "VirtualTimeExceeded",
    "expect_replies_from",
    "install",
]

_T = TypeVar("_T")
_V = TypeVar("_V")
_P = ParamSpec("_P")

_NS_PER_S: Final = 1_000_000_000
_BASE_NS: Final = 1_000 * _NS_PER_S
_GRACE_S: Final = 0.1
"""Real seconds a loop with external sockets waits before it jumps."""
_SLICE_S: Final = 0.01
"""Real seconds between looks at threads and children while the clock is held."""
_DUE_S: Final = 0.001
"""Real seconds to wait for a party whose deadline has come to wake up and run."""
_DEFAULT_TASK_NAME: Final = re.compile(r"Task-\d+")

# The real clock, taken before anything is patched.
_real_perf_counter_ns = time.perf_counter_ns
_real_perf_counter = time.perf_counter
_real_monotonic = time.monotonic
_real_time_ns = time.time_ns
_real_sleep = time.sleep
_real_submit = concurrent.futures.ThreadPoolExecutor.submit
_real_thread_start = threading.Thread.start
_POOL_WORKER: Final = getattr(concurrent.futures.thread, "_worker", None)
_HAS_WAITID: Final = hasattr(os, "waitid") and hasattr(os, "WNOWAIT")

_JumpStatus = Literal["jumped", "busy", "due", "stuck"]
"""What `_Coordinator._try_jump_locked` found: it jumped; someone runs real code; a
woken party has yet to run; or every party waits for something no jump can bring."""


class VirtualTimeExceeded(Exception):
    """Virtual time would pass the cap set by `Clock.begin_block`; raised in the example."""


# --------------------------------------------------------------------------- timeline


@dataclass(eq=False, slots=True)
class _Span:
    """A task's record while it may still change; absolute clock nanoseconds."""

    task: weakref.ref[asyncio.Task[Any]]
    name: str
    start_ns: int
    end_ns: int | None = None
    cancelled: bool = False

    def current_name(self) -> str:
        """The name now: `asyncio.create_task` names a task after the loop made it."""
        task = self.task() if self.end_ns is None else None
        return self.name if task is None else _task_name(task)


def _task_name(task: asyncio.Task[Any]) -> str:
    name = task.get_name()
    if _DEFAULT_TASK_NAME.fullmatch(name):
        qualname = getattr(task.get_coro(), "__qualname__", None)
        if isinstance(qualname, str):
            return qualname
    return name


# asyncio.run wraps its own clean-up in tasks; a reader's timeline has no use for them.
_HOUSEKEEPING_CODE: Final = frozenset(
    getattr(method, "__code__", None)
    for method in (
        asyncio.BaseEventLoop.shutdown_asyncgens,
        asyncio.BaseEventLoop.shutdown_default_executor,
    )
)


class _Timeline:
    """Every task created on our loops since the last `reset`, in creation order."""

    def __init__(self, now_ns: Callable[[], int]) -> None:
        self._now_ns = now_ns
        self._lock = threading.Lock()
        self._origin_ns = now_ns()
        self._spans: list[_Span] = []

    def reset(self) -> None:
        """Forget every task so far and measure from now."""
        with self._lock:
            self._origin_ns = self._now_ns()
            self._spans = []

    def record(self, task: asyncio.Task[Any]) -> None:
        """Note a task's creation and, through a done callback, its end."""
        if getattr(task.get_coro(), "cr_code", None) in _HOUSEKEEPING_CODE:
            return
        span = _Span(weakref.ref(task), _task_name(task), self._now_ns())
        with self._lock:
            self._spans.append(span)
        task.add_done_callback(functools.partial(self._finish, span))

    def _finish(self, span: _Span, task: asyncio.Task[Any]) -> None:
        span.end_ns = self._now_ns()
        span.cancelled = task.cancelled()
        span.name = _task_name(task)  # the example may have renamed it meanwhile

    def spans(self) -> tuple[TaskSpan, ...]:
        """The recorded tasks, relative to the last `reset`."""
        with self._lock:
            origin, spans = self._origin_ns, list(self._spans)
        return tuple(
            TaskSpan(
                name=span.current_name(),
                start=(span.start_ns - origin) / _NS_PER_S,
                end=None if span.end_ns is None else (span.end_ns - origin) / _NS_PER_S,
                cancelled=span.cancelled,
            )
            for span in spans
        )

    def after_fork_in_child(self) -> None:
        """Replace a lock that a thread which does not exist in the child may hold."""
        self._lock = threading.Lock()


# --------------------------------------------------------------------------- detection


def _is_pool_worker(thread: threading.Thread) -> bool:
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


def _socket_ends(fd: int) -> tuple[object, object] | None:
    """A socket's (local, peer) addresses; peer None when unconnected or unnamed."""
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            return None
    except OSError:
        return None
    try:
        sock = socket.socket(fileno=fd)  # borrows the descriptor; detach() gives it back
    except OSError:
        return None
    try:
        local: object = sock.getsockname()
        try:
            peer: object = sock.getpeername()
        except OSError:
            peer = None
    except OSError:
        return None
    finally:
        sock.detach()
    # An unnamed Unix socket (a socketpair) can only lead to a thread or a forked
    # child, which rules 2 and 3 already watch.
    return local, peer or None


# --------------------------------------------------------------------------- coordinator


@dataclass(eq=False, slots=True)
class _Job:
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
class _IdleLoop:
    """A loop blocked in `select`, and the deadline of its next timer."""

    loop: _VirtualLoop
    deadline_ns: int | None


class _Coordinator:
    """Virtual time for the whole process: who is blocked, on what, and when to jump.

    Every field is guarded by `_cond`. It wraps an RLock because a finalizer or a
    signal handler may read the clock (logging does) on a thread that holds it.
    """

    def __init__(self, ignored: frozenset[threading.Thread]) -> None:
        self._cond = threading.Condition(threading.RLock())
        self._frozen_ns = _BASE_NS
        self._flow_since: int | None = None
        self._holders = 0
        self._ignored = ignored
        self._runners: set[int] = set()
        self._finished: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self._sleepers: dict[int, int] = {}
        self._idle: dict[int, _IdleLoop] = {}
        self._jobs: set[_Job] = set()
        self._children: set[int] = set()
        self._children_hold = False
        self._cap_ns: int | None = None
        self._cap_s = 0.0
        self._overdue: int | None = None
        self.jumps_enabled = True

    # -- reading and moving time

    def now_ns(self) -> int:
        """Virtual nanoseconds."""
        with self._cond:
            if self._children_hold:
                self._children_running_locked()  # ends the real-speed stretch in time
            return self._now_locked()

    def _now_locked(self) -> int:
        if self._flow_since is None:
            return self._frozen_ns
        return self._frozen_ns + _real_perf_counter_ns() - self._flow_since

    def _hold_locked(self) -> None:
        """Let time flow at real speed until the matching `_unhold_locked`."""
        if self._holders == 0:
            self._flow_since = _real_perf_counter_ns()
        self._holders += 1

    def _unhold_locked(self) -> None:
        self._holders -= 1
        if self._holders == 0 and self._flow_since is not None:
            self._frozen_ns += _real_perf_counter_ns() - self._flow_since
            self._flow_since = None

    def _advance_locked(self, target_ns: int) -> None:
        now = self._now_locked()
        if target_ns > now:
            self._frozen_ns = target_ns
            if self._flow_since is not None:
                self._flow_since = _real_perf_counter_ns()

    # -- the cap

    def set_cap(self, cap_s: float | None) -> None:
        """Allow `cap_s` more seconds of virtual time; None lifts the cap."""
        with self._cond:
            self._overdue = None
            if cap_s is None:
                self._cap_ns = None
                return
            self._cap_s = cap_s
            self._cap_ns = self._now_locked() + round(cap_s * _NS_PER_S)

    def _exceeded(self) -> VirtualTimeExceeded:
        return VirtualTimeExceeded(f"virtual time passed the cap of {self._cap_s:g} s")

    def _raise_if_overdue_locked(self, me: int) -> None:
        if self._overdue == me:
            self._overdue = None
            raise self._exceeded()

    # -- the parties

    def runner_started(self) -> None:
        """The calling thread begins to run real code (a thread's run, or a job)."""
        with self._cond:
            me = threading.get_ident()
            if me not in self._runners:
                self._runners.add(me)
                self._hold_locked()

    def runner_finished(self, *, thread_ends: bool) -> None:
        """The calling thread stops running real code; `thread_ends` if for good."""
        with self._cond:
            me = threading.get_ident()
            if me in self._runners:
                self._runners.discard(me)
                self._unhold_locked()
            if thread_ends:
                # The thread stays in threading.enumerate() a little longer.
                self._finished.add(threading.current_thread())
            self._changed_locked()

    def queue_job(self, *, loop_settled: bool) -> _Job:
        """Count a job from its submission."""
        job = _Job(loop_settled=loop_settled)
        with self._cond:
            self._jobs.add(job)
        return job

    def start_job(self, job: _Job) -> None:
        """The calling pool worker starts `job`."""
        with self._cond:
            job.started = True
        self.runner_started()

    def finish_job(self, job: _Job) -> None:
        """The calling pool worker is done with `job`."""
        with self._cond:
            job.finished = True
            self._forget_job_locked(job)
        self.runner_finished(thread_ends=False)

    def future_done(self, job: _Job) -> None:
        """`job`'s concurrent future is done: it ran, failed to start, or was cancelled."""
        with self._cond:
            if not job.started:
                job.started = job.finished = job.settled = True
            elif not job.loop_settled:
                job.settled = True
            self._forget_job_locked(job)
            self._changed_locked()

    def settle_job(self, job: _Job) -> None:
        """The loop that submitted `job` has its result."""
        with self._cond:
            job.settled = True
            self._forget_job_locked(job)
            self._changed_locked()

    def _forget_job_locked(self, job: _Job) -> None:
        if job.finished and job.settled:
            self._jobs.discard(job)

    def child_started(self, pid: int) -> None:
        """A child process runs: time flows at real speed until it is gone."""
        with self._cond:
            self._children.add(pid)
            if not self._children_hold:
                self._children_hold = True
                self._hold_locked()

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
            self._unhold_locked()
            self._changed_locked()
        return running

    def _changed_locked(self) -> None:
        """Make every waiting party look again: a thread, job or child is gone."""
        self._cond.notify_all()
        for idle in self._idle.values():
            idle.loop.wake()

    # -- jumping

    def _quiet_locked(self) -> bool:
        """Whether every party waits on virtual time, so that only a jump wakes anyone."""
        if any(job.busy for job in self._jobs) or self._children_running_locked():
            return False
        blocked = self._sleepers.keys() | self._idle.keys()
        for thread in threading.enumerate():
            if thread in self._ignored or thread in self._finished or thread.ident in blocked:
                continue
            if thread.ident not in self._runners and _is_pool_worker(thread):
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

    def _try_jump_locked(self, me: int) -> _JumpStatus:
        """Jump to the nearest deadline if the jump rule allows it."""
        if not self.jumps_enabled or not self._quiet_locked():
            return "busy"
        nearest = self._nearest_deadline_locked()
        if nearest is None:
            return "stuck"
        target, owner = nearest
        if target <= self._now_locked():
            self._wake_locked(owner)  # its time has come; let it run first
            return "due"
        if self._cap_ns is not None and target > self._cap_ns:
            if owner == me:
                raise self._exceeded()
            self._overdue = owner  # the owner raises, in its own thread
            self._wake_locked(owner)
            return "due"
        self._advance_locked(target)
        for ident, idle in self._idle.items():
            if ident != me and idle.deadline_ns is not None and idle.deadline_ns <= target:
                idle.loop.wake()
        self._cond.notify_all()
        return "jumped"

    def _wake_locked(self, ident: int) -> None:
        idle = self._idle.get(ident)
        if idle is not None:
            idle.loop.wake()
        self._cond.notify_all()

    @staticmethod
    def _wait_seconds(status: _JumpStatus, deadline_ns: int | None, now_ns: int) -> float | None:
        """How long to wait in real time after a failed jump; None: until woken."""
        if status == "due":
            return _DUE_S
        if status == "stuck":
            return None
        if deadline_ns is None:
            return _SLICE_S
        return min(_SLICE_S, (deadline_ns - now_ns) / _NS_PER_S)

    # -- blocking

    def sleep(self, seconds: float) -> None:
        """`time.sleep` on any thread: wait until virtual time reaches now + `seconds`."""
        delta_ns = round(seconds * _NS_PER_S)
        if not self.jumps_enabled or delta_ns <= 0:
            _real_sleep(seconds)
            return
        me = threading.get_ident()
        with self._cond:
            deadline = self._now_locked() + delta_ns
            if self._cap_ns is not None and deadline > self._cap_ns:
                raise self._exceeded()
            with self._blocked(me, self._sleepers, deadline):
                while True:
                    self._raise_if_overdue_locked(me)
                    now = self._now_locked()
                    if now >= deadline:
                        return
                    status = self._try_jump_locked(me)
                    if status == "jumped":
                        continue
                    # Waiting while someone else runs real code lets time flow.
                    hold = status == "busy"
                    if hold:
                        self._hold_locked()
                    try:
                        self._cond.wait(self._wait_seconds(status, deadline, now))
                    finally:
                        if hold:
                            self._unhold_locked()

    def idle(self, loop: _VirtualLoop, selector: selectors.BaseSelector) -> _Events:
        """Wait as `loop`, which has nothing to do, until I/O arrives or its timer is due."""
        deadline = loop.next_deadline_ns()
        if deadline is not None and loop.has_external_peers():
            # Rule 4: give a real response a moment to arrive before jumping past it.
            with self._cond:
                remaining = (deadline - self._now_locked()) / _NS_PER_S
            events = self._select_real(selector, max(0.0, min(_GRACE_S, remaining)), hold=True)
            if events:
                return events
        me = threading.get_ident()
        with self._blocked(me, self._idle, _IdleLoop(loop, deadline)):
            while True:
                with self._cond:
                    self._raise_if_overdue_locked(me)
                    now = self._now_locked()
                    if deadline is not None and now >= deadline:
                        return []
                    status = self._try_jump_locked(me)
                if status == "jumped":
                    continue
                # Waiting while others run real code, or for real I/O, lets time flow.
                timeout = self._wait_seconds(status, deadline, now)
                events = self._select_real(selector, timeout, hold=status in {"busy", "stuck"})
                if events:
                    return events

    def _select_real(
        self, selector: selectors.BaseSelector, timeout: float | None, *, hold: bool
    ) -> _Events:
        """Block in the real `select`; with `hold`, time flows meanwhile."""
        if not hold:
            return selector.select(timeout)
        with self._cond:
            self._hold_locked()
        try:
            return selector.select(timeout)
        finally:
            with self._cond:
                self._unhold_locked()

    @contextlib.contextmanager
    def _blocked(self, me: int, table: dict[int, _V], value: _V) -> Iterator[None]:
        """Register thread `me` in `table` (sleepers or idle loops) while it waits.

        A runner thread stops holding the clock meanwhile: it waits, it does not run.
        """
        with self._cond:
            table[me] = value
            runner = me in self._runners
            if runner:
                self._unhold_locked()
        try:
            yield
        finally:
            with self._cond:
                del table[me]
                if runner:
                    self._hold_locked()

    def set_flowing(self, *, flowing: bool) -> None:
        """Switch jumps off and let time flow (True), or back (False)."""
        with self._cond:
            if flowing:
                self.jumps_enabled = False
                self._hold_locked()
            else:
                self._unhold_locked()
                self.jumps_enabled = True
            self._changed_locked()

    def after_fork_in_child(self) -> None:
        """Run a forked child on real time, continuing from the time it forked at."""
        # The lock may be held by a thread that does not exist in the child: read the
        # fields without it, then start over with a fresh one.
        now = self._now_locked()
        self._cond = threading.Condition(threading.RLock())
        self._frozen_ns, self._flow_since, self._holders = now, _real_perf_counter_ns(), 1
        self.jumps_enabled = False
        self._runners.clear()
        self._sleepers.clear()
        self._idle.clear()
        self._jobs.clear()
        self._children.clear()
        self._children_hold = False
        self._overdue = None


# --------------------------------------------------------------------------- loops

_Events = list[tuple[selectors.SelectorKey, int]]


class _RecordingLoop(asyncio.SelectorEventLoop):
    """A selector loop that records the tasks created on it in the block's timeline."""

    def create_task(
        self,
        coro: Any,  # noqa: ANN401 - whatever the base class accepts
        **kwargs: Any,  # noqa: ANN401 - name, context, and 3.14's eager_start
    ) -> asyncio.Task[Any]:
        """Create the task as usual and note it in the timeline."""
        task = super().create_task(coro, **kwargs)
        if _STATE.timeline is not None:
            _STATE.timeline.record(task)
        return task


class _Submissions(threading.local):
    """Jobs that `ThreadPoolExecutor.submit` queued inside a loop's `run_in_executor`."""

    jobs: list[_Job] | None = None


_SUBMISSIONS = _Submissions()


class _VirtualLoop(_RecordingLoop):
    """A selector loop on virtual time that skips idle waits under the jump rule."""

    # CPython internals this loop reads; present in 3.10-3.13.
    _scheduled: list[asyncio.TimerHandle]
    _ready: collections.deque[asyncio.Handle]
    _clock_resolution: float

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        """Wrap `selector` (default: the platform's) so that idle waits come to us."""
        self._idle_selector = _IdleSelector(
            selector if selector is not None else selectors.DefaultSelector()
        )
        super().__init__(self._idle_selector)
        self._idle_selector.loop = self
        # Timers sit on the 1 ns grid, so a timer is due once the clock reaches it.
        self._clock_resolution = 1 / _NS_PER_S

    def time(self) -> float:
        """Virtual seconds (real monotonic seconds once the clock is uninstalled)."""
        coordinator = _STATE.coordinator
        if coordinator is None:
            return _real_monotonic()
        return coordinator.now_ns() / _NS_PER_S

    def run_in_executor(
        self,
        executor: concurrent.futures.Executor | None,
        func: Callable[[Unpack[_Ts]], _T],
        *args: Unpack[_Ts],
    ) -> asyncio.Future[_T]:
        """Submit as usual; the job counts as busy until this loop has its result."""
        coordinator = _STATE.coordinator
        if coordinator is None:
            return super().run_in_executor(executor, func, *args)
        jobs: list[_Job] = []
        _SUBMISSIONS.jobs = jobs
        try:
            future = super().run_in_executor(executor, func, *args)
        finally:
            _SUBMISSIONS.jobs = None
        for job in jobs:
            future.add_done_callback(functools.partial(_settle, coordinator, job))
        return future

    def next_deadline_ns(self) -> int | None:
        """The exact virtual time of the next timer; None without timers."""
        if not self._scheduled:
            return None
        return round(self._scheduled[0].when() * _NS_PER_S)

    def has_pending_events(self) -> bool:
        """Whether a callback or I/O is ready (safe from any thread)."""
        return bool(self._ready) or self._idle_selector.poll()

    def has_external_peers(self) -> bool:
        """Whether a registered socket talks to a peer that is not in this loop."""
        return bool(self._external_fds())

    def awaits_reply(self) -> bool:
        """Whether a socket to a peer known to answer sent data last and awaits the reply."""
        if not _AWAITING or not _ANSWERING:
            return False
        keys = self._idle_selector.get_map()
        if _AWAITING.isdisjoint(keys):
            return False  # runs at every attempted jump: skip the per-socket lookups
        return any(
            fd in _AWAITING
            and keys[fd].events & selectors.EVENT_READ
            and isinstance(peer, tuple)
            and (str(peer[0]), int(peer[1])) in _ANSWERING
            for fd, peer in self._external_fds()
            if fd in keys
        )

    def _external_fds(self) -> list[tuple[int, object]]:
        ends = {
            key.fd: end
            for key in list(self._idle_selector.get_map().values())
            if (end := _socket_ends(key.fd)) is not None
        }
        local = {end[0] for end in ends.values()}
        return [
            (fd, peer) for fd, (_, peer) in ends.items() if peer is not None and peer not in local
        ]

    def wake(self) -> None:
        """Make the loop leave `select` (safe from any thread)."""
        if not self.is_closed():
            with contextlib.suppress(RuntimeError):  # closed meanwhile: nobody to wake
                self.call_soon_threadsafe(_nothing)


def _nothing() -> None:
    """A callback whose only effect is to wake a loop."""


def _settle(coordinator: _Coordinator, job: _Job, _future: asyncio.Future[Any]) -> None:
    coordinator.settle_job(job)


class _IdleSelector(selectors.BaseSelector):
    """The loop's selector: real I/O goes to `inner`, idle waits to the coordinator."""

    def __init__(self, inner: selectors.BaseSelector) -> None:
        self.inner = inner
        self.loop: _VirtualLoop | None = None

    def register(
        self,
        fileobj: FileDescriptorLike,
        events: int,
        data: Any = None,  # noqa: ANN401 - the loop's handles
    ) -> selectors.SelectorKey:
        """Register with the real selector."""
        return self.inner.register(fileobj, events, data)

    def unregister(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        """Unregister from the real selector."""
        return self.inner.unregister(fileobj)

    def modify(
        self,
        fileobj: FileDescriptorLike,
        events: int,
        data: Any = None,  # noqa: ANN401 - the loop's handles
    ) -> selectors.SelectorKey:
        """Modify in the real selector."""
        return self.inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> _Events:
        """Poll; when the loop has nothing to do, let the coordinator decide the wait."""
        coordinator, loop = _STATE.coordinator, self.loop
        if (
            coordinator is None
            or loop is None
            or not coordinator.jumps_enabled
            or (timeout is not None and timeout <= 0)
        ):
            return self.inner.select(timeout)
        # The loop computed `timeout` from virtual time: it has no callback ready and is
        # not stopping. Rule 1: I/O that is ready now comes first.
        return self.inner.select(0) or coordinator.idle(loop, self.inner)

    def poll(self) -> bool:
        """Whether I/O is ready; other threads may ask while the loop waits."""
        try:
            return bool(self.inner.select(0))
        except (OSError, ValueError):
            return False  # closed

    def close(self) -> None:
        """Close the real selector."""
        self.loop = None
        self.inner.close()

    def get_key(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        """Look up in the real selector."""
        return self.inner.get_key(fileobj)

    def get_map(self) -> Mapping[FileDescriptorLike, selectors.SelectorKey]:
        """The real selector's map."""
        return self.inner.get_map()


# --------------------------------------------------------------------------- patches


def _virtual_ns() -> int:
    coordinator = _STATE.coordinator
    return _real_perf_counter_ns() if coordinator is None else coordinator.now_ns()


def _monotonic() -> float:
    """Virtual `time.monotonic()`."""
    return _virtual_ns() / _NS_PER_S


def _monotonic_ns() -> int:
    """Virtual `time.monotonic_ns()`."""
    return _virtual_ns()


def _perf_counter() -> float:
    """Virtual `time.perf_counter()`."""
    return _virtual_ns() / _NS_PER_S


def _perf_counter_ns() -> int:
    """Virtual `time.perf_counter_ns()`."""
    return _virtual_ns()


def _time_ns() -> int:
    """Virtual `time.time_ns()`: the real epoch at install plus virtual time since."""
    return _STATE.epoch_ns + _virtual_ns() - _BASE_NS


def _time() -> float:
    """Virtual `time.time()`."""
    return _time_ns() / _NS_PER_S


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
    coordinator = _STATE.coordinator
    if coordinator is None:
        _real_sleep(seconds)
    else:
        coordinator.sleep(seconds)


def _real_loop_time(self: asyncio.AbstractEventLoop) -> float:  # noqa: ARG001 - a method
    """`BaseEventLoop.time` for loops that are not ours, which cannot jump."""
    return _real_monotonic()


def _tracked_submit(
    self: concurrent.futures.ThreadPoolExecutor,
    fn: Callable[_P, _T],
    /,
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> concurrent.futures.Future[_T]:
    """`ThreadPoolExecutor.submit` that counts the job until its result is delivered."""
    coordinator = _STATE.coordinator
    if coordinator is None or not coordinator.jumps_enabled:
        return _real_submit(self, fn, *args, **kwargs)
    collector = _SUBMISSIONS.jobs
    job = coordinator.queue_job(loop_settled=collector is not None)

    def run() -> _T:
        coordinator.start_job(job)
        try:
            return fn(*args, **kwargs)
        finally:
            coordinator.finish_job(job)

    try:
        future = _real_submit(self, run)
    except BaseException:
        coordinator.future_done(job)  # never started
        raise
    if collector is not None:
        collector.append(job)
    future.add_done_callback(lambda _: coordinator.future_done(job))
    return future


def _tracked_start(self: threading.Thread) -> None:
    """`Thread.start` that counts the thread as running real code until it ends."""
    coordinator = _STATE.coordinator
    if coordinator is not None and coordinator.jumps_enabled and not _is_pool_worker(self):
        run = self.run

        def counted_run() -> None:
            coordinator.runner_started()
            try:
                run()
            finally:
                coordinator.runner_finished(thread_ends=True)

        # An instance attribute, so that subclasses that override run() are counted too.
        self.run = counted_run  # type: ignore[method-assign]
    _real_thread_start(self)


def _track_pid(pid: int) -> None:
    coordinator = _STATE.coordinator
    if pid > 0 and coordinator is not None and coordinator.jumps_enabled:
        coordinator.child_started(pid)


def _tracking_spawner(spawn: Callable[_P, int]) -> Callable[_P, int]:
    """Wrap a primitive that returns a child's pid (0 in a forked child)."""

    @functools.wraps(spawn)
    def spawn_tracked(*args: _P.args, **kwargs: _P.kwargs) -> int:
        pid = spawn(*args, **kwargs)
        _track_pid(pid)
        return pid

    return spawn_tracked


def _tracking_forkpty(forkpty: Callable[[], tuple[int, int]]) -> Callable[[], tuple[int, int]]:
    """Wrap `os.forkpty`, which returns the pid with the pty's descriptor."""

    @functools.wraps(forkpty)
    def forkpty_tracked() -> tuple[int, int]:
        pid, fd = forkpty()
        _track_pid(pid)
        return pid, fd

    return forkpty_tracked


class _State:
    """What `install` changed in this process, so that `_uninstall` can undo it."""

    def __init__(self) -> None:
        self.clock: Clock | None = None
        self.coordinator: _Coordinator | None = None
        self.timeline: _Timeline | None = None
        self.epoch_ns = 0
        self.patches: list[tuple[object, str, object, bool]] = []
        self.fork_handler_registered = False

    def patch(self, target: object, name: str, value: object) -> None:
        """Set `target.name` to `value`, remembering the original; skip if absent."""
        if not hasattr(target, name):
            return  # this platform or version has no such thing
        own = name in vars(target)
        self.patches.append((target, name, getattr(target, name), own))
        setattr(target, name, value)

    def restore(self) -> None:
        """Undo every patch, newest first."""
        while self.patches:
            target, name, original, own = self.patches.pop()
            if own:
                setattr(target, name, original)
            else:
                delattr(target, name)


_STATE = _State()


def _patch_loop_creation(loop_class: type[asyncio.AbstractEventLoop]) -> None:
    def new_event_loop() -> asyncio.AbstractEventLoop:
        """Make an event loop on the installed clock."""
        return loop_class()

    # asyncio.run and asyncio.Runner call events.new_event_loop() on 3.10-3.13; the
    # policy serves get_event_loop() and code that asks it directly.
    _STATE.patch(asyncio.events, "new_event_loop", new_event_loop)
    _STATE.patch(asyncio, "new_event_loop", new_event_loop)
    _STATE.patch(asyncio.DefaultEventLoopPolicy, "_loop_factory", loop_class)
    unix_events = sys.modules.get("asyncio.unix_events")
    for module, name in (
        (asyncio, "SelectorEventLoop"),
        (unix_events, "SelectorEventLoop"),
        (asyncio, "EventLoop"),  # 3.13+, for asyncio.run(loop_factory=asyncio.EventLoop)
        (unix_events, "EventLoop"),
    ):
        _STATE.patch(module, name, loop_class)


def _patch_time() -> None:
    for name, function in (
        ("monotonic", _monotonic),
        ("monotonic_ns", _monotonic_ns),
        ("perf_counter", _perf_counter),
        ("perf_counter_ns", _perf_counter_ns),
        ("time", _time),
        ("time_ns", _time_ns),
        ("sleep", _sleep),
    ):
        _STATE.patch(time, name, function)
    # Loops that are not ours (made before install, or by a library directly) cannot
    # jump; with a frozen monotonic clock their timers would never come due.
    _STATE.patch(asyncio.BaseEventLoop, "time", _real_loop_time)


_AWAITING: set[int] = set()
"""Descriptors of sockets whose last data went out: a request awaits its reply."""
_ANSWERING: set[tuple[str, int]] = set()
"""(host, port) of peers known to answer every request (rule 4)."""


def expect_replies_from(peers: Iterable[tuple[str, int]]) -> None:
    """Declare servers that answer: a request pending with them holds the virtual clock."""
    _ANSWERING.update((host, int(port)) for host, port in peers)


_SENDS: Final = ("send", "sendall", "sendto", "sendmsg")
_RECEIVES: Final = ("recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into")


def _noting_send(method: Callable[..., _T]) -> Callable[..., _T]:
    @functools.wraps(method)
    def send(self: socket.socket, *args: Any, **kwargs: Any) -> _T:  # noqa: ANN401
        result = method(self, *args, **kwargs)
        _AWAITING.add(self.fileno())
        return result

    return send


def _noting_receive(method: Callable[..., _T]) -> Callable[..., _T]:
    @functools.wraps(method)
    def receive(self: socket.socket, *args: Any, **kwargs: Any) -> _T:  # noqa: ANN401
        result = method(self, *args, **kwargs)
        _AWAITING.discard(self.fileno())  # data, or the end of it: no reply pending
        return result

    return receive


def _noting_close(method: Callable[..., _T]) -> Callable[..., _T]:
    @functools.wraps(method)
    def close(self: socket.socket) -> _T:
        _AWAITING.discard(self.fileno())
        return method(self)

    return close


def _patch_sockets() -> None:
    # The Python subclass: asyncio's transports and the stdlib's clients all use it.
    for names, wrap in ((_SENDS, _noting_send), (_RECEIVES, _noting_receive)):
        for name in names:
            method = getattr(socket.socket, name, None)
            if method is not None:
                _STATE.patch(socket.socket, name, wrap(method))
    # Not `detach`: the descriptor lives on (and `_socket_ends` borrows sockets that way).
    _STATE.patch(socket.socket, "close", _noting_close(socket.socket.close))


def _patch_threads_and_children() -> None:
    _STATE.patch(concurrent.futures.ThreadPoolExecutor, "submit", _tracked_submit)
    _STATE.patch(threading.Thread, "start", _tracked_start)
    # subprocess binds fork_exec at import on 3.11+; multiprocessing's spawn looks it up
    # on _posixsubprocess at each call.
    for module, name in (
        (os, "fork"),
        (os, "posix_spawn"),
        (os, "posix_spawnp"),
        (sys.modules.get("_posixsubprocess"), "fork_exec"),
        (subprocess, "_fork_exec"),
    ):
        spawn = getattr(module, name, None)
        if spawn is not None:
            _STATE.patch(module, name, _tracking_spawner(spawn))
    forkpty = getattr(os, "forkpty", None)
    if forkpty is not None:
        _STATE.patch(os, "forkpty", _tracking_forkpty(forkpty))


def _after_fork_in_child() -> None:
    if _STATE.coordinator is not None:
        _STATE.coordinator.after_fork_in_child()
    if _STATE.timeline is not None:
        _STATE.timeline.after_fork_in_child()


# --------------------------------------------------------------------------- public API


class Clock:
    """The clock a child process measures its examples with; made by `install`."""

    __slots__ = ("_coordinator", "_now_ns", "_timeline", "name")

    def __init__(
        self,
        name: ClockName,
        now_ns: Callable[[], int],
        timeline: _Timeline,
        coordinator: _Coordinator | None,
    ) -> None:
        """Use `install` instead."""
        self.name: ClockName = name
        self._now_ns = now_ns
        self._timeline = timeline
        self._coordinator = coordinator

    def now(self) -> float:
        """Seconds on this clock: exact virtual time, or `time.perf_counter()` if real."""
        return self._now_ns() / _NS_PER_S

    def begin_block(self, cap: float | None) -> None:
        """Start a block: reset the timeline; on the virtual clock, cap time at now + `cap`.

        The real clock has no cap: the parent's real timeout bounds a real block.
        """
        if cap is not None and cap < 0:
            msg = f"the cap must be at least 0 s, not {cap}"
            raise ValueError(msg)
        self._timeline.reset()
        if self._coordinator is not None:
            self._coordinator.set_cap(cap)

    def timeline(self) -> tuple[TaskSpan, ...]:
        """Tasks created on any loop since `begin_block`, in creation order."""
        return self._timeline.spans()

    @contextlib.contextmanager
    def flowing(self) -> Iterator[None]:
        """Let virtual time run at real speed meanwhile, without jumps.

        For a block that serves real clients (`web.run_app`): its timers must not race
        ahead of requests that come from outside the process.
        """
        coordinator = self._coordinator
        if coordinator is None:
            yield
            return
        coordinator.set_flowing(flowing=True)
        try:
            yield
        finally:
            coordinator.set_flowing(flowing=False)


def install(mode: ClockName) -> Clock:
    """Install the clock for this process, once, before any example code runs.

    Calling it again with the same mode returns the same clock.
    """
    if _STATE.clock is not None:
        if _STATE.clock.name != mode:
            msg = f"the {_STATE.clock.name} clock is already installed; cannot install {mode}"
            raise RuntimeError(msg)
        return _STATE.clock
    if mode == "virtual":
        here = threading.current_thread()
        # Threads that exist now are the harness's, not the example's.
        coordinator = _Coordinator(frozenset(t for t in threading.enumerate() if t is not here))
        _STATE.coordinator = coordinator
        _STATE.epoch_ns = _real_time_ns()
        now_ns: Callable[[], int] = coordinator.now_ns
        loop_class: type[asyncio.AbstractEventLoop] = _VirtualLoop
        _patch_time()
        _patch_threads_and_children()
        _patch_sockets()
    elif mode == "real":
        coordinator = None
        now_ns = _real_perf_counter_ns
        loop_class = _RecordingLoop
    else:
        msg = f"unknown clock {mode!r}; expected 'virtual' or 'real'"
        raise ValueError(msg)
    _STATE.timeline = _Timeline(now_ns)
    _patch_loop_creation(loop_class)
    if not _STATE.fork_handler_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _STATE.fork_handler_registered = True  # it cannot be unregistered; it checks state
    _STATE.clock = Clock(mode, now_ns, _STATE.timeline, coordinator)
    return _STATE.clock


def _uninstall() -> None:
    """Undo `install` (for tests): restore every patched name and forget the clock."""
    _STATE.restore()
    _STATE.clock = None
    _STATE.coordinator = None
    _STATE.timeline = None
