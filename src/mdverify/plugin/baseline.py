"""The baseline in the pytest shell: known failures reported as xfailed, the file refreshed.

Every process reads the file (`--mdverify-baseline`): an item whose failure the file holds,
of the same kind, becomes an xfail whose reason says so; a failure the file does not hold,
or holds with another kind, fails as ever. What each item learns (its block's key and
failure, its article's keys) travels on its report as plain data, so that under xdist the
controlling process alone knows the whole session: it reports the entries whose block now
passes or is gone, and with `--mdverify-baseline-write` rewrites the file atomically. The
rules are the core's (`mdverify.check.baseline`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest

from mdverify.check.baseline import (
    BaselineError,
    BlockKey,
    Entry,
    block_keys,
    code_hint,
    dumps,
    failure_kind,
    loads,
    refreshed,
    retired,
)
from mdverify.check.report import baseline_note, known_failure
from mdverify.check.summary import baseline_lines
from mdverify.edit.atomic import FileChangedError, NotRewritten, digest, write_atomic
from mdverify.plugin.options import settings
from mdverify.plugin.xdist import carry, is_worker

if TYPE_CHECKING:
    from collections.abc import Generator, Sequence
    from pathlib import Path

    from _pytest.terminal import TerminalReporter

    from mdverify.model import Example, Verdict

__all__ = ["KNOWN", "Baselines", "consult", "register"]

_PLUGIN = "mdverify-baseline"
_RESULT = "mdverify_baseline_result"
"""On a report: [article, block, occurrence, failure kind or "", code]."""
_ARTICLE = "mdverify_baseline_article"
"""On the first report of an article from a process: [article, [[block, occurrence], ...]]."""
KNOWN = "mdverify_known"
_XFAIL = "_mdverify_xfail"  # the item's reason to report its failure as a known one
"""On a report: the item's failure is a known one, from the baseline."""


class Baselines:
    """The baseline's hooks, registered once per process."""

    def __init__(self, config: pytest.Config) -> None:
        chosen = settings(config)
        self.path: Path | None = chosen.baseline
        self.write = chosen.baseline_write
        self.is_worker = is_worker(config)
        self.digest: str | None = None
        self.entries: dict[BlockKey, Entry] = {}
        if self.path is not None and self.path.exists():
            try:
                data = self.path.read_bytes()
                self.entries = loads(str(self.path), data.decode("utf-8"))
            except (BaselineError, UnicodeDecodeError, OSError) as err:
                raise pytest.UsageError(f"--mdverify-baseline: {err}") from None
            self.digest = digest(data)
        self.sent: set[str] = set()
        """Articles whose keys this process has put on a report."""
        self.results: dict[BlockKey, Entry | None] = {}
        self.collected: dict[str, frozenset[BlockKey]] = {}
        self.keys: dict[str, tuple[BlockKey, ...]] = {}
        self.summary: list[str] = []

    def key(self, item: pytest.Item, example: Example, examples: Sequence[Example]) -> BlockKey:
        """The baseline's name of an item's block; `examples` are all its article's."""
        article = _article_path(item)
        keys = self.keys.get(article)
        if keys is None:
            keys = self.keys[article] = block_keys(article, [e.source for e in examples])
        return keys[example.index]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Carry the item's result (and its article's keys, once) on its report."""
        report = yield
        if report.when == "call":
            carry(item, report, _RESULT, _ARTICLE, KNOWN)
            reason = getattr(item, _XFAIL, None)
            if reason is not None and report.failed:
                # As pytest's own xfail mark does: the failure stays the report's text (the
                # diff a writer reads), not a traceback of the xfail call in our code.
                report.outcome = "skipped"
                report.wasxfail = reason
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather, in the controlling process, what the items reported."""
        if self.is_worker:
            return
        article = getattr(report, _ARTICLE, None)
        if article is not None:
            name, keys = article
            self.collected[name] = frozenset(BlockKey(name, b, int(n)) for b, n in keys)
        result = getattr(report, _RESULT, None)
        if result is not None:
            name, block, occurrence, kind, code = result
            key = BlockKey(name, block, int(occurrence))
            self.results[key] = Entry(key, kind, code) if kind else None

    def pytest_sessionfinish(self) -> None:
        """Report what the session retires from the baseline, and rewrite it if asked."""
        if self.path is None or self.is_worker:
            return
        passing, gone = retired(self.entries, self.collected, self.results)
        new = refreshed(self.entries, self.collected, self.results)
        added = sum(1 for e in new if e.key not in self.entries or self.entries[e.key] != e)
        written = False
        refused: list[str] = []
        if self.write:
            try:
                write_atomic(self.path, dumps(new).encode("utf-8"), self.digest)
                written = True
            except FileChangedError:
                pass  # reported below: the file changed while the session ran
            except NotRewritten as err:
                refused.append(f"mdverify: the baseline {self.path} {err}")
        self.summary = refused or baseline_lines(
            str(self.path),
            passing=len(passing),
            gone=len(gone),
            entries=len(new),
            added=added,
            write=self.write,
            written=written,
        )

    @pytest.hookimpl(trylast=True)  # after pytest's own summary sections
    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        """Print what the session did to the baseline, or would do on a refresh."""
        for line in self.summary:
            terminalreporter.write_line(line)


def consult(item: pytest.Item, verdict: Verdict, examples: Sequence[Example]) -> str | None:
    """Record the item's result; mark a known failure as xfailed; a note for a changed one.

    `examples` are all the blocks of the item's article. Returns the note to add to the
    failure's report, or None.
    """
    plugin = cast("Baselines | None", item.config.pluginmanager.get_plugin(_PLUGIN))
    example = verdict.example
    if plugin is None or plugin.path is None or example.settings.xfail is not None:
        return None  # a block its writer expects to fail is not the baseline's business
    key = plugin.key(item, example, examples)
    if key.article not in plugin.sent:
        plugin.sent.add(key.article)
        keys = plugin.keys[key.article]
        setattr(item, _ARTICLE, [key.article, [[k.block, k.occurrence] for k in keys]])
    kind = "" if verdict.passed else failure_kind(verdict)
    code = code_hint(example.source)
    setattr(item, _RESULT, [key.article, key.block, key.occurrence, kind, code])
    if not kind:
        return None
    known = plugin.entries.get(key)
    if plugin.write or (known is not None and known.kind == kind):
        setattr(item, KNOWN, True)
        setattr(item, _XFAIL, known_failure(str(plugin.path), kind, written=plugin.write))
        return None
    return baseline_note(str(plugin.path), known.kind, kind) if known is not None else None


def register(config: pytest.Config) -> None:
    """Register the baseline's hooks (they do nothing without `--mdverify-baseline`)."""
    config.pluginmanager.register(Baselines(config), _PLUGIN)


def _article_path(item: pytest.Item) -> str:
    """The article's path from the rootdir, with `/`: the same from any directory."""
    try:
        return item.path.relative_to(item.config.rootpath).as_posix()
    except ValueError:
        return item.path.as_posix()
