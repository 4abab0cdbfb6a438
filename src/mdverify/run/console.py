"""In the child: a console block's commands, each run with the shell, as the reader runs them.

Each command runs as `sh -c 'exec COMMAND'` in the article's working directory (a `cd`
above it moves that, an `export` sets a variable, as in the reader's shell), with stdin
closed (the block's `stdin` text is the first program's standard input, as a file piped
in) and stdout and stderr on the block's stdout, as a terminal shows both. `./script.py`
runs a file the article wrote (the parent allows no other) with its shebang: one that
names Python runs the interpreter running mdverify, as `python` does; any other the file
is made executable and runs as the kernel runs it. The process
inherits the child's limits and network namespace, and its process group, so the
parent's timeout stops it with the article. `python` on its PATH is the interpreter
running mdverify, and every Python it starts begins with this folder's `sitecustomize`
(`_SITE`): the article's clock, and its network rules (declared hosts lead to the harness,
other hosts nowhere), as in the article's own process. Servers keep the ports they ask
for: the client is another process, as on the reader's machine.

`$ python server.py &` starts the process and does not wait for it, and from then on the
block's processes run on the real clock (two processes cannot share a virtual one); once it is idle
(asleep, its CPU time and the output steady: it waits for a client or a timer), the next
command runs. After each command the block waits for the background processes to go idle
again, so that what a server prints for a client is the client's command's output, in the
order a terminal shows it. At the end of the block they are stopped with SIGTERM (SIGKILL
after a grace period), as `kill %1` stops them.

A background command whose transcript shows the shell's job line (`[1] 12345`) gets one,
with the job's number and its pid (which is not compared).

A command that exits with a status other than 0 fails the block at its line, unless the
transcript shows it: a `[N]` line (written after its output, to be compared as output) or
an error in its output, which is then compared.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import weakref
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypedDict

from mdverify.clock.realtime import SYSTEM
from mdverify.run import bridge, streams

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mdverify.model import ClockName
    from mdverify.run.netmap import NetSpec

__all__ = ["CommandFailed", "CommandRequest", "run_commands"]

_POLL_S = 0.02
_STEADY_POLLS = 3
"""Snapshots in a row that must agree before a process counts as idle."""
_SETTLE_S = 5.0
"""At most this long (real time) for a background process to go idle."""
_STOP_S = 2.0
_MINORS = (6, 20)
_PYTHON = re.compile(r"python(?:3(?:\.\d+)?)?")
_SITE = """\
import json, os
_clock = os.environ.pop("MDVERIFY_CONSOLE_CLOCK", "")
_net = os.environ.pop("MDVERIFY_CONSOLE_NET", "")
if _clock:
    from mdverify.clock import install
    install(_clock)
if _net:
    from mdverify.run import bridge, netmap
    _spec = json.loads(_net)
    _door = bridge.inherited(netmap.harness(_spec))
    netmap.route(_spec, lambda event: None, isolated=True, door=_door)
"""


class CommandRequest(TypedDict):
    """One command, as the parent sends it (`model.Command`)."""

    line: int
    text: str
    background: bool
    status: int | None
    shows_error: bool
    job: bool


class CommandFailed(Exception):
    """A command exited with a status the transcript does not show."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def run_commands(
    commands: list[CommandRequest],
    segments: list[tuple[int, int]],
    start_out: int,
    clock: ClockName,
    net: NetSpec | None,
    stdin: str | None = None,
) -> None:
    """Run `commands` in order; mark where each one's output ends in `segments`.

    `stdin`: the text the first command that runs a program reads on its standard input.
    """
    with _shims(clock, net) as environ:
        cwd = Path.cwd()
        background: list[subprocess.Popen[bytes]] = []
        try:
            for command in commands:
                words = shlex.split(command["text"])
                if words[0] == "cd":
                    cwd = (cwd / (words[1] if len(words) > 1 else ".")).resolve()
                elif words[0] == "export":
                    exported = dict(w.split("=", 1) for w in words[1:] if "=" in w)
                    environ.update(exported)
                    os.environ.update(exported)  # later blocks see it, as later commands do
                else:
                    # Two processes cannot share one virtual clock: while one runs in the
                    # background, time is real for all, as the coordinator's rule for a
                    # child process has it, and as the reader's terminal shows it.
                    shared = command["background"] or background
                    environ["MDVERIFY_CONSOLE_CLOCK"] = "real" if shared else clock
                    text = _script(command["text"], words, cwd)
                    _run(command, text, words, cwd, environ, background, stdin)
                    stdin = None  # read by the first program, as `prog < file` gives it
                _settle(background)
                streams.flush()
                segments.append((command["line"], streams.offsets()[0] - start_out))
        finally:
            _stop(background)


def _run(
    command: CommandRequest,
    text: str,
    words: list[str],
    cwd: Path,
    environ: dict[str, str],
    background: list[subprocess.Popen[bytes]],
    stdin: str | None,
) -> None:
    streams.flush()
    # `exec`: the process is the program itself, so stopping it stops the program.
    assigns = "=" in words[0]
    shell = f"exec env {text}" if assigns else f"exec {text}"
    door = environ.get(bridge.ENV, "")
    with _input(stdin) as given:
        process = subprocess.Popen(  # noqa: S603 -- the article's command, as its reader runs it
            ["/bin/sh", "-c", shell],
            cwd=cwd,
            env=environ,
            pass_fds=(int(door),) if door else (),
            stdin=given,
            stderr=subprocess.STDOUT,
        )
    if command["background"]:
        background.append(process)
        if command["job"]:  # what an interactive shell prints for `&`
            os.write(sys.stdout.fileno(), f"[{len(background)}] {process.pid}\n".encode())
        return
    status = process.wait()
    if status < 0:
        status = 128 - status  # killed by a signal: what the shell's $? says
    if status == 0:
        return
    if command["status"] is not None:
        os.write(sys.stdout.fileno(), f"[{status}]\n".encode())
    elif not command["shows_error"]:
        message = f"the command `{command['text']}` exited with status {status}"
        raise CommandFailed(command["line"], message)


