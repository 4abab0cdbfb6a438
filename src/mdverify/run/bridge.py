"""The one way out of an article's own network namespace: to the servers it declared.

An article that declares hosts or services needs the harness's servers (the local web
server and its HTTPS twin, PostgreSQL), which listen on pytest's loopback. Rather than let
such an article share the machine's network, where it could reach the runner's other
services and the internet by any route, the child forks a doorman before it moves to a
namespace of its own (`mdverify.run.netns`). The doorman stays behind in pytest's
namespace. For each connect to a declared server, the child (or a console command's Python,
`mdverify.run.console`) sends it a request with one end of a fresh socket pair; the doorman
connects to that server, if it is one of those declared, and hands the connected socket
back over the pair (SCM_RIGHTS). `mdverify.run.netmap` then puts it in place of the
example's own socket. Nothing else crosses: no other address, and no process that does not
ask (a `curl` finds only the article's own loopback).

A server check goes the other way: the parent connects to the example's server, which
listens in the article's namespace. There a second doorman, forked after the move, listens
on a Unix socket in the article's folder (`INWARD`, a path, which every namespace sees),
connects to the loopback port the parent names, and hands that socket back. It reaches
only what the example itself reaches.

The doorman answers one request at a time, each on its own pair, so that threads and
processes that ask at once never read each other's answers. It is not dumpable, so the
example's code, which runs as the same user, cannot write its memory through /proc; it
closes every descriptor but its socket, and dies with the child.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import _socket
import array
import contextlib
import errno
import os
import signal
import socket
import struct

from mdverify.run import lifeline, pidns

__all__ = [
    "ENV",
    "INWARD",
    "Bridge",
    "connect",
    "connect_inward",
    "current",
    "inherited",
    "listen_inward",
    "open_bridge",
    "open_inward",
    "take",
]

ENV = "MDVERIFY_BRIDGE_FD"
"""Where a console command's Python finds the doorman's socket (`mdverify.run.console`)."""
INWARD = "serve.sock"
"""Beside the article's `work/`: where the parent asks for a connection to its server."""
_CONNECT_S = 10.0
_PR_SET_DUMPABLE = 4


class Bridge:
    """The child's end of the doorman's socket, and what it may reach."""

    def __init__(self, fd: int, servers: frozenset[tuple[str, int]], pid: int | None) -> None:
        self.fd = fd
        self.servers = servers
        self.pid = pid

    def reaches(self, host: str, port: int) -> bool:
        """Whether (`host`, `port`) is one of the declared servers."""
        return (host, port) in self.servers

    def take(self, sock: socket.socket, address: object) -> bool:
        """Connect `sock` to `address` through the doorman, if it is a declared server.

        The example's own socket object then holds the connection: its descriptor number,
        its blocking mode and timeout, and what asyncio registered of it stay as they were.
        """
        if (
            sock.family != socket.AF_INET
            or sock.type != socket.SOCK_STREAM
            or not isinstance(address, tuple)
            or len(address) < 2
            or not self.reaches(str(address[0]), int(address[1]))
        ):
            return False
        connected = connect(self.fd, str(address[0]), int(address[1]))
        timeout = sock.gettimeout()
        try:
            os.dup2(connected, sock.fileno())
        finally:
            os.close(connected)
        sock.settimeout(timeout)
        return True

    def close(self) -> None:
        """Stop the doorman (when the namespace could not be made after all)."""
        _State.current = None
        os.close(self.fd)
        if self.pid is not None:
            with contextlib.suppress(ChildProcessError, ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)


class _State:
    current: Bridge | None = None


def take(door: Bridge | None, sock: socket.socket, address: object) -> bool:
    """`door.take`, if there is a door (`mdverify.run.netmap`'s connect)."""
    return door is not None and door.take(sock, address)


def current() -> Bridge | None:
    """The way to the harness of this process, if any (for the commands it starts)."""
    return _State.current


def inherited(servers: frozenset[tuple[str, int]]) -> Bridge | None:
    """The way a console command's Python was given (`ENV`), if any."""
    fd = os.environ.pop(ENV, "")
    if not fd.isdigit():
        return None
    _State.current = Bridge(int(fd), servers, None)
    return _State.current


def open_bridge(servers: frozenset[tuple[str, int]]) -> Bridge:
    """Fork the doorman for `servers`; call it while the process has one thread."""
    ours, theirs = _socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the doorman; tests see it through its answers
        try:
            ours.close()
            _doorman(theirs, servers, parent)
        finally:
            os._exit(0)
    theirs.close()
    _State.current = Bridge(ours.detach(), servers, pid)
    return _State.current


def connect(fd: int, host: str, port: int) -> int:
    """A descriptor connected to the declared server (`host`, `port`), through the doorman.

    Raises the OSError the doorman met (ECONNREFUSED when nothing listens, EACCES for a
    server that was not declared).
    """
    mine, given = _socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        request = f"{host} {port}".encode()
        _sendmsg(fd, request, given.fileno())
        given.close()
        data, fds = _recvmsg(mine.fileno())
    finally:
        mine.close()
        with contextlib.suppress(OSError):
            given.close()
    code = int(data or b"0")
    if fds:
        return fds[0]
    raise OSError(code or errno.ECONNREFUSED, f"{os.strerror(code)}: {host}:{port}")


def _doorman(sock: _socket.socket, servers: frozenset[tuple[str, int]], parent: int) -> None:
    """Answer connect requests until the child goes."""
    _become_doorman(sock, parent)
    while True:
        try:
            data, fds = _recvmsg(sock.fileno())
        except OSError:
            return
        if not data and not fds:
            return  # the child closed its end
        for reply in fds[1:]:
            os.close(reply)
        if not fds:
            continue
        _answer(fds[0], data, servers)


