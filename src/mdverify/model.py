"""The data that flows through mdverify: text -> Article -> Observation -> Verdict.

Every type here is a frozen dataclass so that the pure core can pass them around,
cache them and send them to a child process without defensive copies. Line numbers
are 1-based article lines (what an editor shows), never offsets into a code block.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "Article",
    "ArticleError",
    "ArticleSettings",
    "BlockSettings",
    "Edit",
    "Example",
    "ExampleKind",
    "Halt",
    "Interruption",
    "Mismatch",
    "Observation",
    "OutputClaim",
    "ServeCheck",
    "ServeFault",
    "ServeProblem",
    "Status",
    "TaskSpan",
    "TimingClaim",
    "TimingMismatch",
    "Truncation",
    "Verdict",
    "World",
]

ExampleKind = Literal["python", "pycon"]
ClaimKind = Literal[
    "fence", "transcript", "comment", "trailing", "arrow", "string", "prompt", "value"
]
ClockName = Literal["virtual", "real"]


class Status(str, Enum):
    """How one block's run ended. The values are codes, never shown: `check.report` words them.

    A `str` enum so that the child's `end` event carries it as plain JSON.
    """

    OK = "ok"
    RAISED = "raised"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    NOT_RUN = "not-run"
    CAP = "cap"
    """The block reached the virtual-time cap."""
    LIMIT = "limit"
    """The article passed its output budget and was stopped."""
    SERVE = "serve"
    """A server check of the block failed."""


class Halt(Enum):
    """Why a block did not finish; `Interruption` holds the figures the report shows.

    The first three are also why the parent stopped a child (`mdverify.run.watch`): one
    enum from the watch to the report.
    """

    TIMEOUT = "timeout"
    """The parent stopped the block at its real-time limit."""
    IDLE = "idle"
    """The parent stopped the child: it did nothing outside a block for too long."""
    BUDGET = "budget"
    """The parent stopped the article at its output budget."""
    EXITED = "exited"
    """The child's process ended (exit, crash, signal) during the block."""
    NOT_REACHED = "not-reached"
    """The process ended at an earlier block: this one never started."""


@dataclass(frozen=True)
class Interruption:
    """Why a block's run was cut short, as data; `check.report` puts it in words."""

    halt: Halt
    limit: float = 0.0
    """Real seconds (TIMEOUT, IDLE) or bytes (BUDGET) of the limit the article reached."""
    code: int | None = None
    """EXITED: the process's exit code (negative: the signal), None if unknown."""
    line: int | None = None
    """NOT_REACHED: article line of the block where the process ended; None: earlier."""
    cause: Interruption | None = None
    """NOT_REACHED: how the block at `line` was cut short, which ended the process."""
    after_sigint: bool = False
    """A server check had interrupted the block: its server ignored SIGINT."""
    serving: tuple[str, ...] = ()
    """TIMEOUT: `host:port` of each server still listening, as the example asked for it."""
    connected: bool = False
    """TIMEOUT: whether any of those servers accepted a client."""


@dataclass(frozen=True)
class Truncation:
    """A block's stream cut at the output limit, as data; `check.report` writes the note."""

    written: int
    """Bytes the block wrote to the stream."""
    kept: int
    """Bytes kept: the first ones, ending on a whole line where there is one."""
    limit: int
    """The output limit, in bytes."""


class ArticleError(Exception):
    """An article that mdverify cannot read; names the file and, where known, the line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ServeCheck:
    """`serve request="GET /" expect="..."`: how the harness checks a block's server."""

    port: int | None
    """The port the example listens on (as written in the article); None: the first one."""
    exchanges: tuple[tuple[str, str], ...]
    """(request such as "GET /?name=Ada", text the response body must match), in order."""


class ServeFault(Enum):
    """What a server check found wrong (`mdverify.run.servecheck`)."""

    NO_RESPONSE = "no-response"
    DIFFERS = "differs"
    NEVER_LISTENED = "never-listened"
    STILL_ACCEPTS = "still-accepts"
    """The port still accepted connections after the block ended on SIGINT."""
    UNCLEAN_SHUTDOWN = "unclean-shutdown"
    """The block raised on SIGINT; the observation's error is the traceback."""


@dataclass(frozen=True)
class ServeProblem:
    """One failed server check, as data; `check.report` puts it in words."""

    fault: ServeFault
    request: str = ""
    expected: str = ""
    got: str = ""
    """DIFFERS: the response body; NO_RESPONSE: the error met."""
    http_status: int | None = None
    port: int | None = None
    """NEVER_LISTENED: the port the check waited for (None: any); STILL_ACCEPTS: the port."""


