"""Awaited coroutines of a block, recorded for its timeline."""

from __future__ import annotations

import asyncio
import itertools
import sys

from mdverify.run.awaits import AwaitRecorder

PATH = "/docs/article.md"

SOURCE = """
import asyncio

async def step(n):
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    return n

async def sequential():
    await step(1)
    await step(2)

async def concurrent():
    await asyncio.gather(step(1), step(2))
"""


def run(entry: str) -> list[tuple[str, float, float | None]]:
    namespace: dict[str, object] = {}
    exec(compile(SOURCE, PATH, "exec"), namespace)
    ticks = itertools.count()
    recorder = AwaitRecorder(PATH, lambda: float(next(ticks)))
    recorder.start()
    try:
        asyncio.run(namespace[entry]())  # type: ignore[operator]
    finally:
        spans = recorder.stop()
    return [(s.name, s.start, s.end) for s in spans]


def test_sequential_awaits_are_recorded_one_after_the_other():
    (first, second) = run("sequential")
    assert first[0] == second[0] == "await step"
    assert first[2] is not None
    assert first[1] < first[2] <= second[1] < second[2]


def test_coroutines_driven_by_tasks_are_left_to_the_task_timeline():
    assert run("concurrent") == []


def test_code_from_other_files_is_not_recorded():
    namespace: dict[str, object] = {}
    exec(compile(SOURCE, "/elsewhere.py", "exec"), namespace)
    recorder = AwaitRecorder(PATH, lambda: 0.0)
    recorder.start()
    asyncio.run(namespace["sequential"]())  # type: ignore[operator]
    assert recorder.stop() == ()


def test_stop_restores_the_previous_profile_function():
    recorder = AwaitRecorder(PATH, lambda: 0.0)
    before = sys.getprofile()
    recorder.start()
    recorder.stop()
    assert sys.getprofile() is before
