"""The session's servers as one article's `Setup`: which blocks skip, and what is provided.

The plugin passes in the session's servers (`Servers`, from its fixtures), and the run
stage's one entry point (`mdverify.run.runner.Runner.run`) asks them, through the
`mdverify.run.request.Setup` protocol, which blocks cannot run here (their service is
missing: they are skipped with the reason) and for the set-up of the rest around one run
(`mdverify.services.provide`).

That set-up (pages mounted on the web server, the SQL applied and dropped after) lives in
pytest's process for the duration of one run, so such an article is never planned ahead
or started early: it runs when pytest reaches it, inside its set-up, on whichever start
the session uses (`mdverify.run.policy` says why it may start warm).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mdverify.model import Skip, SkipKind
from mdverify.services import ServiceError, provide

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

    from mdverify.model import Example, World
    from mdverify.run.request import Provision
    from mdverify.services.postgres import Postgres
    from mdverify.services.web import LocalWeb

__all__ = ["Servers"]


@dataclass(frozen=True)
class Servers:
    """The session's servers an article's run may use, as the plugin obtained them."""

    web: LocalWeb | None = None
    postgres: Postgres | None = None
    missing: Mapping[str, str] = field(default_factory=dict)
    """Service name -> why it cannot exist here: its blocks are skipped with that reason."""
    broken: str | None = None
    """Why a server failed to start: then no block runs, and each says so."""

    def skips(self, examples: Sequence[Example]) -> dict[int, Skip]:
        """The blocks whose service cannot exist here, and why (none when a server broke)."""
        if self.broken is not None:
            return {}
        return {
            e.index: Skip(SkipKind.SERVICE, self.missing[name])
            for e in examples
            for name in e.world.services
            if name in self.missing
        }

    @contextlib.contextmanager
    def provide(self, article: Path, display: str, wanted: World) -> Iterator[Provision]:
        """What `wanted` asks for, set up around one run; `ServiceError` if it cannot be."""
        if self.broken is not None:
            raise ServiceError(self.broken)
        with provide(article, display, wanted, self.web, self.postgres) as given:
            yield given
