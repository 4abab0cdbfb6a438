"""The session's scheduling policy: which blocks run, which articles run in place, how far ahead.

The pytest shell gathers the facts (what was selected, which options narrow the run, what
an xdist worker was sent) and asks here what to do with them; nothing here knows pytest.

- **Blocks.** A block runs unless its settings skip it here (`skip`, `requires`, `python`).
  Blocks share a namespace, so every runnable block up to the last selected one runs,
  selected or not; blocks after it are not needed.
- **Scoped articles.** An article that asks for hosts or services is *scoped*: its set-up
  lives in the parent around one run (pages mounted on the session's web server, its SQL
  applied and dropped after; the shell's fixtures hold the servers). It is never planned
  ahead or started early, since nothing could take that set-up down at the right moment;
  it runs when pytest reaches it, inside its set-up (`mdverify.run.runner.Runner.run`).
- **Starts.** Every article, scoped or not, starts as the session's `start` says: warm
  (forked by the warm worker) unless the worker is unavailable or `cold` is asked for.
  Service articles used to start cold for two reasons, and neither holds any more. Their
  set-up needs only that the run happen inside it, and the parent waits inside it for the
  worker's result just as it would for a cold child. Server checks are part of the one
  supervision state machine (`mdverify.run.watch`) on both starts, with non-blocking
  sockets, so they hold up none of the worker's other children. Files and server checks
  need nothing of the parent: an article with only those is not scoped.
- **Speculation.** While pytest still collects, an article may start at once with all its
  runnable blocks, but only when every collected item will probably run: a selection
  (-k, -m, --lf, a shard) would waste most of that work. Its result serves only an equal
  request once the selection is known, so a wrong guess costs time, not truth. A
  PostgreSQL cluster that some article will want is begun then too.
- **Look-ahead.** Articles are planned in run order and kept queued in the warm worker
  `AHEAD` beyond the one pytest is at; under pytest-xdist the controller keeps
  `XDIST_QUEUED` articles queued on each worker, so that a worker knows enough to run
  ahead. Scoped articles are never planned: they run when pytest reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from mdverify.article.here import skip_here
from mdverify.model import World

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from mdverify.model import Article, Example, Skip

__all__ = [
    "AHEAD",
    "XDIST_QUEUED",
    "ArticleSchedule",
    "block_mark",
    "look_ahead",
    "may_speculate",
    "runnable",
    "schedule",
    "to_run",
]

AHEAD = 8
"""Articles queued in the warm worker beyond the one pytest is at."""
XDIST_QUEUED = 4
"""Articles kept queued on each pytest-xdist worker."""

_K = TypeVar("_K")


def block_mark(example: Example) -> Skip | str | None:
    """Whether a block is skipped here (the `Skip`) or expected to fail (strictly: why)."""
    skip = skip_here(example.settings)
    if skip is not None:
        return skip
    if example.settings.xfail is not None:
        return example.settings.xfail
    return None


def runnable(examples: Iterable[Example]) -> list[Example]:
    """The blocks whose settings let them run here."""
    return [e for e in examples if skip_here(e.settings) is None]


def to_run(article: Article, last_selected: int) -> list[Example]:
    """The blocks to run for a selection whose last block has index `last_selected`."""
    return runnable(e for e in article.examples if e.index <= last_selected)


@dataclass(frozen=True)
class ArticleSchedule:
    """What the session does with one article when it is collected."""

    scoped: bool
    """Whether its set-up lives in the parent around its run: it asks for hosts or services."""
    speculate: tuple[Example, ...] | None
    """The blocks to start now, during collection; None to wait for the selection."""
    begin: tuple[str, ...]
    """The services worth beginning now: only PostgreSQL's `initdb` takes long enough."""


def schedule(article: Article, *, speculating: bool) -> ArticleSchedule:
    """The article's schedule; `speculating` is what `may_speculate` said for the session."""
    wanted = World.union(e.world for e in article.examples)
    scoped = bool(wanted.hosts or wanted.services)
    early = speculating and not scoped
    return ArticleSchedule(
        scoped=scoped,
        speculate=tuple(runnable(article.examples)) if early else None,
        begin=tuple(name for name in wanted.services if name == "postgres" and speculating),
    )


def may_speculate(*, collect_only: bool, xdist_worker: bool, narrowed: bool) -> bool:
    """Whether articles may start while collection goes on.

    `narrowed` is whether anything selects among the collected items (-k, -m, --lf,
    --deselect, a shard). An xdist worker runs only what it is sent, so it never guesses.
    """
    return not (collect_only or xdist_worker or narrowed)


def look_ahead(upcoming: Iterable[_K], scoped: Callable[[_K], bool]) -> list[_K]:
    """The upcoming articles to plan, in run order: the ones that are not scoped."""
    return [key for key in upcoming if not scoped(key)]
