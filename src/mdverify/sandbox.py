"""The parent side of the sandbox: start an article's child, enforce timeouts, read results.

The child runs in a fresh temporary working directory, in its own session (process group),
so that a timeout or the end of the article kills everything the example started. Its
stdout and stderr go to files rather than pipes: the child can never block on a full pipe,
and the parent reads each block's slice by the byte offsets the child reports.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from mdverify.model import ClockName, Observation, Status
from mdverify.servecheck import ServerChecks

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from mdverify.child import BlockRequest, Request
    from mdverify.model import Article, Example, ServeCheck
    from mdverify.services import Provision

__all__ = ["RunOptions", "run_article"]

# Between blocks the child only compiles; this bounds start-up and the gaps.
_IDLE_LIMIT = 60.0
_ENCODING_ERRORS = "backslashreplace"


@dataclass(frozen=True)
class RunOptions:
    """How to run articles; the plugin builds it from the command line and ini file."""

    timeout: float = 30.0
    """Real seconds one block may take."""
    clock: ClockName = "virtual"
    cap: float | None = 86400.0
    """Virtual seconds one block may advance the clock."""
    python: str = sys.executable
    env: Mapping[str, str] | None = field(default=None)


def run_article(
    article: Article,
    abspath: str,
    examples: Iterable[Example],
    options: RunOptions,
    provision: Provision | None = None,
) -> dict[int, Observation]:
    """Run `examples` (in order, in one child) and return an observation for each index.

    `provision` is what the article's services give the child (see `mdverify.services`).
    """
    chosen = list(examples)
    if not chosen:
        return {}
    clock: ClockName = article.settings.clock or options.clock
    serve = {e.index: e.settings.serve for e in chosen if e.settings.serve is not None}
    request: Request = {
        "path": abspath,
        "display": article.path,
        "clock": clock,
        "cap": options.cap,
        "blocks": [_block(e) for e in chosen],
        "net": {
            "hosts": dict(provision.hosts) if provision else {},
            "tls_port": provision.tls_port if provision else None,
            "serve_blocks": sorted(serve),
            "services": list(provision.services) if provision else [],
        },
    }
    timeouts = {e.index: e.settings.timeout or options.timeout for e in chosen}
    with tempfile.TemporaryDirectory(prefix="mdverify-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        if provision is not None:
            _write_files(work, provision.files)
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            extra_env = provision.env if provision is not None else {}
            events, ending, checks = _drive(
                request, timeouts, options, work, (out, err), serve, extra_env
            )
        out_bytes, err_bytes = out_path.read_bytes(), err_path.read_bytes()
    results = _observations(chosen, events, ending, out_bytes, err_bytes, clock)
    return checks.apply(results) if checks is not None else results


def _write_files(work: Path, files: Iterable[tuple[str, str]]) -> None:
    for name, content in files:
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def _block(example: Example) -> BlockRequest:
    return {
        "index": example.index,
        "kind": example.kind,
        "source": example.source,
        "code_line": example.code_line,
    }


def _drive(
    request: Request,
    timeouts: Mapping[int, float],
    options: RunOptions,
    work: Path,
    capture: tuple[BinaryIO, BinaryIO],
    serve: Mapping[int, ServeCheck],
    extra_env: Mapping[str, str],
) -> tuple[list[dict[str, Any]], str | None, ServerChecks | None]:
    """Run the child to the end; return its events and why it stopped early, if it did."""
    read_fd, write_fd = os.pipe()
    env = dict(options.env if options.env is not None else os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra_env)  # the article's services (libpq variables): always passed
    try:
        proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module, no shell
            [options.python, "-m", "mdverify.child", str(write_fd)],
            stdin=subprocess.PIPE,
            stdout=capture[0],
            stderr=capture[1],
            cwd=work,
            env=env,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
    events: list[dict[str, Any]] = []
    ending: str | None = None
    checks = ServerChecks(serve, proc.pid) if serve else None
    try:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(json.dumps(request).encode())
            proc.stdin.close()
        ending = _read_events(read_fd, timeouts, events, *([checks.on_event] if checks else []))
    finally:
        os.close(read_fd)
        _kill_group(proc)
    if ending is None and (not events or events[-1]["event"] != "done"):
        ending = _describe_exit(proc.returncode)
    return events, ending, checks


def _read_events(
    fd: int,
    timeouts: Mapping[int, float],
    events: list[Any],
    watch: Callable[[dict[str, Any]], None] = lambda _event: None,
) -> str | None:
    buffer = b""
    deadline = time.monotonic() + _IDLE_LIMIT
    running: int | None = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if running is None:
                return f"the child process stopped answering for {_IDLE_LIMIT:.0f} s"
            return f"timeout: the block ran longer than {timeouts[running]:g} s (real time)"
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return None  # EOF: the child ended; the caller looks at how
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            event = json.loads(line)
            events.append(event)
            watch(event)
            if event["event"] == "start":
                running = event["index"]
                deadline = time.monotonic() + timeouts[event["index"]]
            elif event["event"] == "end":
                running = None
                deadline = time.monotonic() + _IDLE_LIMIT
            elif event["event"] == "done":
                return None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child and anything it started; an example's leftovers must not outlive it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _describe_exit(code: int | None) -> str:
    if code is None or code == 0:
        return "the child process exited during the block"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the interpreter crashed ({name}) during the block"
    return f"the process exited with status {code} during the block (os._exit?)"


def _observations(
    chosen: list[Example],
    events: list[dict[str, Any]],
    ending: str | None,
    out: bytes,
    err: bytes,
    clock: ClockName,
) -> dict[int, Observation]:
    starts = {e["index"]: e for e in events if e["event"] == "start"}
    ends = {e["index"]: e for e in events if e["event"] == "end"}
    results: dict[int, Observation] = {}
    broken_at: int | None = None
    for example in chosen:
        index = example.index
        start = starts.get(index)
        end = ends.get(index)
        if start is None:
            where = f"at line {broken_at}" if broken_at else "earlier"
            results[index] = Observation(
                index, "not-run", error=f"not run: the article's process ended {where}", clock=clock
            )
            continue
        if end is None:
            broken_at = example.line
            status: Status = "timeout" if ending and ending.startswith("timeout") else "crashed"
            results[index] = Observation(
                index,
                status,
                stdout=_text(out[start["out"] :]),
                stderr=_text(err[start["err"] :]),
                error=ending,
                clock=clock,
            )
            continue
        block_out = out[start["out"] : end["out"]]
        results[index] = Observation(
            index,
            cast("Status", end["status"]),
            stdout=_text(block_out),
            stderr=_text(err[start["err"] : end["err"]]),
            segments=tuple((line, len(_text(block_out[:size]))) for line, size in end["segments"]),
            error=end["error"],
            error_line=end["error_line"],
            elapsed=end["elapsed"],
            clock=clock,
        )
    return results


def _text(data: bytes) -> str:
    return data.decode("utf-8", _ENCODING_ERRORS)
