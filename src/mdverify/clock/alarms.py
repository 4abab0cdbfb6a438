"""Signal timers on virtual time: `signal.alarm` and `signal.setitimer(ITIMER_REAL)`.

The kernel's ITIMER_REAL counts real seconds, so on the virtual clock it would never cut
short a `time.sleep(3)` that takes no real time at all (way 6 of issue 15). The timer is
the coordinator's instead (`mdverify.clock.itimer`): one more deadline a jump may go to; and
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

from mdverify.clock.current import CURRENT
from mdverify.clock.patches import patch
from mdverify.clock.realtime import NS_PER_S

__all__ = ["patch_alarms"]

_real_alarm = signal.alarm
_real_setitimer = signal.setitimer
_real_getitimer = signal.getitimer
_HALF_S_NS = NS_PER_S // 2


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
