"""Hostile or broken examples fail their own block; the session and other articles go on.

Every run here puts the hostile article beside a good one and checks that the good one
still passes. Timeouts are small so that the suite stays fast; no test asserts a duration.
These are the examples whose check looks outside the report (processes left behind); the
others (exits, crashes, loops, the memory cap, broken stdout) are case articles under
tests/cases/hostile and its option topics, checked by tests/plugin/test_cases.py.
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

OFF = ("--mdverify-sandbox=off",)
"""For the tests of the isolation without the sandbox, which is what remains where there is
none: they write pids to a file of the tree, which the sandbox makes read-only, and check
host pids, which its PID namespace renumbers. tests/robustness/test_sandbox.py checks the
same inside the sandbox."""

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
    result = hostile(pytester, article, code, "--mdverify-timeout=2", *OFF, after=False)
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
    hostile(pytester, article, code, *OFF).assert_outcomes(passed=3)
    assert not alive(int(marker.read_text()))


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
    result = hostile(pytester, article, code, "--mdverify-processes=20", *OFF)
    result.assert_outcomes(failed=1, passed=2)
    result.stdout.fnmatch_lines(["bad.md:*: BlockingIOError: *Resource temporarily unavailable"])
    forked = [int(pid) for pid in marker.read_text().split()]
    assert 0 < len(forked) < 20
    assert not any(alive(pid) for pid in forked)
