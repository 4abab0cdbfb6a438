"""Collecting a Markdown article, and running it when its first item asks.

A `MarkdownFile` parses its article (through the session's parse cache), asks the core
for its schedule (`mdverify.run.policy`: cold or warm, what to start early, which blocks
are skipped here or expected to fail) and yields one `ExampleItem` per block. The first
item to run asks the file for its observation; the file then runs the article once through
the session's `Runner.run`, with its services from the fixtures when it is scoped, and
keeps the observations for the other items.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from mdverify.article.cache import ParseCache
from mdverify.article.markdown import read_article
from mdverify.article.parse import decode, parse_text
from mdverify.article.setupfile import setup_code
from mdverify.article.snippets import mentions
from mdverify.article.styles import only_styles
from mdverify.check.runskips import failed_names, stale_names
from mdverify.edit.atomic import digest
from mdverify.model import ArticleError
from mdverify.plugin.fixtures import attach_request, begin_postgres, servers_for
from mdverify.plugin.items import ArticleErrorItem, ExampleItem, junit_properties
from mdverify.plugin.options import settings, snippets_for
from mdverify.plugin.tally import skip_now
from mdverify.plugin.xdist import is_worker, upcoming
from mdverify.run import policy
from mdverify.run.request import prepare
from mdverify.run.runner import Runner

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from mdverify.model import Example, Observation
    from mdverify.run.request import Prepared
    from mdverify.run.runner import Ran

__all__ = ["MarkdownFile"]

_RUNNER = pytest.StashKey[Runner]()
_PARSED = pytest.StashKey[ParseCache]()
_LAST = pytest.StashKey["dict[MarkdownFile, int]"]()
_PLANNED = pytest.StashKey[bool]()
_SPECULATING = pytest.StashKey[bool]()


class MarkdownFile(pytest.File):
    """A Markdown article; runs its examples in one child process on first demand."""

    _ran: Ran | None = None
    lines: list[str]
    """The article's lines, for the context shown in failure reports."""
    scoped: bool = False
    """Whether its set-up lives in the parent around its run (see `mdverify.run.policy`)."""

    def collect(self) -> Iterator[pytest.Item]:
        """One item per example, or one failing item when the article cannot be read."""
        display = _display_path(self.config, self.path)
        try:
            chosen = settings(self.config)
            data = read_article(display, self.path, chosen.max_article_size)
            self.digest = digest(data)  # update mode rewrites only these very bytes
            text = decode(display, data)
            words = chosen.output_words
            # The files an article includes are no part of the cache's key: it parses anew.
            snippets = snippets_for(self.config, self.path) if mentions(text) else None
            cache = _parse_cache(self.config) if snippets is None else ParseCache(None)
            article = cache.article(
                display,
                data,
                lambda: parse_text(display, text, output_words=words, snippets=snippets),
            )
            setup = article.settings.setup
            if setup is not None:
                code = setup_code(display, self.path, setup)
                # An entry of its own, keyed by the file's code too: a changed setup file
                # changes which names the article's blocks find bound.
                article = cache.article(
                    f"{display}\0{setup.name}",
                    data + b"\0" + code.encode(),
                    lambda: parse_text(
                        display, text, output_words=words, setup=code, snippets=snippets
                    ),
                )
            self.article = only_styles(article, chosen.claims)  # the styles the tree reads
        except ArticleError as err:
            yield ArticleErrorItem.from_parent(self, name="unreadable article", error=err)
            return
        except OSError as err:
            error = ArticleError(display, None, f"cannot be read: {err.strerror or err}")
            yield ArticleErrorItem.from_parent(self, name="unreadable article", error=error)
            return
        self.lines = text.split("\n")
        schedule = policy.schedule(self.article, speculating=_speculating(self.config))
        self.scoped = schedule.scoped
        if "postgres" in schedule.begin:
            begin_postgres(self.config)
        for example in self.article.examples:
            item = ExampleItem.from_parent(self, name=example.name, example=example)
            if self.scoped:
                attach_request(item)  # the services are fixtures; only these items use them
            item.user_properties.extend(junit_properties(display, example.line))
            mark = policy.block_mark(example)
            if isinstance(mark, str):
                item.add_marker(pytest.mark.xfail(reason=mark, strict=True))
            elif mark is not None:
                item.static_skip = mark
            yield item
        if schedule.speculate is not None:
            # Start the article now, so its child runs while pytest collects the others.
            runner = _runner(self.session)
            runner.speculate(self, self._prepared(runner, schedule.speculate))

    def observe(self, example: Example, item: pytest.Item) -> Observation:
        """The observation for `example`, running the article's child the first time."""
        if self._ran is None:
            chosen = self._to_run()
            setup = servers_for(item, self.article.path, chosen) if self.scoped else None
            runner = _planned_runner(self.session)
            self._ran = runner.run(self, self.article, self.path, chosen, setup)
        if example.index in self._ran.skips:
            skip_now(item, self._ran.skips[example.index])
        return self._ran.observations[example.index]

    def failed_before(self, example: Example) -> dict[str, int]:
        """Names only failed blocks above `example` bind (`check.runskips.failed_names`)."""
        if self._ran is None:
            return {}
        return failed_names(self.article.examples, self._ran.observations, example.index)

    def stale_before(self, example: Example) -> dict[str, int]:
        """Names whose last binder above `example` failed (`check.runskips.stale_names`)."""
        if self._ran is None:
            return {}
        return stale_names(self.article.examples, self._ran.observations, example.index)

    def _prepared(
        self, runner: Runner, examples: Iterable[Example] | None = None
    ) -> Prepared | None:
        chosen = self._to_run() if examples is None else examples
        return prepare(self.article, str(self.path), chosen, runner.options, env=runner.env)

    def _to_run(self) -> list[Example]:
        return policy.to_run(self.article, _last_selected(self.session).get(self, -1))