@dataclass(frozen=True)
class BlockSettings:
    """How to run one block: its directive comment over the front matter's defaults."""

    skip: str | None = None
    """Reason to skip; None runs the block."""
    xfail: str | None = None
    """Reason the block is expected to fail; None expects success."""
    timeout: float | None = None
    """Real-time limit in seconds for one block; None uses the session default."""
    requires: tuple[str, ...] = ()
    """Modules that must be importable, else the block is skipped."""
    python: tuple[tuple[str, tuple[int, ...]], ...] = ()
    """Version constraints such as (">=", (3, 11)); all must hold, else the block is skipped."""
    serve: ServeCheck | None = None
    """Requests to send to the server this block runs, then stop it with SIGINT."""

    def merged(self, other: BlockSettings) -> BlockSettings:
        """Return these settings with every key that `other` sets taking precedence."""
        return BlockSettings(
            skip=other.skip if other.skip is not None else self.skip,
            xfail=other.xfail if other.xfail is not None else self.xfail,
            timeout=other.timeout if other.timeout is not None else self.timeout,
            requires=self.requires + other.requires,
            python=self.python + other.python,
            serve=other.serve if other.serve is not None else self.serve,
        )


@dataclass(frozen=True)
class World:
    """The outside world examples use (the keys are read by mdverify.article.world).

    The front matter gives the article's; a block's directive may add hosts and services
    that block needs. What is provided is the union over the blocks that run.
    """

    files: tuple[tuple[str, str], ...] = ()
    """(file name, content) created in the article's working directory."""
    hosts: tuple[tuple[str, float], ...] = ()
    """(host name, latency in seconds) served by the local HTTP server."""
    services: tuple[str, ...] = ()
    """Servers such as "postgres" started for the session."""

    def merged(self, other: World) -> World:
        """Return this world with what `other` adds; `other`'s wins for the same name."""
        return World(
            files=tuple({**dict(self.files), **dict(other.files)}.items()),
            hosts=tuple({**dict(self.hosts), **dict(other.hosts)}.items()),
            services=tuple(dict.fromkeys(self.services + other.services)),
        )

    @staticmethod
    def union(worlds: Iterable[World]) -> World:
        """What a run of several blocks needs together: each world merged, in order."""
        return functools.reduce(World.merged, worlds, World())


@dataclass(frozen=True)
class ArticleSettings:
    """What the front matter's `mdverify:` key says: keys of the whole article."""

    clock: ClockName | None = None
    """Which clock measures the article's blocks (they share one process); None uses the
    session default."""
    world: World = field(default_factory=World)
    """Files, hosts and services every block of the article gets."""
    defaults: BlockSettings = field(default_factory=BlockSettings)
    """Block keys (skip, timeout, ...) every block starts from."""


@dataclass(frozen=True)
class OutputClaim:
    """Output that an article says a block prints."""

    kind: ClaimKind
    """fence: an output block after the code; transcript: the lines after the prompt line of
    a console fence that runs the block as a script; comment: `# ...` lines under a
    statement; trailing: `print(x)  # ...`; arrow: `#> ...` lines; string: a triple-quoted
    string statement right under a print; prompt: what follows a
    `>>>` prompt; value: `len(word)  # 5`, the value of a bare expression, as a REPL shows
    it (compared with `Observation.values`, not with stdout)."""
    expected: str
    """The declared output, one line per line, without the comment markers."""
    line: int
    """Article line where the declared output starts (for a fence, its first body line)."""
    upto_line: int | None = None
    """For comment-style claims, the last article line of the statement the output follows;
    the claim covers stdout printed since the previous comment claim of the block up to the
    end of that statement. None means the whole block's stdout."""
    end_line: int | None = None
    """Last article line holding the declared output (`line - 1` for an empty fence or an
    empty pycon answer); what an update rewrites. None when unknown."""
    form: str = ""
    """How the writer introduced it, in words, where `kind` does not say it all
    (`the fence titled "Salida"`); reports name it. Empty: `kind` says it."""
    call: tuple[int, int] | None = None
    """(article line, column) of the one `print` call whose output the claim declares: all
    that call printed while the block ran, each call in order, wherever it was called from.
    None: the claim covers what the block printed up to `upto_line`."""


@dataclass(frozen=True)
class TimingClaim:
    """An elapsed-time promise for a whole block: `~1s`, optionally with `not 2s`."""

    line: int
    """Article line of the comment or directive that makes the claim."""
    text: str
    """The claim as the writer wrote it, for reports."""
    seconds: float
    not_seconds: tuple[float, ...] = ()
    """Durations the claim rules out (`not 2s`)."""


@dataclass(frozen=True, slots=True)
class TaskSpan:
    """The life of one asyncio task, on the clock of the block that created it."""

    name: str
    """`task.get_name()`, or the coroutine's `__qualname__` when the name is `Task-N`."""
    start: float
    """Clock seconds from the block's start to the task's creation."""
    end: float | None
    """Clock seconds from the block's start to the task's end; None while it is pending."""
    cancelled: bool
    """Whether the task ended by being cancelled."""


