"""The parent side of the sandbox: start an article's child, enforce timeouts, read results.

The child runs in a fresh temporary working directory, in its own session (process group),
so that a timeout or the end of the article kills everything the example started. Its
stdout and stderr go to files rather than pipes: the child can never block on a full pipe,
and the parent reads each block's slice by the byte offsets the child reports, at most
`output_limit` bytes of it, so a block that prints gigabytes costs the parent nothing. The
files together may grow to `output_budget` bytes; past that the parent stops the article.
The child sees only the environment variables `child_env` lets through.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, cast

from mdverify.model import TRUNCATION_NOTE, ClockName, Observation, Status, TaskSpan
from mdverify.run import limits
from mdverify.services.servecheck import ServerChecks

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from mdverify.model import Article, Example, ServeCheck
    from mdverify.run.child import BlockRequest, Request
    from mdverify.services import Provision

__all__ = [
    "IDLE_LIMIT",
    "INHERITED_ENV",
    "Prepared",
    "RunOptions",
    "child_env",
    "cut_at_budget",
    "finish",
    "open_capture",
    "options_env",
    "parse_size",
    "prepare",
    "read_available",
    "run_article",
    "run_cold",
    "scratch_dir",
    "stall_message",
]

IDLE_LIMIT = 60.0
"""Real seconds a child may spend outside any block: it only compiles there, so this bounds
start-up and the gaps."""
# How often the parent looks at the size of the capture files while a block runs.
_POLL = 0.05
_ENCODING_ERRORS = "backslashreplace"
_MIB = 1 << 20
_SHM = "/dev/shm"  # noqa: S108 -- only folders of our own are made inside it
_SHM_ROOM = 1 << 30

INHERITED_ENV = (
    # Where programs, the user's files and temporary files are; language and time zone.
    *("PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "LANG", "LANGUAGE", "LC_*", "TZ"),
    # What the interpreter and its packages need to start as pytest's own does.
    *("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE"),
    *("PYTHONUSERBASE", "PYTHONUTF8", "PYTHONWARNINGS", "PYTHONDEVMODE", "PYTHONHASHSEED"),
    *("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "LD_LIBRARY_PATH"),
    # coverage.py measuring the child, when the test run asks for it.
    *("COVERAGE_PROCESS_START", "COV_CORE_*"),
)
"""Names (shell-style patterns) of the variables a child inherits without being asked."""


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
    """The environment to filter; None is pytest's own."""
    pass_env: tuple[str, ...] = ()
    """More variable names (or shell-style patterns) to pass through to the child."""
    memory: int | None = 4096 * _MIB
    """Bytes of address space each process of an article may use; None for no limit."""
    processes: int | None = 256
    """Processes and threads an article may have at once; None for no limit."""
    output_limit: int = _MIB
    """Bytes of one block's stdout (and of its stderr) kept and shown; the rest is cut."""
    output_budget: int = 256 * _MIB
    """Bytes of output an article may write in all before it is stopped."""


