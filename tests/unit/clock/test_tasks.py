"""The timeline: every task a block ran on our loops, with exact starts and ends."""

from __future__ import annotations

import asyncio
import contextlib
import time

from mdverify import clock
from mdverify.clock.installer import uninstall
from mdverify.model import TaskSpan


async def nap(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def gather_two() -> None:
    await asyncio.gather(nap(1), nap(1))


async def one_after_another() -> None:
    await nap(1)
    await nap(0.5)


def test_timeline_shows_gathered_tasks_overlapping(virtual):
    asyncio.run(gather_two())
    assert virtual.timeline() == (
        TaskSpan("gather_two", 0.0, 1.0, cancelled=False),
        TaskSpan("nap", 0.0, 1.0, cancelled=False),
        TaskSpan("nap", 0.0, 1.0, cancelled=False),
    )


def test_timeline_shows_sequential_awaits_as_one_task(virtual):
    asyncio.run(one_after_another())
    assert virtual.timeline() == (TaskSpan("one_after_another", 0.0, 1.5, cancelled=False),)


def test_timeline_keeps_given_names_pending_ends_and_cancellation(virtual):
    async def main():
        task = asyncio.create_task(nap(10), name="sleeper")
        await asyncio.sleep(1)
        pending = virtual.timeline()[-1]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return pending

    assert asyncio.run(main()) == TaskSpan("sleeper", 0.0, None, cancelled=False)
    assert virtual.timeline()[-1] == TaskSpan("sleeper", 0.0, 1.0, cancelled=True)


def test_begin_block_resets_the_timeline_and_its_origin(virtual):
    asyncio.run(one_after_another())
    virtual.begin_block(None)
    assert virtual.timeline() == ()
    asyncio.run(gather_two())
    assert virtual.timeline()[0] == TaskSpan("gather_two", 0.0, 1.0, cancelled=False)


async def main(real) -> None:
    real.advance(0.25)
    await asyncio.create_task(asyncio.sleep(0))
    real.advance(0.5)


def test_real_clock_leaves_time_alone_and_records_the_timeline(real, patched_names):
    real_functions = [time.perf_counter, time.monotonic, time.time, time.sleep]
    before = patched_names()
    installed = clock.install("real", real_time=real)
    try:
        installed.begin_block(None)
        untouched = [time.perf_counter, time.monotonic, time.time, time.sleep] == real_functions
        asyncio.run(main(real))
        spans = installed.timeline()
    finally:
        uninstall()
    assert untouched
    assert patched_names() == before
    assert spans == (
        TaskSpan("main", 0.0, 0.75, cancelled=False),
        TaskSpan("sleep", 0.25, 0.25, cancelled=False),
    )
