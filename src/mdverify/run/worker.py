"""The warm worker: one process that has imported what children need and forks one per article.

Starting `python -m mdverify.run.child` costs tens of milliseconds of interpreter start-up and
imports per article; forking a process that has already paid them costs about one. The
isolation stays what a cold start (`mdverify.run.cold`) gives: each article runs in a fresh
forked process, in a session (process group) of its own, in its own folder
(`mdverify.run.capture`), and the whole group is killed when the article ends or a block
times out. The child then runs `mdverify.run.child.execute`: the same code and events as a
cold child.

The worker also supervises, with one `mdverify.run.watch.Watch` per child under a single
select: block deadlines, the output budget (looked at every `_BUDGET_EVERY` seconds), the
server checks (their sockets are non-blocking, in the same select), and it sends the
parent one result frame (`mdverify.run.frames`) per article. So the parent can
queue articles ahead of pytest's item loop, and children run while pytest reports the items
before them. A result names the child's folder, which still holds the capture files: the
parent reads what it keeps of them (never all of a flood) and removes the folder.

What keeps forking safe:

* The worker never starts a thread, never installs the virtual clock and never creates an
  event loop; each child installs the clock its request names, after the fork.
* The worker moves its pipes to the parent off fds 0-2 at start, so a child only has to
  put its capture files on 1 and 2; a child closes every worker fd it does not own.
* Per-article data (the request, the environment) travels with each job and is applied in
  the child after the fork. Variables Python reads only at start-up (`PYTHONPATH`,
  `PYTHONHASHSEED`, ...) come from the worker's own environment.
"""

from __future__ import annotations

import fcntl
import gc
import os
import select
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from mdverify.run import frames, janitor, lifeline, limits, pidns, posixipc
from mdverify.run.capture import Folder, Held
from mdverify.run.child import execute  # the warm part: every child needs it
from mdverify.run.servecheck import ServerChecks
from mdverify.run.watch import CHUNK, GRACE, POLL, Watch, end_group

if TYPE_CHECKING:
    from pathlib import Path

    from mdverify.run.spec import ArticleRequest

__all__ = ["main"]

_BUDGET_EVERY = 0.01
"""Seconds between two looks at the size of the children's capture files: two stats per
child on every event would cost more than the events."""
_FAILED_CHILD = 70
"""Exit status of a forked child whose set-up failed before the article could run."""


@dataclass(frozen=True)
class _Child:
    """A running article, as the worker supervises it."""

    key: int
    pid: int
    folder: Folder
    watch: Watch
    held: Held
    """The capture files, held open to be put back if the article removes them."""


