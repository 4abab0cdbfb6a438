"""What a pull request's example cannot do inside the sandbox (`mdverify.run.sandbox`).

One test per finding of the attack review (docs/robustness.md, "The sandbox"). Each runs a
hostile article beside a good one with `--mdverify-sandbox=require`; where the threat is
real without the sandbox here, the same article is also run with `off`, where it must
succeed in its attack (so the test can fail). As root, a tree that `nobody` may read runs
as `nobody`, and one only root may enter (pytest's own temporary folders) as uid 0 without
capabilities: `user` runs the tests under both.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from mdverify.run.runner import Runner
from mdverify.run.sandbox import Unavailable, probe

FOUND = probe(sys.executable, None)
pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(
        isinstance(FOUND, Unavailable),
        reason=f"no sandbox here: {getattr(FOUND, 'reason', '')}",
    ),
]
REQUIRE = "--mdverify-sandbox=require"
OFF = "--mdverify-sandbox=off"
ROOT = os.geteuid() == 0
GOOD = """
    # Good

    ```python
    print("ok")  # ok
    ```
    """


@pytest.fixture(params=["nobody", "uid 0"] if ROOT else ["user"])
def user(request, pytester):
    """As root: a tree everyone may read (the sandbox runs as nobody) or only root (uid 0)."""
    pytester.path.chmod(0o755 if request.param != "uid 0" else 0o700)
    return request.param


def hostile(pytester, article, code: str) -> None:
    """bad.md runs `code` as its one block (line 3); good.md stands beside it."""
    (pytester.path / "bad.md").write_text("# Bad\n\n```python\n" + code.strip("\n") + "\n```\n")
    article("good.md", GOOD)


def alive(token: str) -> list[int]:
    """Pids of the machine's processes whose command line holds `token`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def gone(token: str) -> bool:
    """Whether the processes holding `token` go within a minute (a kill is not instant).

    The kernel kills what is left in a PID namespace when its first process ends, but the
    victims exit on their own time: on a loaded machine, some are still there a moment later.
    """
    deadline = time.monotonic() + 60
    while alive(token):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


ENVIRON = """
import os
found = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            if b"MDVERIFY_TEST_SECRET=" in f.read():
                found.append(pid)
    except OSError:
        pass
print(found)  # []
"""


@pytest.mark.parametrize(("mode", "bad"), [(REQUIRE, "passed"), (OFF, "failed")])
def test_no_process_environment_holding_a_secret_is_readable(
    pytester, article, monkeypatch, user, mode, bad
):
    # A subprocess: /proc/<pid>/environ is the environment a process was started with.
    monkeypatch.setenv("MDVERIFY_TEST_SECRET", uuid.uuid4().hex)
    hostile(pytester, article, ENVIRON)
    result = pytester.runpytest_subprocess(mode, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1 + (bad == "passed"), failed=int(bad == "failed"))


MEMORY = """
import os

def opens(pid):
    try:
        open(f"/proc/{pid}/mem", "rb").close()
    except OSError:
        return False
    return True

seen, opened, worker = 0, [], []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:  # a process of another article may end meanwhile
        argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\\0")
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        continue
    if b"-mpytest" in argv or any(arg.endswith(b"/pytest") for arg in argv[:2]):
        seen += 1
        opened += [pid] if opens(pid) else []
    if b"mdverify.run.worker" in argv and "\\nPPid:\\t1\\n" in status:  # not a fork of it
        worker += [pid] if opens(pid) else []
print([seen, opened, worker])  # [0, [], []]
"""


@pytest.mark.parametrize(
    ("mode", "bad"), [(REQUIRE, "passed"), *([(OFF, "failed")] if ROOT else [])]
)
def test_neither_pytest_nor_the_worker_memory_can_be_opened(pytester, article, user, mode, bad):
    hostile(pytester, article, MEMORY)
    result = pytester.runpytest_subprocess(mode, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1 + (bad == "passed"), failed=int(bad == "failed"))


@pytest.mark.parametrize(("mode", "bad"), [(REQUIRE, "passed"), (OFF, "failed")])
def test_ssh_keys_git_credentials_and_git_config_are_hidden(
    pytester, article, monkeypatch, user, mode, bad
):
    home = pytester.path / "home"  # inside the tree, which the sandbox binds back
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("PRIVATE KEY\n")
    (home / ".git-credentials").write_text("https://x:ghp_token@github.com\n")
    (pytester.path / ".git").mkdir()
    (pytester.path / ".git" / "config").write_text("[http]\n\textraheader = AUTH\n")
    home.chmod(0o755)
    monkeypatch.setenv("HOME", str(home))
    code = f"""
import os

def readable(path):
    try:
        with open(os.path.expanduser(path), "rb"):
            return True
    except OSError:
        return False

names = ["~/.ssh/id_ed25519", "~/.git-credentials", {str(pytester.path / ".git/config")!r}]
print([readable(name) for name in names])  # [False, False, False]
"""
    hostile(pytester, article, code)
    result = pytester.runpytest(mode)
    result.assert_outcomes(passed=1 + (bad == "passed"), failed=int(bad == "failed"))


