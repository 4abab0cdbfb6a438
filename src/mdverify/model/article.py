"""What an article declares, as read from its text: `Article` -> `Example`s with their claims.

Every type here is a frozen dataclass so that the pure core can pass them around, cache
them and send them to a child process without defensive copies. Line numbers are 1-based
article lines (what an editor shows), never offsets into a code block.
"""

from __future__ import annotations

import functools
import os.path
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from mdverify.model.sources import Command, Included

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mdverify.model.observation import ClockName, DiagnosticKind
    from mdverify.model.skip import Skip


__all__ = [
    "ISOLATED",
    "Article",
    "ArticleError",
    "ArticleSettings",
    "BlockSettings",
    "ClaimKind",
    "Command",
    "Example",
    "ExampleKind",
    "Included",
    "OutputClaim",
    "OutputFilter",
    "RaisesClaim",
    "ServeCheck",
    "SetupFile",
    "Stream",
    "TimingClaim",
    "World",
    "beside",
]

ExampleKind = Literal["python", "pycon", "console"]


ClaimKind = Literal[
    "fence", "transcript", "comment", "trailing", "arrow", "string", "prompt", "value", "command"
]

Stream = Literal["stdout", "stderr"]


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


@dataclass(frozen=True)
class OutputFilter:
    """One rewrite of declared and printed output before they are compared (`filters`).

    A writer's `REGEX => REPLACEMENT` and each pattern of a named preset are one each; the
    `durations` preset has no pattern of its own here: it pairs numbers, within `tolerance`.
    """

    name: str
    """The preset's name, or the filter as the writer wrote it; `none` drops the filters
    in force before it (the session's, the article's)."""
    pattern: str = ""
    """The regular expression replaced; empty for `durations` and `none`."""
    replacement: str = ""
    """What replaces each match (`re.sub` syntax: `\\1` is the first group)."""
    tolerance: str | None = None
    """`durations` only: how far a declared duration may be off (`10%,0.2s`, as a
    `--mdverify-tolerance`); None: the tolerance of timing claims on the block's clock."""