@contextlib.contextmanager
def _input(text: str | None) -> Iterator[int | IO[bytes]]:
    """A command's standard input: nothing, or `text` as a file piped in."""
    if text is None:
        yield subprocess.DEVNULL
        return
    with tempfile.TemporaryFile() as file:
        file.write(text.encode())
        file.seek(0)
        yield file


def _script(text: str, words: list[str], cwd: Path) -> str:
    """The command `text` (its `words`), with `./script` run as its shebang says."""
    at = next((n for n, word in enumerate(words) if "=" not in word), len(words))
    if at == len(words) or not words[at].startswith("./"):
        return text
    path = cwd / words[at]
    with contextlib.suppress(OSError), path.open("rb") as file:
        first = file.readline(256).decode(errors="replace")
        line = first[2:].split() if first.startswith("#!") else []
        program = line[1] if line[:1] and Path(line[0]).name == "env" and len(line) > 1 else ""
        program = program or (Path(line[0]).name if line else "")
        if _PYTHON.fullmatch(program):
            where = text.find(words[at])  # after the variables set before it
            return f"{text[:where]}python {text[where:]}"
        path.chmod(path.stat().st_mode | 0o111)
    return text


def _snapshot(process: subprocess.Popen[bytes]) -> tuple[str, str] | None:
    """(state, CPU time) of a live process; None when it has ended."""
    if process.poll() is not None:
        return None
    try:
        stat = (_proc(process) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], f"{fields[11]}:{fields[12]}"


def _proc(process: subprocess.Popen[bytes]) -> Path:
    """The `/proc` folder of our child `process`.

    In the sandbox the article has a PID namespace of its own (`mdverify.run.pidns`) but
    the `/proc` of the sandbox's, where the child has another number: it is the process
    whose parent is us and whose innermost pid (`NSpid`, last) is `process.pid`.
    """
    found = _FOLDERS.get(process)
    if found is not None:
        return found
    found = Path(f"/proc/{process.pid}")
    with contextlib.suppress(OSError, ValueError):
        me = int(Path("/proc/self").readlink().name)  # our pid as this /proc numbers it
        if me != os.getpid():
            found = _find(me, process.pid) or found
    _FOLDERS[process] = found
    return found


def _find(me: int, pid: int) -> Path | None:
    for folder in Path("/proc").iterdir():
        if not folder.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, KeyError):
            lines = (folder / "status").read_text().splitlines()
            fields = dict(line.split(":", 1) for line in lines if ":" in line)
            if int(fields["PPid"]) == me and int(fields["NSpid"].split()[-1]) == pid:
                return folder
    return None


_FOLDERS: weakref.WeakKeyDictionary[subprocess.Popen[bytes], Path] = weakref.WeakKeyDictionary()
"""The `/proc` folder of each background process (found once: the scan reads every one)."""


def _settle(background: list[subprocess.Popen[bytes]]) -> None:
    """Wait until every background process is idle (see the module doc), at most `_SETTLE_S`."""
    if not background:
        return
    deadline = SYSTEM.monotonic() + _SETTLE_S
    last, steady = None, 0
    while SYSTEM.monotonic() < deadline:
        now = (tuple(_snapshot(p) for p in background), streams.offsets())
        idle = all(s is None or s[0] in "STZ" for s in now[0])
        steady = steady + 1 if idle and now == last else 0
        if steady >= _STEADY_POLLS:
            return
        last = now
        SYSTEM.sleep(_POLL_S)


def _stop(background: list[subprocess.Popen[bytes]]) -> None:
    for process in background:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    deadline = SYSTEM.monotonic() + _STOP_S
    for process in background:
        while process.poll() is None and SYSTEM.monotonic() < deadline:
            SYSTEM.sleep(_POLL_S)
        if process.poll() is None:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _shims(clock: ClockName, net: NetSpec | None) -> Iterator[dict[str, str]]:
    """The environment of the block's commands, with `python` and the site hook in a folder."""
    folder = Path(tempfile.mkdtemp(prefix="mdverify-console-"))
    try:
        shim = f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n'
        # `python3.12 app.py` too: every `python` of a command is the child's interpreter.
        minors = range(_MINORS[0], max(_MINORS[1], sys.version_info.minor + 1))
        for name in ("python", "python3", *(f"python3.{minor}" for minor in minors)):
            (folder / name).write_text(shim, encoding="utf-8")
            (folder / name).chmod(0o755)
        (folder / "sitecustomize.py").write_text(_SITE, encoding="utf-8")
        environ = dict(os.environ)
        environ["PATH"] = os.pathsep.join(filter(None, [str(folder), environ.get("PATH")]))
        path = [str(folder), environ.get("PYTHONPATH", "")]
        environ["PYTHONPATH"] = os.pathsep.join(filter(None, path))
        environ["PYTHONUNBUFFERED"] = "1"  # the order of the lines is the order they were written
        environ["MDVERIFY_CONSOLE_CLOCK"] = clock
        environ["MDVERIFY_CONSOLE_NET"] = json.dumps(net) if net is not None else ""
        door = bridge.current()
        if door is not None:  # the declared servers, from the article's own namespace
            environ[bridge.ENV] = str(door.fd)
        yield environ
    finally:
        shutil.rmtree(folder, ignore_errors=True)
