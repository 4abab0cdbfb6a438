"""The jump rule: when virtual time may jump, and how every party waits for it.

How time moves. While code runs on the example's own thread, virtual time stands
still, but for long stretches of CPU; that is what makes `sleep(5)` measure exactly 5.0.
It moves in three ways only:

* It *jumps* when every party is blocked on virtual time alone: each loop idle in
  `select` with nothing ready, each thread asleep in `time.sleep`, each pool worker
  idle. It jumps straight to the earliest deadline: a loop's next timer (taken exactly
  from `loop._scheduled`) or a sleeping thread's wake-up time. Whoever blocks last jumps
  and wakes the owner of the deadline. So `time.sleep(1)` on the loop's thread advances
  the clock by 1 s at once and delays every task, as in real life, and two threads that
  sleep 1 s side by side take 1 s together, not 2 s.
* It moves on by the CPU time a thread spends in a stretch of real work of its own
  (`mdverify.clock.cpu`): a computation of 0.3 s takes 0.3 s, overhead takes none.
* It *flows* at real speed while something real is going on that no one can see
  through: while a thread the example started (or an executor job) runs real code,
  while a child process is alive, and while a party waits for real time (a loop or
  sleeper that cannot jump because someone else runs, or a loop waiting for I/O).

The jump rule (GUIDE.md), as applied by a loop that would otherwise block in `select`:

1. No I/O and no callback is ready: it polls with `select(0)` first.
2. No child process is alive. Otherwise the clock flows: the loop waits in the real
   `select` and time advances by the real time that passed.
3. No executor job and no other thread runs real code. Otherwise the loop holds the
   clock the same way, in short real slices, until the thread finishes or I/O arrives.
4. If the loop has a socket whose peer is not another socket of the same loop (a server
   in another process), it first waits a real grace period (`_GRACE_S`) in `select`, so
   that a response about to arrive is not overtaken by a timeout. A peer known to
   answer (`expect_replies_from`: the harness's own services) gets more: while a socket
   to it awaits a reply (the last data on it went out, nothing came back yet), the
   clock does not jump at all. It flows at real speed until data arrives or the loop's
   timer comes due in real time, as on the real clock. So a `ClientTimeout(total=5)`
   against a local server that answers in 0.5 s succeeds, and one of 0.2 s times out,
   on both clocks.

5. Waiting forever. When no party has a deadline and none runs (the jump finds nothing
   to jump to), the main thread's loop may be waiting for what can never come: it has no
   timer and no ready callback, and nothing registered on any idle loop could bring an
   event (only listening sockets with no client, or nothing at all; see
   `VirtualLoop.wakeable`). A reader who runs such a block (`serve_forever()`,
   `loop.run_forever()`, `await asyncio.Event().wait()`) sees its output, then presses
   Ctrl-C. With a stop armed (`arm_forever`), the loop looks twice, a real grace period
   (`_GRACE_S`) apart, and then calls the stop, once: the child's sends SIGINT, so the
   block ends on KeyboardInterrupt exactly as on the reader's terminal. Anything that
   could still wake a loop (a thread, a child process, an open connection) keeps the
   plain wait, which the parent's real timeout bounds. A server whose loop keeps a timer
   of its own (`web.run_app` sleeps an hour at a time) is never idle that way: when its
   next timer would pass the cap and the loop has only listening sockets, no client came
   in a whole virtual day, and it is stopped the same way instead of failing at the cap.

Every real wait and reading of the real clock goes through `RealTime` (`clock.realtime`).
A signal timer (`signal.alarm`) is one more deadline, rung by the waits (`clock.alarms`).

The cap: `Clock.begin_block(cap)` sets a limit of virtual time. A jump or a
`time.sleep` that would pass it raises `VirtualTimeExceeded` in the party that would
pass it; for a loop that is inside `select`, so it propagates out of
`run_until_complete` and `asyncio.run` into the example's code. Real-speed flow may pass
the cap; the parent's real timeout bounds that.

A forked child keeps the time it forked at but runs on real time from then on: it is a
child, and the parent counts it as one.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Final, Literal, TypeVar

from mdverify.clock.itimer import Alarm, real_alarm_pending, ring
from mdverify.clock.parties import IdleLoop, LoopView, Parties
from mdverify.clock.realtime import NS_PER_S

if TYPE_CHECKING:
    import selectors
    from collections.abc import Callable, Iterator

    from mdverify.clock.realtime import Events, RealTime

__all__ = ["Coordinator", "VirtualTimeExceeded"]

_V = TypeVar("_V")

_GRACE_S: Final = 0.1
"""Real seconds a loop with external sockets waits before it jumps."""
_SLICE_S: Final = 0.01
"""Real seconds between looks at threads and children while the clock is held."""
_DUE_S: Final = 0.001
"""Real seconds to wait for a party whose deadline has come to wake up and run."""

_JumpStatus = Literal["jumped", "busy", "due", "stuck", "served"]
"""What `Coordinator._try_jump_locked` found: it jumped; someone runs real code; a
woken party has yet to run; every party waits for something no jump can bring; or the
main thread's loop served a whole cap of virtual time to no client (rule 5)."""