class _Supervisor:
    """The worker's single-threaded loop: read jobs, fork children, watch them, reply."""

    def __init__(self, inp: int, out: int, concurrency: int, root: str) -> None:
        self.inp, self.out = inp, out
        self.root = root
        self.unreleased: list[int] = []
        self.concurrency = concurrency
        self.queue: deque[frames.Job] = deque()
        self.children: dict[int, _Child] = {}
        """By the fd of the child's report pipe."""
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
                self._finish(child, send=False)
            for pid in self.unreleased:
                limits.release(pid)

    def _step(self) -> bool:
        """One round of the loop; False once the parent has gone."""
        while self.queue and len(self.children) < self.concurrency:
            self._start(self.queue.popleft())
        now = time.monotonic()
        wait = min((c.watch.deadline - now for c in self.children.values()), default=None)
        if wait is not None:
            wait = max(min(wait, POLL), 0)  # the output budget is watched by polling
        reads, writes = [self.inp], [self.out] if self.outbuf else []
        owner: dict[int, _Child] = {}
        for child in self.children.values():
            child_reads, child_writes = child.watch.waits()
            reads += child_reads
            writes += child_writes
            owner.update(dict.fromkeys(child_reads + child_writes, child))
        readable, writable, _ = select.select(reads, writes, [], wait)
        if self.out in writable and not self._write():
            return False
        if self.inp in readable and not self._read_jobs():
            return False
        self._stop_floods()
        self.unreleased = [pid for pid in self.unreleased if not limits.release(pid, wait=False)]
        ready = {owner[fd].key: owner[fd] for fd in (*readable, *writable) if fd in owner}
        for child in ready.values():
            if child.watch.fd in self.children and child.watch.ready(readable, writable):
                self._finish(child)
        now = time.monotonic()
        for child in list(self.children.values()):
            if child.watch.expire(now):
                self._finish(child)
        return True

    def _stop_floods(self) -> None:
        now = time.monotonic()
        if now < self.budget_check:
            return
        self.budget_check = now + _BUDGET_EVERY
        for child in list(self.children.values()):
            if child.watch.check_budget():
                self._finish(child)

    def _write(self) -> bool:
        try:
            written = os.write(self.out, self.outbuf[:CHUNK])
        except BlockingIOError:
            return True
        except OSError:
            return False  # the parent has gone
        del self.outbuf[:written]
        return True

    def _read_jobs(self) -> bool:
        chunk = os.read(self.inp, CHUNK)
        if not chunk:
            return False
        self.inbuf += chunk
        while (parsed := frames.split_frame(self.inbuf)) is not None:
            payload, self.inbuf = parsed
            self.queue.append(frames.decode_job(payload))
        return True

    def _start(self, job: frames.Job) -> None:
        _preload(job.request)
        folder = Folder.make(self.root, prefix="article-")
        folder.write_files(job.files)
        held = folder.hold()
        read_fd, write_fd = os.pipe()
        # Every fd of the worker's: the other children's pipes and their checks' sockets.
        ours = {fd for c in self.children.values() for fds in c.watch.waits() for fd in fds}
        ours |= {c.held.out for c in self.children.values()}
        ours |= {c.held.err for c in self.children.values()}
        worker = os.getpid()
        pid = os.fork()
        if pid == 0:  # pragma: no cover -- the child; measured by the tests' observations
            try:
                lifeline.die_with_parent(worker)
                inherited = {read_fd, self.inp, self.out, held.out, held.err, *self.children}
                _child(job, folder, write_fd, inherited | ours)
            finally:
                os._exit(_FAILED_CHILD)
        os.close(write_fd)
        _janitor_for_cgroup(pid)
        checks = ServerChecks(job.serve, pid, folder=str(folder.root)) if job.serve else None
        watch = Watch(read_fd, job.timeouts, job.budget, folder.written, checks)
        self.children[read_fd] = _Child(job.key, pid, folder, watch, held)

    def _finish(self, child: _Child, *, send: bool = True) -> None:
        """End the article's process group and queue its result."""
        # A cgroup whose last task is still being torn down is retried on later rounds
        # rather than waited for here, while other articles run or wait. The last one
        # running with none queued is waited for, with every one still pending: when its
        # result reaches the parent, nothing of the articles it sent lives on, even if the
        # parent's session ends there and hands this worker to the next one.
        idle = len(self.children) == 1 and not self.queue
        grace = GRACE if child.watch.cut_short else 0.0
        code, released = end_group(child.pid, wait=idle, grace=grace)
        posixipc.release(child.folder.root)  # what multiprocessing left in /dev/shm
        if not released:
            self.unreleased.append(child.pid)
        if idle:
            self.unreleased = [pid for pid in self.unreleased if not limits.release(pid)]
        os.close(child.watch.fd)
        del self.children[child.watch.fd]
        child.held.restore()
        child.held.close()
        if send:
            frame = frames.ResultFrame(child.key, child.watch.outcome(code), str(child.folder.root))
            self.outbuf += frames.encode_frame(frame)
        else:
            child.folder.remove()


def _preload(request: ArticleRequest) -> None:
    """Import what only some articles need, before the warm worker forks one of them.

    The worker imports the child's module for every child; doctest, which only pycon blocks use,
    is left out of that (a tenth of the worker's start) and imported in the worker on the
    first article that needs it, so later forks have it for free. A cold child imports it
    where it is used.
    """
    if any(block["kind"] == "pycon" for block in request["blocks"]):
        import doctest  # noqa: F401, PLC0415


def _child(  # pragma: no cover -- runs in the forked child
    job: frames.Job, folder: Folder, report_fd: int, inherited: set[int]
) -> NoReturn:
    """Become the article's process: own session, own cwd and streams, then run it."""
    os.setsid()
    for fd in inherited:
        os.close(fd)
    capture: tuple[tuple[int, Path], ...] = ((1, folder.stdout), (2, folder.stderr))
    for target, path in capture:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)  # the worker made it
        os.dup2(fd, target)
        os.close(fd)
    work = str(folder.work)
    os.chdir(work)
    # `python -m` puts the start directory first on sys.path: a cold child's is its work dir.
    sys.path[0] = work
    if job.env is not None:
        os.environ.clear()
        os.environ.update(job.env)
    execute(job.request, report_fd)


def main() -> None:
    """Entry point: `python -m mdverify.run.worker CONCURRENCY ROOT PARENT`.

    Jobs come on stdin, results go to stdout, and each article's folder is under ROOT. The
    worker dies with the process PARENT, which started it.
    """
    lifeline.die_with_parent(int(sys.argv[3]))
    limits.mechanism()  # finds the pids cgroup once; every child inherits the answer
    pidns.guard()
    # Children never collect the worker's objects: fewer copy-on-write faults per fork.
    gc.freeze()
    concurrency = max(1, int(sys.argv[1]))
    inp, out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    _Supervisor(inp, out, concurrency, sys.argv[2]).run()


def _janitor_for_cgroup(pid: int) -> None:
    """The pids cgroup child `pid` makes, if any, goes with its folder if we are killed."""
    group = limits.cgroup_dir(pid)
    if group is not None:
        janitor.keep_cgroup(group)


if __name__ == "__main__":
    main()
