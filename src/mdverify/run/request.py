"""An article's run, decided but not started (`Prepared`): the child's request and limits.

`prepare` turns the examples to run and the session's `RunOptions` into what any start
needs: the request the child reads (`mdverify.run.spec.ArticleRequest`), each block's real
time limit, the child's environment and the output limits. `Provision` is what the
article's services give the child: plain data. `Setup` is how the run stage asks for it
without knowing the services (`mdverify.services.provided.Servers` is one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from mdverify.article.cells import CELL_KINDS
from mdverify.model import World, beside
from mdverify.run.environment import options_env

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path

    from mdverify.model import Article, ClockName, Example, OutputClaim, ServeCheck, Skip
    from mdverify.run.options import RunOptions
    from mdverify.run.spec import ArticleRequest, BlockRequest

__all__ = ["Prepared", "Provision", "Setup", "SetupError", "prepare"]


@dataclass(frozen=True)
class Provision:
    """What the article's services give the child: plain data."""

    env: Mapping[str, str] = field(default_factory=dict)
    """Variables added to the child's environment (e.g. the libpq ones)."""
    hosts: Mapping[str, int] = field(default_factory=dict)
    """Host name -> port of the local HTTP server on 127.0.0.1."""
    tls_port: int | None = None
    """Port of the local HTTPS server (for port 443 of the hosts); None: no HTTPS."""
    services: tuple[tuple[str, int], ...] = ()
    """(host, port) of every server the harness runs for the article: they answer."""


class SetupError(RuntimeError):
    """What an article asks for cannot be set up; the message names the article."""


class Setup(Protocol):
    """The parent's side of an article's outside world, around one run of it."""

    def skips(self, examples: Sequence[Example]) -> dict[int, Skip]:
        """The blocks that cannot run here (their service cannot exist), and why."""
        ...

    def provide(
        self, article: Path, display: str, wanted: World
    ) -> AbstractContextManager[Provision]:
        """Set up `wanted` for one run; raises `SetupError` when it cannot."""
        ...


@dataclass(frozen=True)
class Prepared:
    """One article's run, decided but not started: what any way of starting a child needs."""

    request: ArticleRequest
    timeouts: Mapping[int, float]
    """Real-time limit of each block, by example index."""
    env: Mapping[str, str]
    """The child's environment."""
    chosen: tuple[Example, ...]
    clock: ClockName
    output_limit: int
    output_budget: int
    files: tuple[tuple[str, str], ...] = ()
    """(relative name, content) created in the child's working directory before it starts:
    the `files` of the chosen blocks' worlds."""

    @property
    def serve(self) -> dict[int, ServeCheck]:
        """The server check of each chosen block that serves, by example index."""
        return {e.index: e.settings.serve for e in self.chosen if e.settings.serve is not None}


def prepare(
    article: Article,
    abspath: str,
    examples: Iterable[Example],
    options: RunOptions,
    provision: Provision | None = None,
    env: Mapping[str, str] | None = None,
) -> Prepared | None:
    """The request for running `examples` of `article`, or None when there is nothing to run.

    `env` is the child's environment when the caller has already computed `child_env`.
    """
    chosen = tuple(examples)
    if not chosen:
        return None
    clock: ClockName = article.settings.clock or options.clock
    serve = sorted(e.index for e in chosen if e.settings.serve is not None)
    request: ArticleRequest = {
        "path": abspath,
        "display": article.path,
        "clock": clock,
        "cap": options.cap,
        "limits": {
            "memory": options.memory,
            "processes": options.processes,
            "file_size": options.output_budget,
        },
        "blocks": [
            _block(e, environ, abspath, article.path)
            for e, environ in _exports(article.examples, chosen)
        ],
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
        request,
        timeouts,
        env,
        chosen,
        clock,
        options.output_limit,
        options.output_budget,
        World.union(e.world for e in chosen).files,
    )


def _exports(
    examples: Sequence[Example], chosen: Sequence[Example]
) -> list[tuple[Example, list[list[str]]]]:
    """Each chosen block with what shell fences export since the chosen block before it.

    A block that does not run still leaves its exports to the next one that does.
    """
    runs = {e.index for e in chosen}
    pending: list[list[str]] = []
    paired: list[tuple[Example, list[list[str]]]] = []
    for example in examples:
        pending += [list(pair) for pair in example.environ]
        if example.index in runs:
            paired.append((example, pending))
            pending = []
    return paired


def _block(example: Example, environ: list[list[str]], abspath: str, display: str) -> BlockRequest:
    file = example.file
    # A block that only compiles records nothing of a run: its claims are not compared.
    claimed = () if example.settings.norun else example.outputs
    return {
        "index": example.index,
        "kind": example.kind,
        "source": example.source,
        "code_line": example.code_line,
        "ends": list(example.ends),
        "trace_awaits": bool(example.timings) and not example.settings.norun,
        "calls": [list(call) for call in sorted({c.call for c in claimed if c.call})],
        "values": sorted({c.line for c in claimed if c.kind == "value"} | _cell(example, claimed)),
        "environ": environ,
        "file": None if file is None else [beside(abspath, file), beside(display, file)],
        "writes": example.writes,
        "script": example.script,
        # A console block has nothing to compile: under `norun` it is sent no commands.
        "norun": bool(example.settings.norun) and example.kind != "console",
        "stdin": example.settings.stdin,
        "namespace": example.namespace,
        "alone": example.alone,
        "commands": [
            {
                "line": c.line,
                "text": c.text,
                "background": c.background,
                "status": c.status,
                "shows_error": c.shows_error,
                "job": c.job,
            }
            for c in example.commands
            if not example.settings.norun
        ],
        "repl": example.repl,
        "origins": list(example.origins),
        "included": [
            {
                "path": r.path,
                "name": r.name,
                "line": r.line,
                "at": r.at,
                "first": r.first,
                "count": r.count,
            }
            for r in example.included
        ],
    }


def _cell(example: Example, claimed: Sequence[OutputClaim]) -> set[int]:
    """The last line whose value a notebook shows, when an output `claimed` covers the block."""
    whole = any(c.kind in CELL_KINDS and c.upto_line is None for c in claimed)
    return {example.display} if whole and example.display is not None else set()
