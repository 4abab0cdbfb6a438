"""Sockets: whom a loop talks to, and whether a request to a known server awaits its reply.

Rule 4 of the jump rule (see `mdverify.clock.coordinator`) needs two facts per loop:

* Which of its sockets lead outside it. The loop's registered sockets are compared by
  address: a connected socket whose peer address is not the local address of another
  socket of the same loop is external (a server in another process, say). An unnamed
  Unix socket (a socketpair) can only lead to a thread or a forked child, which rules 2
  and 3 already watch.
* Which of them await a reply. `socket.socket`'s send and receive methods are wrapped
  to note, per descriptor, whether the last data went out (a request awaits its reply)
  or came in. Only peers declared with `expect_replies_from` (the harness's own
  services, which answer every request) count: a pending request to one of them holds
  the clock instead of letting it jump.

Rule 5 (waiting forever) needs a third: whether anything a loop registered could still
bring it an event (`only_listening`). A listening socket with no client in its queue
cannot, once no party of the process runs: nothing is left to connect. Every other
descriptor (a connection, a pipe, a file) might, and keeps the real timeout.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import functools
import os
import selectors
import socket
import stat
from typing import TYPE_CHECKING, Any, Final, TypeVar

from mdverify.clock.patches import patch

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping

    from _typeshed import FileDescriptorLike

__all__ = [
    "expect_replies_from",
    "external_peers",
    "forget",
    "listens",
    "only_listening",
    "patch_sockets",
    "reply_pending",
]

_T = TypeVar("_T")

_AWAITING: set[int] = set()
"""Descriptors of sockets whose last data went out: a request awaits its reply."""
_ANSWERING: set[tuple[str, int]] = set()
"""(host, port) of peers known to answer every request (rule 4)."""

_SENDS: Final = ("send", "sendall", "sendto", "sendmsg")
_RECEIVES: Final = ("recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into")


def expect_replies_from(peers: Iterable[tuple[str, int]]) -> None:
    """Declare servers that answer: a request pending with them holds the virtual clock."""
    _ANSWERING.update((host, int(port)) for host, port in peers)


def forget() -> None:
    """Forget every note and declared peer (for tests, with the clock's `installer.uninstall`)."""
    _AWAITING.clear()
    _ANSWERING.clear()


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
    return local, peer or None


def external_peers(
    keys: Mapping[FileDescriptorLike, selectors.SelectorKey],
) -> list[tuple[int, object]]:
    """(descriptor, peer) of the registered sockets whose peer is not one of them."""
    ends = {key.fd: end for key in list(keys.values()) if (end := _socket_ends(key.fd)) is not None}
    local = {end[0] for end in ends.values()}
    return [(fd, peer) for fd, (_, peer) in ends.items() if peer is not None and peer not in local]


def reply_pending(keys: Mapping[FileDescriptorLike, selectors.SelectorKey]) -> bool:
    """Whether a socket to a peer known to answer sent data last and awaits the reply."""
    if not _AWAITING or not _ANSWERING:
        return False
    if _AWAITING.isdisjoint(keys):
        return False  # runs at every attempted jump: skip the per-socket lookups
    return any(
        fd in _AWAITING
        and keys[fd].events & selectors.EVENT_READ
        and isinstance(peer, tuple)
        and (str(peer[0]), int(peer[1])) in _ANSWERING
        for fd, peer in external_peers(keys)
        if fd in keys
    )


def only_listening(
    keys: Mapping[FileDescriptorLike, selectors.SelectorKey], own: Collection[int]
) -> bool:
    """Whether every registered descriptor but `own` (the loop's wake-up channel) listens."""
    return all(key.fd in own or listens(key.fd) for key in list(keys.values()))


def listens(fd: int) -> bool:
    """Whether `fd` is a listening socket."""
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            return False
        sock = socket.socket(fileno=fd)  # borrows the descriptor; detach() gives it back
    except OSError:
        return False
    try:
        return bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
    except OSError:
        return False
    finally:
        sock.detach()


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


def patch_sockets() -> None:
    """Wrap the send, receive and close methods so that they note replies awaited."""
    # The Python subclass: asyncio's transports and the stdlib's clients all use it.
    for names, wrap in ((_SENDS, _noting_send), (_RECEIVES, _noting_receive)):
        for name in names:
            method = getattr(socket.socket, name, None)
            if method is not None:
                patch(socket.socket, name, wrap(method))
    # Not `detach`: the descriptor lives on (and `_socket_ends` borrows sockets that way).
    patch(socket.socket, "close", _noting_close(socket.socket.close))
