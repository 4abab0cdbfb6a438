"""Which files pytest collects and keeps: articles changed since a git ref, and CI shards.

The rules are the core's (`mdverify.selection`); this module applies them at pytest's
collection hooks. Changed-since filters what is collected; a shard deselects after
collection, so that every item, Markdown or not, goes with its file and the shards'
union is one whole run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mdverify.article.snippets import mentions
from mdverify.plugin.options import settings, snippets_for
from mdverify.selection.changed import ChangesError, changed_files

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["deselect_other_shards", "find_changed", "nothing_changed", "selected"]

_CHANGED = pytest.StashKey[frozenset["Path"]]()


def find_changed(config: pytest.Config) -> None:
    """Ask git, once, which files changed since the `changed_since` ref, if one is given."""
    ref = settings(config).changed_since
    if ref is not None:
        try:
            config.stash[_CHANGED] = changed_files(ref, config.invocation_params.dir)
        except ChangesError as err:
            raise pytest.UsageError(f"--mdverify-changed-since: {err}") from None


def selected(config: pytest.Config, path: Path) -> bool:
    """Whether an article is to be collected (changed since the ref, when one is given)."""
    changed = config.stash.get(_CHANGED, None)
    return changed is None or path.resolve() in changed or _includes_changed(config, path, changed)


def _includes_changed(config: pytest.Config, path: Path, changed: frozenset[Path]) -> bool:
    """Whether a file the article includes (`--8<--`, at any depth) changed: it runs again."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False  # collection says why it cannot be read
    if not mentions(text):
        return False
    included = snippets_for(config, path).files(str(path), text)
    return any(file.resolve() in changed for file in included)


def deselect_other_shards(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep only the items of the files in this session's shard, if it has one."""
    shard = settings(config).shard
    if shard is None:
        return
    root = config.rootpath
    mine: dict[Path, bool] = {}
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if item.path not in mine:
            mine[item.path] = shard.holds(_relative_posix(item.path, root))
        (kept if mine[item.path] else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _relative_posix(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def nothing_changed(session: pytest.Session) -> None:
    """A changed-since run that found no changed article says so, and passes.

    A pull request that touches no article has nothing for the docs gate to check: that is
    no failure (pytest's "no tests collected", exit status 5), and one line says why.
    """
    ref = settings(session.config).changed_since
    if (
        ref is None
        or session.testscollected
        or session.exitstatus != pytest.ExitCode.NO_TESTS_COLLECTED
    ):
        return
    session.exitstatus = pytest.ExitCode.OK
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"mdverify: no article changed since {ref}: nothing to verify")
