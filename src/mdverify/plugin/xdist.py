"""Everything mdverify knows of pytest-xdist's internals, fenced off in this one module.

Two things, both optional and both falling back to xdist's own behaviour when its
internals differ from the 3.x ones read here:

- `pytest_xdist_make_scheduler` keeps one article's blocks on one worker (they share a
  namespace and one child process) and keeps `XDIST_QUEUED` articles queued on each worker.
- `upcoming` tells a worker which articles it was sent and has not run yet, so it can run
  them ahead while it reports (see `mdverify.run.policy` for the look-ahead).

xdist itself is imported only inside the hook, which runs only when xdist is active.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import pytest

from mdverify.plugin.options import settings
from mdverify.run.policy import XDIST_QUEUED

__all__ = ["carry", "is_worker", "pytest_xdist_make_scheduler", "upcoming"]


def carry(item: pytest.Item, report: pytest.TestReport, *names: str) -> None:
    """Copy the item's attributes `names` that are set onto its report.

    A report is what reaches the controlling process from an xdist worker (its attributes
    travel as plain data), so what a hook noted on the item must ride on it.
    """
    for name in names:
        value = getattr(item, name, None)
        if value is not None:
            setattr(report, name, value)


def is_worker(config: pytest.Config) -> bool:
    """Whether this process is an xdist worker (it runs what the controller sends)."""
    return hasattr(config, "workerinput")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Keep one article's blocks on one worker when the user kept xdist's default mode."""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import (  # type: ignore[import-untyped]  # noqa: PLC0415 -- only with xdist
        LoadScopeScheduling,
    )

    globs = settings(config).globs

    class ArticleScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """xdist's `load`, except that an article's items form one unit of work."""

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if any(PurePath(path).match(g) for g in globs) else nodeid

        def _reschedule(self, node: Any) -> None:  # noqa: ANN401 -- an xdist WorkerController
            # xdist sends the next unit when 2 items are left: a worker then knows at
            # most one article ahead, and its children wait for the controller. Keep
            # a few articles queued instead, for the worker to run ahead.
            super()._reschedule(node)
            try:
                assigned = self.assigned_work.setdefault(node, {})  # the live dict
                while self.workqueue and not node.shutting_down:
                    units = sum(1 for unit in assigned.values() if not all(unit.values()))
                    if units >= XDIST_QUEUED:
                        break
                    self._assign_work_unit(node)
            except AttributeError:  # an xdist with other internals: its own pacing
                return

    return ArticleScheduling(config, log)


def upcoming(session: pytest.Session, count: int) -> list[pytest.Collector]:
    """In an xdist worker, the parents of the next items it was sent: up to `count + 1`.

    xdist has no public API for a worker's queue; this reads its `WorkerInteractor`'s
    (pytest-xdist 3.x, under the queue's own lock) and gives nothing if that has changed.
    The articles are only run ahead from it: what runs is still what xdist sends.
    """
    queue = next(
        (
            getattr(plugin, "torun", None)
            for plugin in session.config.pluginmanager.get_plugins()
            if type(plugin).__name__ == "WorkerInteractor"
        ),
        None,
    )
    lock = getattr(queue, "lock", None)
    if not callable(lock):
        return []
    parents: dict[pytest.Collector, None] = {}
    items = session.items
    try:
        with lock() as pending:
            for index in pending:
                if isinstance(index, int) and 0 <= index < len(items):
                    parent = items[index].parent
                    if parent is not None:
                        parents[parent] = None
                        if len(parents) > count:
                            break
    except Exception:  # noqa: BLE001 -- another xdist: run without looking ahead
        return []
    return list(parents)
