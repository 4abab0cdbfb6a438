"""Running articles in the child process: `mdverify.run` (cold, warm) and its child together.

Every test runs twice: with a cold interpreter per article, and forked from the warm worker.
"""

import os
from pathlib import Path

import pytest

from mdverify.article.parse import parse_text
from mdverify.check.report import message
from mdverify.model import Halt, Status
from mdverify.run import environment
from mdverify.run.environment import child_env
from mdverify.run.options import RunOptions
from mdverify.run.request import prepare
from mdverify.run.runner import Runner

_START = {"warm": False}


@pytest.fixture(autouse=True, params=["cold", "warm"])
def start(request):
    _START["warm"] = request.param == "warm"


def run(tmp_path: Path, text: str, **options):
    path = tmp_path / "article.md"
    path.write_text(text)
    article = parse_text("article.md", text)
    run_options = RunOptions(**options)
    runner = Runner(run_options, warm=_START["warm"])
    try:
        prepared = prepare(article, str(path), article.examples, run_options)
        return runner.observations("article", prepared)
    finally:
        runner.close()


def fence(code: str) -> str:
    return f"```python\n{code}\n```\n\n"


def test_blocks_share_one_namespace_in_order(tmp_path):
    result = run(tmp_path, fence("x = 41") + fence("print(x + 1)"))
    assert result[1].stdout == "42\n"


def test_stdout_and_stderr_are_captured_per_block(tmp_path):
    code = "import sys\nprint('out')\nprint('err', file=sys.stderr)"
    result = run(tmp_path, fence(code) + fence("print('second')"))
    assert (result[0].stdout, result[0].stderr, result[1].stdout) == ("out\n", "err\n", "second\n")


def test_output_of_subprocesses_and_raw_fd_writes_counts(tmp_path):
    code = "import os, subprocess\nos.write(1, b'raw\\n')\nsubprocess.run(['echo', 'child'])"
    assert run(tmp_path, fence(code))[0].stdout == "raw\nchild\n"


def test_segments_mark_the_end_of_each_top_level_statement(tmp_path):
    result = run(tmp_path, fence("print('a')\nx = 1\nprint('bc')"))
    assert result[0].segments == ((2, 2), (3, 2), (4, 5))


def test_traceback_names_the_article_and_its_line(tmp_path):
    result = run(tmp_path, "# Title\n\n" + fence("x = 1\nraise ValueError('boom')"))
    assert result[0].status == "raised"
    assert 'File "article.md", line 5' in result[0].error
    assert result[0].error_line == 5
    assert "mdverify" not in result[0].error


def test_syntax_error_is_reported_at_the_article_line(tmp_path):
    result = run(tmp_path, "text\n\n" + fence("x = (\n"))
    assert result[0].status == "raised"
    assert "SyntaxError" in result[0].error
    assert result[0].error_line == 4


def test_block_after_a_failing_block_still_runs(tmp_path):
    result = run(tmp_path, fence("1 / 0") + fence("print('after')"))
    assert (result[0].status, result[1].status, result[1].stdout) == ("raised", "ok", "after\n")


def test_sys_exit_fails_the_block_and_the_next_one_runs(tmp_path):
    result = run(tmp_path, fence("import sys\nsys.exit(3)") + fence("print('after')"))
    assert result[0].status == "raised"
    assert "SystemExit: 3" in result[0].error
    assert result[1].stdout == "after\n"


def test_os_exit_ends_the_article_and_later_blocks_are_not_run(tmp_path):
    result = run(tmp_path, fence("import os\nos._exit(1)") + fence("print('after')"))
    assert result[0].status == "crashed"
    assert "status 1" in message(result[0])
    assert result[1].status == "not-run"
    assert message(result[1]) == (
        "not run: the block at line 1 ended the article's process with status 1"
    )


def test_segfault_is_reported_as_a_crash(tmp_path):
    result = run(tmp_path, fence("import ctypes\nctypes.string_at(0)"))
    assert result[0].status == "crashed"
    assert "SIGSEGV" in message(result[0])


def test_hanging_block_is_killed_at_the_timeout(tmp_path):
    result = run(tmp_path, fence("while True:\n    pass") + fence("print(1)"), timeout=0.5)
    assert result[0].status == "timeout"
    assert message(result[0]) == "timeout: the block ran longer than 0.5 s (real time)"
    assert result[1].status == "not-run"


