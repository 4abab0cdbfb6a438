"""Resource limits for an article's child: memory, processes, file size.

The child calls `apply` once, before any example code runs; the limits then hold for the
examples and for every process they start. Each limit uses what the platform enforces:

* memory: `RLIMIT_AS`, the address space of each process (Linux enforces it; macOS ignores
  it). Virtual, not resident, memory: a thread reserves its stack and malloc arena too.
* processes: a pids cgroup when one can be created (Linux, as root or with a delegated
  cgroup); it bounds every task the article starts, whoever it runs as, and lets the parent
  kill processes that left the process group. Otherwise `RLIMIT_NPROC`, which counts all
  the user's tasks, so it is set to what the user runs now plus the allowance; the kernel
  exempts root from it, so as root without a cgroup nothing bounds a fork bomb but the
  real-time timeout, and `mechanism` says so.
* file size: `RLIMIT_FSIZE`, so that output and files an example writes cannot fill the
  disk faster than the parent can notice.

The parent side calls `release` after killing the child's process group.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import time
from pathlib import Path
from typing import TypedDict

try:
    import resource
except ImportError:  # pragma: no cover -- not POSIX; the sandbox needs POSIX anyway
    resource = None  # type: ignore[assignment]

__all__ = ["Limits", "apply", "cgroup_dir", "mechanism", "release"]

_CGROUP_PREFIX = "mdverify-"
_RELEASE_WAIT = 2.0


class Limits(TypedDict):
    """Limits for one article; plain data so it crosses the request pipe as JSON."""

    memory: int | None
    """Bytes of address space per process; None for no limit."""
    processes: int | None
    """Tasks (processes and threads) the article may have at once; None for no limit."""
    file_size: int | None
    """Bytes any one file written by the article may reach, its captured output included."""


def apply(limits: Limits) -> str:
    """Put the current process under `limits`; return how the process limit is enforced."""
    if resource is None:
        return "none"
    if limits["memory"]:
        _lower(resource.RLIMIT_AS, limits["memory"])
    if limits["file_size"]:
        _lower(resource.RLIMIT_FSIZE, limits["file_size"])
    if not limits["processes"]:
        return "none"
    if _join_cgroup(limits["processes"]):
        return "cgroup"
    if os.geteuid() != 0:
        _lower(resource.RLIMIT_NPROC, _user_tasks() + limits["processes"])
        return "rlimit"
    return "none"


def mechanism() -> str:
    """Which mechanism would bound an article's processes here (for docs and tests)."""
    if _pids_root() is not None:
        return "cgroup"
    return "rlimit" if os.geteuid() != 0 else "none"


def cgroup_dir(pid: int) -> Path | None:
    """The pids cgroup the child with `pid` creates for itself, if this machine has one."""
    root = _pids_root()
    return None if root is None else root / f"{_CGROUP_PREFIX}{pid}"


def release(pid: int, *, wait: bool = True) -> bool:
    """Kill whatever is left in the child's cgroup (even outside its group), remove it.

    With `wait=False` it tries once and says whether the cgroup is gone, so that a caller
    with other work (the warm worker) can try again later instead of sleeping here.
    """
    group = cgroup_dir(pid)
    if group is None or not group.is_dir():
        return True
    deadline = time.monotonic() + (_RELEASE_WAIT if wait else 0.0)
    while True:
        with contextlib.suppress(OSError):
            for line in (group / "cgroup.procs").read_text().split():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(line), signal.SIGKILL)
        try:
            group.rmdir()
        except OSError:
            if time.monotonic() >= deadline:
                return False  # an empty leftover directory costs nothing; never fail the run
            time.sleep(0.01)
        else:
            return True


def _lower(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        with contextlib.suppress(ValueError, OSError):  # macOS refuses some limits
            resource.setrlimit(which, (value, hard))


def _join_cgroup(processes: int) -> bool:
    group = cgroup_dir(os.getpid())
    if group is None:
        return False
    with contextlib.suppress(OSError):
        group.rmdir()  # left by an earlier run whose pytest was killed, if empty
    try:
        group.mkdir()
        # os.write, not write_text: this runs once per article, in the forked child.
        _write(group / "pids.max", str(processes))
        _write(group / "cgroup.procs", str(os.getpid()))
    except OSError:
        with contextlib.suppress(OSError):
            group.rmdir()
        return False
    return True


def _write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


@functools.cache
def _pids_root() -> Path | None:
    """The writable pids-controller cgroup this process belongs to (v1 or v2), if any.

    Cached: a process does not change cgroups before it joins an article's, and children
    forked from the warm worker inherit the answer instead of reading /proc again.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        entries = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for entry in entries:
        _, controllers, path = entry.split(":", 2)
        if "pids" in controllers.split(","):
            candidate = Path("/sys/fs/cgroup/pids") / path.lstrip("/")
        elif controllers == "":
            candidate = Path("/sys/fs/cgroup") / path.lstrip("/")
            try:
                if "pids" not in (candidate / "cgroup.subtree_control").read_text().split():
                    continue
            except OSError:
                continue
        else:
            continue
        if (candidate / "cgroup.procs").exists() and os.access(candidate, os.W_OK):
            # Our own cgroup is already a mdverify one when an example runs pytest itself.
            return candidate.parent if candidate.name.startswith(_CGROUP_PREFIX) else candidate
    return None


def _user_tasks() -> int:
    """Tasks (threads included, as RLIMIT_NPROC counts them) of this user, where /proc shows."""
    uid, count = str(os.getuid()), 0
    try:
        pids = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    except OSError:
        return 0
    for pid in pids:
        with contextlib.suppress(OSError):
            status = (pid / "status").read_text()
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("Uid", "").split()[:1] == [uid]:
                count += int(fields.get("Threads", "1"))
    return count
