"""Signal timers on virtual time (`mdverify.clock.alarms`): way 6 of issue 15.

On the fake real clock nothing real passes, so a timer that goes off does so because
virtual time reached it, at exactly its deadline.
"""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from mdverify.clock.itimer import Alarm


class Rang(Exception):
    pass


@pytest.fixture
def handler():
    """Install a SIGALRM handler that notes each signal's virtual time; `raises` to raise."""
    calls: list[float] = []
    state = {"raises": False}

    def on_alarm(signum, frame):
        calls.append(time.monotonic())
        if state["raises"]:
            raise Rang

    before = signal.signal(signal.SIGALRM, on_alarm)
    yield calls, state
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, before)


def test_an_alarm_interrupts_a_sleep_at_its_second(virtual, handler):
    calls, state = handler
    state["raises"] = True
    start = time.monotonic()
    signal.alarm(1)
    with pytest.raises(Rang):
        time.sleep(3)
    assert time.monotonic() - start == 1.0
    assert calls == [start + 1.0]


def test_a_handler_that_returns_lets_the_sleep_go_on_to_its_end(virtual, handler):
    calls, _ = handler
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, 0.25)
    time.sleep(1)
    assert time.monotonic() - start == 1.0
    assert calls == [start + 0.25]


def test_an_interval_timer_rings_every_interval(virtual, handler):
    calls, _ = handler
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, 0.5, 0.5)
    time.sleep(1.9)
    assert [round(t - start, 9) for t in calls] == [0.5, 1.0, 1.5]


def test_a_loop_s_signal_handler_cancels_a_sleeping_task(virtual):
    async def main():
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(asyncio.sleep(2))
        loop.add_signal_handler(signal.SIGALRM, task.cancel)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        start = loop.time()
        try:
            await task
        except asyncio.CancelledError:
            return loop.time() - start
        finally:
            loop.remove_signal_handler(signal.SIGALRM)
        return None

    assert asyncio.run(main()) == pytest.approx(0.1, abs=1e-9)


def test_a_raising_handler_ends_asyncio_run_at_the_alarm(virtual, handler):
    _calls, state = handler
    state["raises"] = True
    start = time.monotonic()
    signal.alarm(2)
    with pytest.raises(Rang):
        asyncio.run(asyncio.sleep(10))
    assert time.monotonic() - start == 2.0


def test_what_is_left_is_read_in_virtual_time_and_alarm_0_disarms(virtual, handler):
    calls, _ = handler
    signal.alarm(5)
    time.sleep(1.25)
    assert signal.getitimer(signal.ITIMER_REAL) == (3.75, 0.0)
    assert signal.alarm(0) == 4  # 3.75 left, rounded as the C library does
    time.sleep(10)
    assert calls == []
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_cpu_timers_stay_real(virtual):
    assert signal.setitimer(signal.ITIMER_PROF, 0) == (0.0, 0.0)
    with pytest.raises(signal.ItimerError):
        signal.setitimer(signal.ITIMER_REAL, -1)


def test_missed_intervals_make_one_signal_and_keep_the_phase():
    alarm = Alarm()
    alarm.set(0, 1.0, 1.0)
    assert not alarm.due(999_999_999)
    assert alarm.due(3_500_000_000)  # 1, 2 and 3 s passed unseen: one signal
    assert alarm.deadline_ns == 4_000_000_000
    alarm.set(0, 1.0, 0.0)
    assert alarm.due(1_000_000_000)
    assert alarm.deadline_ns is None
