"""Rule 4: sockets to peers outside the loop get a grace period, known services a hold.

An external peer here is a plain socket of the test's own, outside the clocked loop:
the clock tells peers apart by address only. The fake real clock scripts its answers
(`real.at`), so readings are exact; one test keeps a server in another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time

import pytest

from mdverify import clock


async def ask(port, timeout):
    """Send "ping" and wait `timeout` virtual seconds for the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.perf_counter_ns()
    writer.write(b"ping")
    try:
        answer = (await asyncio.wait_for(reader.read(100), timeout=timeout)).decode()
    except asyncio.TimeoutError:
        answer = None
    elapsed = time.perf_counter_ns() - start
    writer.close()
    return answer, elapsed


@pytest.fixture
def listener():
    """A server socket outside the clocked loop: a peer in another process, for the clock."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server


def echo_once(server, accepted):
    """Accept a connection and send back what it sent (a scripted peer's answer)."""
    conn, _ = server.accept()
    conn.settimeout(5)
    accepted.append(conn)
    conn.sendall(conn.recv(100))


@pytest.mark.parametrize(("timeout", "answer"), [(1.0, "ping"), (0.05, None)])
def test_tcp_server_in_a_thread_holds_the_clock_while_it_works(
    virtual, real, listener, timeout, answer
):
    release = threading.Event()
    if answer:
        release.set()

    def serve():
        conn, _ = listener.accept()
        with conn:
            data = conn.recv(100)
            # Real work that takes 0.2 s, while the client waits for it (not before).
            done = threading.Event()
            real.on_next_wait(lambda: (real.advance(0.2), done.set()))
            done.wait()
            release.wait()
            with contextlib.suppress(OSError):  # the client may have given up
                conn.sendall(data)

    server = threading.Thread(target=serve)
    server.start()
    try:
        result = asyncio.run(ask(listener.getsockname()[1], timeout))
    finally:
        release.set()
        server.join()
    # Either way the timer looks first once the 0.2 s of real work are over.
    assert result == (answer, 200_000_000)


def test_answer_from_another_process_within_the_grace_period_is_not_overtaken(
    virtual, real, listener
):
    real.waits_pass = True
    accepted = []
    real.at(0.03, lambda: echo_once(listener, accepted))
    result = asyncio.run(ask(listener.getsockname()[1], 1.0))
    assert result == ("ping", 30_000_000)  # it came 0.03 s into the 0.1 s grace period
    assert real.waits == [("select", 0.1)]
    accepted[0].close()


def test_silent_peer_in_another_process_still_times_out_at_the_virtual_deadline(
    virtual, real, listener
):
    real.waits_pass = True
    assert asyncio.run(ask(listener.getsockname()[1], 5.0)) == (None, 5_000_000_000)
    assert real.waits == [("select", 0.1)]  # one grace period, then a jump
    assert real.elapsed_ns() == 100_000_000


@pytest.mark.parametrize(("declared", "answer", "elapsed"), [(True, "ping", 0.5), (False, None, 5)])
def test_a_pending_request_to_a_declared_service_holds_virtual_time(
    virtual, real, listener, declared, answer, elapsed
):
    real.waits_pass = True
    port = listener.getsockname()[1]
    if declared:
        clock.expect_replies_from([("127.0.0.1", port)])
    accepted = []
    real.at(0.5, lambda: echo_once(listener, accepted))
    assert asyncio.run(ask(port, 5.0)) == (answer, round(elapsed * 1e9))
    if not declared:
        assert real.waits == [("select", 0.1)]  # the grace period, then the jump
    for conn in accepted:
        conn.close()


def test_peers_within_one_loop_jump_without_a_grace_period(virtual, real):
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

    start = virtual.now()
    asyncio.run(main())
    assert virtual.now() - start == 5.0
    assert real.waits == []  # no grace period, not one real wait


ECHO_CLIENT = """
async def ask(port, timeout):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"ping")
    try:
        answer = (await asyncio.wait_for(reader.read(100), timeout=timeout)).decode()
    except asyncio.TimeoutError:
        answer = None
    writer.close()
    return dict(answer=answer)
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
def test_tcp_server_in_a_child_process_answers_after_a_real_delay(clocked, timeout, answer):
    # The child lives, so time flows at real speed: the answer after 0.2 s real beats a
    # 1 s timeout (a jump would have timed out) and loses to one of 0.05 s.
    result = clocked.run(
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


@pytest.mark.asyncio
@pytest.mark.parametrize(("declared", "answer"), [(True, "ping"), (False, None)])
async def test_a_declared_service_in_another_process_answers_within_the_timeout(
    clocked, declared, answer
):
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
        result = await clocked.run_async(
            "import mdverify.clock as clock_module\n"
            + (declare if declared else "")
            + ECHO_CLIENT
            + f"report(**asyncio.run(ask({port}, 5.0)))"
        )
    assert result["answer"] == answer
