"""A blocking `accept()` on the main thread, as a party that waits on the virtual clock.

`server.accept()` on a blocking listening socket is the socket-level server's
`serve_forever`: a reader runs it, sees what it printed, and presses Ctrl-C when no client
comes. To the jump rule a thread inside a real `accept` is running real code, so nothing
would ever see it wait. While the block has a stop armed (the coordinator's rule 5), the
main thread's `accept` instead waits as an idle loop with that one socket registered: it
takes its client as soon as one is queued, lets the other parties' deadlines jump
meanwhile, and is stopped like any loop that waits for what no party can bring. Otherwise
(another thread, a socket with a timeout or non-blocking, a flowing clock, no stop) it is
the plain `accept`.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import functools
import selectors
import socket
import threading
from typing import TYPE_CHECKING, Any, TypeVar

from mdverify.clock.current import CURRENT
from mdverify.clock.patches import patch
from mdverify.clock.sockets import listens

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["patch_accept"]

_T = TypeVar("_T")


class _Accepting:
    """What the coordinator asks of a thread waiting in `accept` on one socket."""

    def __init__(self, selector: selectors.BaseSelector) -> None:
        self._selector = selector

    def wake(self) -> None:
        """Nothing to do: while a stop is armed its waits are bounded grace periods."""

    def has_pending_events(self) -> bool:
        """Whether a client is queued."""
        return bool(self._selector.select(0))

    def has_external_peers(self) -> bool:
        """A listening socket has no peer."""
        return False

    def awaits_reply(self) -> bool:
        """A listening socket awaits no reply."""
        return False

    def next_deadline_ns(self) -> int | None:
        """It has no timer."""
        return None

    def wakeable(self) -> bool:
        """Only a client can wake it, and none is queued."""
        return False

    def serving(self) -> bool:
        """It listens, and nothing else can wake it."""
        return True


def _waiting_accept(method: Callable[..., _T]) -> Callable[..., _T]:
    @functools.wraps(method)
    def accept(self: socket.socket) -> _T:
        coordinator = CURRENT.coordinator
        if (
            coordinator is None
            or not coordinator.stop_armed
            or self.gettimeout() is not None
            or threading.current_thread() is not threading.main_thread()
            or not listens(self.fileno())
        ):
            return method(self)
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            waiting = _Accepting(selector)
            # Until a client is queued; a stop that returned (SIGINT ignored) disarms it.
            while coordinator.stop_armed and not coordinator.idle(waiting, selector):
                pass
        return method(self)

    return accept


def patch_accept() -> None:
    """Wrap `socket.accept` (whatever wraps it already, netmap's included)."""
    method: Any = socket.socket.accept
    patch(socket.socket, "accept", _waiting_accept(method))
