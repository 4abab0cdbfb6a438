"""CPU time on virtual time: long stretches of real work count, overhead does not."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import threading
import time

import pytest

from mdverify import clock
from mdverify.clock.cpu import THRESHOLD_NS
from mdverify.clock.installer import uninstall

THRESHOLD = THRESHOLD_NS / 1e9
SHORT = THRESHOLD / 4  # a stretch of overhead, well below the threshold


def test_a_stretch_of_cpu_moves_the_clock_by_the_cpu_it_took(virtual, real):
    start = time.perf_counter()
    real.burn(0.3)
    assert time.perf_counter() - start == pytest.approx(0.3, abs=1e-9)
    assert time.monotonic_ns() - round(start * 1e9) == pytest.approx(300_000_000, abs=1)


def test_overhead_between_waits_never_counts(virtual, real):
    start = time.monotonic()
    for _ in range(10):
        real.burn(SHORT)
        time.sleep(0.1)
    assert time.monotonic() - start == 1.0


def test_cpu_before_a_sleep_delays_the_wake_up(virtual, real):
    """The issue's 0.5 s of sleep, 0.3 s of CPU and 0.5 s of sleep take 1.3 s."""
    start = time.monotonic()
    time.sleep(0.5)
    real.burn(0.3)
    time.sleep(0.5)
    assert time.monotonic() - start == pytest.approx(1.3, abs=1e-9)


def test_short_stretches_add_up_while_the_clock_is_read(virtual, real):
    """A busy-wait ends: its readings do not end its stretch, as a wait would."""
    start = time.monotonic()
    deadline = start + 0.05
    spins = 0
    while time.monotonic() < deadline:
        real.burn(SHORT / 10)
        spins += 1
        assert spins < 10_000, "the busy-wait never ended"
    elapsed = time.monotonic() - start
    assert 0.05 <= elapsed < 0.05 + THRESHOLD + SHORT


def test_a_short_stretch_shows_only_once_it_is_long(virtual, real):
    start = time.monotonic()
    real.burn(SHORT)
    assert time.monotonic() == start  # overhead, so far
    real.burn(THRESHOLD)
    assert time.monotonic() - start == pytest.approx(THRESHOLD + SHORT, abs=1e-9)


def test_a_loop_sees_cpu_between_awaits_and_times_out(virtual, real):
    """`wait_for(..., 0.4)` around 0.6 s of computing times out, as on a real loop."""

    async def compute():
        for _ in range(6):
            real.burn(0.1)
            await asyncio.sleep(0)

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(compute(), 0.4)

    start = time.monotonic()
    asyncio.run(main())
    # The steps already queued when the timer fires run first, on a real loop too.
    assert 0.4 <= time.monotonic() - start <= 0.6 + 1e-9


def test_a_loop_keeps_sleeps_exact_and_adds_the_cpu(virtual, real):
    async def main():
        await asyncio.sleep(0.5)
        real.burn(0.3)
        await asyncio.sleep(0.5)

    start = time.perf_counter()
    asyncio.run(main())
    assert time.perf_counter() - start == pytest.approx(1.3, abs=1e-9)

    start = time.perf_counter()
    asyncio.run(asyncio.sleep(5))
    assert time.perf_counter() - start == 5.0


def test_slow_callback_warning_of_debug_mode_still_fires(virtual, real, caplog):
    async def slow():
        real.burn(0.2)

    with caplog.at_level("WARNING", logger="asyncio"):
        asyncio.run(slow(), debug=True)
    assert any("took 0.200 seconds" in record.getMessage() for record in caplog.records)


def test_cpu_while_time_flows_is_not_counted_twice(virtual, real):
    """A thread that runs real code lets time flow; the CPU beside it is already in it."""
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    start = time.monotonic()
    real.burn(0.3)
    elapsed = time.monotonic() - start
    release.set()
    worker.join()
    assert elapsed == pytest.approx(0.3, abs=1e-9)


def test_a_new_block_does_not_count_the_harness_cpu_before_it(virtual, real):
    before = time.monotonic()
    real.burn(0.5)  # the harness, between two blocks
    virtual.begin_block(None)
    assert time.monotonic() == before