def test_the_system_and_the_tree_are_read_only_and_nothing_is_root(pytester, article, user):
    code = f"""
import os

def writable(path):
    try:
        with open(path, "w"):
            return True
    except OSError:
        return False

outside = ["/etc/mdverify-probe", {str(pytester.path / "x")!r}]
print([writable(path) for path in outside])  # [False, False]
print([writable("mine.txt"), writable("/tmp/mine.txt")])  # [True, True]
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines())
print([status["CapEff"], status["CapPrm"]])  # ['0000000000000000', '0000000000000000']
try:
    os.setuid(1)
except OSError:  # EPERM, or EINVAL where uid 1 has no place in the user namespace
    print("no setuid")  # no setuid
"""
    hostile(pytester, article, code)
    result = pytester.runpytest(REQUIRE)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*2 blocks ran: 2 with output compared (5 outputs)*"])
    assert not (pytester.path / "x").exists()


class Listeners:
    """A TCP and a UDP socket on pytest's loopback, noting anything that reaches them."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.reached: list[str] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            self.reached.append("tcp")
            conn.close()

    def close(self) -> list[str]:
        self.udp.setblocking(False)
        try:
            self.udp.recv(100)
            self.reached.append("udp")
        except BlockingIOError:
            pass
        self.tcp.close()
        self.udp.close()
        return self.reached


ROUTES = """
import _socket, importlib, shutil, socket, subprocess, sys
raw = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
raw.settimeout(2)
try:
    raw.connect(("127.0.0.1", {tcp}))
except OSError:
    pass
importlib.reload(socket)
try:
    socket.create_connection(("127.0.0.1", {tcp}), timeout=2)
except OSError:
    pass
_socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {udp}))
line = "import socket; socket.create_connection(('127.0.0.1', {tcp}), timeout=2)"
subprocess.run([sys.executable, "-c", line], capture_output=True)
if shutil.which("curl"):
    subprocess.run(["curl", "-s", "-m", "2", "http://127.0.0.1:{tcp}/"], capture_output=True)
"""
"""Every route out to a listener on pytest's loopback at ports {tcp} and {udp}."""


def test_an_article_without_hosts_reaches_nothing_by_any_route(pytester, article, user):
    listeners = Listeners()
    tcp, udp = listeners.tcp.getsockname()[1], listeners.udp.getsockname()[1]
    code = ROUTES.format(tcp=tcp, udp=udp) + 'print("tried")  # tried\n'
    hostile(pytester, article, code)
    pytester.runpytest(REQUIRE).assert_outcomes(passed=2)
    assert listeners.close() == []


HOSTED = """
import urllib.request
print(urllib.request.urlopen("http://example.com/", timeout=5).read().decode().strip())
"""


@pytest.mark.parametrize("sandbox", [REQUIRE, OFF])
def test_an_article_with_hosts_reaches_them_and_nothing_else(pytester, article, user, sandbox):
    # Its own namespace, with a doorman to the declared servers (`mdverify.run.bridge`):
    # the routes above reach nothing, the declared host answers. As root without the
    # sandbox, the namespace is made with root's own capability, so `off` holds it too.
    if sandbox == OFF and not ROOT:
        pytest.skip("without the sandbox, a user that is not root shares the network")
    listeners = Listeners()
    tcp, udp = listeners.tcp.getsockname()[1], listeners.udp.getsockname()[1]
    pages = pytester.path / "_pages" / "example.com"
    pages.mkdir(parents=True)
    (pages / "index.html").write_text("<h1>Example</h1>\n")
    code = HOSTED + ROUTES.format(tcp=tcp, udp=udp)  # ROUTES reloads socket: hosts first
    shown = "\n```text\n<h1>Example</h1>\n```\n"
    (pytester.path / "bad.md").write_text(
        "<!-- mdverify: hosts=example.com -->\n\n```python\n" + code.strip("\n") + "\n```\n" + shown
    )
    article("good.md", GOOD)
    pytester.runpytest(sandbox).assert_outcomes(passed=2)
    assert listeners.close() == []


