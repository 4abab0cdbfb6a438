"""Virtual time itself: an integer count of nanoseconds that stands still or flows.

Virtual time is an integer count of nanoseconds, so ten sleeps of 0.1 s read exactly
1.0. It starts at 1000 s: not zero, so code that treats 0 as "never" still works, and
small, so loop deadlines kept as float seconds still land on the 1 ns grid.

It stands still until it jumps (`advance`), except while someone holds it (`hold`):
then it flows at the speed of the `RealTime` it was given, until the last holder lets
go (`unhold`). Holds nest, so a thread, a job and a child that run at once count once.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from mdverify.clock.realtime import NS_PER_S

if TYPE_CHECKING:
    from mdverify.clock.realtime import RealTime

__all__ = ["BASE_NS", "VirtualTime"]

BASE_NS: Final = 1_000 * NS_PER_S
"""Where virtual time starts: 1000 s."""


class VirtualTime:
    """Frozen nanoseconds, flowing at real speed while held; the caller's lock guards it."""

    __slots__ = ("_flow_since", "_frozen_ns", "_holders", "_stills", "real")

    def __init__(self, real: RealTime) -> None:
        self.real = real
        self._frozen_ns = BASE_NS
        self._flow_since: int | None = None
        self._holders = 0
        self._stills = 0

    @property
    def still(self) -> int | None:
        """The number of the current stretch of still time; None while time flows."""
        return None if self._flow_since is not None else self._stills

    def now(self) -> int:
        """Virtual nanoseconds."""
        if self._flow_since is None:
            return self._frozen_ns
        return self._frozen_ns + self.real.perf_counter_ns() - self._flow_since

    def hold(self) -> None:
        """Let time flow at real speed until the matching `unhold`."""
        if self._holders == 0:
            self._flow_since = self.real.perf_counter_ns()
        self._holders += 1

    def unhold(self) -> None:
        """Let go of one `hold`; time stands still again after the last."""
        self._holders -= 1
        if self._holders == 0 and self._flow_since is not None:
            self._frozen_ns += self.real.perf_counter_ns() - self._flow_since
            self._flow_since = None
            self._stills += 1

    def advance(self, target_ns: int) -> None:
        """Jump to `target_ns` if it lies ahead; a flow goes on from there."""
        now = self.now()
        if target_ns > now:
            self._frozen_ns = target_ns
            if self._flow_since is not None:
                self._flow_since = self.real.perf_counter_ns()

    def flow_from(self, now_ns: int) -> None:
        """Flow at real speed from `now_ns` on, held once (a forked child's time)."""
        self._frozen_ns, self._flow_since, self._holders = now_ns, self.real.perf_counter_ns(), 1