def test_threads_of_the_harness_are_not_counted(real):
    results = []
    burnt = threading.Event()
    go = threading.Event()

    def harness():
        go.wait()
        before = time.monotonic()
        real.burn(0.3)
        results.append(time.monotonic() - before)
        burnt.set()

    thread = threading.Thread(target=harness)
    thread.start()  # before install: the harness's
    installed = clock.install("virtual", real_time=real)
    try:
        installed.begin_block(None)
        go.set()
        burnt.wait()
        thread.join()
    finally:
        uninstall()
    assert results == [0.0]


# Looked up when called: a function taken now would be the real one, not the patched one.
READERS = {
    "monotonic": lambda: time.monotonic(),  # noqa: PLW0108
    "perf_counter": lambda: time.perf_counter(),  # noqa: PLW0108
    "time": lambda: time.time(),  # noqa: PLW0108
    "datetime.now": lambda: dt.datetime.now(dt.timezone.utc).timestamp(),
    "clock_gettime": lambda: time.clock_gettime(time.CLOCK_MONOTONIC),
}


@pytest.mark.parametrize("clock_name", READERS)
def test_a_busy_wait_on_any_clock_ends(virtual, real, clock_name):
    read = READERS[clock_name]
    deadline = read() + 0.05
    spins = 0
    while read() < deadline:
        real.burn(SHORT / 10)
        spins += 1
        assert spins < 10_000, "the busy-wait never ended"


def test_a_busy_wait_that_yields_to_the_loop_ends(virtual, real):
    async def main():
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 0.05
        spins = 0
        while loop.time() < deadline:
            real.burn(SHORT / 10)
            await asyncio.sleep(0)
            spins += 1
            assert spins < 10_000, "the busy-wait never ended"

    asyncio.run(main())


def test_a_busy_wait_with_zero_sleeps_ends(virtual, real):
    """`time.sleep(0)` waits for nothing, so it does not end the stretch."""
    deadline = time.monotonic() + 0.05
    spins = 0
    while time.monotonic() < deadline:
        real.burn(SHORT / 10)
        time.sleep(0)
        spins += 1
        assert spins < 10_000, "the busy-wait never ended"


def test_cpu_before_a_thread_starts_counts_before_time_flows(virtual, real):
    release = threading.Event()
    start = time.monotonic()
    real.burn(0.3)
    worker = threading.Thread(target=release.wait)
    worker.start()
    elapsed = time.monotonic() - start
    release.set()
    worker.join()
    assert elapsed == pytest.approx(0.3, abs=1e-9)


def test_cpu_before_an_executor_job_counts_before_time_flows(virtual, real):
    release = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        start = time.monotonic()
        real.burn(0.3)
        job = pool.submit(release.wait)
        elapsed = time.monotonic() - start
        release.set()
        job.result()
    assert elapsed == pytest.approx(0.3, abs=1e-9)


def test_cpu_before_a_child_process_counts_before_time_flows(clocked):
    result = clocked.run(
        """
        start = time.monotonic()
        real.burn(0.3)
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        elapsed = time.monotonic() - start
        child.wait()
        report(elapsed=elapsed)
        """,
        fake=True,
    )
    assert result["elapsed"] == pytest.approx(0.3, abs=1e-9)


def test_cpu_before_a_reading_is_not_put_after_it_by_a_wait(virtual, real):
    """An import before `before = now()` costs time before it, not between it and later."""
    real.burn(THRESHOLD * 0.9)  # under the threshold so far: still time
    before = time.monotonic()
    real.burn(SHORT)
    time.sleep(1)
    assert time.monotonic() - before == 1.0


def test_work_of_the_harness_on_the_examples_thread_does_not_count(virtual, real):
    start = time.monotonic()
    real.burn(SHORT)
    with clock.harness_work():  # the print recorder finding a call, say
        real.burn(0.5)
    assert time.monotonic() == start
    real.burn(SHORT)
    time.sleep(1)
    assert time.monotonic() - start == 1.0