@dataclass(frozen=True)
class BlockSettings:
    """How to run one block: its directive comment over the front matter's defaults."""

    skip: Skip | None = None
    """Why the block is skipped; None runs it."""
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
    filters: tuple[OutputFilter, ...] = ()
    """Filters applied before comparing, after the session's, in order (`none` resets)."""
    unordered: bool | None = None
    """Compare output lines as a multiset; None: not set here (the default is False)."""
    allow: frozenset[DiagnosticKind] = frozenset()
    """asyncio's diagnostics the block may give without failing (`allow=never-awaited`)."""
    norun: bool | None = None
    """Compile the block and look up its imports, never run it, nor compare what it
    declares; None: not set here (the block runs)."""
    stdin: str | None = None
    """The text the block's standard input holds, as a piped file; None: none at all."""
    session: str | None = None
    """The named namespace the block runs in (`session=server`); None: the default one."""
    isolate: bool | None = None
    """Run the block alone, in a namespace of its own; None: not set here (it shares one)."""
    reset: bool = False
    """Start a new namespace for the block's session from this block on."""

    def merged(self, other: BlockSettings) -> BlockSettings:
        """Return these settings with every key that `other` sets taking precedence."""
        return BlockSettings(
            skip=other.skip if other.skip is not None else self.skip,
            xfail=other.xfail if other.xfail is not None else self.xfail,
            timeout=other.timeout if other.timeout is not None else self.timeout,
            requires=self.requires + other.requires,
            python=self.python + other.python,
            serve=other.serve if other.serve is not None else self.serve,
            filters=self.filters + other.filters,
            unordered=other.unordered if other.unordered is not None else self.unordered,
            allow=self.allow | other.allow,
            norun=other.norun if other.norun is not None else self.norun,
            stdin=other.stdin if other.stdin is not None else self.stdin,
            session=other.session if other.session is not None else self.session,
            isolate=other.isolate if other.isolate is not None else self.isolate,
            reset=self.reset or other.reset,
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
class SetupFile:
    """The front matter's `setup: file.py`: a Python file run before the article's first block."""

    name: str
    """The file as the writer named it, relative to the article's folder."""
    line: int = 0
    """Article line of the `setup:` key (0 until the front matter's reader knows it)."""


def beside(article_path: str, name: str) -> str:
    """The path of the file `name`, relative to the article's folder, written as its path is.

    A relative article path gives a relative path, an absolute one an absolute path.
    """
    # normpath, not Path: `../shared/fakes.py` must lose its `..` as the reports show it.
    return os.path.normpath(os.path.join(os.path.dirname(article_path), name))  # noqa: PTH118, PTH120


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
    setup: SetupFile | None = None
    """The Python file run first, in the blocks' namespace; None: none."""


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
    stream: Stream = "stdout"
    """Which stream the output was written to: a `stderr` fence declares the block's whole
    stderr (`mdverify.article.fences`)."""


RaisesForm = Literal["traceback", "comment", "trailing", "directive"]


@dataclass(frozen=True)
class RaisesClaim:
    """An exception an article says a block stops on (`mdverify.article.raises` has the rule)."""

    form: RaisesForm
    """traceback: a traceback in an output fence, `#>` or comment lines; comment: an
    exception line (`# ValueError: bad`) under a statement; trailing: the same after the
    raising statement; directive: `raises=...`."""
    exceptions: tuple[str, ...]
    """The exception lines as declared (`ValueError: bad`), in the order they are printed:
    one, or each of a chain's or an ExceptionGroup's."""
    line: int
    """Article line of the last declared exception line (the directive's line): what
    reports point at and what an update rewrites."""
    upto_line: int | None = None
    """Article line where the statement it is declared on ends; None: anywhere in the block."""
    exact: bool = True
    """The message is compared (a traceback, `Type: message`); False: only the type."""
    soft: bool = False
    """A bare name (`# TypeError`, `# Error`): a declaration only where the block raised;
    elsewhere the comment is read as it would be without it."""
    form_text: str = ""
    """How a fence declared it, in words (`the output fence`); empty: `form` says it."""
    style: ClaimKind | None = None
    """The claim style it is written in (`mdverify.article.styles`); None: the directive."""


@dataclass(frozen=True)
class TimingClaim:
    """An elapsed-time promise for a whole block: `~1s`, optionally with `not 2s`."""

    line: int
    """Article line of the comment or directive that makes the claim."""
    text: str
    """The claim as reports spell it: `~1s, not 2s`."""
    seconds: float
    not_seconds: tuple[float, ...] = ()
    """Durations the claim rules out (`not 2s`)."""
    written: str = ""
    """The writer's own words, the comment without its `#` (`takes about 2 seconds`), for a
    note that quotes them; empty for a directive's claim, which `text` spells as written."""


ISOLATED = "!"
"""How an isolated block's namespace begins (`mdverify.article.sessions`); no session's does."""


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
    unbound: frozenset[str] = frozenset()
    """Names the block uses (at any depth) that no block of the article binds anywhere, and
    that are neither a near-miss of a known name nor a standard module's name: what an
    exercise or a template leaves to the reader (`mdverify.article.fragments.unbound`). A
    NameError for one of them skips the block instead of failing it."""
    binds: frozenset[str] = frozenset()
    """Names the block binds, at any depth (`mdverify.article.fragments.binds`)."""
    reads: frozenset[str] = frozenset()
    """Names the block reads and does not bind itself (`mdverify.article.fragments.reads`):
    what it takes from the blocks above it."""
    volatile: frozenset[str] = frozenset()
    """What the block's code reads that no later run reproduces: `clock` (the wall clock),
    `pid` (a process id), for the `wall_clock` and `pids` filters
    (`mdverify.article.volatile`)."""
    volatile_lines: frozenset[int] = frozenset()
    """Article lines of the statements (at any depth) that read one of `volatile`: a comment
    claim on one that differs from this run shows the writer's run, and is not compared."""
    local: tuple[tuple[str, int], ...] = ()
    """(name, line of the block that binds it) for each name the block uses at its top level
    that the article binds only inside functions (`mdverify.article.fragments.local`). A
    NameError for one of them skips the block as a fragment instead of failing it."""
    asked: tuple[tuple[str, int], ...] = ()
    """(name, line of the ask) for each function the block calls and does not bind that the
    prose above asks the reader to write (`mdverify.article.exercises`). A block that then
    fails is skipped as an exercise; one that passes, with an earlier example's function of
    that name, passes."""
    warnings: tuple[str, ...] = ()
    raises: tuple[RaisesClaim, ...] = ()
    """The exceptions the article says the block stops on, in article order."""
    environ: tuple[tuple[str, str], ...] = ()
    """(name, value) exported by shell fences between the previous Python block and this one
    (`mdverify.article.shell`): set in the environment before this block runs."""
    display: int | None = None
    """Article line of the block's last statement when it is a bare expression whose value a
    notebook cell would show after what the cell printed (`mdverify.article.claims.display`):
    a whole-block output that matches only with that value added matches as the cell."""
    hidden: bool = False
    """Code a reader never sees (`mdverify.article.hidden`): a fence inside an
    `<!-- mdverify: hidden ... -->` comment, or the front matter's setup file. It runs in
    order with the other blocks; no guess (fragment, template) ever skips it."""
    file: str | None = None
    """The setup file the code comes from, relative to the article's folder (`SetupFile`);
    None: the article itself. Then `code_line` and the lines of the block's claims, ends
    and errors are that file's lines, and `line` is the article line of the `setup:` key."""
    writes: str | None = None
    """The file the block is (`python title="server.py"`, `mdverify.article.files`), relative
    to the working directory: the child writes the code there, and does not run it in the
    blocks' namespace. None: the block is code."""
    script: bool = False
    """A file block that a console transcript after it runs (`$ python server.py`): once
    written, it runs as that script, in a namespace of its own."""
    namespace: str = ""
    """Which namespace the block runs in (`mdverify.article.sessions`): blocks with the same
    one share their names, a task's loop and their `__future__` imports; "" is the default."""
    commands: tuple[Command, ...] = ()
    """A console block's commands, in order (kind "console"); each one's output is a claim."""
    repl: bool = False
    """A pycon block that is a `python -m asyncio` session: a namespace of its own, with
    `asyncio` imported and top-level await, as that REPL gives."""
    origins: tuple[int, ...] = ()
    """The article line of each line of `source` when the block includes files (`--8<--`):
    an included line stands at the line that includes it. Empty: none, line N of the block
    is article line `code_line + N - 1`."""
    included: tuple[Included, ...] = ()
    """The runs of `source`'s lines that come from other files, in order."""

    @property
    def alone(self) -> bool:
        """Whether it runs in a fresh process of its own (`isolate`, `ISOLATED` namespace)."""
        return self.namespace.startswith(ISOLATED)


@dataclass(frozen=True)
class Article:
    """A Markdown file reduced to what mdverify checks."""

    path: str
    examples: tuple[Example, ...]
    settings: ArticleSettings = field(default_factory=ArticleSettings)
