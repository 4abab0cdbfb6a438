"""Reporting the parties: wrappers that tell the coordinator who runs real code.

* `threading.Thread.start` is wrapped so that a thread the example starts counts as a
  runner from `run()` to its end (`mdverify.clock.parties` says when it does not).
* `ThreadPoolExecutor.submit` is wrapped so that each job counts from submission until
  its result is delivered. Inside a virtual loop's `run_in_executor` the loop settles
  the job itself; `submissions` carries the jobs from `submit` back to it.
* The spawn primitives (`os.fork`, `os.forkpty`, `os.posix_spawn[p]`,
  `_posixsubprocess.fork_exec`, which serves `subprocess`, asyncio subprocesses and
  multiprocessing's spawn) are wrapped to record pids.

Each wrapper looks up the installed coordinator at call time and does nothing extra
without one, or while jumps are off. Each reads the clock first, so that a stretch of
CPU the caller spent before the flow of real time begins is counted (`mdverify.clock.cpu`).

This module never imports pytest: the child process imports it. It uses
`concurrent.futures.thread._worker` and `subprocess._fork_exec`; POSIX only: Windows has
none of the spawn primitives.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from mdverify.clock.current import CURRENT
from mdverify.clock.parties import is_pool_worker
from mdverify.clock.patches import patch

if TYPE_CHECKING:
    from collections.abc import Callable

    from mdverify.clock.parties import ExecutorJob

__all__ = ["patch_threads_and_children", "submissions"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

_real_submit = concurrent.futures.ThreadPoolExecutor.submit


class _Submissions(threading.local):
    """Jobs that `ThreadPoolExecutor.submit` queued inside a loop's `run_in_executor`."""

    jobs: list[ExecutorJob] | None = None


submissions = _Submissions()


def _tracked_submit(
    self: concurrent.futures.ThreadPoolExecutor,
    fn: Callable[_P, _T],
    /,
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> concurrent.futures.Future[_T]:
    """`ThreadPoolExecutor.submit` that counts the job until its result is delivered."""
    coordinator = CURRENT.coordinator
    if coordinator is None or not coordinator.jumps_enabled:
        return _real_submit(self, fn, *args, **kwargs)
    collector = submissions.jobs
    coordinator.now_ns()  # the CPU spent so far counts before time flows with the job
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


def _tracking_start(
    start: Callable[[threading.Thread], None],
) -> Callable[[threading.Thread], None]:
    """Wrap `Thread.start` (whatever wraps it already: netmap notes the starting block)."""

    @functools.wraps(start)
    def tracked_start(self: threading.Thread) -> None:
        """`Thread.start` that counts the thread as running real code until it ends."""
        coordinator = CURRENT.coordinator
        if coordinator is not None and coordinator.jumps_enabled and not is_pool_worker(self):
            run = self.run

            def counted_run() -> None:
                coordinator.runner_started()
                try:
                    run()
                finally:
                    coordinator.runner_finished(thread_ends=True)

            # An instance attribute, so that subclasses that override run() are counted too.
            self.run = counted_run  # type: ignore[method-assign]
            coordinator.now_ns()  # the CPU spent so far counts before time flows
        start(self)

    return tracked_start


def _track_pid(pid: int) -> None:
    coordinator = CURRENT.coordinator
    if pid > 0 and coordinator is not None and coordinator.jumps_enabled:
        coordinator.child_started(pid)


def _tracking_spawner(spawn: Callable[_P, int]) -> Callable[_P, int]:
    """Wrap a primitive that returns a child's pid (0 in a forked child)."""

    @functools.wraps(spawn)
    def spawn_tracked(*args: _P.args, **kwargs: _P.kwargs) -> int:
        coordinator = CURRENT.coordinator
        if coordinator is not None and coordinator.jumps_enabled:
            coordinator.now_ns()  # the CPU spent so far counts before time flows
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


def patch_threads_and_children() -> None:
    """Wrap thread start, executor submission and every spawn primitive there is."""
    patch(concurrent.futures.ThreadPoolExecutor, "submit", _tracked_submit)
    patch(threading.Thread, "start", _tracking_start(threading.Thread.start))
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
            patch(module, name, _tracking_spawner(spawn))
    forkpty = getattr(os, "forkpty", None)
    if forkpty is not None:
        patch(os, "forkpty", _tracking_forkpty(forkpty))
