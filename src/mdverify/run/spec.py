"""What the parent asks the child to run: the article's request and its blocks.

Plain data (TypedDicts), because it crosses a pipe as JSON (a cold start) or a frame (the
warm worker, `mdverify.run.frames`). `mdverify.run.request` builds it; `mdverify.run.child`
reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from mdverify.model import ClockName, ExampleKind
    from mdverify.run import netmap
    from mdverify.run.console import CommandRequest
    from mdverify.run.limits import Limits

__all__ = ["ArticleRequest", "BlockRequest", "IncludedRun"]


class IncludedRun(TypedDict):
    """A run of a block's lines from an included file (`model.Included`)."""

    path: str
    name: str
    line: int
    at: int
    first: int
    count: int


class BlockRequest(TypedDict):
    """One block to run."""

    index: int
    kind: ExampleKind
    source: str
    code_line: int
    ends: list[int]
    """Article lines where each top-level statement (or prompt) ends, as the parent read
    them (`Example.ends`): output is attributed at these, the lines its claims name."""
    trace_awaits: bool
    """Record awaited coroutines for the timeline (blocks that make a timing claim)."""
    calls: list[list[int]]
    """(line, column) of each print call whose own output a claim declares (`run.claimed`)."""
    values: list[int]
    """Article lines of the bare expressions whose value a comment shows."""
    environ: list[list[str]]
    """(name, value) that shell fences above the block export: set before it runs."""
    file: list[str] | None
    """[absolute path, path as reports name it] of the setup file the code comes from
    (`Example.file`): its compiled code and tracebacks name that file; None: the article."""
    writes: str | None
    """The file the block is, relative to the working directory (`Example.writes`): its code
    is written there, not run in the namespace; None: the block is code."""
    script: bool
    """Once written, run that file as a script (`Example.script`)."""
    norun: bool
    """Compile the block and look up its imports, never run it (`mdverify.run.compiled`)."""
    stdin: str | None
    """The text the block's standard input holds; None: none (`mdverify.run.fresh`)."""
    namespace: str
    """The namespace it runs in (`Example.namespace`): "" is the default one."""
    alone: bool
    """It runs in a fresh process of its own, with its namespace's other blocks
    (`isolate`, `mdverify.run.alone`)."""
    commands: list[CommandRequest]
    """A console block's commands (`mdverify.run.console`); empty for the other kinds."""
    repl: bool
    """A pycon block that is a `python -m asyncio` session (`Example.repl`)."""
    origins: list[int]
    """The article line of each line of `source` when it includes files; empty: none."""
    included: list[IncludedRun]
    """The runs of `source`'s lines from included files (`mdverify.run.included`)."""


class ArticleRequest(TypedDict):
    """Everything the child needs; plain data so it crosses a pipe as JSON."""

    path: str
    """Absolute path of the article: the filename of compiled code, so tracebacks and
    linecache show the article's own lines."""
    display: str
    """How reports name the article (relative to the rootdir)."""
    clock: ClockName
    cap: float | None
    limits: Limits
    """Applied before any example code runs; see `mdverify.run.limits`."""
    blocks: list[BlockRequest]
    net: netmap.NetSpec
    """Declared hosts and checked servers: see `mdverify.run.netmap`."""