def test_working_directory_is_a_fresh_temporary_directory(tmp_path):
    result = run(tmp_path, fence("import os\nprint(os.getcwd())\nopen('out.txt', 'w').close()"))
    cwd = Path(result[0].stdout.strip())
    assert cwd != tmp_path
    assert not (tmp_path / "out.txt").exists()
    assert not cwd.exists()


def test_name_is_main_so_the_script_guard_runs(tmp_path):
    result = run(tmp_path, fence('if __name__ == "__main__":\n    print("guarded")'))
    assert result[0].stdout == "guarded\n"


def test_top_level_await_shares_one_loop_across_blocks(tmp_path):
    first = (
        "import asyncio\n"
        "async def later():\n    return 7\n"
        "task = asyncio.create_task(later())\n"
        "await asyncio.sleep(0)"
    )
    result = run(tmp_path, fence(first) + fence("print(await task)"))
    assert result[1].stdout == "7\n"


def test_future_import_applies_to_the_rest_of_the_block(tmp_path):
    code = "from __future__ import annotations\ndef f(x: Undefined) -> None: ...\nprint('ok')"
    assert run(tmp_path, fence(code))[0].stdout == "ok\n"


def test_pycon_expected_exception_is_written_as_doctest_sees_it(tmp_path):
    text = (
        "```pycon\n>>> int('x')\nTraceback (most recent call last):\n  ...\nValueError: bad\n```\n"
    )
    result = run(tmp_path, text)
    assert result[0].status == "ok"
    assert result[0].stdout.endswith("ValueError: invalid literal for int() with base 10: 'x'\n")


def test_undecodable_output_is_shown_with_escapes(tmp_path):
    result = run(tmp_path, fence("import os\nos.write(1, b'bad \\xff byte\\n')"))
    assert result[0].stdout == "bad \\xff byte\n"


def test_relative_pythonpath_entries_are_made_absolute_for_the_child(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = child_env({"PYTHONPATH": os.pathsep.join(["lib", "/abs"])})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(tmp_path / "lib"), "/abs"]


def test_article_folders_go_under_tmpdir_when_the_user_set_one(monkeypatch, tmp_path):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert environment.scratch_dir() is None  # tempfile's choice: TMPDIR


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="no /dev/shm here")
def test_article_folders_go_to_ram_only_when_it_has_room(monkeypatch):
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    shm = os.statvfs("/dev/shm")
    roomy = shm.f_bavail * shm.f_frsize >= environment._SHM_ROOM
    assert (environment.scratch_dir() == "/dev/shm") == (roomy and os.access("/dev/shm", os.W_OK))
    monkeypatch.setattr(environment, "_SHM_ROOM", 1 << 62)
    assert environment.scratch_dir() is None


def test_the_exception_a_block_ended_with_comes_as_data(tmp_path):
    asks = "try:\n    input()\nexcept EOFError:\n    pass\nraise EOFError('own')"
    own = "raise EOFError('own')"
    code = ["print(reverse_list([1]))", "input()", asks, own, "1 / 0"]
    result = run(tmp_path, "".join(map(fence, code)))
    got = [(result[i].raised, result[i].asked_input) for i in range(5)]
    assert [(r.type, r.name, asked) for r, asked in got if r is not None] == [
        ("NameError", "reverse_list", False),
        ("EOFError", None, True),
        ("EOFError", None, True),  # it asked, then ended on an EOFError
        ("EOFError", None, False),  # the block before asked, not this one
        ("ZeroDivisionError", None, False),
    ]


def test_a_block_that_asked_for_input_and_went_on_says_so(tmp_path):
    result = run(tmp_path, fence("try:\n    input()\nexcept EOFError:\n    print('none')"))
    assert (result[0].status, result[0].raised, result[0].asked_input) == ("ok", None, True)


# -- a block that waits forever is stopped with SIGINT, as a reader stops it, and the next
# runs. The clock's rule (tests/unit/clock/test_forever.py) decides when; these run a real
# child, cold and warm, to see the stop reach the example as a reader's Ctrl-C does.

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
    result = run(tmp_path, fence(code), timeout=0.5)
    assert result[0].status == Status.TIMEOUT


def test_the_real_clock_keeps_the_timeout(tmp_path):
    text = "---\nmdverify:\n  clock: real\n---\n\n" + fence(
        "import asyncio\nasyncio.run(asyncio.Event().wait())"
    )
    result = run(tmp_path, text, timeout=0.5)
    assert result[0].status == Status.TIMEOUT