def _parse_cache(config: pytest.Config) -> ParseCache:
    """The session's parse cache, in pytest's cache directory unless the cache is off."""
    cache = config.stash.get(_PARSED, None)
    if cache is None:
        store = getattr(config, "cache", None)
        path = store.mkdir("mdverify") / "articles.pickle" if store is not None else None
        # The words that introduce output change what a parse finds: part of the key.
        cache = ParseCache(path, reading=" ".join(settings(config).output_words))
        config.stash[_PARSED] = cache
        config.add_cleanup(cache.save)
    return cache


def _runner(session: pytest.Session) -> Runner:
    """The session's runner, made on first use."""
    config = session.config
    runner = config.stash.get(_RUNNER, None)
    if runner is None:
        chosen = settings(config)
        runner = Runner(chosen.run, warm=chosen.start == "warm", ahead=policy.AHEAD)
        config.stash[_RUNNER] = runner
        config.add_cleanup(runner.close)
    return runner


def _planned_runner(session: pytest.Session) -> Runner:
    """The runner, with the articles to come planned in run order.

    In one process that is every selected article, once. In a pytest-xdist worker it is
    the articles of the items the controller has sent and this worker has not run yet:
    without them, each article would start only when pytest reached it, and the worker's
    children would never overlap its reporting.
    """
    runner = _runner(session)
    config = session.config
    if is_worker(config):
        coming = [a for a in upcoming(session, runner.ahead) if isinstance(a, MarkdownFile)]
    elif not config.stash.get(_PLANNED, False):
        config.stash[_PLANNED] = True
        coming = list(_last_selected(session))
    else:
        return runner
    for article in policy.look_ahead(coming, lambda a: a.scoped):
        runner.plan(article, article._prepared(runner))  # noqa: SLF001 -- same class
    return runner


def _speculating(config: pytest.Config) -> bool:
    """What `policy.may_speculate` says of this session's options, asked once."""
    speculating = config.stash.get(_SPECULATING, None)
    if speculating is None:
        option = config.option
        narrowed = bool(
            option.keyword
            or option.markexpr
            or getattr(option, "lf", False)
            or getattr(option, "deselect", None)
            or settings(config).shard
        )
        speculating = policy.may_speculate(
            collect_only=bool(option.collectonly),
            xdist_worker=is_worker(config),
            narrowed=narrowed,
        )
        config.stash[_SPECULATING] = speculating
    return speculating


def _last_selected(session: pytest.Session) -> dict[MarkdownFile, int]:
    """Each article with selected items, in run order, and the index of its last one."""
    last = session.config.stash.get(_LAST, None)
    if last is None:
        last = {}
        for item in session.items:
            if isinstance(item, ExampleItem) and isinstance(item.parent, MarkdownFile):
                last[item.parent] = max(last.get(item.parent, -1), item.example.index)
        session.config.stash[_LAST] = last
    return last


def _display_path(config: pytest.Config, path: Path) -> str:
    """The article's path as a writer typed it: relative to where pytest was started."""
    relative = os.path.relpath(path, config.invocation_params.dir)
    return str(path) if relative.startswith(os.pardir + os.sep + os.pardir) else relative
