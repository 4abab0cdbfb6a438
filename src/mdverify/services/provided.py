"""Run an article with the services its blocks ask for: provide, run, take down.

The plugin passes in the session's servers (`Servers`, from its fixtures); this module
decides which blocks cannot run here (their service is missing: they are skipped with the
reason), sets up the rest around one run (`mdverify.services.provide`) and runs it.

Articles with services start cold (`mdverify.run.cold`), never in the warm worker, for two
reasons. Their set-up is scoped to one run in pytest's process (pages mounted on the web
server, the SQL applied and dropped after), while the worker runs articles ahead of need
and in parallel, with no moment at which the parent could take an article's set-up down.
And a server check (`mdverify.run.servecheck`) sends blocking HTTP requests as soon as the
block listens: inside the worker's single select loop it would hold up the deadlines and
budgets of every other child for as long as the server takes to answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mdverify.model import Observation, Status, World
from mdverify.run.cold import run_cold
from mdverify.run.request import prepare
from mdverify.services import ServiceError, provide

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from mdverify.model import Article, Example
    from mdverify.run.options import RunOptions
    from mdverify.services.postgres import Postgres
    from mdverify.services.web import LocalWeb

__all__ = ["Servers", "not_run", "run_with_services"]


@dataclass(frozen=True)
class Servers:
    """The session's servers an article's run may use, as the plugin obtained them."""

    web: LocalWeb | None = None
    postgres: Postgres | None = None
    missing: Mapping[str, str] = field(default_factory=dict)
    """Service name -> why it cannot exist here: its blocks are skipped with that reason."""
    broken: str | None = None
    """Why a server failed to start: then no block runs, and each says so."""


def run_with_services(
    article: Article,
    path: Path,
    examples: Sequence[Example],
    options: RunOptions,
    servers: Servers,
) -> tuple[dict[int, Observation], dict[int, str]]:
    """Run `examples` of `article` with what they need.

    Returns the observations and, for blocks whose service cannot exist here, the reason
    to skip them.
    """
    if servers.broken is not None:
        return not_run(examples, servers.broken), {}
    skips = {
        e.index: servers.missing[name]
        for e in examples
        for name in e.world.services
        if name in servers.missing
    }
    runnable = [e for e in examples if e.index not in skips]
    try:
        with provide(
            path,
            article.path,
            World.union(e.world for e in runnable),
            servers.web,
            servers.postgres,
        ) as given:
            prepared = prepare(article, str(path), runnable, options, given)
            if prepared is None:
                return {}, skips
            return run_cold(prepared, options.python), skips
    except ServiceError as err:
        return not_run(runnable, str(err)), skips


def not_run(examples: Sequence[Example], reason: str) -> dict[int, Observation]:
    """Every block of `examples` not run, for `reason`."""
    return {e.index: Observation(e.index, Status.NOT_RUN, error=reason) for e in examples}
