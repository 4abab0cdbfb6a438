"""The parent's handle on the warm worker (`mdverify.run.worker`): submit jobs, take results.

The worker runs children ahead of need, so results arrive in any order: each waits here
under its job's key until asked for, and one nobody will ask for (`forget`) has its folder
removed when it comes. Every article's folder lives under one root, so that `close`
removes the results nobody collected (pytest -x, Ctrl+C) with the rest.

A process that runs several sessions one after the other (a test suite driving pytest
in-process through `pytester`, as ours does about 190 times) would start a worker for
each, and a worker's start (an interpreter and the child's imports) is most of what a
small session costs. So a session that ends with nothing left running hands its worker
on (`release`), and the next one with the same interpreter, concurrency and start-up
environment takes it (`take`). What a child may see of the difference, the rest of its
environment, travels with each job as it always could. A worker with anything still
queued, running or unread is closed as before, and one that has died is never handed on.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mdverify.run import frames, janitor, lifeline
from mdverify.run.capture import Folder
from mdverify.run.environment import scratch_dir
from mdverify.run.options import IDLE_LIMIT
from mdverify.run.watch import CHUNK, GRACE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.run.sandbox import Sandbox
    from mdverify.run.watch import Outcome

__all__ = ["Finished", "WarmWorker", "WorkerGone"]

_SLACK = 30.0
"""Seconds on top of the longest an outstanding job may take, before a silent worker is
taken for stuck: stopped (SIGSTOP from outside), or wedged."""
_PER_JOB = frozenset({"HOME"})
"""Variables a child is given with its job, after the fork, not by the worker's start-up:
Python's start reads them at most for the user's site-packages (see `_start_key`)."""
_Key = tuple[str, int, frozenset[tuple[str, str]], "Sandbox | None"]
_IDLE: dict[_Key, WarmWorker] = {}
"""Workers handed on by a session that ended, by what their start depended on."""


class WorkerGone(Exception):
    """The worker died or could not start; the caller falls back to a cold start."""


@dataclass(frozen=True)
class Finished:
    """How one job's child ended, and its folder (the caller removes it)."""

    outcome: Outcome
    folder: Folder


