"""The jump rule: threads, executor jobs and child processes hold or flow the clock; the cap.

The fake real clock (`real`) moves only when a test moves it, so time that flows while
a thread, a job or a child runs is exactly the real time the test lets pass.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import pytest

from mdverify.clock import VirtualTimeExceeded


def test_blocking_time_sleep_in_a_coroutine_advances_1s_and_delays_other_tasks(virtual):
    async def main():
        loop = asyncio.get_running_loop()
        start, woke = loop.time(), []

        async def ticker():
            await asyncio.sleep(0.5)
            woke.append(loop.time() - start)

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        time.sleep(1)  # noqa: ASYNC251 - blocks the loop, so the ticker cannot run at 0.5
        blocked = loop.time() - start
        await task
        return blocked, woke

    assert asyncio.run(main()) == (1.0, [1.0])


# --------------------------------------------------------------------------- threads


def test_threads_sleeping_side_by_side_take_1s_together_not_2(virtual):
    async def main():
        await asyncio.gather(asyncio.to_thread(time.sleep, 1), asyncio.to_thread(time.sleep, 1))

    start = time.perf_counter_ns()
    asyncio.run(main())
    assert time.perf_counter_ns() - start == 1_000_000_000  # starting threads took no time


def test_clock_holds_while_to_thread_runs_real_blocking_code(virtual, real):
    async def main():
        # Without the hold, wait_for would time out at 5; the job takes 0.2 s of real time.
        await asyncio.wait_for(asyncio.to_thread(real.advance, 0.2), timeout=5)

    start = time.perf_counter_ns()
    asyncio.run(main())
    assert time.perf_counter_ns() - start == 200_000_000


def test_clock_holds_while_a_thread_the_example_started_runs(virtual, real):
    async def main():
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def work():
            real.advance(0.2)  # real code that runs 0.2 s
            loop.call_soon_threadsafe(future.set_result, "done")

        threading.Thread(target=work).start()
        return await asyncio.wait_for(future, timeout=5)

    start = time.perf_counter_ns()
    assert asyncio.run(main()) == "done"
    assert time.perf_counter_ns() - start == 200_000_000


def test_threads_sleeping_side_by_side_while_joined_wake_on_real_time(virtual_on_real_time):
    # join() is a real wait, so the sleepers cannot jump: they wait for real time to pass.
    start = time.perf_counter()
    threads = [threading.Thread(target=time.sleep, args=(1,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not any(thread.is_alive() for thread in threads)
    assert time.perf_counter() - start >= 1.0  # virtual time reached the sleepers' deadline


def test_clock_jumps_again_after_the_thread_has_finished(virtual, real):
    async def main():
        await asyncio.to_thread(real.advance, 0.05)
        await asyncio.sleep(10)

    start = time.perf_counter_ns()
    asyncio.run(main())
    assert time.perf_counter_ns() - start == 10_050_000_000  # 0.05 s held, then a jump


# --------------------------------------------------------------------------- children


def test_virtual_time_flows_with_real_time_while_a_child_process_lives(virtual, real):
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    start = time.perf_counter_ns()
    real.advance(0.3)
    while_alive = time.perf_counter_ns() - start
    child.stdin.close()
    child.wait()
    seen_gone = time.perf_counter_ns() - start  # a reading ends the real-speed stretch
    real.advance(1)
    later = time.perf_counter_ns() - start
    time.sleep(10)  # jumps again
    assert (while_alive, seen_gone, later) == (300_000_000, 300_000_000, 300_000_000)
    assert time.perf_counter_ns() - start == 10_300_000_000
    assert real.waits == []


def test_child_process_keeps_the_loop_from_jumping_until_it_is_gone(clocked):
    result = clocked.run(
        """
        async def main():
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "import time; time.sleep(0.3)"
            )
            start = time.perf_counter_ns()
            await asyncio.sleep(0.1)  # no jump while the child lives
            code = await asyncio.wait_for(proc.wait(), timeout=5)  # a jump would time out
            nap = time.perf_counter_ns() - start
            start = time.perf_counter_ns()
            await asyncio.sleep(10)  # the child is gone: jumps resume
            report(code=code, nap=nap, after=time.perf_counter_ns() - start)

        asyncio.run(main())
        """,
        fake=True,
    )
    assert result == {"code": 0, "nap": 100_000_000, "after": 10_000_000_000}


def test_blocking_subprocess_run_counts_real_time(clocked):
    result = clocked.run(
        """
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import time; time.sleep(0.2)"], check=True)
        report(elapsed=time.perf_counter() - start)
        """
    )
    # Virtual time, not wall time: it flowed at least as long as the child's own sleep.
    assert result["elapsed"] >= 0.2


def test_forked_child_sleeps_on_real_time_and_the_parent_flows_while_it_lives(clocked):
    result = clocked.run(
        """
        go_read, go_write = os.pipe()
        out_read, out_write = os.pipe()
        start = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            os.read(go_read, 1)
            before = time.perf_counter_ns()
            time.sleep(0.2)  # jumps are off in a forked child: this is the real sleep
            slept = json.dumps([time.perf_counter_ns() - before, real.sleeps])
            os.write(out_write, slept.encode())
            os._exit(0)
        real.advance(0.3)  # while the child lives
        parent = time.perf_counter_ns() - start
        os.write(go_write, b"x")
        os.waitpid(pid, 0)
        child, sleeps = json.loads(os.read(out_read, 1000))
        report(parent=parent, child=child, sleeps=sleeps)
        """,
        fake=True,
    )
    assert result == {"parent": 300_000_000, "child": 200_000_000, "sleeps": [0.2]}


# --------------------------------------------------------------------------- the cap


def test_cap_raises_virtual_time_exceeded_from_an_endless_sleep_loop(virtual):
    async def main():
        while True:  # noqa: ASYNC110 - a server that never ends
            await asyncio.sleep(1)

    virtual.begin_block(10)
    start = virtual.now()
    with pytest.raises(VirtualTimeExceeded, match="passed the cap of 10 s"):
        asyncio.run(main())
    assert virtual.now() - start == 10.0


def test_cap_raises_for_a_time_sleep_past_it(virtual):
    virtual.begin_block(1.5)
    time.sleep(1.5)  # exactly to the cap is allowed
    with pytest.raises(VirtualTimeExceeded):
        time.sleep(0.1)


def test_begin_block_without_a_cap_lifts_it(virtual):
    virtual.begin_block(1)
    virtual.begin_block(None)
    time.sleep(100)


# --------------------------------------------------------------------------- flowing


def test_flowing_follows_real_time_and_sleeps_for_real(virtual, real):
    real.waits_pass = True
    start = time.perf_counter_ns()
    with virtual.flowing():
        real.advance(0.25)
        time.sleep(1)  # a real sleep: no jumps
        asyncio.run(asyncio.sleep(0.5))  # a real wait in the loop's select
    assert time.perf_counter_ns() - start == 1_750_000_000
    assert real.sleeps == [1]
    assert real.waits == [("select", 0.5)]
    real.advance(1)
    assert time.perf_counter_ns() - start == 1_750_000_000  # frozen again
