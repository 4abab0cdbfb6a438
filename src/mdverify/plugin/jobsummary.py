"""The job summary in the pytest shell: the session in Markdown, for a CI job's page.

When `mdverify_job_summary` names a file, or is unset and `$GITHUB_STEP_SUMMARY` is (as
in every GitHub Actions step), the controlling process appends to it, once, the terminal
summary's `mdverify:` lines and a table of the failed blocks, each linked to its file and
line in the commit under test. Each failed item's place and title ride on its report, so
that they reach the controller from an xdist worker too; the Markdown is the core's
(`mdverify.check.jobsummary`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mdverify.check.jobsummary import Failure, blob_link, job_summary
from mdverify.plugin.ci import failure_location
from mdverify.plugin.items import ArticleErrorItem, ExampleItem
from mdverify.plugin.options import settings
from mdverify.plugin.xdist import is_worker

if TYPE_CHECKING:
    from collections.abc import Generator

    from _pytest.terminal import TerminalReporter

    from mdverify.plugin.tally import Tallies

__all__ = ["JobSummary"]

_FAILURE = "mdverify_failure"


class JobSummary:
    """The summary's hooks, registered once per process."""

    def __init__(self, config: pytest.Config, tallies: Tallies) -> None:
        self.is_worker = is_worker(config)
        self.target = _target(settings(config).job_summary)
        self.tallies = tallies
        self.failures: list[Failure] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Carry a failed block's place and title on its report (to the controller)."""
        report = yield
        if (
            self.target is not None
            and report.when == "call"
            and report.failed
            and isinstance(item, (ExampleItem, ArticleErrorItem))
        ):
            setattr(report, _FAILURE, failure_location(item, call))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather, in the controlling process, the failures the items reported."""
        failure = getattr(report, _FAILURE, None)
        if failure is not None and not self.is_worker:
            path, line, title = failure
            self.failures.append(Failure(path, line, title))

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        """Append the Markdown to the summary file; a session with no block writes none."""
        if self.is_worker or self.target is None:
            return
        lines = self.tallies.lines(terminalreporter.stats)
        if not lines and not self.failures:
            return
        text = job_summary(lines, self.failures, blob_link(os.environ))
        try:
            with self.target.open("a", encoding="utf-8") as summary:
                summary.write(text)
        except OSError as err:
            terminalreporter.write_line(
                f"mdverify: the job summary {self.target} cannot be written: {err.strerror or err}"
            )


def _target(configured: str | None) -> Path | None:
    """The file to append to: the setting's, else `$GITHUB_STEP_SUMMARY`; `none`: none."""
    if configured is not None:
        return None if configured.lower() == "none" else Path(configured)
    default = os.environ.get("GITHUB_STEP_SUMMARY")
    return Path(default) if default else None