class WarmWorker:
    """The parent's handle on one worker process."""

    @classmethod
    def take(
        cls,
        python: str,
        env: Mapping[str, str],
        concurrency: int,
        sandbox: Sandbox | None = None,
    ) -> WarmWorker:
        """An idle worker a finished session handed on with the same start, else a new one."""
        key = _start_key(python, env, concurrency, sandbox)
        worker = _IDLE.pop(key, None)
        if worker is not None:
            if worker.alive():
                return worker
            worker.close()
        return cls(python, env, concurrency, sandbox)

    def __init__(
        self,
        python: str,
        env: Mapping[str, str],
        concurrency: int,
        sandbox: Sandbox | None = None,
    ) -> None:
        self._root = tempfile.mkdtemp(prefix="mdverify-worker-", dir=scratch_dir())
        janitor.keep(self._root)
        parent = lifeline.parent_argument(sandboxed=sandbox is not None)
        argv = [python, "-m", "mdverify.run.worker", str(concurrency), self._root, parent]
        if sandbox is not None:
            # The worker, and so every child it forks, runs inside; only its root is writable.
            sandbox.give(Path(self._root))
            argv = sandbox.command(argv, [self._root])
        try:
            self._proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=dict(env),
                start_new_session=True,  # a Ctrl-C in the terminal is pytest's to handle
            )
        except OSError as err:
            shutil.rmtree(self._root, ignore_errors=True)
            raise WorkerGone(str(err)) from err
        self._env = dict(env)
        self._key = _start_key(python, env, concurrency, sandbox)
        self._buffer = b""
        self._results: dict[int, Finished] = {}
        self._forgotten: set[int] = set()
        self._longest: dict[int, float] = {}
        """The most real seconds each job not yet answered may take in the worker."""

    def submit(self, *jobs: frames.Job) -> None:
        """Queue `jobs`; the worker starts each as soon as it has a free slot."""
        data = b"".join(
            # The usual case, the worker's own environment, is not sent again.
            frames.encode_frame(replace(j, env=None))
            if j.env == self._env
            else frames.encode_frame(j)
            for j in jobs
        )
        for job in jobs:
            self._longest[job.key] = _longest(job)
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError) as err:
            raise WorkerGone("the warm worker stopped reading") from err

    def result(self, key: int) -> Finished:
        """Wait for the result of the job submitted with `key`.

        The wait has a deadline: while jobs are outstanding, one of those running ends
        within the longest any of them may take (the worker enforces each block's limit),
        so a worker silent for longer, and `_SLACK` more, is stuck; it is killed, and the
        caller runs the article cold (`WorkerGone`).
        """
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        heard = time.monotonic()
        while key not in self._results:
            parsed = frames.split_frame(self._buffer)
            if parsed is None:
                silence = max(self._longest.values(), default=0.0) + _SLACK
                if not select.select([fd], [], [], max(0.0, heard + silence - time.monotonic()))[0]:
                    self._proc.kill()
                    raise WorkerGone(f"the warm worker answered nothing for {silence:g} s")
                chunk = os.read(fd, CHUNK)
                if not chunk:
                    raise WorkerGone("the warm worker exited")
                heard = time.monotonic()
                self._buffer += chunk
                continue
            payload, self._buffer = parsed
            frame = frames.decode_result(payload)
            self._longest.pop(frame.key, None)
            folder = Folder(Path(frame.folder))
            if frame.key in self._forgotten:
                self._forgotten.discard(frame.key)
                folder.remove()
                continue
            self._results[frame.key] = Finished(frame.outcome, folder)
        return self._results.pop(key)

    def forget(self, key: int) -> None:
        """Drop the result of job `key`, now or when it arrives: nobody will ask for it."""
        result = self._results.pop(key, None)
        if result is None:
            self._forgotten.add(key)
        else:
            result.folder.remove()

    def alive(self) -> bool:
        """Whether the worker process still runs."""
        return self._proc.poll() is None

    def release(self, *, idle: bool) -> None:
        """The session is done with the worker: hand it on, or close it.

        It is handed on only if `idle` (the caller has nothing submitted that it did not
        collect), nothing of it waits here and it still runs.
        """
        handed = idle and not (self._results or self._forgotten or self._buffer)
        if handed and self.alive():
            previous = _IDLE.pop(self._key, None)
            if previous is not None:
                previous.close()
            _IDLE[self._key] = self
        else:
            self.close()

    def close(self) -> None:
        """Stop the worker; children still running are killed by it when its input ends."""
        with contextlib.suppress(OSError, ValueError):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        shutil.rmtree(self._root, ignore_errors=True)


def _longest(job: frames.Job) -> float:
    """The most real seconds `job` may take in the worker.

    That is each block's limit, the gaps around them (`IDLE_LIMIT` each), and the grace of
    its end.
    """
    return sum(job.timeouts.values()) + IDLE_LIMIT * (len(job.timeouts) + 1) + GRACE


def _start_key(
    python: str, env: Mapping[str, str], concurrency: int, sandbox: Sandbox | None = None
) -> _Key:
    """What a worker's start depends on: two equal keys start workers that fork alike.

    HOME is left out unless it holds a user site-packages folder, the one thing a start
    reads of it (then the folder's owner must match); the child is given its own HOME.
    """
    start = {name: value for name, value in env.items() if name not in _PER_JOB}
    home = env.get("HOME")
    if home and any(Path(home, ".local", "lib").glob("python*/site-packages")):
        start["HOME"] = home
    return python, concurrency, frozenset(start.items()), sandbox


@atexit.register
def _close_idle() -> None:
    while _IDLE:
        _IDLE.popitem()[1].close()
