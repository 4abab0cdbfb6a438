"""A network namespace of the article's own, where the machine allows one.

Articles run at once (xdist workers, the warm worker's several children), and tutorials bind
fixed ports: two servers on 127.0.0.1:8080 would collide, and which one got the port would
depend on timing. In a network namespace of its own an article has a loopback, and every
port on it, to itself: the server binds the port it asks for, its clients in the same
article reach it, and nothing else sees either.

`isolate` makes one for this process (and all it starts) with `unshare(CLONE_NEWNET)` and
brings its loopback up. That needs CAP_SYS_ADMIN (root, which CI machines and containers
often are, though a container may forbid it). Without it (a user that is not root, or
inside mdverify's sandbox, where nothing holds a capability) it makes a user namespace
too, where the process may bring its own loopback up; that namespace maps only the
process's own uid and gid, so it is still the same unprivileged user to everything
outside; `mdverify.run.pidns.drop` then gives up the capabilities that namespace gave.
Where neither works, `mdverify.run.netmap` moves
each server to a free loopback port instead, behind the address it asked for. It must run
while the process has one thread: a namespace is per thread.

An article that declares hosts or services gets one too, with a doorman that stays in the
parent's namespace and connects it to those servers only; one whose server the parent
checks, with a doorman inside through which the parent connects (`mdverify.run.bridge`).

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import socket
import struct

from mdverify.run import bridge, pidns

__all__ = ["enter", "isolate"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_SIOCGIFFLAGS = 0x8913
_SIOCSIFFLAGS = 0x8914
_IFF_UP = 0x1
_IFREQ = "16sH14s"  # struct ifreq: the name, then ifr_flags in the union


def enter(
    local: bool, servers: frozenset[tuple[str, int]], serving: bool
) -> tuple[bool, bridge.Bridge | None]:
    """Move to a network namespace of the article's own; whether it moved, and its doorman.

    `local`: it needs nothing of this namespace. `servers`: the harness's servers it needs,
    reached through a doorman forked before the move, which stays here. `serving`: the
    parent checks its servers, through a second doorman forked after the move, answering
    on a socket in the article's folder (`mdverify.run.bridge`); where that socket cannot
    be made, the article stays here.
    """
    listener = bridge.listen_inward(os.path.dirname(os.getcwd())) if serving else None  # noqa: PTH109, PTH120
    if serving and listener is None:
        return False, None
    door = bridge.open_bridge(servers) if servers else None
    if not (local or door is not None or listener is not None) or not isolate():
        if door is not None:
            door.close()  # no namespace here: the harness is reachable as it is
        if listener is not None:
            listener.close()
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(os.path.dirname(os.getcwd()), bridge.INWARD))  # noqa: PTH108, PTH109, PTH118, PTH120
        return False, None
    if listener is not None:
        bridge.open_inward(listener)
    return True, door


def isolate() -> bool:
    """Move this process to a new network namespace with loopback up; whether it did."""
    try:
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
    except OSError:
        return False  # not Linux, or no /proc: nothing to come back to, so do not leave
    try:
        if _call("unshare", _CLONE_NEWNET):
            try:
                _loopback_up()
            except OSError:
                # A namespace without loopback reaches nothing: go back to the shared one.
                _call("setns", home, _CLONE_NEWNET)
                return False
            return True
    finally:
        os.close(home)
    return _isolate_as_user()


def _isolate_as_user() -> bool:
    """A user namespace mapping only our own ids, and a network namespace it owns."""
    uid, gid = os.geteuid(), os.getegid()
    if not _call("unshare", _CLONE_NEWUSER | _CLONE_NEWNET):
        return False
    try:
        pidns.map_own_ids(uid, gid)
        _loopback_up()
    except OSError:
        # There is no way back to the shared network: an article without loopback reaches
        # nothing, which is safe, and netmap's own routing still keeps it off the network.
        return False
    finally:
        pidns.own_user_namespace()  # its capabilities are for the loopback only: dropped
    return True


def _call(name: str, *args: int) -> bool:
    """`os.unshare` or `os.setns` (3.12+), else the C library's; whether it succeeded."""
    function = getattr(os, name, None)
    if function is not None:
        try:
            function(*args)
        except OSError:
            return False
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    except OSError:
        return False
    function = getattr(libc, name, None)
    return function is not None and function(*args) == 0


def _loopback_up() -> None:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as sock:
        request = struct.pack(_IFREQ, b"lo", 0, b"")
        flags = struct.unpack(_IFREQ, fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | _IFF_UP, b""))
