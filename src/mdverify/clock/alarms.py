"""Signal timers on virtual time: `signal.alarm` and `signal.setitimer(ITIMER_REAL)`.

The kernel's ITIMER_REAL counts real seconds, so on the virtual clock it would never cut
short a `time.sleep(3)` that takes no real time at all (way 6 of issue 15). The timer is
the coordinator's instead (`Alarm`): its deadline is one more that a jump may go to, and
when virtual time reaches it the clock sends SIGALRM to the main thread (`ring`), just
before the waiting party blocks. Python then runs the handler in the main thread as it
would on the real clock: one that raises interrupts the `time.sleep` or the loop's
`select` it lands in; asyncio's `add_signal_handler` hears it through the loop's wake-up
fd; one that returns lets the sleep go on to its end, as PEP 475 has it.

`alarm` and `setitimer(ITIMER_REAL)` share the one timer, as in the kernel, and
`getitimer` reads what is left of it in virtual time. ITIMER_VIRTUAL and ITIMER_PROF count
CPU time and stay real. A forked child starts with no timer, as POSIX has it.

Not covered: a timer that comes due while the example only computes and never reads the
clock or waits (`signal.alarm(1); while True: pass`): nothing looks, and the parent's real
timeout ends the block.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import signal
import threading

from mdverify.clock.current import CURRENT
from mdverify.clock.patches import patch
from mdverify.clock.realtime import NS_PER_S

__all__ = ["Alarm", "patch_alarms", "real_alarm_pending", "ring"]

_real_alarm = signal.alarm
_real_setitimer = signal.setitimer
_real_getitimer = signal.getitimer
_HALF_S_NS = NS_PER_S // 2


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


def _alarm(seconds: int, /) -> int:
    coordinator = CURRENT.coordinator
    if coordinator is None:
        return _real_alarm(seconds)
    left, _ = coordinator.set_alarm(float(seconds), 0.0)
    # As alarm(2) in the C library: whole seconds left, rounded, and 1 rather than 0.
    whole, rest = divmod(round(left * NS_PER_S), NS_PER_S)
    return whole + (1 if rest >= _HALF_S_NS or (whole == 0 and rest > 0) else 0)


def _setitimer(which: int, seconds: float, interval: float = 0.0, /) -> tuple[float, float]:
    coordinator = CURRENT.coordinator
    if coordinator is None or which != signal.ITIMER_REAL:
        return _real_setitimer(which, seconds, interval)
    if seconds < 0 or interval < 0:
        raise signal.ItimerError(22, "Invalid argument")
    return coordinator.set_alarm(seconds, interval)


def _getitimer(which: int, /) -> tuple[float, float]:
    coordinator = CURRENT.coordinator
    if coordinator is None or which != signal.ITIMER_REAL:
        return _real_getitimer(which)
    return coordinator.get_alarm()


def patch_alarms() -> None:
    """Put the virtual timer functions in the `signal` module."""
    if not hasattr(signal, "setitimer"):  # pragma: no cover -- not POSIX
        return
    for name, function in (
        ("alarm", _alarm),
        ("setitimer", _setitimer),
        ("getitimer", _getitimer),
    ):
        patch(signal, name, function)
