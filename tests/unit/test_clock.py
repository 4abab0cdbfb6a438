"""The virtual clock: loop time, the time module, the jump rule, the cap and the timeline.

Tests that need a pristine process (children, fork, sockets to other processes) run the
clock in a fresh interpreter; the others install it here and uninstall it afterwards.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from mdverify import clock
from mdverify.clock import VirtualTimeExceeded
from mdverify.clock.installer import uninstall
from mdverify.clock.loop import VirtualLoop
from mdverify.model import TaskSpan

# Taken at import, before any test installs the clock: the real wall clock.
real_perf_counter = time.perf_counter
real_time = time.time

SRC = Path(clock.__file__).resolve().parents[1]
PY311 = pytest.mark.skipif(sys.version_info < (3, 11), reason="new in Python 3.11")

# Everything install() may patch, to prove that _uninstall() puts it all back.
PATCHABLE = [
    *((time, name) for name in ("monotonic", "monotonic_ns", "perf_counter")),
    *((time, name) for name in ("perf_counter_ns", "time", "time_ns", "sleep")),
    (asyncio, "new_event_loop"),
    (asyncio.events, "new_event_loop"),
    (asyncio, "SelectorEventLoop"),
    (asyncio, "EventLoop"),
    (asyncio.DefaultEventLoopPolicy, "_loop_factory"),
    (asyncio.BaseEventLoop, "time"),
    (concurrent.futures.ThreadPoolExecutor, "submit"),
    (threading.Thread, "start"),
    (os, "fork"),
    (os, "posix_spawn"),
    (subprocess, "_fork_exec"),
]


def patchable_state() -> dict[tuple[int, str], tuple[object, bool]]:
    return {
        (id(target), name): (getattr(target, name, None), name in vars(target))
        for target, name in PATCHABLE
    }


@pytest.fixture
def virtual():
    before = patchable_state()
    installed = clock.install("virtual")
    installed.begin_block(None)
    try:
        yield installed
    finally:
        uninstall()
    assert patchable_state() == before


def run_clocked(body: str, mode: str = "virtual", timeout: float = 30) -> dict:
    """Run `body` under a freshly installed clock in a new interpreter; return its report."""
    proc = subprocess.run(
        [sys.executable, "-c", clocked_program(body, mode)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clocked_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


async def run_clocked_async(body: str, timeout: float = 30) -> dict:
    """`run_clocked` for a test whose own loop must keep serving meanwhile."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        clocked_program(body, "virtual"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=clocked_env(),
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode == 0, err.decode()
    return json.loads(out.decode().strip().splitlines()[-1])


def clocked_program(body: str, mode: str) -> str:
    prelude = f"""
import asyncio, json, os, socket, subprocess, sys, threading, time
from time import perf_counter as real_perf_counter
from mdverify.clock import VirtualTimeExceeded, install
clock = install({mode!r})
clock.begin_block(None)
def report(**values):
    print(json.dumps(values), flush=True)
"""
    return prelude + textwrap.dedent(body)


def clocked_env() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


async def nap(seconds: float) -> None:
    await asyncio.sleep(seconds)


def elapsed_of(coro_function, *args):
    """Run a coroutine function with asyncio.run; return (virtual, wall) seconds."""
    start, wall = time.perf_counter(), real_perf_counter()
    asyncio.run(coro_function(*args))
    return time.perf_counter() - start, real_perf_counter() - wall


# --------------------------------------------------------------------------- loop time


def test_sleep_5_measures_exactly_5_without_waiting(virtual):
    elapsed, wall = elapsed_of(nap, 5)
    assert elapsed == 5.0
    assert wall < 2  # only proves that no real 5 s sleep happened


def test_gather_of_two_1s_sleeps_measures_1(virtual):
    async def main():
        await asyncio.gather(nap(1), nap(1))

    assert elapsed_of(main)[0] == 1.0


