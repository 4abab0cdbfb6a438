"""The clock installed in this process now, as the patched functions and loops find it.

A patched `time.monotonic` or a loop's `select` is called from anywhere, with no clock
passed in: it looks here. `install` fills these in and `installer.uninstall` clears them; with
no coordinator, everything reads the real clock.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.clock.realtime import SYSTEM

if TYPE_CHECKING:
    from mdverify.clock.coordinator import Coordinator
    from mdverify.clock.realtime import RealTime
    from mdverify.clock.tasks import Timeline

__all__ = ["CURRENT"]


class _Current:
    """What `install` set up; the coordinator only on the virtual clock."""

    def __init__(self) -> None:
        self.coordinator: Coordinator | None = None
        self.timeline: Timeline | None = None
        self.real: RealTime = SYSTEM
        self.epoch_ns = 0
        """The real epoch at install: `time.time` is that plus virtual time since."""

    def clear(self) -> None:
        """Back to the real clock and no timeline."""
        self.coordinator = None
        self.timeline = None
        self.real = SYSTEM
        self.epoch_ns = 0


CURRENT = _Current()
