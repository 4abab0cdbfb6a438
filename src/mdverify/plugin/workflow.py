"""The pytest shell of the writers' workflow: update mode, changed-since, CI annotations, xdist.

Part of the plugin (it imports pytest), kept apart from `plugin.py`'s collection and items.
`plugin.py` calls `add_options`, `selected`, `junit_properties` and `record`, and registers
`Workflow` on the session's config. Items may run in pytest-xdist workers, so what they
learn (outputs to rewrite, annotations, timing notes) travels on their reports as plain
data, and only the controlling process (or the only one) acts on it at the end.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import pytest

from mdverify.check.annotations import error_annotation
from mdverify.edit.update import Request, summary, update_files
from mdverify.selection.changed import ChangesError, changed_files

if TYPE_CHECKING:
    from collections.abc import Generator

    from _pytest.terminal import TerminalReporter

    from mdverify.model import Verdict

__all__ = ["Workflow", "add_options", "junit_properties", "record", "selected", "xdist_upcoming"]

_UPDATES = "mdverify_updates"
_TIMING = "mdverify_timing_notes"
_ANNOTATION = "mdverify_annotation"
_CHANGED_KEY = pytest.StashKey[frozenset[Path]]()
_QUEUED_ARTICLES = 4
"""Articles kept queued on each xdist worker (see `pytest_xdist_make_scheduler`)."""


def add_options(group: pytest.OptionGroup) -> None:
    """The workflow's command-line options, in mdverify's option group."""
    group.addoption(
        "--mdverify-update",
        action="store_true",
        help="rewrite declared outputs that differ from what the blocks printed",
    )
    group.addoption(
        "--mdverify-changed-since",
        metavar="REF",
        help="collect only the Markdown articles changed since the git ref REF "
        "(added, modified or renamed; not deleted)",
    )


def selected(config: pytest.Config, path: Path) -> bool:
    """Whether an article is to be collected (changed since the ref, when one is given)."""
    changed = config.stash.get(_CHANGED_KEY, None)
    return changed is None or path.resolve() in changed


def junit_properties(display: str, line: int) -> list[tuple[str, object]]:
    """`file` and `line` (1-based) of an item, as properties for --junitxml.

    pytest's default xunit2 testcase has no file or line attribute, and the location pytest
    keeps is 0-based.
    """
    return [("file", display), ("line", line)]


def record(item: pytest.Item, verdict: Verdict, display: str, digest: str) -> None:
    """Keep what update mode needs from a verdict on the item, for its report."""
    if not item.config.getoption("mdverify_update"):
        return
    path, example = str(item.path), verdict.example
    if (
        verdict.observation.status == "ok"
        and not verdict.observation.truncated  # the real output is unknown: never write a cut
        and example.settings.xfail is None
    ):
        setattr(
            item,
            _UPDATES,
            [
                Request(
                    path, display, digest, example.index, example.outputs.index(m.claim), m.got
                ).to_wire()
                for m in verdict.mismatches
            ],
        )
    clock = verdict.observation.clock
    notes = [
        f"{display}:{t.claim.line}: timing claim {t.claim.text!r} is not rewritten: "
        f"measured {t.measured:.3f}s on the {clock} clock ({t.reason})"
        for t in verdict.timing
    ]
    setattr(item, _TIMING, notes)


class Workflow:
    """Hooks of the workflow, registered once per process by `plugin.py`."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.update = bool(config.getoption("mdverify_update"))
        self.requests: list[Request] = []
        self.timing_notes: list[str] = []
        self.annotations: list[str] = []
        self.summary: list[str] = []
        self.is_worker = hasattr(config, "workerinput")
        ref = config.getoption("mdverify_changed_since")
        if ref is not None:
            try:
                changed = changed_files(ref, config.invocation_params.dir)
            except ChangesError as err:
                raise pytest.UsageError(f"--mdverify-changed-since: {err}") from None
            config.stash[_CHANGED_KEY] = changed

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Carry the item's updates, notes and annotation on its report (to the controller)."""
        report = yield
        if report.when != "call" or not _is_ours(item):
            return report
        for name in (_UPDATES, _TIMING):
            value = getattr(item, name, None)
            if value:
                setattr(report, name, value)
        if report.failed and os.environ.get("GITHUB_ACTIONS") == "true":
            setattr(report, _ANNOTATION, _annotation(item, call, report))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather, in the controlling process, what the items reported."""
        if self.is_worker:
            return
        self.requests.extend(Request.from_wire(d) for d in getattr(report, _UPDATES, ()))
        self.timing_notes.extend(getattr(report, _TIMING, ()))
        annotation = getattr(report, _ANNOTATION, None)
        if annotation is not None:
            self.annotations.append(annotation)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Rewrite the articles once every block has run (never in an xdist worker)."""
        del session
        if self.update and not self.is_worker:
            self.summary = summary(update_files(self.requests))

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        """Print the update summary, the timing measurements, and the CI annotations."""
        for line in [*self.summary, *self.timing_notes, *self.annotations]:
            terminalreporter.write_line(line)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: object) -> object:
        """Keep one article's blocks on one worker when the user kept xdist's default mode."""
        if config.getoption("dist") != "load":
            return None
        from xdist.scheduler import (  # type: ignore[import-untyped]  # noqa: PLC0415 -- only with xdist
            LoadScopeScheduling,
        )

        globs: list[str] = config.getini("mdverify_globs")

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
                        if units >= _QUEUED_ARTICLES:
                            break
                        self._assign_work_unit(node)
                except AttributeError:  # an xdist with other internals: its own pacing
                    return

        return ArticleScheduling(config, log)


def xdist_upcoming(session: pytest.Session, count: int) -> list[pytest.Collector]:
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


def _is_ours(item: pytest.Item) -> bool:
    from mdverify.plugin import ArticleErrorItem, ExampleItem  # noqa: PLC0415 -- a cycle

    return isinstance(item, (ExampleItem, ArticleErrorItem))


def _annotation(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> str:
    """The `::error` line for a failed item: its file and line, a title, the report."""
    from mdverify.plugin import ArticleErrorItem, ExampleFailed  # noqa: PLC0415 -- a cycle

    path, line0, _ = item.reportinfo()
    line: int | None = (line0 + 1) if line0 is not None else None
    title = "failed"
    excinfo = call.excinfo
    if excinfo is not None and isinstance(excinfo.value, ExampleFailed):
        verdict = excinfo.value.verdict
        from mdverify.check.report import headline  # noqa: PLC0415 -- next to its only use here

        line, title = headline(verdict)
    elif isinstance(item, ArticleErrorItem):
        title = item.error.message
    elif excinfo is None:
        title = "passed, but is marked xfail (strict)"
    return error_annotation(_workspace_path(Path(path)), line, title, report.longreprtext)


def _workspace_path(path: Path) -> str:
    """The path GitHub knows the file by: relative to the checkout, with `/`."""
    root = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
