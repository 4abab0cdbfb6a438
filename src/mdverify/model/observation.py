"""What a block did when it ran: `Observation`, and the codes that say how its run ended.

Status and interruptions are data; `mdverify.check.report` alone puts them in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

__all__ = [
    "ClockName",
    "Diagnostic",
    "DiagnosticKind",
    "Halt",
    "Interruption",
    "Observation",
    "Raised",
    "ServeFault",
    "ServeProblem",
    "Status",
    "TaskSpan",
    "Truncation",
]


ClockName = Literal["virtual", "real"]
"""Which clock a block runs on: the article's `clock:` setting, and what its run used."""


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
    FOREVER = "forever"
    """The block waited for what could never come, and was stopped with SIGINT as a reader
    stops it with Ctrl-C. It ran: its status says how it ended (OK when on that interrupt)."""


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
    """TIMEOUT, FOREVER: `host:port` of each server listening, as the example asked for it."""
    connected: bool = False
    """TIMEOUT, FOREVER: whether any of those servers accepted a client."""


@dataclass(frozen=True)
class Truncation:
    """A block's stream cut at the output limit, as data; `check.report` writes the note."""

    written: int
    """Bytes the block wrote to the stream."""
    kept: int
    """Bytes kept: the first ones, ending on a whole line where there is one."""
    limit: int
    """The output limit, in bytes."""


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
class Raised:
    """The exception a block stopped on, as the child reports it: data, not traceback text."""

    type: str
    """The type's name as Python prints it (`ValueError`, `asyncio.exceptions.CancelledError`)."""
    message: str
    """What Python prints after `type: ` (`str(exc)`, a SyntaxError's `msg`, notes after it);
    empty when it prints the name alone."""
    statement: int | None = None
    """Article line where the top-level statement (or prompt) that raised ends."""
    printed: tuple[tuple[str, str], ...] = ()
    """(type, message) of every exception a traceback of it shows, in the order Python prints
    them: the exceptions it was raised from or during first, an ExceptionGroup's members
    after the group, depth first."""
    name: str | None = None
    """NameError: the name that was not found (`NameError.name`); None otherwise. A run-time
    skip (`mdverify.check.runskips.skip_of`) reads it here, never from the traceback."""


class DiagnosticKind(str, Enum):
    """What asyncio (or aiohttp) said of a broken program; the values are the `allow` words.

    A `str` enum, so that the child's events carry it as plain JSON.
    """

    NEVER_AWAITED = "never-awaited"
    """`RuntimeWarning: coroutine '...' was never awaited`."""
    PENDING_TASK = "pending-task"
    """`Task was destroyed but it is pending!`."""
    UNRETRIEVED = "unretrieved-exception"
    """`Task exception was never retrieved` (or a future's)."""
    UNCLOSED = "unclosed"
    """An event loop, a transport or an aiohttp client session never closed."""


@dataclass(frozen=True)
class Diagnostic:
    """One of asyncio's diagnostics that a block's run gave, as the child recorded it."""

    kind: DiagnosticKind
    name: str
    """What it is about, for reports: the coroutine's name (`main`), a task's name and
    coroutine (`Task-2 running worker()`), the resource (`event loop`)."""
    line: int | None = None
    """Article line that made the coroutine, task or resource; None: not in the article."""
    block: int | None = None
    """Index of the block that was running when it was given; None: after the last one,
    when the article's process ended (`mdverify.run.leaks`)."""
    detail: str = ""
    """What more a writer needs: the exception never retrieved (`ValueError('boom')`)."""


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
    asked_input: bool = False
    """The block called `input()`, which found nothing: examples get no standard input."""
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
    raised: Raised | None = None
    """RAISED: the exception the block stopped on, when the child could say."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """asyncio's diagnostics of objects this block made (or, for those of no block's
    making, that it gave, or that the article's end gave after its last block)."""

    @property
    def truncated(self) -> bool:
        """Whether stdout was cut: then what the block really printed is unknown."""
        return self.stdout_cut is not None
