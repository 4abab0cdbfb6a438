"""SIGTERM ends a session as Ctrl+C does: pytest reports what ran and cleans up.

A cancelled CI job, `timeout` and `docker stop` send SIGTERM, whose default kills pytest
on the spot: no report, and nothing of its clean-up runs (the warm worker's folders, a cold
article's folder, the PostgreSQL cluster in `/dev/shm`). pytest handles only SIGINT, as
KeyboardInterrupt; so, where SIGTERM still has its default, it raises the same. Once the
session is being interrupted, a further SIGTERM (GitHub sends one after its SIGINT) is
ignored, so that it cannot cut the clean-up short; SIGKILL remains the way to stop it at once.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

    import pytest

__all__ = ["install"]


def install(config: pytest.Config) -> None:
    """Handle SIGTERM as SIGINT for this session, if nothing else handles it."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set a handler (pytest run inside a thread)
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # the user's own handler, or SIGTERM ignored: theirs to decide
    signal.signal(signal.SIGTERM, _interrupt)
    config.add_cleanup(_restore)
    config.pluginmanager.register(_Interrupted(), "mdverify-terminate")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    del signum, frame
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _restore() -> None:
    if signal.getsignal(signal.SIGTERM) in (_interrupt, signal.SIG_IGN):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


class _Interrupted:
    """Ignore SIGTERM once pytest is interrupted (by Ctrl+C too): clean-up runs whole."""

    def pytest_keyboard_interrupt(self) -> None:
        if signal.getsignal(signal.SIGTERM) is _interrupt:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