@dataclass(frozen=True)
class Example:
    """One fenced Python (or pycon) block of an article."""

    index: int
    kind: ExampleKind
    source: str
    """The block's code as markdown-it gives it: container indentation removed."""
    line: int
    """Article line of the opening fence."""
    code_line: int
    """Article line of the first line of code."""
    name: str
    """Test name a writer recognises: the nearest heading and the line."""
    settings: BlockSettings = field(default_factory=BlockSettings)
    """The block's directive over the article's defaults."""
    world: World = field(default_factory=World)
    """What the block needs from outside: the article's world and what its directive adds."""
    outputs: tuple[OutputClaim, ...] = ()
    timings: tuple[TimingClaim, ...] = ()
    """The directive's claim (`elapsed=`) first, then those of the block's comments."""
    ends: tuple[int, ...] = ()
    """Article lines where each top-level statement (pycon: each prompt) ends, in order:
    where the child marks how far the output has come. Empty when the block does not parse."""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """A Markdown file reduced to what mdverify checks."""

    path: str
    examples: tuple[Example, ...]
    settings: ArticleSettings = field(default_factory=ArticleSettings)


@dataclass(frozen=True)
class Observation:
    """What happened when one block ran in the child process."""

    index: int
    status: Status
    stdout: str = ""
    stderr: str = ""
    segments: tuple[tuple[int, int], ...] = ()
    """(article line where a top-level statement ends, len(stdout) after it), in order."""
    calls: tuple[tuple[int, int, int, int], ...] = ()
    """(article line, column, len(stdout) before, after) of each call of a print that a claim
    names (`OutputClaim.call`), in order."""
    values: tuple[tuple[int, tuple[str, ...] | None], ...] = ()
    """(article line, (repr, str if it differs)) of each value a bare expression with a
    value claim showed; None for the value None, which a REPL does not show."""
    error: str | None = None
    """A traceback or message a writer reads; None when the block ran cleanly."""
    interruption: Interruption | None = None
    """Why the block did not finish, when the process was stopped or ended under it."""
    error_line: int | None = None
    """Article line the error points at, when known."""
    elapsed: float | None = None
    """Seconds from the block's first statement to its last, on `clock`."""
    clock: ClockName = "virtual"
    stdout_cut: Truncation | None = None
    """How stdout was cut at the output limit; None: `stdout` is all the block printed."""
    stderr_cut: Truncation | None = None
    """The same for stderr."""
    tasks: tuple[TaskSpan, ...] = ()
    """The asyncio tasks the block created, for the timeline of a timing failure."""
    serve_problems: tuple[ServeProblem, ...] = ()
    """SERVE: what the server checks found wrong."""
    offline: tuple[str, ...] = ()
    """Hosts the block tried and was refused, not being declared: examples run offline."""

    def __post_init__(self) -> None:
        """Accept the status code as text too (`"ok"`): from JSON, or a test."""
        object.__setattr__(self, "status", Status(self.status))

    @property
    def truncated(self) -> bool:
        """Whether stdout was cut: then what the block really printed is unknown."""
        return self.stdout_cut is not None


@dataclass(frozen=True)
class Mismatch:
    """A declared output that the block's real output does not match."""

    claim: OutputClaim
    got: str
    compared: str | None = None
    """The part of the declaration that was compared when it is not all of it: the value
    of a comment that goes on in prose (`True` of `True, since n is 3`)."""
    cut: bool = False
    """The claimed output runs past where stdout was cut: `got` is only its beginning."""


@dataclass(frozen=True)
class TimingMismatch:
    """A timing claim that the block's measured elapsed time does not honour."""

    claim: TimingClaim
    measured: float
    """Seconds, on the observation's clock."""
    reason: str
    """Why the measurement breaks the claim, tolerance included."""


@dataclass(frozen=True)
class Edit:
    """A declared output to replace with what its block really printed (update mode)."""

    example: Example
    claim: OutputClaim
    """One of `example.outputs`."""
    got: str
    """What the block printed for that claim."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing an observation with what its example claims."""

    example: Example
    observation: Observation
    mismatches: tuple[Mismatch, ...] = ()
    timing: tuple[TimingMismatch, ...] = ()
    prose: tuple[OutputClaim, ...] = ()
    """Comment claims read as prose, not as output (`check.reading`): not compared."""
    not_run: tuple[OutputClaim, ...] = ()
    """Claims on a print call that never ran while the block ran (a function called only
    later, a branch not taken): not compared."""

    @property
    def passed(self) -> bool:
        """True when the block ran cleanly, printed what it declares and kept to its timing."""
        return self.observation.status is Status.OK and not self.mismatches and not self.timing
