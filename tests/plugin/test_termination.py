"""How a session ends when it is told to: SIGTERM as Ctrl+C, SIGKILL leaving nothing behind.

Each test starts a real pytest over an article that records its pid and folder and then
spins, signals that pytest, and looks at what is left: the article's process, its folder.
The waits are bounded only so that a broken build fails rather than hangs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG"),
]

SPINNER = """
# Spinner

```python
import os
with open(os.environ["PROBE_FILE"] + ".tmp", "w") as probe:
    probe.write(f"{os.getpid()} {os.getcwd()}")
os.rename(os.environ["PROBE_FILE"] + ".tmp", os.environ["PROBE_FILE"])
while True:
    pass
```
"""


def _start(pytester: pytest.Pytester, article, start: str) -> tuple[subprocess.Popen[str], Path]:
    article("spin.md", SPINNER)
    probe = pytester.path / "probe.txt"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["PROBE_FILE"] = str(probe)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"]
    command += [f"--mdverify-start={start}", "--mdverify-pass-env=PROBE_FILE"]
    command += ["--mdverify-timeout=600", "spin.md"]
    process = subprocess.Popen(
        command,
        cwd=pytester.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _until(probe.exists, process)
    return process, probe


def _until(condition, process: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"pytest ended first: {process.communicate()[0]}")
        assert time.monotonic() < deadline, "waited two minutes"
        time.sleep(0.05)


def _gone(pid: int) -> bool:
    try:
        with Path(f"/proc/{pid}/stat").open() as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # dead, not yet reaped
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_sigterm_ends_the_session_as_ctrl_c_killing_the_article_and_removing_its_folder(
    pytester, article, start
):
    process, probe = _start(pytester, article, start)
    pid, cwd = probe.read_text().split(" ", 1)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "KeyboardInterrupt" in output
    _until(lambda: _gone(int(pid)))
    assert not Path(cwd).parent.exists()  # the article's folder, capture files and all


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_an_article_dies_with_a_pytest_killed_by_sigkill(pytester, article, start):
    process, probe = _start(pytester, article, start)
    pid = int(probe.read_text().split(" ", 1)[0])
    process.kill()
    process.communicate(timeout=120)
    _until(lambda: _gone(pid))  # without PR_SET_PDEATHSIG a cold one spins on for good


def test_a_second_sigterm_does_not_cut_the_clean_up_short(pytester, article):
    process, probe = _start(pytester, article, "cold")
    cwd = probe.read_text().split(" ", 1)[1]
    process.send_signal(signal.SIGTERM)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert not Path(cwd).parent.exists()
