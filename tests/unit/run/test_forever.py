"""A block that waits forever is stopped with SIGINT, as a reader stops it, and the next runs.

The clock's rule (tests/unit/clock/test_forever.py) decides when; these run a real child,
cold and warm, to see the stop reach the example as a reader's Ctrl-C does, and come back
as data.
"""

from __future__ import annotations

import pytest

from mdverify.check.report import message
from mdverify.model import Halt, Status

from .test_run import fence, run, start  # noqa: F401 -- `start` parametrizes cold and warm

SERVER = """\
import asyncio

async def main():
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 8888)
    print("serving")
    async with server:
        await server.serve_forever()

asyncio.run(main())"""


def test_a_server_serving_forever_ends_ok_and_names_its_port(tmp_path):
    result = run(tmp_path, fence(SERVER) + fence("print('next')"), timeout=20)
    assert result[0].status == Status.OK
    assert result[0].stdout == "serving\n"
    assert result[0].error is None
    assert result[0].interruption is not None
    assert result[0].interruption.halt is Halt.FOREVER
    assert result[0].interruption.serving == ("127.0.0.1:8888",)
    assert result[1].status == Status.OK
    assert result[1].stdout == "next\n"
    assert result[1].interruption is None


def test_run_forever_on_an_empty_loop_is_stopped_with_nothing_served(tmp_path):
    code = "import asyncio\nprint('go')\nasyncio.new_event_loop().run_forever()"
    result = run(tmp_path, fence(code), timeout=20)
    assert (result[0].status, result[0].stdout) == (Status.OK, "go\n")
    assert result[0].interruption is not None
    assert result[0].interruption.serving == ()


def test_the_example_sees_keyboardinterrupt_as_on_a_terminal(tmp_path):
    code = (
        "import asyncio\n"
        "try:\n"
        "    asyncio.run(asyncio.Event().wait())\n"
        "except KeyboardInterrupt:\n"
        "    print('bye')"
    )
    result = run(tmp_path, fence(code), timeout=20)
    assert (result[0].status, result[0].stdout) == (Status.OK, "bye\n")


def test_an_error_in_the_cleanup_after_the_stop_is_still_a_failure(tmp_path):
    code = (
        "import asyncio\n"
        "try:\n"
        "    asyncio.run(asyncio.Event().wait())\n"
        "finally:\n"
        "    raise RuntimeError('cleanup failed')"
    )
    result = run(tmp_path, fence(code), timeout=20)
    assert result[0].status == Status.RAISED
    assert "RuntimeError: cleanup failed" in (message(result[0]) or "")


@pytest.mark.parametrize(
    "code",
    [
        'import subprocess\nsubprocess.Popen(["sleep", "30"])',
        (
            "import select, threading\n"
            "threading.Thread(target=select.select, args=([], [], [], 30), daemon=True).start()"
        ),
    ],
    ids=["a child process", "a thread in real code"],
)
def test_a_wait_that_something_could_still_end_keeps_the_timeout(tmp_path, code):
    code += "\nimport asyncio\nasyncio.run(asyncio.Event().wait())"
    result = run(tmp_path, fence(code), timeout=1)
    assert result[0].status == Status.TIMEOUT


def test_the_real_clock_keeps_the_timeout(tmp_path):
    text = "---\nmdverify:\n  clock: real\n---\n\n" + fence(
        "import asyncio\nasyncio.run(asyncio.Event().wait())"
    )
    result = run(tmp_path, text, timeout=1)
    assert result[0].status == Status.TIMEOUT