SERVED = """
<!-- mdverify: serve port=8765 request="GET /" expect="served" -->

```python
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"served")

try:
    HTTPServer(("127.0.0.1", 8765), Handler).serve_forever()
except KeyboardInterrupt:
    pass
```

```python
{routes}
print("tried")  # tried
```
"""


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_an_article_whose_server_is_checked_reaches_nothing_else(pytester, article, user, start):
    # The parent's requests reach the server through a doorman inside the article's
    # namespace (`mdverify.run.bridge`, INWARD); nothing from it reaches pytest's loopback.
    listeners = Listeners()
    tcp, udp = listeners.tcp.getsockname()[1], listeners.udp.getsockname()[1]
    routes = ROUTES.format(tcp=tcp, udp=udp).strip("\n")
    (pytester.path / "bad.md").write_text(SERVED.replace("{routes}", routes))
    article("good.md", GOOD)
    result = pytester.runpytest(REQUIRE, f"--mdverify-start={start}")
    result.assert_outcomes(passed=3)
    assert listeners.close() == []


def test_an_example_signals_neither_pytest_nor_the_worker(pytester, article, monkeypatch, user):
    # Inside, pid 1 is the article's own init and every number /proc shows is another
    # namespace's; the guard keeps a broken sandbox from stopping the machine's processes.
    # The parent is the article's own stand-in, as without the sandbox: stopping it holds
    # nothing, killing it ends the article (tests/cases/hostile*/killing-its-parent-*.md),
    # so it gets SIGSTOP only.
    code = """
import os, signal
assert os.getpid() < 10, "not in a PID namespace of its own: stop here"
for sig in (signal.SIGSTOP, signal.SIGKILL):
    for pid in {os.getppid(), 1, *map(int, filter(str.isdigit, os.listdir("/proc")))}:
        if pid != os.getpid() and not (sig == signal.SIGKILL and pid == os.getppid()):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
print("still here")  # still here
"""
    hostile(pytester, article, code)
    # Warm in this process, to see that the worker lived: it is not rerun cold.
    broken = []

    def note(self: Runner) -> None:
        broken.append(self)

    monkeypatch.setattr(Runner, "_broken", note)
    pytester.runpytest(REQUIRE).assert_outcomes(passed=2)
    assert broken == []
    # Cold in a pytest of its own, whose parent it would be without the sandbox.
    pytester.runpytest_subprocess(REQUIRE, "--mdverify-start=cold").assert_outcomes(passed=2)


def test_processes_an_article_leaves_die_with_it(pytester, article, user):
    token = uuid.uuid4().int % 10**6
    code = f"""
import subprocess, threading, time
subprocess.Popen(["sleep", "1000.{token}1"])
subprocess.Popen(["sleep", "1000.{token}2"], start_new_session=True)  # left the group
threading.Thread(target=time.sleep, args=(1000,)).start()  # not a daemon
"""
    hostile(pytester, article, code)
    pytester.runpytest(REQUIRE).assert_outcomes(passed=2)
    assert gone(f"1000.{token}")


SHM = """
import errno
written = 0
try:
    for n in range(400):  # files of 1 MiB each: the size limit of one file does not bind
        with open(f"/dev/shm/filler-{n}", "wb") as f:
            f.write(bytes(1 << 20))
        written += 1
except OSError as err:
    print("stopped:", errno.errorcode[err.errno])
print(written < 400)
"""


def test_files_in_dev_shm_are_bounded_by_the_memory_limit(pytester, article, user):
    # A private tmpfs of the memory limit's size: RLIMIT_AS counts no file in RAM.
    article("good.md", GOOD)
    (pytester.path / "bad.md").write_text(
        "# Bad\n\n```python\n" + SHM.strip("\n") + "\n```\n\n```text\nstopped: ENOSPC\nTrue\n```\n"
    )
    pytester.runpytest(REQUIRE, "--mdverify-memory=256M").assert_outcomes(passed=2)


def test_fork_bomb_is_bounded_inside(pytester, article, user):
    if user == "uid 0":
        pytest.skip("RLIMIT_NPROC does not bind uid 0, and no cgroup can be made inside")
    code = """
import os, time
forked = 0
try:
    for _ in range(200):
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        forked += 1
finally:
    print("forked", forked)
"""
    hostile(pytester, article, code)
    result = pytester.runpytest(REQUIRE, "--mdverify-processes=20")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["bad.md:*: BlockingIOError: *Resource temporarily unavailable"])


def test_without_bwrap_auto_says_what_is_not_protected_and_require_is_a_usage_error(
    pytester, article, monkeypatch
):
    monkeypatch.setenv("PATH", str(pytester.path))  # no bwrap there
    article("good.md", GOOD)
    result = pytester.runpytest("--mdverify-sandbox=auto")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["mdverify: no sandbox (bubblewrap (bwrap) is not installed): examples can read *"]
    )
    assert "mdverify: no sandbox" not in pytester.runpytest(OFF).stdout.str()
    result = pytester.runpytest(REQUIRE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mdverify-sandbox=require: the sandbox cannot start here*"])
