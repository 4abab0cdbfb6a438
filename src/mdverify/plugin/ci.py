"""CI annotations in the pytest shell: a GitHub Actions `::error` line per failed item.

On GitHub Actions the report of each failed block is also shown with workflow commands
stopped below its first line (`mdverify.check.annotations.stop_commands`): what an example
printed is quoted there, and the runner must not obey an `::add-mask::` or `::error` of it.

On GitHub Actions each failed item's report carries its annotation (its file and line,
a one-line title and the report), so that it reaches the controlling process from an
xdist worker too; the controller prints them all at the end. The line's format is the
core's (`mdverify.check.annotations`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mdverify.check.annotations import error_annotation, stop_commands
from mdverify.check.report import headline
from mdverify.plugin.items import ArticleErrorItem, ExampleFailed, ExampleItem
from mdverify.plugin.xdist import is_worker

if TYPE_CHECKING:
    from collections.abc import Generator

    from _pytest.terminal import TerminalReporter

__all__ = ["Annotations", "failure_location"]

_ANNOTATION = "mdverify_annotation"


class Annotations:
    """The annotations' hooks, registered once per process."""

    def __init__(self, config: pytest.Config) -> None:
        self.is_worker = is_worker(config)
        self.annotations: list[str] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Carry a failed item's annotation on its report (to the controller)."""
        report = yield
        if (
            report.when == "call"
            and report.failed
            and isinstance(item, (ExampleItem, ArticleErrorItem))
            and os.environ.get("GITHUB_ACTIONS") == "true"
        ):
            setattr(report, _ANNOTATION, _annotation(item, call, report))
            if isinstance(report.longrepr, str):  # ours, a writer's report (else pytest's)
                report.longrepr = stop_commands(report.longrepr, secrets.token_hex(16))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather, in the controlling process, the annotations the items reported."""
        annotation = getattr(report, _ANNOTATION, None)
        if annotation is not None and not self.is_worker:
            self.annotations.append(annotation)

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        """Print the annotations, where GitHub reads them from the log."""
        for line in self.annotations:
            terminalreporter.write_line(line)


def _annotation(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> str:
    """The `::error` line for a failed item: its file and line, a title, the report."""
    path, line, title = failure_location(item, call)
    return error_annotation(path, line, title, report.longreprtext)


def failure_location(item: pytest.Item, call: pytest.CallInfo[None]) -> tuple[str, int | None, str]:
    """(path from the checkout's root, line, title) of a failed item.

    An annotation and the job summary's table both point there.
    """
    path, line0, _ = item.reportinfo()
    line: int | None = (line0 + 1) if line0 is not None else None
    title = "failed"
    excinfo = call.excinfo
    if excinfo is not None and isinstance(excinfo.value, ExampleFailed):
        verdict = excinfo.value.verdict
        line, title = headline(verdict)
        setup = verdict.example.file
        if setup is not None and verdict.observation.error_line is not None:
            path = Path(path).parent / setup  # the setup file raised: its line, as the report
    elif isinstance(item, ArticleErrorItem):
        title = item.error.message
    elif excinfo is None:
        title = "passed, but is marked xfail (strict)"
    return _workspace_path(Path(path)), line, title


def _workspace_path(path: Path) -> str:
    """The path GitHub knows the file by: relative to the checkout, with `/`."""
    root = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
