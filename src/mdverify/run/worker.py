"""A warm worker: one process that has imported what children need and forks one per article.

Starting `python -m mdverify.run.child` costs tens of milliseconds of interpreter start-up and
imports per article; forking a process that has already paid them costs about one. The
isolation stays what `mdverify.run.sandbox` gives a cold child: each article runs in a fresh
forked process, in a session (process group) of its own, in its own temporary working
directory, with stdout and stderr on capture files, and the whole group is killed when the
article ends or a block times out. The child then runs `mdverify.run.child.serve`: the same
code and JSON event protocol as a cold child.

The worker also supervises: it reads each child's events, enforces the block timeouts and
sends the parent one finished result per article. So the parent can queue articles ahead
of pytest's item loop, and children run while pytest reports the items before them.

What keeps forking safe:

* The worker never starts a thread, never installs the virtual clock and never creates an
  event loop; each child installs the clock its request names, after the fork.
* The worker moves its pipes to the parent off fds 0-2 at start, so a child only has to
  put its capture files on 1 and 2; a child closes every worker fd it does not own.
* Per-article data (the request, the environment) travels with each job and is applied in
  the child after the fork. Variables Python reads only at start-up (`PYTHONPATH`,
  `PYTHONHASHSEED`, ...) come from the worker's own environment.

The worker also enforces the article's output budget (the size of its capture files), and
releases what `mdverify.run.limits` set up for the child once it has killed its group. A
result names the child's temporary directory, which still holds the capture files: the
parent reads what it keeps of them (never all of a flood) and removes the directory.

Frames between parent and worker: a 4-byte big-endian length, then that many bytes of JSON.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from mdverify.run import limits
from mdverify.run.sandbox import cut_at_budget, read_available, scratch_dir

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.run.child import Request

__all__ = ["Job", "Result", "WarmWorker", "WorkerGone"]

_LENGTH = struct.Struct(">I")
_CHUNK = 1 << 16
_POLL = 0.05
_BUDGET_EVERY = 0.01
"""Seconds between two looks at the size of the children's capture files."""
_FAILED_CHILD = 70
"""Exit status of a forked child whose set-up failed before the article could run."""


class WorkerGone(Exception):
    """The worker died or could not start; the caller falls back to a cold start."""


@dataclass(frozen=True)
class Job:
    """One article for the worker to run."""

    key: int
    request: Request
    timeouts: Mapping[int, float]
    """Real-time limit of each block, by example index."""
    idle: float
    """Real seconds the child may spend outside any block."""
    env: Mapping[str, str]
    budget: int
    """Bytes the article may write to stdout and stderr before it is stopped."""


@dataclass(frozen=True)
class Result:
    """What a child reported and how it ended; the sandbox turns it into observations."""

    key: int
    events: list[dict[str, Any]]
    stalled: int | str | None
    """None if the child ended by itself; else the block index that timed out, "idle" or
    "budget"."""
    code: int | None
    folder: str
    """The child's temporary directory, with its `stdout` and `stderr`; the parent removes
    it."""


# --- parent side -------------------------------------------------------------------------


class WarmWorker:
    """The parent's handle on one worker process."""

    def __init__(self, python: str, env: Mapping[str, str], concurrency: int) -> None:
        # Every article's directory lives under this one, so that closing removes the
        # results nobody collected (pytest -x, Ctrl+C) with the rest.
        self._root = tempfile.mkdtemp(prefix="mdverify-worker-", dir=scratch_dir())
        try:
            self._proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
                [python, "-m", "mdverify.run.worker", str(concurrency), self._root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=dict(env),
                start_new_session=True,  # a Ctrl-C in the terminal is pytest's to handle
            )
        except OSError as err:
            shutil.rmtree(self._root, ignore_errors=True)
            raise WorkerGone(str(err)) from err
        self._env = dict(env)
        self._buffer = b""
        self._results: dict[int, Result] = {}
        self._forgotten: set[int] = set()

    def submit(self, *jobs: Job) -> None:
        """Queue `jobs`; the worker starts each as soon as it has a free slot."""
        frames = [
            _frame(
                {
                    "key": job.key,
                    "request": job.request,
                    "timeouts": {str(i): t for i, t in job.timeouts.items()},
                    "idle": job.idle,
                    "budget": job.budget,
                    # The usual case, the worker's own environment, is not sent again.
                    "env": None if job.env == self._env else dict(job.env),
                }
            )
            for job in jobs
        ]
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(b"".join(frames))
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError) as err:
            raise WorkerGone("the warm worker stopped reading") from err

    def result(self, key: int) -> Result:
        """Wait for the result of the job submitted with `key`."""
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while key not in self._results:
            parsed = _parse(self._buffer)
            if parsed is None:
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    raise WorkerGone("the warm worker exited")
                self._buffer += chunk
                continue
            header, self._buffer = parsed
            if header["key"] in self._forgotten:
                self._forgotten.discard(header["key"])
                shutil.rmtree(header["tmp"], ignore_errors=True)
                continue
            stalled = header["stalled"]
            self._results[header["key"]] = Result(
                header["key"], header["events"], stalled, header["code"], header["tmp"]
            )
        return self._results.pop(key)

    def forget(self, key: int) -> None:
        """Drop the result of job `key`, now or when it arrives: nobody will ask for it."""
        result = self._results.pop(key, None)
        if result is None:
            self._forgotten.add(key)
        else:
            shutil.rmtree(result.folder, ignore_errors=True)

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


