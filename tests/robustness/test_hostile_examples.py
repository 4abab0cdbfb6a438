"""Hostile or broken examples fail their own block; the session and other articles go on.

Every run here puts the hostile article beside a good one and checks that the good one
still passes. Timeouts are small so that the suite stays fast; no test asserts a duration.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mdverify.run import limits

GOOD = """
    # Good

    ```python
    print("ok")  # ok
    ```
    """

AFTER = """
```python
print("after")  # after
```
"""


def hostile(pytester, article, code: str, *args: str, after: bool = True):
    """Run `code` as block one of bad.md (line 3), then a good block, beside good.md."""
    text = "# Bad\n\n```python\n" + code.strip("\n") + "\n```\n" + (AFTER if after else "")
    (pytester.path / "bad.md").write_text(text)
    article("good.md", GOOD)
    return pytester.runpytest(*args)


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for init to reap it does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


def assert_internals_hidden(result) -> None:
    output = result.stdout.str() + result.stderr.str()
    assert "mdverify/run/" not in output  # the child, the watch, the starts
    assert "INTERNALERROR" not in output


@pytest.mark.parametrize(
    "code",
    [
        "while True:\n    pass",
        "import asyncio\n\nasync def spin():\n    while True:\n        pass\n\nasyncio.run(spin())",
    ],
    ids=["plain", "async-never-awaits"],
)
def test_infinite_loop_is_a_timeout_of_that_block(pytester, article, code):
    result = hostile(pytester, article, code, "--mdverify-timeout=0.5")
    result.assert_outcomes(failed=2, passed=1)
    result.stdout.fnmatch_lines(
        [
            "bad.md:3: timeout: the block ran longer than 0.5 s (real time)",
            "bad.md:*: not run: the article's process ended at line 3",
        ]
    )
    assert_internals_hidden(result)


@pytest.mark.parametrize("ending", ["timeout", "normal end"])
def test_subprocess_and_thread_left_behind_do_not_outlive_the_article(pytester, article, ending):
    marker = pytester.path / "pids"
    code = f"""
import os, subprocess, threading, time
sleeper = subprocess.Popen(["sleep", "1000"])
threading.Thread(target=time.sleep, args=(1000,)).start()  # not a daemon
with open({str(marker)!r}, "w") as f:
    f.write(f"{{sleeper.pid}} {{os.getpid()}}")
{"while True: pass" if ending == "timeout" else ""}
"""
    result = hostile(pytester, article, code, "--mdverify-timeout=2", after=False)
    outcome = {"failed": 1} if ending == "timeout" else {"passed": 1}
    result.assert_outcomes(passed=1 + outcome.get("passed", 0), failed=outcome.get("failed", 0))
    sleeper, child = (int(pid) for pid in marker.read_text().split())
    assert not alive(sleeper)
    assert not alive(child)  # the process that ran the non-daemon thread


@pytest.mark.skipif(
    limits.mechanism() != "cgroup", reason="only a pids cgroup finds processes outside the group"
)
def test_process_that_left_the_process_group_dies_with_the_article(pytester, article):
    marker = pytester.path / "pids"
    code = f"""
import subprocess
escaped = subprocess.Popen(["sleep", "1000"], start_new_session=True)
with open({str(marker)!r}, "w") as f:
    f.write(str(escaped.pid))
"""
    hostile(pytester, article, code).assert_outcomes(passed=3)
    assert not alive(int(marker.read_text()))


def test_endless_async_loop_stops_at_the_virtual_time_cap(pytester, article):
    code = (
        "import asyncio\n\nasync def tick():\n    while True:\n"
        "        await asyncio.sleep(1)\n\nasyncio.run(tick())"
    )
    result = hostile(pytester, article, code, "--mdverify-cap=100", "--mdverify-timeout=20")
    result.assert_outcomes(failed=1, passed=2)
    result.stdout.fnmatch_lines(
        ["bad.md:*: virtual-time cap reached: virtual time passed the cap of 100 s"]
    )


@pytest.mark.parametrize(
    ("code", "message", "later"),
    [
        ("import sys\nsys.exit(0)", "SystemExit: 0", "passes"),
        ("import sys\nsys.exit(3)", "SystemExit: 3", "passes"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt", "passes"),
        ("def down():\n    return down()\n\ndown()", "RecursionError: *", "passes"),
        (
            "import os\nos._exit(1)",
            "the article's process died: the process exited with status 1 during the block*",
            "not run",
        ),
        (
            "import ctypes\nctypes.string_at(0)",
            "the article's process died: the interpreter crashed (SIGSEGV) during the block",
            "not run",
        ),
    ],
    ids=["exit-0", "exit-3", "keyboard-interrupt", "recursion", "os-exit", "segfault"],
)
def test_exit_crash_or_interrupt_fails_only_that_block(pytester, article, code, message, later):
    result = hostile(pytester, article, code)
    if later == "passes":
        result.assert_outcomes(failed=1, passed=2)
    else:
        result.assert_outcomes(failed=2, passed=1)
        result.stdout.fnmatch_lines(["bad.md:*: not run: the article's process ended*"])
    result.stdout.fnmatch_lines([f"bad.md:*: {message}"])
    assert_internals_hidden(result)


def test_memory_hog_gets_memory_error_under_the_memory_limit(pytester, article):
    code = "hoard = []\nwhile True:\n    hoard.append(bytearray(16 * 1024 * 1024))"
    result = hostile(pytester, article, code, "--mdverify-memory=256M")
    result.assert_outcomes(failed=1, passed=2)
    result.stdout.fnmatch_lines(["bad.md:6: MemoryError"])


@pytest.mark.skipif(
    limits.mechanism() == "none",
    reason="nothing bounds processes here: root without a writable pids cgroup",
)
def test_fork_bomb_is_bounded_by_the_process_limit(pytester, article):
    # Bounded on purpose: at most 200 forks even if no limit held, each child asleep.
    marker = pytester.path / "forked"
    code = f"""
import os, time
forked = []
try:
    for _ in range(200):
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        forked.append(pid)
finally:
    with open({str(marker)!r}, "w") as f:
        f.write(" ".join(map(str, forked)))
"""
    result = hostile(pytester, article, code, "--mdverify-processes=20")
    result.assert_outcomes(failed=1, passed=2)
    result.stdout.fnmatch_lines(["bad.md:*: BlockingIOError: *Resource temporarily unavailable"])
    forked = [int(pid) for pid in marker.read_text().split()]
    assert 0 < len(forked) < 20
    assert not any(alive(pid) for pid in forked)


@pytest.mark.parametrize(
    "code",
    [
        "import sys\nsys.stdout.close()",
        "import io, sys\nsys.stdout = io.StringIO()\nsys.stderr = io.StringIO()",
        "import os\nos.close(1)\nos.close(2)",
        "import os\nos.dup2(os.open(os.devnull, os.O_WRONLY), 1)",
    ],
    ids=["close-sys-stdout", "replace-sys-stdout", "close-fd-1", "redirect-fd-1"],
)
def test_broken_stdout_is_repaired_for_the_next_block(pytester, article, code):
    result = hostile(pytester, article, code)
    result.assert_outcomes(passed=3)


def test_chdir_elsewhere_does_not_disturb_later_blocks(pytester, article):
    result = hostile(pytester, article, "import os\nos.chdir('/')")
    result.assert_outcomes(passed=3)


def test_deleting_its_own_working_directory_does_not_disturb_later_blocks(pytester, article):
    code = "import os, shutil\nshutil.rmtree(os.getcwd())"
    result = hostile(pytester, article, code)
    result.assert_outcomes(passed=3)
