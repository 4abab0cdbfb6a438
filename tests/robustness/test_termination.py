"""How a session ends when it is told to: SIGTERM as Ctrl+C, SIGKILL leaving nothing behind.

Each test starts a real pytest over an article that writes a probe into its own folder and
spins, signals that pytest, and looks at what is left: every process that carries the
run's mark in its environment (bwrap, the worker, the article and its stand-ins, which all
inherit it), and the article's folder and whatever mdverify folder holds it. The article is
found through `/proc`, not through a file of the tree, and by its environment, not its pid:
inside the sandbox the tree is read-only and a PID namespace renumbers the article. In the
sandbox the article also writes into `/tmp` and `/dev/shm`, which are its own there and
must vanish with it. The waits are bounded only so that a broken build fails rather than
hangs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from mdverify.run.sandbox import Unavailable, probe

FOUND = probe(sys.executable, None)
pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG"),
]
MARK = "MDVERIFY_TERMINATION_MARK"
SANDBOXES = [
    "off",
    pytest.param(
        "require",
        marks=pytest.mark.skipif(
            isinstance(FOUND, Unavailable), reason=f"no sandbox: {getattr(FOUND, 'reason', '')}"
        ),
    ),
]

SPINNER = """
# Spinner

```python
import os
mark = os.environ["MDVERIFY_TERMINATION_MARK"]
for private in ("/tmp", "/dev/shm"):
    if os.environ["SANDBOX"] != "off":  # outside the sandbox these are the machine's own
        with open(f"{private}/{mark}", "w") as left:
            left.write("left behind")
with open("probe.tmp", "w") as probe:
    probe.write(os.getcwd())
os.rename("probe.tmp", "probe.txt")
while True:
    pass
```
"""


class Session:
    """A pytest over the spinner, and what the test found of its article once it spun."""

    def __init__(self, pytester: pytest.Pytester, start: str, sandbox: str) -> None:
        (pytester.path / "spin.md").write_text(SPINNER)
        self.mark = uuid.uuid4().hex
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
        env |= {MARK: self.mark, "SANDBOX": sandbox}
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"]
        command += [f"--mdverify-start={start}", f"--mdverify-sandbox={sandbox}"]
        command += [f"--mdverify-pass-env={MARK}", "--mdverify-pass-env=SANDBOX"]
        command += ["--mdverify-timeout=600", "spin.md"]
        self.process = subprocess.Popen(
            command,
            cwd=pytester.path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.cwd = Path(_until(self._probe, self.process))
        self.marked = _marked(self.mark)
        assert self.marked, "no process carries the mark"
        # The topmost folder mdverify made on the way to the article's working directory.
        self.folder = next(p for p in reversed(self.cwd.parents) if p.name.startswith("mdverify-"))
        self.private = [Path(folder, self.mark) for folder in ("/tmp", "/dev/shm")]
        self.cgroups = {group for pid in self.marked for group in _cgroups(pid)}

    def _probe(self) -> str | None:
        for pid in _marked(self.mark):
            try:
                return Path(f"/proc/{pid}/cwd/probe.txt").read_text()
            except OSError:
                continue
        return None

    def assert_nothing_left(self) -> None:
        _until(lambda: not _marked(self.mark))  # without PR_SET_PDEATHSIG a cold one spins on
        _until(lambda: not self.folder.exists())
        _until(lambda: not any(group.exists() for group in self.cgroups))
        left = [path for path in self.private if path.exists()]
        for path in left:
            path.unlink()  # the machine's own /tmp and /dev/shm: a failure must not litter them
        assert not left, "the article's files in /tmp or /dev/shm outlived it"


def _cgroups(pid: int) -> list[Path]:
    """The article's pids cgroups that `pid` is in (none inside the sandbox)."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if Path(path).name.startswith("mdverify-"):
            mount = "pids" if "pids" in controllers.split(",") else "unified"
            found.append(Path("/sys/fs/cgroup", mount, path.lstrip("/")))
    return found


def _marked(mark: str) -> list[int]:
    """The live processes whose environment holds the mark (zombies are not)."""
    wanted = f"{MARK}={mark}".encode()
    found = []
    for folder in Path("/proc").iterdir():
        if not folder.name.isdigit():
            continue
        try:
            if wanted not in (folder / "environ").read_bytes().split(b"\0"):
                continue
            state = (folder / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(folder.name))
    return found


def _until(condition, process: subprocess.Popen[str] | None = None):
    deadline = time.monotonic() + 120
    while not (found := condition()):
        if process is not None and process.poll() is not None:
            pytest.fail(f"pytest ended first: {process.communicate()[0]}")
        assert time.monotonic() < deadline, "waited two minutes"
        time.sleep(0.05)
    return found


@pytest.mark.parametrize("sandbox", SANDBOXES)
@pytest.mark.parametrize("start", ["warm", "cold"])
def test_sigterm_ends_the_session_as_ctrl_c_killing_the_article_and_removing_its_folder(
    pytester, start, sandbox
):
    session = Session(pytester, start, sandbox)
    session.process.send_signal(signal.SIGTERM)
    output, _ = session.process.communicate(timeout=120)
    assert session.process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "KeyboardInterrupt" in output
    session.assert_nothing_left()


@pytest.mark.parametrize("sandbox", SANDBOXES)
@pytest.mark.parametrize("start", ["warm", "cold"])
def test_a_pytest_killed_by_sigkill_leaves_no_process_folder_or_file(pytester, start, sandbox):
    session = Session(pytester, start, sandbox)
    session.process.kill()
    session.process.communicate(timeout=120)
    session.assert_nothing_left()


def test_a_second_sigterm_does_not_cut_the_clean_up_short(pytester):
    session = Session(pytester, "cold", "off")
    session.process.send_signal(signal.SIGTERM)
    session.process.send_signal(signal.SIGTERM)
    output, _ = session.process.communicate(timeout=120)
    assert session.process.returncode == pytest.ExitCode.INTERRUPTED, output
    assert not session.folder.exists()
