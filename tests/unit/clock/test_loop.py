"""The virtual event loop: asyncio's timers, timeouts and tasks on exact virtual time."""

from __future__ import annotations

import asyncio
import contextlib
import sys

import pytest

from mdverify.clock.loop import VirtualLoop

PY311 = pytest.mark.skipif(sys.version_info < (3, 11), reason="new in Python 3.11")


async def nap(seconds: float) -> None:
    await asyncio.sleep(seconds)


def elapsed_of(installed, coro_function, *args):
    """Run a coroutine function with asyncio.run; return the virtual seconds it took."""
    start = installed.now()
    asyncio.run(coro_function(*args))
    return installed.now() - start


def test_sleep_5_measures_exactly_5_without_waiting(virtual, real):
    assert elapsed_of(virtual, nap, 5) == 5.0
    assert real.waits == []  # not a moment of real waiting
    assert real.elapsed_ns() == 0


def test_gather_of_two_1s_sleeps_measures_1(virtual):
    async def main():
        await asyncio.gather(nap(1), nap(1))

    assert elapsed_of(virtual, main) == 1.0


def test_sequential_1s_then_half_a_second_measures_1_5(virtual):
    async def main():
        await nap(1)
        await nap(0.5)

    assert elapsed_of(virtual, main) == 1.5


def test_ten_sleeps_of_a_tenth_read_exactly_1(virtual):
    async def main():
        loop = asyncio.get_running_loop()
        start = loop.time()
        for _ in range(10):
            await asyncio.sleep(0.1)
        return loop.time() - start

    assert asyncio.run(main()) == 1.0
    assert virtual.now() - 1000.0 == 1.0  # the clock starts at 1000 s


def test_wait_for_times_out_at_exactly_5(virtual):
    async def main():
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(60), timeout=5)
        return loop.time() - start

    assert asyncio.run(main()) == 5.0


@PY311
def test_asyncio_timeout_cancels_at_exactly_3(virtual):
    async def main():
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(3):
                await asyncio.sleep(60)
        return loop.time() - start

    assert asyncio.run(main()) == 3.0


@PY311
def test_task_group_waits_for_its_longest_child(virtual):
    async def main():
        async with asyncio.TaskGroup() as group:
            group.create_task(nap(1))
            group.create_task(nap(2))

    assert elapsed_of(virtual, main) == 2.0


def test_create_task_then_cancel_after_1s(virtual):
    async def main():
        task = asyncio.create_task(nap(10))
        await asyncio.sleep(1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return task.cancelled()

    start = virtual.now()
    assert asyncio.run(main()) is True
    assert virtual.now() - start == 1.0


def test_endless_heartbeat_task_cancelled_from_outside_after_5s(virtual):
    async def heartbeat():
        while True:  # noqa: ASYNC110 - the endless loop an article might show
            await asyncio.sleep(60)

    async def main():
        task = asyncio.create_task(heartbeat())
        await asyncio.sleep(5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert elapsed_of(virtual, main) == 5.0


def test_event_and_queue_hand_over_at_virtual_times(virtual):
    async def main():
        loop = asyncio.get_running_loop()
        event, queue = asyncio.Event(), asyncio.Queue()

        async def producer():
            await asyncio.sleep(2)
            event.set()
            for item in range(3):
                await asyncio.sleep(0.5)
                await queue.put(item)

        start = loop.time()
        task = asyncio.create_task(producer())
        await event.wait()
        at_event = loop.time() - start
        received = [(await queue.get(), loop.time() - start) for _ in range(3)]
        await task
        return at_event, received

    assert asyncio.run(main()) == (2.0, [(0, 2.5), (1, 3.0), (2, 3.5)])


@PY311
def test_asyncio_runner_runs_on_the_virtual_loop(virtual):
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        start = loop.time()
        runner.run(nap(1))
        runner.run(nap(2))
        assert loop.time() - start == 3.0
    assert isinstance(loop, VirtualLoop)


def test_every_way_of_making_a_loop_makes_a_virtual_one(virtual):
    loops = [
        asyncio.new_event_loop(),
        asyncio.events.new_event_loop(),
        asyncio.get_event_loop_policy().new_event_loop(),
        asyncio.SelectorEventLoop(),
        *([asyncio.EventLoop()] if sys.version_info >= (3, 13) else []),
    ]
    try:
        assert all(isinstance(loop, VirtualLoop) for loop in loops)
    finally:
        for loop in loops:
            loop.close()


def test_loops_that_are_not_ours_keep_real_time(virtual, real):
    # A library may build the stdlib loop class directly; it cannot jump, so it must not
    # see the frozen clock either, or its timers would never come due.
    loop = asyncio.unix_events._UnixSelectorEventLoop()
    try:
        frozen = virtual.now()
        assert loop.time() == real.monotonic()
        real.advance(0.25)
        assert loop.time() == real.monotonic()
        assert virtual.now() == frozen

        async def nap_while_real_time_passes():
            loop.call_soon(real.advance, 0.05)
            await asyncio.sleep(0.05)

        loop.run_until_complete(nap_while_real_time_passes())  # its timer came due
        assert virtual.now() == frozen
    finally:
        loop.close()


def test_tasks_sleeping_to_one_deadline_wake_in_the_order_they_slept(virtual):
    """On real time their deadlines differ by microseconds; the heap alone would reorder them."""
    woke = []

    async def worker(n):
        await asyncio.sleep(1)
        woke.append(n)

    async def main():
        await asyncio.gather(*(worker(n) for n in range(12)))

    asyncio.run(main())
    assert woke == list(range(12))


def test_call_at_keeps_equal_deadlines_in_order_and_earlier_deadlines_first(virtual):
    order = []

    async def main():
        loop = asyncio.get_running_loop()
        at = loop.time() + 1
        for n in range(6):
            loop.call_at(at, order.append, n)
        loop.call_at(at - 0.5, order.append, "earlier")
        cancelled = loop.call_at(at, order.append, "cancelled")
        cancelled.cancel()
        await asyncio.sleep(2)

    asyncio.run(main())
    assert order == ["earlier", 0, 1, 2, 3, 4, 5]
