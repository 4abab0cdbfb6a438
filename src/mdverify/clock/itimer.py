"""The virtual ITIMER_REAL: one deadline in virtual time, rung by the coordinator's waits.

`mdverify.clock.alarms` puts `signal.alarm`, `setitimer` and `getitimer` on it; the
coordinator (`mdverify.clock.coordinator`) holds one, jumps to its deadline like any
other, and sends SIGALRM (`ring`) when virtual time reaches it.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import signal
import threading

from mdverify.clock.realtime import NS_PER_S

__all__ = ["Alarm", "real_alarm_pending", "ring"]

_real_getitimer = signal.getitimer


class Alarm:
    """The process's ITIMER_REAL, in virtual nanoseconds; the coordinator's lock guards it."""

    __slots__ = ("deadline_ns", "interval_ns")

    def __init__(self) -> None:
        self.deadline_ns: int | None = None
        self.interval_ns = 0

    def set(self, now_ns: int, seconds: float, interval: float) -> tuple[float, float]:
        """Arm it `seconds` from `now_ns` (0 disarms); what was left before, as getitimer."""
        old = self.left(now_ns)
        self.deadline_ns = now_ns + round(seconds * NS_PER_S) if seconds > 0 else None
        self.interval_ns = round(interval * NS_PER_S) if seconds > 0 else 0
        return old

    def left(self, now_ns: int) -> tuple[float, float]:
        """(seconds left, interval), as `signal.getitimer` gives them."""
        if self.deadline_ns is None:
            return 0.0, 0.0
        left = max(self.deadline_ns - now_ns, 1)  # due but not rung yet: still armed
        return left / NS_PER_S, self.interval_ns / NS_PER_S

    def due(self, now_ns: int) -> bool:
        """Whether it went off by `now_ns`; if so, re-arm an interval timer, else disarm."""
        if self.deadline_ns is None or now_ns < self.deadline_ns:
            return False
        if self.interval_ns:
            missed = (now_ns - self.deadline_ns) // self.interval_ns + 1
            self.deadline_ns += missed * self.interval_ns  # one signal, as the kernel merges
        else:
            self.deadline_ns = None
        return True


def ring() -> None:
    """Send SIGALRM to the main thread, where Python runs its handler."""
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGALRM)


def real_alarm_pending() -> bool:
    """Whether the kernel's own ITIMER_REAL will still go off (before install, or not ours)."""
    return _real_getitimer(signal.ITIMER_REAL)[0] > 0