class VirtualTimeExceeded(Exception):
    """Virtual time would pass the cap set by `Clock.begin_block`; raised in the example."""


class Coordinator(Parties):
    """Virtual time for the whole process: who is blocked, on what, and when to jump."""

    def __init__(self, ignored: frozenset[threading.Thread], real: RealTime) -> None:
        super().__init__(ignored, real)
        self._cap_ns: int | None = None
        self._cap_s = 0.0
        self._overdue: int | None = None
        self._stop_forever: Callable[[], None] | None = None
        self.jumps_enabled = True
        self.waited_forever = False
        """Whether the stop armed by `arm_forever` was called (rule 5)."""
        self.alarm = Alarm()
        """`signal.alarm` and `setitimer` (`mdverify.clock.alarms`): a deadline, rung by waits."""

    @property
    def real(self) -> RealTime:
        """The real time this clock flows with and waits on."""
        return self._time.real

    def now_ns(self) -> int:
        """Virtual nanoseconds."""
        with self._cond:
            if self._children_hold:
                self._children_running_locked()  # ends the real-speed stretch in time
            self._count_cpu_locked()
            now = self._time.now()
            due = self.alarm.due(now)
        if due:
            ring()  # time flowed past the alarm while the example computed
        return now

    def set_alarm(self, seconds: float, interval: float) -> tuple[float, float]:
        """Arm (or with 0 disarm) the virtual ITIMER_REAL; what was left of it before."""
        with self._cond:
            old = self.alarm.set(self._time.now(), seconds, interval)
            self._changed_locked()  # a waiting party may now have a nearer deadline
            return old

    def get_alarm(self) -> tuple[float, float]:
        """What is left of the virtual ITIMER_REAL, as `signal.getitimer` gives it."""
        with self._cond:
            return self.alarm.left(self._time.now())

    def set_cap(self, cap_s: float | None) -> None:
        """Allow `cap_s` more seconds of virtual time; None lifts the cap."""
        with self._cond:
            self._overdue = None
            if cap_s is None:
                self._cap_ns = None
                return
            self._cap_s = cap_s
            self._cap_ns = self._time.now() + round(cap_s * NS_PER_S)

    def _exceeded(self) -> VirtualTimeExceeded:
        return VirtualTimeExceeded(f"virtual time passed the cap of {self._cap_s:g} s")

    def _raise_if_overdue_locked(self, me: int) -> None:
        if self._overdue == me:
            self._overdue = None
            raise self._exceeded()

    def arm_forever(self, stop: Callable[[], None] | None) -> None:
        """Call `stop` once, on the main thread, if it comes to wait forever (rule 5)."""
        with self._cond:
            self._stop_forever = stop
            self.waited_forever = False

    @property
    def stop_armed(self) -> bool:
        """Whether a stop is armed and the clock may jump, so rule 5 may apply."""
        return self._stop_forever is not None and self.jumps_enabled

    def _forever_locked(self, me: int) -> bool:
        """Whether `me`, the main thread's idle loop, waits for what no party can bring."""
        return (
            self._stop_forever is not None
            and me == threading.main_thread().ident
            and self.alarm.deadline_ns is None
            and not real_alarm_pending()
            and not any(idle.loop.wakeable() for idle in self._idle.values())
        )

    def _served_locked(self, me: int) -> bool:
        """Whether `me`, the main thread's idle loop, only serves, with nothing else to wake it.

        Called when its next timer would pass the cap: that timer is its own keep-alive
        (`web.run_app` sleeps an hour at a time), and no client came all along.
        """
        idle = self._idle.get(me)
        return idle is not None and idle.loop.serving() and self._forever_locked(me)

    def _call_stop(self) -> None:
        with self._cond:
            stop, self._stop_forever = self._stop_forever, None
            self.waited_forever = stop is not None
        if stop is not None:
            stop()  # outside the lock: it raises KeyboardInterrupt into the example

    def _try_jump_locked(self, me: int) -> _JumpStatus:
        """Jump to the nearest deadline if the jump rule allows it."""
        if not self.jumps_enabled or not self._quiet_locked():
            return "busy"
        nearest = self._nearest_deadline_locked()
        if nearest is None:
            return "stuck"
        target, owner = nearest
        if target <= self._time.now():
            self._wake_locked(owner)  # its time has come; let it run first
            return "due"
        if self._cap_ns is not None and target > self._cap_ns:
            if owner == me and self._served_locked(me):
                return "served"
            if owner == me:
                raise self._exceeded()
            self._overdue = owner  # the owner raises, in its own thread
            self._wake_locked(owner)
            return "due"
        self._advance_locked(target, me)
        return "jumped"

    def _nearest_deadline_locked(self) -> tuple[int, int] | None:
        """The earliest deadline of a party, or the alarm's (owner 0) within the cap."""
        found = [d for d in [super()._nearest_deadline_locked()] if d is not None]
        alarm = self.alarm.deadline_ns
        if alarm is not None and (self._cap_ns is None or alarm <= self._cap_ns):
            found.append((alarm, 0))
        return min(found, default=None)

    def _wake_locked(self, ident: int) -> None:
        idle = self._idle.get(ident)
        if idle is not None:
            idle.loop.wake()
        self._cond.notify_all()

    @staticmethod
    def _wait_seconds(status: _JumpStatus, deadline_ns: int | None, now_ns: int) -> float | None:
        """How long to wait in real time after a failed jump; None: until woken."""
        if status == "due":
            return _DUE_S
        if status == "stuck":
            return None
        if deadline_ns is None:
            return _SLICE_S
        return min(_SLICE_S, (deadline_ns - now_ns) / NS_PER_S)

    def sleep(self, seconds: float) -> None:
        """`time.sleep` on any thread: wait until virtual time reaches now + `seconds`."""
        delta_ns = round(seconds * NS_PER_S)
        if not self.jumps_enabled or delta_ns <= 0:
            self.real.sleep(seconds)
            return
        me = threading.get_ident()
        with self._cond:
            self._wait_begins_locked(me)
            try:
                self._sleep_locked(me, self._time.now() + delta_ns)
            finally:
                self._wait_ended_locked(me)

    def _sleep_locked(self, me: int, deadline: int) -> None:
        if self._cap_ns is not None and deadline > self._cap_ns:
            raise self._exceeded()
        with self._blocked(me, self._sleepers, deadline):
            while True:
                self._raise_if_overdue_locked(me)
                now = self._time.now()
                if now >= deadline:
                    return
                status = self._try_jump_locked(me)
                if status == "jumped":
                    continue
                # Waiting while someone else runs real code lets time flow.
                hold = status == "busy"
                timeout = self._wait_seconds(status, deadline, now)
                if self.alarm.due(now):
                    # Just before the wait, which the handler may interrupt by raising.
                    ring()
                    timeout = _DUE_S
                if hold:
                    self._time.hold()
                try:
                    self.real.wait(self._cond, timeout)
                finally:
                    if hold:
                        self._time.unhold()

    def idle(self, loop: LoopView, selector: selectors.BaseSelector) -> Events:
        """Wait as `loop`, which has nothing to do, until I/O arrives or its timer is due."""
        me = threading.get_ident()
        with self._cond:
            self._wait_begins_locked(me)
        try:
            return self._idle_wait(loop, selector)
        finally:
            with self._cond:
                self._wait_ended_locked(me)

    def _idle_wait(self, loop: LoopView, selector: selectors.BaseSelector) -> Events:
        deadline = loop.next_deadline_ns()
        if deadline is not None and loop.has_external_peers():
            # Rule 4: give a real response a moment to arrive before jumping past it.
            with self._cond:
                remaining = (deadline - self._time.now()) / NS_PER_S
            events = self._select_real(selector, max(0.0, min(_GRACE_S, remaining)), hold=True)
            if events:
                return events
        me = threading.get_ident()
        looked = False  # rule 5: the last look found this loop waiting forever
        with self._blocked(me, self._idle, IdleLoop(loop, deadline)):
            while True:
                with self._cond:
                    self._raise_if_overdue_locked(me)
                    now = self._time.now()
                    if deadline is not None and now >= deadline:
                        return []
                    status = self._try_jump_locked(me)
                    forever = status == "stuck" and self._forever_locked(me)
                    armed = self._stop_forever is not None
                    rung = self.alarm.due(now)
                if rung:
                    ring()  # outside the lock: the handler may raise into the example
                    status = "due"
                elif status == "jumped":
                    continue
                if status == "served" or (forever and looked):
                    self._call_stop()
                    return []
                looked = forever
                # Waiting while others run real code, or for real I/O, lets time flow;
                # while armed, a stuck loop looks again each grace period (rule 5).
                timeout = self._wait_seconds(status, deadline, now)
                if status == "stuck" and armed:
                    timeout = _GRACE_S
                hold = status == "busy" or (status == "stuck" and not forever)
                events = self._select_real(selector, timeout, hold=hold)
                if events:
                    return events

    def _select_real(
        self, selector: selectors.BaseSelector, timeout: float | None, *, hold: bool
    ) -> Events:
        """Block in the real `select`; with `hold`, time flows meanwhile."""
        if not hold:
            return self.real.select(selector, timeout)
        with self._cond:
            self._time.hold()
        try:
            return self.real.select(selector, timeout)
        finally:
            with self._cond:
                self._time.unhold()

    @contextlib.contextmanager
    def _blocked(self, me: int, table: dict[int, _V], value: _V) -> Iterator[None]:
        """Register thread `me` in `table` (sleepers or idle loops) while it waits.

        A runner thread stops holding the clock meanwhile: it waits, it does not run.
        """
        with self._cond:
            table[me] = value
            runner = me in self._runners
            if runner:
                self._time.unhold()
        try:
            yield
        finally:
            with self._cond:
                del table[me]
                if runner:
                    self._time.hold()

    def set_flowing(self, *, flowing: bool) -> None:
        """Switch jumps off and let time flow (True), or back (False)."""
        with self._cond:
            if flowing:
                self.jumps_enabled = False
                self._time.hold()
            else:
                self._time.unhold()
                self.jumps_enabled = True
            self._changed_locked()

    def after_fork_in_child(self) -> None:
        """Run a forked child on real time, continuing from the time it forked at."""
        # The lock may be held by a thread that does not exist in the child: read the
        # time without it, then start over with a fresh one.
        now = self._time.now()
        self.forget_after_fork()
        self._time.flow_from(now)
        self.jumps_enabled = False
        self._overdue = None
        self.alarm = Alarm()  # POSIX: a forked child starts with no timer
