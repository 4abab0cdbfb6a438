"""Rule 5: a loop (or a blocking accept) that waits for what no party can bring is stopped once.

The fake real clock's waits pass at once (`waits_pass`), so a grace period costs no wall
time, and what the clock waited for is in `real.waits`, exactly.
"""

from __future__ import annotations

import asyncio
import faulthandler
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from mdverify.clock import VirtualTimeExceeded

GRACE = ("select", 0.1)


class Stopped(Exception):
    """What the stop raises here; the child's raises KeyboardInterrupt, which would end pytest."""


class Stops(list):
    """The real times (ns) at which the stop was called; `stop` notes one and raises."""

    def __init__(self, real):
        super().__init__()
        self.real = real

    def stop(self):
        self.append(self.real.elapsed_ns())
        raise Stopped


@pytest.fixture
def stops(virtual, real):
    """Arm the stop for the block the `virtual` fixture began."""
    real.waits_pass = True
    noted = Stops(real)
    virtual.begin_block(None, noted.stop)
    return noted


def test_a_block_waiting_on_an_event_nobody_sets_is_stopped_after_one_grace_look(
    virtual, real, stops
):
    async def main():
        await asyncio.Event().wait()

    start = time.perf_counter_ns()
    with pytest.raises(Stopped):
        asyncio.run(main())
    assert real.waits == [GRACE]
    assert stops == [100_000_000]
    assert virtual.waited_forever
    assert time.perf_counter_ns() == start  # the grace look does not move virtual time


def test_run_forever_on_an_empty_loop_is_stopped(virtual, real, stops):
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(Stopped):
            loop.run_forever()
    finally:
        loop.close()
    assert stops == [100_000_000]


def test_a_server_that_no_client_can_reach_is_stopped(virtual, real, stops):
    async def main():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        async with server:
            await server.serve_forever()

    with pytest.raises(Stopped):
        asyncio.run(main())
    assert stops == [100_000_000]


def test_timers_come_first_then_the_wait_forever_is_stopped(virtual, real, stops):
    async def main():
        await asyncio.sleep(5)
        await asyncio.Event().wait()

    start = time.perf_counter_ns()
    with pytest.raises(Stopped):
        asyncio.run(main())
    assert time.perf_counter_ns() - start == 5_000_000_000
    assert real.waits == [GRACE]


def test_an_open_connection_keeps_the_loop_waiting(virtual, real, stops):
    near, far = socket.socketpair()

    async def main():
        reader, _ = await asyncio.open_connection(sock=near)
        return await reader.read(1)

    real.at(1.0, lambda: far.send(b"x"))
    try:
        assert asyncio.run(main()) == b"x"
    finally:
        far.close()
    assert stops == []
    assert set(real.waits) == {GRACE}  # it kept looking, a grace period at a time


def test_a_thread_blocked_in_real_code_keeps_the_loop_waiting(virtual, real, stops):
    released = threading.Event()

    async def main():
        await asyncio.to_thread(released.wait)  # a real wait the clock cannot see through

    def release():
        # The thread wakes in real time: from here the clock's waits are real (bounded),
        # or the main thread could spend every passing wait before the thread is scheduled.
        real.waits_pass = False
        released.set()

    real.at(0.5, release)
    asyncio.run(main())
    assert stops == []


def test_a_child_process_keeps_the_loop_waiting_until_it_is_gone(virtual, real, stops):
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )

    def end_child():
        child.stdin.close()
        child.wait()

    async def main():
        await asyncio.Event().wait()

    real.at(0.3, end_child)
    with pytest.raises(Stopped):
        asyncio.run(main())
    assert stops
    assert stops[0] >= 300_000_000  # not before the child was gone


