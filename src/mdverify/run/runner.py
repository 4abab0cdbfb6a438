"""A session's articles, run ahead of need in the warm worker, or cold when it is unavailable.

`Runner.run` is the one entry point that runs an article, whatever it needs: it asks the
article's `Setup` (its services, in the parent) which blocks cannot run here, provides
the rest around the run, prepares it (`mdverify.run.request`) and runs it, files and
server checks included, on either start.

The plugin plans the articles in the order pytest will ask for them; the runner keeps a few
of them queued in the warm worker (`mdverify.run.warm`) so that children run while pytest
is still reporting the items before them. Results wait here until asked for. If the worker
cannot start (no `fork` on the platform) or dies, every article not yet finished runs as
before, in a freshly started interpreter (`mdverify.run.cold`). Either way the observations
come from the same outcome and capture files (`mdverify.run.observe`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mdverify.model import World
from mdverify.run.cold import run_cold
from mdverify.run.environment import options_env
from mdverify.run.frames import Job
from mdverify.run.observe import not_run, observations
from mdverify.run.request import SetupError, prepare
from mdverify.run.sandbox import Sandbox, choose
from mdverify.run.warm import WarmWorker, WorkerGone

if TYPE_CHECKING:
    from collections.abc import Hashable, Mapping, Sequence
    from pathlib import Path

    from mdverify.model import Article, Example, Observation, Skip
    from mdverify.run.options import RunOptions
    from mdverify.run.request import Prepared, Setup
    from mdverify.run.spec import ArticleRequest

__all__ = ["Ran", "Runner"]


@dataclass(frozen=True)
class Ran:
    """What running an article gave: an observation per block run, a reason per block not."""

    observations: Mapping[int, Observation]
    skips: Mapping[int, Skip]
    """Blocks whose service cannot exist here: they are skipped with the reason."""


def _cores() -> int:
    """Cores this session's children may use: its share when pytest-xdist runs several."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS
        cores = os.cpu_count() or 1
    try:
        sessions = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    except ValueError:
        sessions = 1
    return max(1, cores // max(1, sessions))


class Runner:
    """Runs one session's articles; `ahead` is how many articles may be queued beyond need.

    `warm=False`, or a platform without `fork`, runs every article cold.
    """

    def __init__(self, options: RunOptions, *, warm: bool = True, ahead: int = 8) -> None:
        self.options = options
        self.env = options_env(options)
        """The environment of every article's process, computed once."""
        self.ahead = ahead
        self._warm = warm and hasattr(os, "fork")
        chosen = choose(options.sandbox, options.python, options.tree, options.memory)
        self.sandbox = chosen if isinstance(chosen, Sandbox) else None
        """Where articles run; None: without namespaces (`off`, or none work here)."""
        self._worker: WarmWorker | None = None
        self._order: list[Hashable] = []
        self._position: dict[Hashable, int] = {}
        self._prepared: dict[Hashable, Prepared | None] = {}
        self._next = 0
        """Position in `_order` of the next article to consider submitting."""
        self._jobs: dict[Hashable, int] = {}
        """Job number of each article submitted and not yet collected."""
        self._count = 0
        self._speculated: dict[Hashable, ArticleRequest] = {}
        """Requests started during collection, before the selection was known."""

    def plan(self, key: Hashable, prepared: Prepared | None) -> None:
        """Note that `key` will be asked for after everything planned before it."""
        if key not in self._position:
            self._position[key] = len(self._order)
            self._order.append(key)
            self._prepared[key] = prepared

    def speculate(self, key: Hashable, prepared: Prepared | None) -> None:
        """Start `key` now, before it is planned; its result serves only an equal request."""
        if prepared is None or key in self._jobs:
            return
        worker = self._ensure_worker(prepared)
        if worker is not None:
            try:
                worker.submit(self._job(key, prepared))
            except WorkerGone:
                self._broken()
            else:
                self._speculated[key] = prepared.request

    def run(
        self,
        key: Hashable,
        article: Article,
        path: Path,
        examples: Sequence[Example],
        setup: Setup | None = None,
    ) -> Ran:
        """Run `examples` of `article` (read from `path`) with what they need.

        Without a `setup` the article needs nothing of the parent and may have been
        planned or started early under `key`; with one, it runs now, inside its set-up.
        """
        if setup is None:
            prepared = prepare(article, str(path), examples, self.options, env=self.env)
            return Ran(self.observations(key, prepared), {})
        skips = setup.skips(examples)
        runnable = [e for e in examples if e.index not in skips]
        try:
            wanted = World.union(e.world for e in runnable)
            with setup.provide(path, article.path, wanted) as given:
                prepared = prepare(article, str(path), runnable, self.options, given, self.env)
                return Ran(self.observations(key, prepared), skips)
        except SetupError as err:
            return Ran(not_run(runnable, str(err)), skips)

    def observations(self, key: Hashable, prepared: Prepared | None) -> dict[int, Observation]:
        """Run the article planned as `key` (planning it now if need be)."""
        self.plan(key, prepared)
        prepared = self._prepared.pop(key, prepared)
        guess = self._speculated.pop(key, None)
        if guess is not None and (prepared is None or guess != prepared.request):
            self._forget(key)  # selection changed what to run: the early start is wasted
        if prepared is None:
            return {}
        if self.sandbox is not None:
            prepared = replace(prepared, env=self.sandbox.visible(prepared.env))
        worker = self._ensure_worker(prepared)
        if worker is not None:
            try:
                self._run_ahead(worker, key, prepared)
                finished = worker.result(self._jobs.pop(key))
            except WorkerGone:
                self._broken()
            else:
                try:
                    with finished.folder.capture(prepared.output_limit) as capture:
                        return observations(prepared, finished.outcome, capture)
                finally:
                    finished.folder.remove()
        return run_cold(prepared, self.options.python, self.sandbox)

    def close(self) -> None:
        """Stop the worker, killing whatever it still runs.

        An idle worker is handed on to the process's next session (`WarmWorker.release`).
        """
        if self._worker is not None:
            self._worker.release(idle=not self._jobs)
            self._worker = None

    def _ensure_worker(self, prepared: Prepared) -> WarmWorker | None:
        if self._worker is None and self._warm:
            try:
                # On the real clock, articles running side by side would slow each other
                # and their timing claims would measure that; one at a time, as cold.
                parallel = 1 if self.options.clock == "real" else _cores()
                self._worker = WarmWorker.take(
                    self.options.python, prepared.env, parallel, self.sandbox
                )
            except WorkerGone:
                self._warm = False
        return self._worker

    def _run_ahead(self, worker: WarmWorker, key: Hashable, prepared: Prepared) -> None:
        """Submit `key` unless it is already, and the planned articles up to `ahead` after it."""
        jobs = [] if key in self._jobs else [self._job(key, prepared)]
        limit = min(len(self._order), self._position[key] + 1 + self.ahead)
        while self._next < limit:
            following = self._order[self._next]
            self._next += 1
            planned = self._prepared.get(following)
            if planned is not None and following not in self._jobs:
                jobs.append(self._job(following, planned))
        if jobs:
            worker.submit(*jobs)

    def _job(self, key: Hashable, prepared: Prepared) -> Job:
        self._count += 1
        self._jobs[key] = self._count
        return Job(
            self._count,
            prepared.request,
            prepared.timeouts,
            prepared.env,
            prepared.output_budget,
            prepared.files,
            prepared.serve,
        )

    def _forget(self, key: Hashable) -> None:
        number = self._jobs.pop(key, None)
        if number is not None and self._worker is not None:
            self._worker.forget(number)

    def _broken(self) -> None:
        """The worker is gone: what it had not returned runs cold when asked for."""
        self._warm = False
        self.close()
        self._jobs.clear()
        self._speculated.clear()
