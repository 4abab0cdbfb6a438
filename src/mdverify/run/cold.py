"""The cold start: run one prepared article in a freshly started interpreter.

`python -m mdverify.run.child FD` starts in the article's folder (`mdverify.run.capture`),
in a session (process group) of its own, with stdout and stderr on the capture files and
the environment `prepare` chose; it reads the request on stdin and reports on FD. The
parent watches it (`mdverify.run.watch`), with the article's server checks, then kills its
whole group: a timeout or the end of the article ends everything the example started.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mdverify.run import janitor, lifeline, limits, posixipc
from mdverify.run.capture import Folder
from mdverify.run.observe import observations
from mdverify.run.servecheck import ServerChecks
from mdverify.run.watch import GRACE, POLL, Watch, end_group

if TYPE_CHECKING:
    from mdverify.model import Observation
    from mdverify.run.request import Prepared
    from mdverify.run.sandbox import Sandbox
    from mdverify.run.watch import Outcome

__all__ = ["run_cold"]

_SIGNALLED = 128
_EXIT_WAIT = 2.0


def run_cold(
    prepared: Prepared, python: str, sandbox: Sandbox | None = None
) -> dict[int, Observation]:
    """Run `prepared` in a new `python` and return an observation for each chosen block.

    In the `sandbox`, the process started is bwrap, whose process group the child shares:
    bwrap ignores SIGINT, so that a server check's SIGINT, sent to the group, stops the
    child's block as a reader's Ctrl+C would without ending the sandbox.
    """
    # In the sandbox, the folder bound writable is one around the article's: the root of a
    # bind cannot be removed, and an example may remove its whole folder (as it may outside).
    outer = tempfile.mkdtemp(prefix="mdverify-cold-") if sandbox is not None else None
    folder = Folder.make(outer)
    janitor.keep(outer or folder.root)
    held = folder.hold()
    try:
        folder.write_files(prepared.files)
        argv = [python, "-m", "mdverify.run.child"]
        if sandbox is not None and outer is not None:
            sandbox.give(Path(outer))
        read_fd, write_fd = os.pipe()
        try:
            parent = lifeline.parent_argument(sandboxed=sandbox is not None)
            command = [*argv, str(write_fd), parent]
            if sandbox is not None and outer is not None:
                command = sandbox.command(command, [outer], chdir=str(folder.work))
            with folder.stdout.open("wb") as out, folder.stderr.open("wb") as err:
                proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module, no shell
                    command,
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=err,
                    cwd=folder.work,
                    env=prepared.env,
                    pass_fds=(write_fd,),
                    start_new_session=True,
                    # The child sets its own SIGINT handler; bwrap keeps the inherited SIG_IGN.
                    preexec_fn=_ignore_sigint if sandbox is not None else None,  # noqa: PLW1509 -- signal() only
                )
        finally:
            os.close(write_fd)
        if sandbox is None:  # inside, /sys is read-only: no cgroup is made
            group = limits.cgroup_dir(proc.pid)
            if group is not None:
                janitor.keep_cgroup(group)
        checks = (
            ServerChecks(
                prepared.serve, proc.pid, group=sandbox is not None, folder=str(folder.root)
            )
            if prepared.serve
            else None
        )
        try:
            outcome = _supervise(
                proc, read_fd, prepared, folder, checks, sandboxed=sandbox is not None
            )
        finally:
            os.close(read_fd)
            held.restore()
        with folder.capture(prepared.output_limit) as capture:
            return observations(prepared, outcome, capture)
    finally:
        held.close()
        if sandbox is None:  # else it was the sandbox's own /dev/shm, gone with it
            posixipc.release(folder.root)
        folder.remove()
        if outer is not None:
            shutil.rmtree(outer, ignore_errors=True)


def _let_exit(pid: int) -> None:
    """Give bwrap a moment to exit with its child's status before its group is killed.

    The child ended (its report pipe closed), and with it the sandbox's namespace; killed
    first, bwrap would report SIGKILL for an `os._exit(1)`. Not reaped here: `end_group` does.
    """
    deadline = time.monotonic() + _EXIT_WAIT
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(0.005)


def _ignore_sigint() -> None:  # pragma: no cover -- runs between fork and exec
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _supervise(
    proc: subprocess.Popen[bytes],
    read_fd: int,
    prepared: Prepared,
    folder: Folder,
    checks: ServerChecks | None,
    *,
    sandboxed: bool,
) -> Outcome:
    """Send the request, watch the child to its end, then end its group."""
    watch = Watch(read_fd, prepared.timeouts, prepared.output_budget, folder.written, checks)
    try:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(json.dumps(prepared.request).encode())
            proc.stdin.close()
        while not watch.finished:
            wait = max(0.0, min(watch.deadline - time.monotonic(), POLL))
            reads, writes = watch.waits()
            readable, writable, _ = select.select(reads, writes, [], wait)
            if not watch.check_budget():
                watch.ready(readable, writable)
            watch.expire(time.monotonic())
    finally:
        if sandboxed and watch.stop is None:
            _let_exit(proc.pid)
        grace = GRACE if watch.cut_short else 0.0
        proc.returncode, _ = end_group(proc.pid, grace=grace)  # reaped: Popen need not wait
    code = proc.returncode
    if sandboxed and _SIGNALLED < code < _SIGNALLED + signal.NSIG:
        # bwrap exits with 128 + N for a child killed by signal N (when it ends before the
        # kill above reaches it): an os._exit(137) is read as SIGKILL, a rare price.
        code = _SIGNALLED - code
    return watch.outcome(code)
