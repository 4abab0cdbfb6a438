"""A fake real clock for the clock's tests: real time moves only when something moves it.

Plain Python, no pytest: `conftest.py` hands it to the tests in this process, and a
fresh interpreter that runs a clocked program imports it from this folder.
"""

from __future__ import annotations

import threading

from mdverify.clock import RealTime

NS = 1_000_000_000
START_NS = 7_000 * NS  # far from the virtual clock's 1000 s, so a mix-up shows
EPOCH_NS = 1_800_000_000 * NS
MAX_WAITS = 1_000  # a clock that never jumps fails the test instead of hanging it


class FakeRealTime(RealTime):
    """Real time that moves when the test calls `advance` and when the clock sleeps.

    `sleep` lets its time pass at once, without blocking. A wait (`wait`, `select`)
    is noted in `waits` as (kind, timeout); by default it is a real wait, bounded by its
    timeout so that other threads run, during which this time stands still. With
    `waits_pass`, a wait blocks no one and lets its whole timeout pass instead, unless
    an event scheduled with `at` comes first: then time moves to that event, which runs.
    An action given to `on_next_wait` runs at the start of the clock's next wait.
    Each thread's CPU time moves only when that thread calls `burn`.
    """

    def __init__(self, *, waits_pass: bool = False) -> None:
        self.now_ns = START_NS
        self.waits_pass = waits_pass
        self.waits: list[tuple[str, float | None]] = []
        self.sleeps: list[float] = []
        self._events: list[tuple[int, object]] = []
        self._next_wait: list[object] = []
        self._cpu: dict[int, int] = {}
        self._lock = threading.Lock()

    def advance(self, seconds):
        """Let `seconds` of real time pass, as real code that runs that long would."""
        with self._lock:
            self.now_ns += round(seconds * NS)

    def burn(self, seconds):
        """Compute for `seconds` on the calling thread: its CPU time and real time pass."""
        with self._lock:
            me = threading.get_ident()
            self._cpu[me] = self._cpu.get(me, 0) + round(seconds * NS)
            self.now_ns += round(seconds * NS)

    def thread_time_ns(self):
        return self._cpu.get(threading.get_ident(), 0)

    def elapsed_ns(self):
        """Real nanoseconds passed since this clock was made."""
        return self.now_ns - START_NS

    def at(self, seconds, action):
        """Run `action` during the wait in which `seconds` from now pass (`waits_pass`)."""
        self._events.append((self.now_ns + round(seconds * NS), action))
        self._events.sort(key=lambda event: event[0])

    def on_next_wait(self, action):
        """Run `action` when the clock next waits in real time, on the waiting thread."""
        with self._lock:
            self._next_wait.append(action)

    def perf_counter_ns(self):
        return self.now_ns

    def monotonic(self):
        return self.now_ns / NS

    def time_ns(self):
        return EPOCH_NS + self.now_ns - START_NS

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.advance(seconds)

    def wait(self, cond, timeout):
        self._note("wait", timeout)
        if not self.waits_pass:
            cond.wait(timeout)
            return
        self._pass(timeout)
        cond.wait(0)  # let go of the lock for a moment, as a wait does

    def select(self, selector, timeout):
        self._note("select", timeout)
        if not self.waits_pass:
            return selector.select(timeout)
        if self._pass(timeout):
            return selector.select(1.0)  # what the event sent is on its way: take it
        return selector.select(0)

    def _note(self, kind, timeout):
        self.waits.append((kind, timeout))
        if len(self.waits) > MAX_WAITS:
            msg = f"the clock waited {MAX_WAITS} times in real time and never jumped"
            raise AssertionError(msg)
        with self._lock:
            actions, self._next_wait = self._next_wait, []
        for action in actions:
            action()

    def _pass(self, timeout):
        """Let a wait's time pass; True if a scheduled event came first and ran."""
        end = None if timeout is None else self.now_ns + round(timeout * NS)
        if self._events and (end is None or self._events[0][0] <= end):
            when, action = self._events.pop(0)
            self.now_ns = max(self.now_ns, when)
            action()
            return True
        if end is None:
            msg = "the clock waits for ever, and nothing is scheduled to wake it"
            raise AssertionError(msg)
        self.now_ns = end
        return False