def _become_doorman(sock: _socket.socket, parent: int) -> None:
    """Die with `parent`, hold no capability and no memory the example may write, keep `sock`.

    Ctrl+C and a console's SIGTERM are for the example; the doorman goes with the child.
    """
    lifeline.die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    pidns.drop()
    with contextlib.suppress(OSError):
        _prctl(_PR_SET_DUMPABLE, 0)
    os.closerange(0, sock.fileno())
    os.closerange(sock.fileno() + 1, os.sysconf("SC_OPEN_MAX"))


def _answer(reply: int, data: bytes, servers: frozenset[tuple[str, int]]) -> None:
    try:
        host, _, port = data.decode().partition(" ")
        wanted = (host, int(port))
    except ValueError:
        wanted = ("", 0)
    try:
        if wanted not in servers:
            _sendmsg(reply, str(errno.EACCES).encode(), None)
            return
        out = _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        out.settimeout(_CONNECT_S)
        try:
            out.connect(wanted)
        except OSError as err:
            out.close()
            _sendmsg(reply, str(err.errno or errno.ECONNREFUSED).encode(), None)
            return
        try:
            _sendmsg(reply, b"0", out.fileno())
        finally:
            out.close()
    except OSError:
        pass  # the asker went away
    finally:
        os.close(reply)


def _timeouts(sock: _socket.socket, seconds: float) -> None:
    """Kernel timeouts for `sock`, which stays blocking.

    The helpers below use a dup of it: Python's own timeout would make the description they
    share non-blocking.
    """
    value = struct.pack("ll", int(seconds), int(seconds % 1 * 1e6))
    for option in (socket.SO_RCVTIMEO, socket.SO_SNDTIMEO):
        sock.setsockopt(socket.SOL_SOCKET, option, value)


def _sendmsg(fd: int, data: bytes, passed: int | None) -> None:
    ancillary = []
    if passed is not None:
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [passed]))]
    sock = _socket.socket(fileno=os.dup(fd))
    try:
        sock.sendmsg([data], ancillary)
    finally:
        sock.close()


def _recvmsg(fd: int) -> tuple[bytes, list[int]]:
    size = socket.CMSG_SPACE(struct.calcsize("i") * 4)
    sock = _socket.socket(fileno=os.dup(fd))
    try:
        data, ancillary, _, _ = sock.recvmsg(256, size)
    finally:
        sock.close()
    fds: list[int] = []
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % struct.calcsize("i")
            fds.extend(array.array("i", payload[:usable]))
    return data, fds


def _prctl(option: int, value: int) -> None:
    import ctypes  # noqa: PLC0415 -- only the doorman needs it

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl")


def listen_inward(folder: str) -> _socket.socket | None:
    """The Unix socket the inward doorman will answer on, in `folder`; None if it cannot be."""
    path = os.path.join(folder, INWARD)  # noqa: PTH118 -- a str for bind
    sock = _socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)  # at most 107 bytes: a deeper folder shares the network instead
        sock.listen(8)
    except OSError:
        sock.close()
        return None
    return sock


def open_inward(listener: _socket.socket) -> int:
    """Fork the inward doorman on `listener`, now that this process is in its namespace."""
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the doorman; tests see it through its answers
        try:
            _inward(listener, parent)
        finally:
            os._exit(0)
    listener.close()
    return pid


def connect_inward(folder: str, host: str, port: int, timeout: float) -> socket.socket:
    """A socket connected to `host`:`port` in the article's namespace, in non-blocking mode.

    `host` is where the server listens, as its `Listening` event says: a server of both
    families (asyncio binds 0.0.0.0 and ::) may listen on IPv6 first, and its IPv4 socket
    may not listen yet, or on another port. Raises OSError as a connect would (ECONNREFUSED
    when nothing listens there).
    """
    asker = _socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        _timeouts(asker, timeout)
        asker.connect(os.path.join(folder, INWARD))  # noqa: PTH118 -- a str for connect
        _sendmsg(asker.fileno(), f"{host} {port}".encode(), None)
        data, fds = _recvmsg(asker.fileno())
    finally:
        asker.close()
    if not fds:
        code = int(data or b"0") or errno.ECONNREFUSED
        raise OSError(code, os.strerror(code))
    connected = socket.socket(fileno=fds[0])
    connected.setblocking(False)
    return connected


def _inward(listener: _socket.socket, parent: int) -> None:
    _become_doorman(listener, parent)
    while True:
        try:
            # The C type's accept: no patch of the clock or of netmap can be in the way.
            asker = _socket.socket(fileno=listener._accept()[0])  # type: ignore[attr-defined]  # noqa: SLF001
        except OSError:
            return
        try:
            _timeouts(asker, _CONNECT_S)
            data, _ = _recvmsg(asker.fileno())
            host, _, port = data.decode(errors="replace").rpartition(" ")
            family, loopback = _loopback(host)
            out = _socket.socket(family, socket.SOCK_STREAM)
            out.settimeout(_CONNECT_S)
            try:
                out.connect((loopback, int(port)))
                _sendmsg(asker.fileno(), b"0", out.fileno())
            except (OSError, ValueError) as err:
                code = getattr(err, "errno", None) or errno.ECONNREFUSED
                _sendmsg(asker.fileno(), str(code).encode(), None)
            finally:
                out.close()
        except OSError:
            pass  # the parent went away
        finally:
            asker.close()


def _loopback(host: str) -> tuple[socket.AddressFamily, str]:
    """The family and loopback address that reach a server listening on `host`.

    The namespace has only its loopback: an unspecified or other address means that one.
    """
    if ":" in host:
        return socket.AF_INET6, "::1"
    return socket.AF_INET, host if host.startswith("127.") else "127.0.0.1"