def scratch_dir() -> str | None:
    """Where throwaway folders go (articles', a cluster's): TMPDIR if set, else RAM if roomy.

    Each article makes and removes a directory and two capture files; on a disk file
    system (ext4 on a VM) that costs about 0.4 ms per article, on tmpfs a tenth of it, and
    `initdb` runs 0.2 s faster. RLIMIT_FSIZE (`mdverify.run.limits`) bounds each file an
    example writes either way. None means tempfile's own choice.
    """
    if any(os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")):
        return None
    try:
        shm = os.statvfs(_SHM)
    except OSError:
        return None
    if shm.f_bavail * shm.f_frsize < _SHM_ROOM or not os.access(_SHM, os.W_OK | os.X_OK):
        return None  # Docker's default /dev/shm is 64 MB: an example's files need more
    return _SHM


def parse_size(text: str) -> int:
    """`1024`, `64K`, `1M`, `4G` (powers of 1024; `KiB`, `MB` and the like too) -> bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if match is None:
        raise ValueError(f"expected a size such as 512M or 4G, not {text!r}")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match[2].lower()]
    return int(float(match[1]) * scale)


def options_env(options: RunOptions) -> dict[str, str]:
    """The children's environment under `options`: theirs, else pytest's, filtered."""
    return child_env(options.env if options.env is not None else os.environ, options.pass_env)


def child_env(environ: Mapping[str, str], pass_env: Iterable[str] = ()) -> dict[str, str]:
    """The variables of `environ` a child sees: `INHERITED_ENV` and `pass_env`, no others.

    Articles come from strangers in pull requests; CI secrets must not reach them by default.
    """
    patterns = (*INHERITED_ENV, *pass_env)
    env = {
        name: value
        for name, value in environ.items()
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
    }
    env["PYTHONIOENCODING"] = "utf-8"
    if env.get("PYTHONPATH"):
        # A cold child starts in its own temporary directory, where a relative entry would
        # name nothing; the warm worker resolved it against pytest's directory.
        env["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(entry) if entry else entry  # noqa: PTH100 -- str in, str out
            for entry in env["PYTHONPATH"].split(os.pathsep)
        )
    return env


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
    output_limit: int
    output_budget: int


def prepare(
    article: Article,
    abspath: str,
    examples: Iterable[Example],
    options: RunOptions,
    provision: Provision | None = None,
    env: Mapping[str, str] | None = None,
) -> Prepared | None:
    """The request for running `examples` of `article`, or None when there is nothing to run.

    `provision` is what the article's services give the child (see `mdverify.services`);
    `env` is the child's environment when the caller has already computed `child_env`.
    """
    chosen = tuple(examples)
    if not chosen:
        return None
    clock: ClockName = article.settings.clock or options.clock
    serve = sorted(e.index for e in chosen if e.settings.serve is not None)
    request: Request = {
        "path": abspath,
        "display": article.path,
        "clock": clock,
        "cap": options.cap,
        "limits": {
            "memory": options.memory,
            "processes": options.processes,
            "file_size": options.output_budget,
        },
        "blocks": [_block(e) for e in chosen],
        "net": {
            "hosts": dict(provision.hosts) if provision else {},
            "tls_port": provision.tls_port if provision else None,
            "serve_blocks": serve,
            "services": list(provision.services) if provision else [],
        },
    }
    timeouts = {e.index: e.settings.timeout or options.timeout for e in chosen}
    if env is None:
        env = options_env(options)
    if provision is not None:
        env = {**env, **provision.env}  # the article's services (libpq variables): always
    return Prepared(
        request, timeouts, env, chosen, clock, options.output_limit, options.output_budget
    )


def run_article(
    article: Article,
    abspath: str,
    examples: Iterable[Example],
    options: RunOptions,
    provision: Provision | None = None,
) -> dict[int, Observation]:
    """Run `examples` (in order, in one child) and return an observation for each index."""
    prepared = prepare(article, abspath, examples, options, provision)
    if prepared is None:
        return {}
    return run_cold(prepared, options, provision)


def run_cold(
    prepared: Prepared, options: RunOptions, provision: Provision | None = None
) -> dict[int, Observation]:
    """Run a prepared article in a freshly started interpreter."""
    serve = {e.index: e.settings.serve for e in prepared.chosen if e.settings.serve is not None}
    with tempfile.TemporaryDirectory(prefix="mdverify-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        if provision is not None:
            _write_files(work, provision.files)
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            events, ending, code, checks = _drive(prepared, options, work, (out, err), serve)
        with open_capture(tmp, prepared.output_limit) as capture:
            results = finish(prepared, events, ending, code, capture)
    return checks.apply(results) if checks is not None else results


@contextlib.contextmanager
def open_capture(folder: str | Path, limit: int) -> Iterator[_Capture]:
    """The `stdout` and `stderr` capture files of a child, in `folder`, for `finish`."""
    with (Path(folder) / "stdout").open("rb") as out, (Path(folder) / "stderr").open("rb") as err:
        yield _Capture(out, err, limit)


def finish(
    prepared: Prepared,
    events: list[dict[str, Any]],
    ending: str | None,
    code: int | None,
    capture: _Capture,
) -> dict[int, Observation]:
    """Observations from what a child reported, how it ended, and what it printed."""
    if ending is None and (not events or events[-1]["event"] != "done"):
        ending = _describe_exit(code)
    return _observations(list(prepared.chosen), events, ending, capture, prepared.clock)


def stall_message(
    stalled: int | str | None, timeouts: Mapping[int, float], budget: int
) -> str | None:
    """Why a child was stopped: a block index that timed out, "idle", "budget", or None."""
    if stalled is None:
        return None
    if stalled == "budget":
        return (
            f"output limit: the article wrote {_size(budget)} or more to stdout"
            " and stderr (the budget); the rest of the article was stopped"
        )
    if isinstance(stalled, str):
        return f"the child process stopped answering for {IDLE_LIMIT:.0f} s"
    return f"timeout: the block ran longer than {timeouts.get(stalled, IDLE_LIMIT):g} s (real time)"


def read_available(fd: int) -> bytes:
    """What can be read from `fd` now, without waiting."""
    data = b""
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data


def cut_at_budget(events: list[dict[str, Any]], unread: bytes, budget: int) -> None:
    """Complete `events` of a child stopped at its output `budget`, with what was `unread`.

    The block that crossed the budget hit the file size limit, which ends it with an error
    of its own: it is reported as stopped, so its end and everything after it are dropped.
    """
    for line in unread.split(b"\n"):
        with contextlib.suppress(ValueError):
            event = json.loads(line)
            if isinstance(event, dict) and "event" in event:
                events.append(event)
    for n, event in enumerate(events):
        if event["event"] == "end" and event.get("out", 0) + event.get("err", 0) >= budget:
            del events[n:]
            return


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
        "ends": list(example.ends),
        "trace_awaits": bool(example.timings),
    }


def _drive(
    prepared: Prepared,
    options: RunOptions,
    work: Path,
    capture: tuple[BinaryIO, BinaryIO],
    serve: Mapping[int, ServeCheck],
) -> tuple[list[dict[str, Any]], str | None, int | None, ServerChecks | None]:
    """Run the child to the end: its events, why it was stopped (if it was), its exit code."""
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module, no shell
            [options.python, "-m", "mdverify.run.child", str(write_fd)],
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
    checks = ServerChecks(serve, proc.pid) if serve else None
    try:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(json.dumps(prepared.request).encode())
            proc.stdin.close()
        watch = _Watch(prepared.timeouts, capture, prepared.output_budget, checks)
        ending = stall_message(watch.read(read_fd, events), prepared.timeouts, watch.budget)
    finally:
        os.close(read_fd)
        _kill_group(proc)
    return events, ending, proc.returncode, checks


class _Watch:
    """Reads the child's events while enforcing the time limits and the output budget."""

    def __init__(
        self,
        timeouts: Mapping[int, float],
        capture: tuple[BinaryIO, BinaryIO],
        budget: int,
        checks: ServerChecks | None = None,
    ) -> None:
        self.timeouts = timeouts
        self.capture = capture
        self.budget = budget
        self.checks = checks

    def read(self, fd: int, events: list[Any]) -> int | str | None:
        """Collect events into `events`; why the child must stop (see `stall_message`)."""
        buffer = b""
        self.deadline = time.monotonic() + IDLE_LIMIT
        self.running: int | None = None
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                return "idle" if self.running is None else self.running
            ready, _, _ = select.select([fd], [], [], min(remaining, _POLL))
            if self._written() >= self.budget:
                cut_at_budget(events, buffer + read_available(fd), self.budget)
                return "budget"
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None  # EOF: the child ended; the caller looks at how
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            if any(self._take(line, events) for line in lines):
                return None

    def _take(self, line: bytes, events: list[Any]) -> bool:
        """Record one event line; True when it is the last."""
        try:
            event = json.loads(line)
            kind, index = event["event"], event.get("index")
        except (ValueError, TypeError, KeyError):
            return False  # not ours: an example that found our channel and wrote to it
        events.append(event)
        if self.checks is not None:
            self.checks.on_event(event)
        if kind == "start":
            self.running = index
            self.deadline = time.monotonic() + self.timeouts.get(index, IDLE_LIMIT)
        elif kind == "end":
            self.running = None
            self.deadline = time.monotonic() + IDLE_LIMIT
        return bool(kind == "done")

    def _written(self) -> int:
        return sum(os.fstat(f.fileno()).st_size for f in self.capture)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child and anything it started; an example's leftovers must not outlive it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    limits.release(proc.pid)  # what left the process group, where a cgroup holds it


def _describe_exit(code: int | None) -> str:
    if code is None or code == 0:
        return "the child process exited during the block"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == getattr(signal, "SIGXFSZ", None):
            return "a file the block wrote passed the size limit (SIGXFSZ) during the block"
        return f"the interpreter crashed ({name}) during the block"
    return f"the process exited with status {code} during the block (os._exit?)"


class _Capture:
    """Reads slices of the capture files, keeping at most `limit` bytes of each."""

    def __init__(self, out: BinaryIO, err: BinaryIO, limit: int) -> None:
        self.files = {"out": out, "err": err}
        self.limit = limit

    def text(self, stream: str, start: int, end: int | None = None) -> _Slice:
        """The slice from `start` to `end` (or the end of the file), cut at the limit."""
        file = self.files[stream]
        if end is None:
            end = os.fstat(file.fileno()).st_size
        total = max(0, end - start)
        file.seek(start)
        data = file.read(min(total, self.limit))
        if total <= self.limit:
            return _Slice(_decode(data), data, truncated=False)
        cut = data.rfind(b"\n") + 1 or len(data)  # end on a whole line where there is one
        data = data[:cut]
        note = (
            f"{TRUNCATION_NOTE}: the block wrote {_size(total)}; the first "
            f"{_size(len(data))} are shown (the limit is {_size(self.limit)})]\n"
        )
        text = _decode(data) + ("" if data.endswith(b"\n") or not data else "\n") + note
        return _Slice(text, data, truncated=True)


class _Slice(NamedTuple):
    text: str
    """Decoded for reading, with a note at the end when cut."""
    kept: bytes
    truncated: bool


def _observations(
    chosen: list[Example],
    events: list[dict[str, Any]],
    ending: str | None,
    capture: _Capture,
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
            status: Status = "crashed"
            if ending and ending.startswith("timeout"):
                status = "timeout"
            elif ending and ending.startswith("output limit"):
                status = "limit"
            out = capture.text("out", start["out"])
            results[index] = Observation(
                index,
                status,
                stdout=out.text,
                stderr=capture.text("err", start["err"]).text,
                error=ending,
                clock=clock,
                truncated=out.truncated,
            )
            continue
        out = capture.text("out", start["out"], end["out"])
        results[index] = Observation(
            index,
            cast("Status", end["status"]),
            stdout=out.text,
            stderr=capture.text("err", start["err"], end["err"]).text,
            segments=tuple(
                (line, len(_decode(out.kept[:size])) if size <= len(out.kept) else len(out.text))
                for line, size in end["segments"]
            ),
            error=end["error"],
            error_line=end["error_line"],
            elapsed=end["elapsed"],
            clock=clock,
            truncated=out.truncated,
            tasks=tuple(TaskSpan(*task) for task in end.get("tasks", ())),
        )
    return results


def _decode(data: bytes) -> str:
    return data.decode("utf-8", _ENCODING_ERRORS)


def _size(count: int) -> str:
    if count >= _MIB:
        return f"{count / _MIB:g} MiB"
    if count >= 1 << 10:
        return f"{count / (1 << 10):g} KiB"
    return f"{count} bytes"