def test_sequential_1s_then_half_a_second_measures_1_5(virtual):
    async def main():
        await nap(1)
        await nap(0.5)

    assert elapsed_of(main)[0] == 1.5


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

    assert elapsed_of(main)[0] == 2.0


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

    assert elapsed_of(main)[0] == 5.0


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


def test_loops_that_are_not_ours_keep_real_time(virtual):
    # A library may build the stdlib loop class directly; it cannot jump, so it must not
    # see the frozen clock either, or its timers would never come due.
    loop = asyncio.unix_events._UnixSelectorEventLoop()
    try:
        wall = real_perf_counter()
        loop.run_until_complete(asyncio.sleep(0.05))
        assert 0.04 < real_perf_counter() - wall < 2
    finally:
        loop.close()


# --------------------------------------------------------------------------- time module


def test_time_functions_and_their_ns_forms_follow_virtual_time(virtual):
    names = ["monotonic", "perf_counter", "time"]
    ns_names = ["monotonic_ns", "perf_counter_ns", "time_ns"]
    before = {name: getattr(time, name)() for name in names + ns_names}
    time.sleep(2)
    after = {name: getattr(time, name)() for name in names + ns_names}
    assert after["monotonic"] - before["monotonic"] == 2.0
    assert after["perf_counter"] - before["perf_counter"] == 2.0
    assert after["time"] - before["time"] == pytest.approx(2.0, abs=1e-6)
    assert all(after[name] - before[name] == 2_000_000_000 for name in ns_names)
    assert abs(before["time"] - real_time()) < 60  # an epoch near the real one


def test_time_sleep_outside_a_loop_advances_at_once(virtual):
    start, wall = time.monotonic(), real_perf_counter()
    time.sleep(30)
    assert time.monotonic() - start == 30.0
    assert real_perf_counter() - wall < 2


def test_time_sleep_rejects_what_the_real_one_rejects(virtual):
    with pytest.raises(ValueError, match="non-negative"):
        time.sleep(-1)
    with pytest.raises(TypeError):
        time.sleep("1")


def test_perf_counter_imported_by_name_after_install_is_virtual(virtual):
    from time import perf_counter  # noqa: PLC0415 - importing after install is the point

    start = perf_counter()
    time.sleep(3)
    assert perf_counter() - start == 3.0


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

    elapsed, wall = elapsed_of(main)
    assert elapsed == pytest.approx(1.0, abs=0.2)  # thread start-up runs on real time
    assert wall < 2


def test_clock_holds_while_to_thread_runs_real_blocking_code(virtual):
    async def main():
        # Event.wait blocks for real: threading took the real clock at import.
        await asyncio.wait_for(asyncio.to_thread(threading.Event().wait, 0.2), timeout=5)

    elapsed, wall = elapsed_of(main)  # without the hold, wait_for would time out at 5
    assert 0.15 < elapsed < 1.5
    assert elapsed == pytest.approx(wall, abs=0.1)


def test_clock_holds_while_a_thread_the_example_started_runs(virtual):
    async def main():
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def work():
            threading.Event().wait(0.2)
            loop.call_soon_threadsafe(future.set_result, "done")

        threading.Thread(target=work).start()
        return await asyncio.wait_for(future, timeout=5)

    start = time.perf_counter()
    assert asyncio.run(main()) == "done"
    assert 0.15 < time.perf_counter() - start < 1.5