async def _woken_after_a_minute(real):
    """Wait on a future that only the fake real clock's event, 60 s on, sets."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    real.at(60, lambda: loop.call_soon_threadsafe(done.set_result, "woken"))
    return await done


def test_the_stop_is_called_once_a_block_then_the_loop_waits_as_before(virtual, real):
    real.waits_pass = True
    calls = []
    virtual.begin_block(None, lambda: calls.append("stop"))  # a stop that changes nothing

    assert asyncio.run(_woken_after_a_minute(real)) == "woken"
    assert calls == ["stop"]
    assert real.waits == [GRACE, ("select", None)]


def test_without_a_stop_a_loop_waiting_forever_waits_as_before(virtual, real):
    real.waits_pass = True

    assert asyncio.run(_woken_after_a_minute(real)) == "woken"
    assert real.waits == [("select", None)]
    assert not virtual.waited_forever


def test_a_flowing_clock_never_stops_a_block(virtual, real):
    # A block whose server the parent checks (`serve=`) runs flowing: no jumps, no stop.
    real.waits_pass = True
    calls = []
    virtual.begin_block(None, lambda: calls.append("stop"))

    async def main():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        real.at(5, lambda: loop.call_soon_threadsafe(done.set_result, "served"))
        return await done

    with virtual.flowing():
        assert asyncio.run(main()) == "served"
    assert calls == []


# --------------------------------------------------------------------------- the cap


async def _keep_alive():
    while True:  # noqa: ASYNC110 -- the keep-alive under test, as `web.run_app` has it
        await asyncio.sleep(3600)


def test_a_server_that_keeps_a_timer_of_its_own_is_stopped_at_the_cap(virtual, real, stops):
    virtual.begin_block(86_400, stops.stop)

    async def main():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        async with server:
            await _keep_alive()

    start = time.perf_counter_ns()
    with pytest.raises(Stopped):
        asyncio.run(main())
    assert len(stops) == 1
    assert time.perf_counter_ns() - start == 86_400_000_000_000  # 24 sleeps of an hour


def test_a_loop_with_timers_and_no_server_still_fails_at_the_cap(virtual, real, stops):
    virtual.begin_block(86_400, stops.stop)
    with pytest.raises(VirtualTimeExceeded):
        asyncio.run(_keep_alive())
    assert stops == []


# --------------------------------------------------------------------------- accept


def test_a_blocking_accept_no_client_can_reach_is_stopped(virtual, real, stops):
    server = socket.create_server(("127.0.0.1", 0))
    # A watchdog that is no party of the clock's (a Python thread would be, and a pending
    # alarm keeps rule 5 from applying): if the plain accept blocked, the process ends
    # with the stacks instead of hanging.
    faulthandler.dump_traceback_later(60, exit=True)
    try:
        with pytest.raises(Stopped):
            server.accept()
    finally:
        faulthandler.cancel_dump_traceback_later()
        server.close()
    assert stops == [100_000_000]
    assert real.waits == [GRACE]


def test_a_blocking_accept_takes_the_client_of_a_sleeping_thread_at_its_time(virtual, real, stops):
    # The client connects in real time once its sleep is jumped: real (bounded) waits, or
    # the main thread could spend every passing wait before the client is scheduled.
    real.waits_pass = False
    server = socket.create_server(("127.0.0.1", 0))

    def client():
        time.sleep(1)
        socket.create_connection(server.getsockname()).close()

    start = time.perf_counter_ns()
    threading.Thread(target=client).start()
    conn, _ = server.accept()  # waits as a party: the sleeper's deadline jumps
    conn.close()
    server.close()
    assert stops == []
    assert time.perf_counter_ns() - start >= 1_000_000_000


def test_an_accept_with_a_timeout_is_the_plain_accept(virtual, real, stops):
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.01)
    try:
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()
    assert stops == []


def test_a_pending_signal_timer_is_a_deadline_not_a_wait_forever(virtual, real, stops):
    """`signal.alarm` is virtual (`mdverify.clock.alarms`): the loop jumps to it, not stops."""

    class Rang(Exception):
        pass

    def on_alarm(signum, frame):
        raise Rang

    async def forever():
        await asyncio.get_running_loop().create_future()

    before = signal.signal(signal.SIGALRM, on_alarm)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, 3600)
    try:
        with pytest.raises(Rang):
            asyncio.run(forever())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    assert time.monotonic() - start == 3600.0
    assert stops == []