def _frame(header: dict[str, Any]) -> bytes:
    data = json.dumps(header).encode()
    return _LENGTH.pack(len(data)) + data


def _parse(buffer: bytes) -> tuple[dict[str, Any], bytes] | None:
    """One frame from the front of `buffer` and the rest, or None if it is incomplete."""
    if len(buffer) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack_from(buffer)
    end = _LENGTH.size + length
    if len(buffer) < end:
        return None
    return json.loads(buffer[_LENGTH.size : end]), buffer[end:]


# --- worker side -------------------------------------------------------------------------


@dataclass
class _Child:
    """A running article, as the worker supervises it."""

    key: int
    pid: int
    fd: int
    tmp: str
    timeouts: dict[int, float]
    idle: float
    deadline: float
    budget: int
    buffer: bytes = b""
    events: list[dict[str, Any]] = field(default_factory=list)
    running: int | None = None


class _Supervisor:
    """The worker's single-threaded loop: read jobs, fork children, watch them, reply."""

    def __init__(self, inp: int, out: int, concurrency: int, root: str) -> None:
        self.inp, self.out = inp, out
        self.root = root
        self.unreleased: list[int] = []
        self.concurrency = concurrency
        self.queue: deque[dict[str, Any]] = deque()
        self.children: dict[int, _Child] = {}
        self.inbuf = b""
        self.outbuf = bytearray()
        self.budget_check = 0.0
        fcntl.fcntl(out, fcntl.F_SETFL, fcntl.fcntl(out, fcntl.F_GETFL) | os.O_NONBLOCK)

    def run(self) -> None:
        try:
            while self._step():
                pass
        finally:
            for child in list(self.children.values()):
                self._finish(child, None, send=False)
            for pid in self.unreleased:
                limits.release(pid)

    def _step(self) -> bool:
        """One round of the loop; False once the parent has gone."""
        while self.queue and len(self.children) < self.concurrency:
            self._start(self.queue.popleft())
        now = time.monotonic()
        wait = min((c.deadline - now for c in self.children.values()), default=None)
        if wait is not None:
            wait = min(wait, _POLL)  # the output budget is watched by polling
        readable, writable, _ = select.select(
            [self.inp, *self.children], [self.out] if self.outbuf else [], [], wait and max(wait, 0)
        )
        if writable and not self._write():
            return False
        if self.inp in readable and not self._read_jobs():
            return False
        self._stop_floods()
        self.unreleased = [pid for pid in self.unreleased if not limits.release(pid, wait=False)]
        for fd in readable:
            if fd in self.children:
                self._read_child(self.children[fd])
        now = time.monotonic()
        for child in list(self.children.values()):
            if now >= child.deadline:
                self._finish(child, child.running if child.running is not None else "idle")
        return True

    def _stop_floods(self) -> None:
        """Stop each article past its output budget (see `sandbox.cut_at_budget`)."""
        now = time.monotonic()
        if now < self.budget_check:
            return  # two stats per child on every event would cost more than the events
        self.budget_check = now + _BUDGET_EVERY
        for child in list(self.children.values()):
            self._stop_if_flooded(child)

    def _stop_if_flooded(self, child: _Child) -> bool:
        """Stop `child` if it wrote past its budget; whether it did."""
        if _written(child.tmp) < child.budget:
            return False
        cut_at_budget(child.events, child.buffer + read_available(child.fd), child.budget)
        self._finish(child, "budget")
        return True

    def _write(self) -> bool:
        try:
            written = os.write(self.out, self.outbuf[:_CHUNK])
        except BlockingIOError:
            return True
        except OSError:
            return False  # the parent has gone
        del self.outbuf[:written]
        return True

    def _read_jobs(self) -> bool:
        chunk = os.read(self.inp, _CHUNK)
        if not chunk:
            return False
        self.inbuf += chunk
        while (parsed := _parse(self.inbuf)) is not None:
            header, self.inbuf = parsed
            self.queue.append(header)
        return True

    def _start(self, job: dict[str, Any]) -> None:
        tmp = tempfile.mkdtemp(prefix="article-", dir=self.root)
        work = os.path.join(tmp, "work")  # noqa: PTH118 -- os-level code, pathlib buys nothing
        os.mkdir(work)  # noqa: PTH102
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover -- the child; measured by the tests' observations
            try:
                _child(job, tmp, work, write_fd, [read_fd, self.inp, self.out, *self.children])
            finally:
                os._exit(_FAILED_CHILD)
        os.close(write_fd)
        self.children[read_fd] = _Child(
            key=job["key"],
            pid=pid,
            fd=read_fd,
            tmp=tmp,
            timeouts={int(i): t for i, t in job["timeouts"].items()},
            idle=job["idle"],
            deadline=time.monotonic() + job["idle"],
            budget=job["budget"],
        )

    def _read_child(self, child: _Child) -> None:
        chunk = os.read(child.fd, _CHUNK)
        if not chunk:
            # EOF: the child ended; the parent looks at how. The budget is looked at only
            # now and then, so a flood that ended by itself is caught here.
            if not self._stop_if_flooded(child):
                self._finish(child, None)
            return
        child.buffer += chunk
        *lines, child.buffer = child.buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
                kind, index = event["event"], event.get("index")
            except (ValueError, TypeError, KeyError, AttributeError):
                continue  # not ours: an example that found our channel and wrote to it
            child.events.append(event)
            if kind == "start":
                child.running = index
                child.deadline = time.monotonic() + child.timeouts.get(index, child.idle)
            elif kind == "end":
                child.running = None
                child.deadline = time.monotonic() + child.idle
            elif kind == "done":
                if not self._stop_if_flooded(child):
                    self._finish(child, None)
                return

    def _finish(self, child: _Child, stalled: int | str | None, *, send: bool = True) -> None:
        """Kill the article's process group, reap it and queue its result."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(child.pid, signal.SIGKILL)  # in case it died before its setsid()
        _, status = os.waitpid(child.pid, 0)
        # What left the process group, where a cgroup holds it. A cgroup whose last task is
        # still being torn down is retried on later rounds rather than waited for here.
        if not limits.release(child.pid, wait=False):
            self.unreleased.append(child.pid)
        os.close(child.fd)
        del self.children[child.fd]
        if send:
            header = {
                "key": child.key,
                "events": child.events,
                "stalled": stalled,
                "code": os.waitstatus_to_exitcode(status),
                "tmp": child.tmp,
            }
            self.outbuf += _frame(header)
        else:
            shutil.rmtree(child.tmp, ignore_errors=True)


def _written(tmp: str) -> int:
    total = 0
    for name in ("stdout", "stderr"):
        with contextlib.suppress(OSError):
            total += os.stat(os.path.join(tmp, name)).st_size  # noqa: PTH116, PTH118
    return total


def _child(  # pragma: no cover -- runs in the forked child
    job: dict[str, Any], tmp: str, work: str, report_fd: int, inherited: list[int]
) -> NoReturn:
    """Become the article's process: own session, own cwd and streams, then run it."""
    os.setsid()
    for fd in inherited:
        os.close(fd)
    for target, name in ((1, "stdout"), (2, "stderr")):
        fd = os.open(os.path.join(tmp, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # noqa: PTH118
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(work)
    # `python -m` puts the start directory first on sys.path: a cold child's is its work dir.
    sys.path[0] = work
    if job["env"] is not None:
        os.environ.clear()
        os.environ.update(job["env"])
    from mdverify.run.child import serve  # noqa: PLC0415 -- already imported; here for clarity

    serve(job["request"], report_fd)


def main() -> None:
    """Entry point: `python -m mdverify.run.worker CONCURRENCY ROOT`.

    Jobs come on stdin, results go to stdout, and each article's directory is under ROOT.
    """
    import mdverify.run.child  # noqa: F401, PLC0415 -- the warm part: every child needs it

    limits.describe()  # finds the pids cgroup once; every child inherits the answer
    # Children never collect the worker's objects: fewer copy-on-write faults per fork.
    gc.freeze()
    concurrency = max(1, int(sys.argv[1]))
    inp, out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    _Supervisor(inp, out, concurrency, sys.argv[2]).run()


if __name__ == "__main__":
    main()