def test_threads_sleeping_side_by_side_then_joined_measure_1s(virtual):
    # join() is a real wait, so the sleepers cannot jump; they run at real speed.
    start = time.perf_counter()
    threads = [threading.Thread(target=time.sleep, args=(1,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.perf_counter() - start == pytest.approx(1.0, abs=0.3)


def test_clock_jumps_again_after_the_thread_has_finished(virtual):
    async def main():
        await asyncio.to_thread(threading.Event().wait, 0.05)
        wall = real_perf_counter()
        await asyncio.sleep(10)
        return real_perf_counter() - wall

    assert asyncio.run(main()) < 2


# --------------------------------------------------------------------------- children


def test_child_process_keeps_virtual_time_at_real_speed():
    result = run_clocked(
        """
        async def main():
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", "import time; time.sleep(0.3)"
            )
            start, wall = time.perf_counter(), real_perf_counter()
            await asyncio.sleep(0.1)  # real speed while the child lives
            nap_wall = real_perf_counter() - wall
            await asyncio.wait_for(proc.wait(), timeout=5)  # a jump would time out
            waited = time.perf_counter() - start
            wall = real_perf_counter()
            await asyncio.sleep(10)  # the child is gone: jumps resume
            report(nap_wall=nap_wall, waited=waited, after_wall=real_perf_counter() - wall)

        asyncio.run(main())
        """
    )
    assert result["nap_wall"] > 0.08
    assert 0.2 < result["waited"] < 3
    assert result["after_wall"] < 2


def test_blocking_subprocess_run_counts_real_time():
    result = run_clocked(
        """
        start, wall = time.perf_counter(), real_perf_counter()
        subprocess.run([sys.executable, "-c", "import time; time.sleep(0.2)"], check=True)
        report(elapsed=time.perf_counter() - start, wall=real_perf_counter() - wall)
        """
    )
    assert result["elapsed"] > 0.2
    assert result["elapsed"] == pytest.approx(result["wall"], abs=0.1)


def test_forked_child_sleeps_on_real_time():
    result = run_clocked(
        """
        read_end, write_end = os.pipe()
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            wall = real_perf_counter()
            time.sleep(0.2)
            os.write(write_end, repr(real_perf_counter() - wall).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        report(child_wall=float(os.read(read_end, 100)), elapsed=time.perf_counter() - start)
        """
    )
    assert result["child_wall"] > 0.18
    assert result["elapsed"] > 0.18


# --------------------------------------------------------------------------- sockets

ECHO_CLIENT = """
async def ask(port, timeout):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"ping")
    start, wall = time.perf_counter(), real_perf_counter()
    try:
        answer = (await asyncio.wait_for(reader.read(100), timeout=timeout)).decode()
    except asyncio.TimeoutError:
        answer = None
    elapsed, wall = time.perf_counter() - start, real_perf_counter() - wall
    writer.close()
    return dict(answer=answer, elapsed=elapsed, wall=wall)
"""

SLOW_ECHO_SERVER = """
import socket, sys, time
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
data = conn.recv(100)
time.sleep(0.2)  # a real delay: this interpreter has no virtual clock
conn.sendall(data)
conn.recv(100)
"""


@pytest.mark.parametrize(("timeout", "answer"), [(1.0, "ping"), (0.05, None)])
def test_tcp_server_in_a_thread_answers_after_a_real_delay(timeout, answer):
    result = run_clocked(
        ECHO_CLIENT
        + f"""
listener = socket.create_server(("127.0.0.1", 0))

def serve():
    conn, _ = listener.accept()
    with conn:
        data = conn.recv(100)
        threading.Event().wait(0.2)  # a real delay
        conn.sendall(data)

threading.Thread(target=serve, daemon=True).start()
report(**asyncio.run(ask(listener.getsockname()[1], {timeout})))
"""
    )
    assert result["answer"] == answer
    assert result["elapsed"] >= min(timeout, 0.2) - 0.01  # waited at real speed


@pytest.mark.parametrize(("timeout", "answer"), [(1.0, "ping"), (0.05, None)])
def test_tcp_server_in_a_child_process_answers_after_a_real_delay(timeout, answer):
    result = run_clocked(
        ECHO_CLIENT
        + f"""
server = subprocess.Popen([sys.executable, "-c", {SLOW_ECHO_SERVER!r}], stdout=subprocess.PIPE)
port = int(server.stdout.readline())
report(**asyncio.run(ask(port, {timeout})))
server.kill()
server.wait()
"""
    )
    assert result["answer"] == answer
    assert result["elapsed"] >= min(timeout, 0.2) - 0.01  # waited at real speed


@pytest.mark.asyncio
async def test_answer_from_another_process_within_the_grace_period_is_not_overtaken():
    async def answer_soon(reader, writer):
        # Even at once, the answer takes a real moment to cross from process to process.
        writer.write(await reader.read(100))
        await writer.drain()
        await reader.read()
        writer.close()

    server = await asyncio.start_server(answer_soon, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        result = await run_clocked_async(ECHO_CLIENT + f"report(**asyncio.run(ask({port}, 1.0)))")
    assert result["answer"] == "ping"
    assert result["elapsed"] < 0.1


@pytest.mark.asyncio
async def test_silent_peer_in_another_process_still_times_out_at_the_virtual_deadline():
    async def never_answer(reader, writer):
        await reader.read()
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        result = await run_clocked_async(ECHO_CLIENT + f"report(**asyncio.run(ask({port}, 5.0)))")
    assert result["answer"] is None
    assert result["elapsed"] == pytest.approx(5.0, abs=1e-6)
    assert result["wall"] < 2  # one grace period, then a jump


def test_peers_within_one_loop_jump_without_a_grace_period(virtual):
    async def main():
        async def answer_after_1s(reader, writer):
            while data := await reader.read(100):
                await asyncio.sleep(1)
                writer.write(data)
            writer.close()

        server = await asyncio.start_server(answer_after_1s, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(5):
                writer.write(b"ping")
                assert await asyncio.wait_for(reader.read(100), timeout=5) == b"ping"
            writer.close()
            await writer.wait_closed()

    elapsed, wall = elapsed_of(main)
    assert elapsed == 5.0
    assert wall < 0.4  # five grace periods would take 0.5 s


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


# --------------------------------------------------------------------------- timeline


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


def test_real_clock_leaves_time_alone_and_records_the_timeline():
    result = run_clocked(
        """
        async def main():
            await asyncio.gather(asyncio.sleep(0.1), asyncio.sleep(0.1))

        wall = real_perf_counter()
        asyncio.run(main())
        report(
            untouched=time.sleep.__module__ == "time" and time.perf_counter is real_perf_counter,
            wall=real_perf_counter() - wall,
            spans=[[span.name, span.start, span.end] for span in clock.timeline()],
        )
        """,
        mode="real",
    )
    assert result["untouched"] is True
    assert result["wall"] > 0.09
    assert [name for name, _, _ in result["spans"]] == ["main", "sleep", "sleep"]
    assert all(end == pytest.approx(0.1, abs=0.1) for _, _, end in result["spans"])


# --------------------------------------------------------------------------- installing


def test_install_is_idempotent_and_refuses_another_mode(virtual):
    assert clock.install("virtual") is virtual
    with pytest.raises(RuntimeError, match="already installed"):
        clock.install("real")


def test_uninstall_restores_every_patched_name():
    before = patchable_state()
    clock.install("virtual")
    try:
        assert patchable_state() != before
    finally:
        uninstall()
    assert patchable_state() == before


def test_clock_module_does_not_import_pytest():
    code = "import sys, mdverify.clock; print('pytest' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clocked_env(),
        check=True,
    )
    assert proc.stdout.strip() == "False"


@pytest.mark.asyncio
@pytest.mark.parametrize(("declared", "answer"), [(True, "ping"), (False, None)])
async def test_a_pending_request_to_a_declared_service_holds_virtual_time(declared, answer):
    async def answer_after_half_a_second(reader, writer):
        data = await reader.read(100)
        await asyncio.sleep(0.5)  # real time: this process has no virtual clock
        writer.write(data)
        await writer.drain()
        await reader.read()
        writer.close()

    server = await asyncio.start_server(answer_after_half_a_second, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        declare = f"clock_module.expect_replies_from([('127.0.0.1', {port})])\n"
        result = await run_clocked_async(
            "import mdverify.clock as clock_module\n"
            + (declare if declared else "")
            + ECHO_CLIENT
            + f"report(**asyncio.run(ask({port}, 5.0)))"
        )
    assert result["answer"] == answer
