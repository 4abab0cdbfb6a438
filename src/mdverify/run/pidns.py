"""A PID namespace of the article's own, inside the sandbox (`mdverify.run.sandbox`).

The sandbox's PID namespace hides pytest, but the warm worker and the other articles it
runs share it: an example could signal the worker (`os.kill(os.getppid(), SIGSTOP)`
would hang the session) or another article, and a process it starts in a session of its
own (`start_new_session=True`) would outlive it, since no cgroup can be made inside.

So the article's process (O, forked by the worker or started cold) makes a user namespace
mapping only its own ids and a PID namespace that it owns, and forks twice: I, the
namespace's init (pid 1), which only reaps, and A (pid 2), which runs the article (below
a stand-in of its own, `mdverify.run.lifeline`, as outside the sandbox). Nothing
outside the namespace has a pid inside it, so A can signal nothing but its own processes
(a pidfd of a `/proc/<pid>` folder is refused across namespaces too). When A ends, I ends,
and the kernel kills whatever A left in the namespace. O stays what the parent watches:
it forwards SIGINT (a server check's Ctrl+C) down to A, and ends as A ended, with its exit
status or its signal, so that the report says how the article ended.

The article's capabilities in its user namespace (it needs them only to make its network
namespace, `mdverify.run.netns`) are dropped before any of its code runs: `drop`.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import struct
from typing import NoReturn

__all__ = ["by_group", "drop", "enter", "forwards", "guard", "own_user_namespace"]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CAPABILITY_V3 = 0x20080522
_PR_SET_DUMPABLE = 4
_STATUS = struct.Struct("i")
_SANDBOXED = os.environ.pop("MDVERIFY_SANDBOX", "") == "1"
"""Read when the worker or a cold child starts: bwrap sets it for the sandbox's processes."""


class _State:
    owned = False
    """Whether this process made a user namespace of its own (`enter` or netns)."""
    forward = True
    """Whether O and I pass SIGINT down: not when it comes to the whole group (`by_group`)."""


def by_group() -> None:
    """A cold child's SIGINT is sent to its whole group, A included: O and I ignore it."""
    _State.forward = False


def forwards() -> bool:
    """Whether a server check's SIGINT comes to the article's process alone, not its group.

    Only a sandboxed cold child is signalled through its group (`mdverify.run.cold`).
    """
    return _State.forward or not _SANDBOXED


def own_user_namespace() -> None:
    """Note that this process now has a user namespace of its own: `drop` will apply."""
    _State.owned = True


def enter() -> bool:
    """In the sandbox, become pid 2 of a PID namespace of our own; whether we did.

    Outside the sandbox, or where the kernel refuses, nothing changes.
    """
    if not _SANDBOXED:
        return False
    uid, gid = os.geteuid(), os.getegid()
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_DUMPABLE, 1)  # our own /proc files, to write the maps
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWPID) != 0:
        return False
    map_own_ids(uid, gid)
    own_user_namespace()
    # O and I live where the worker does: the article must not write their memory.
    libc.prctl(_PR_SET_DUMPABLE, 0)
    read_fd, write_fd = os.pipe()
    init = os.fork()
    if init:
        os.close(write_fd)
        _outer(init, read_fd)
    os.close(read_fd)
    article = os.fork()
    if article:
        _init(article, write_fd)
    os.close(write_fd)
    libc.prctl(_PR_SET_DUMPABLE, 1)  # the article's own processes are as a script's
    return True


def guard() -> None:
    """In the sandbox, keep the worker's memory and `/proc` files from the articles.

    They run as the same user, and the worker's `/proc/<pid>/mem` would otherwise be theirs
    to write; a process that is not dumpable is open to a capability they do not have.
    """
    if _SANDBOXED:
        ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl(_PR_SET_DUMPABLE, 0)


def drop() -> None:
    """Give up every capability, if this process has a user namespace of its own."""
    if not _State.owned:
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    header = struct.pack("Ii", _CAPABILITY_V3, 0)
    data = bytes(24)  # two (effective, permitted, inheritable) triples, all empty
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _outer(init: int, read_fd: int) -> NoReturn:  # pragma: no cover -- a forked process
    """O: forward SIGINT to init, wait for it, then end as the article ended."""
    signal.signal(signal.SIGINT, (lambda *_: _forward(init)) if _State.forward else signal.SIG_IGN)
    status = None
    while status is None:
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(init, 0)
    data = os.read(read_fd, _STATUS.size)
    if len(data) == _STATUS.size:
        _end_as(_STATUS.unpack(data)[0])
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _init(article: int, write_fd: int) -> NoReturn:  # pragma: no cover -- a forked process
    """I (pid 1): reap every orphan until the article ends, then pass its status up."""
    handler = (lambda *_: _forward(article)) if _State.forward else signal.SIG_IGN
    signal.signal(signal.SIGINT, handler)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == article:
            os.write(write_fd, _STATUS.pack(status))
            os._exit(0)  # the kernel now kills the rest of the namespace


def _forward(pid: int) -> None:  # pragma: no cover -- a forked process
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)


def _end_as(status: int) -> NoReturn:  # pragma: no cover -- a forked process
    """Exit with the article's code, or die of its signal."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP have no handler
            signal.signal(number, signal.SIG_DFL)
        with contextlib.suppress(OSError, ValueError):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [number])
        os.kill(os.getpid(), number)
        os._exit(128 + number)
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def map_own_ids(uid: int, gid: int) -> None:
    """In a user namespace just made, map only our own uid and gid (groups denied first)."""
    for name, text in (("uid_map", f"{uid} {uid} 1"), ("setgroups", "deny")):
        _write(name, text)
    _write("gid_map", f"{gid} {gid} 1")


def _write(name: str, text: str) -> None:
    fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
