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

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from mdverify.child import BlockRequest, Request
    from mdverify.model import Article, Example

__all__ = [
    "IDLE_LIMIT",
    "Prepared",
    "RunOptions",
    "finish",
    "prepare",
    "run_article",
    "run_cold",
    "stall_message",
]

IDLE_LIMIT = 60.0
"""Real seconds a child may spend outside any block: it only compiles there, so this bounds
start-up and the gaps."""
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


@dataclass(frozen=True)
class Prepared:
    """One article's run, decided but not started: what any way of starting a child needs."""

    request: Request
    timeouts: Mapping[int, float]
    """Real-time limit of each block, by example index."""
    env: Mapping[str, str]
    """The child's environment."""
    chosen: tuple[Example, ...]
    clock: ClockName


def prepare(
    article: Article,
    abspath: str,
    examples: Iterable[Example],
    options: RunOptions,
    env: Mapping[str, str] | None = None,
) -> Prepared | None:
    """The request for running `examples` of `article`, or None when there is nothing to run.

    `env` is the child's environment when the caller has already computed `child_env`.
    """
    chosen = tuple(examples)
    if not chosen:
        return None
    clock: ClockName = article.settings.clock or options.clock
    request: Request = {
        "path": abspath,
        "display": article.path,
        "clock": clock,
        "cap": options.cap,
        "blocks": [_block(e) for e in chosen],
    }
    timeouts = {e.index: e.settings.timeout or options.timeout for e in chosen}
    return Prepared(request, timeouts, env or child_env(options), chosen, clock)


def child_env(options: RunOptions) -> dict[str, str]:
    """The environment an article's child runs in."""
    env = dict(options.env if options.env is not None else os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_article(
    article: Article, abspath: str, examples: Iterable[Example], options: RunOptions
) -> dict[int, Observation]:
    """Run `examples` (in order, in one child) and return an observation for each index."""
    prepared = prepare(article, abspath, examples, options)
    if prepared is None:
        return {}
    return run_cold(prepared, options)


def run_cold(prepared: Prepared, options: RunOptions) -> dict[int, Observation]:
    """Run a prepared article in a freshly started interpreter."""
    with tempfile.TemporaryDirectory(prefix="mdverify-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            events, ending, code = _drive(prepared, options, work, (out, err))
        out_bytes, err_bytes = out_path.read_bytes(), err_path.read_bytes()
    return finish(prepared, events, ending, code, out_bytes, err_bytes)


def finish(
    prepared: Prepared,
    events: list[dict[str, Any]],
    ending: str | None,
    code: int | None,
    out: bytes,
    err: bytes,
) -> dict[int, Observation]:
    """Observations from what a child reported, how it ended, and what it printed."""
    if ending is None and (not events or events[-1]["event"] != "done"):
        ending = _describe_exit(code)
    return _observations(list(prepared.chosen), events, ending, out, err, prepared.clock)


def _block(example: Example) -> BlockRequest:
    return {
        "index": example.index,
        "kind": example.kind,
        "source": example.source,
        "code_line": example.code_line,
    }


def _drive(
    prepared: Prepared,
    options: RunOptions,
    work: Path,
    capture: tuple[BinaryIO, BinaryIO],
) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """Run the child to the end; its events, why it stopped early if it did, its exit code."""
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module, no shell
            [options.python, "-m", "mdverify.child", str(write_fd)],
            stdin=subprocess.PIPE,
            stdout=capture[0],
            stderr=capture[1],
            cwd=work,
            env=prepared.env,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
    events: list[dict[str, Any]] = []
    ending: str | None = None
    try:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(json.dumps(prepared.request).encode())
            proc.stdin.close()
        ending = _read_events(read_fd, prepared.timeouts, events)
    finally:
        os.close(read_fd)
        _kill_group(proc)
    return events, ending, proc.returncode


def _read_events(fd: int, timeouts: Mapping[int, float], events: list[Any]) -> str | None:
    buffer = b""
    deadline = time.monotonic() + IDLE_LIMIT
    running: int | None = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return stall_message("idle" if running is None else running, timeouts)
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
            if event["event"] == "start":
                running = event["index"]
                deadline = time.monotonic() + timeouts[event["index"]]
            elif event["event"] == "end":
                running = None
                deadline = time.monotonic() + IDLE_LIMIT
            elif event["event"] == "done":
                return None


def stall_message(stalled: int | str | None, timeouts: Mapping[int, float]) -> str | None:
    """Why a child was stopped: the block index that timed out, "idle", or None (it ended)."""
    if stalled is None:
        return None
    if isinstance(stalled, str):
        return f"the child process stopped answering for {IDLE_LIMIT:.0f} s"
    return f"timeout: the block ran longer than {timeouts[stalled]:g} s (real time)"


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
