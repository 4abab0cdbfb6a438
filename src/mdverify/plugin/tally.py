"""The session summary in the pytest shell: what the blocks' reports say was checked.

Each example item puts what its verdict compared (`mdverify.check.tally.Checked`) on its
report as plain data, so that it reaches the controlling process from an xdist worker
too; there the reports of every worker are summed into one `Tally`, and the summary's
lines are the core's (`mdverify.check.summary.tally_lines`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import pytest

from mdverify.check.skips import skip_group, skip_text
from mdverify.check.summary import outcome_line, tally_lines
from mdverify.check.tally import Checked, Tally, checked
from mdverify.plugin.baseline import KNOWN
from mdverify.plugin.options import settings
from mdverify.plugin.xdist import carry, is_worker
from mdverify.run.sandbox import Unavailable, choose

if TYPE_CHECKING:
    from collections.abc import Generator, Mapping, Sequence

    from _pytest.terminal import TerminalReporter

    from mdverify.model import Skip, Verdict

__all__ = ["MARK", "Tallies", "note", "outcomes", "skip_now"]

MARK = ("mdverify", "example")
"""The user property that tells our items' reports from the others' in the summary."""
_CHECKED = "mdverify_checked"
_SKIP_GROUP = "mdverify_skip_group"


def note(item: pytest.Item, verdict: Verdict) -> None:
    """Keep what `verdict` compared on the item, for its report."""
    setattr(item, _CHECKED, checked(verdict).to_wire())


def skip_now(item: pytest.Item, skip: Skip) -> NoReturn:
    """Skip the running `item` for `skip`, reported at the block, like a skip directive."""
    setattr(item, _SKIP_GROUP, skip_group(skip))
    raise pytest.skip.Exception(skip_text(skip), _use_item_location=True)


class Tallies:
    """The summary's hooks, registered once per process."""

    def __init__(self, config: pytest.Config) -> None:
        self.is_worker = is_worker(config)
        self.tally = Tally()
        run = settings(config).run
        found = choose(run.sandbox, run.python, run.tree, run.memory)  # asked once per process
        self.unprotected = found.line if isinstance(found, Unavailable) else None
        """The one line saying that articles run without the sandbox, and what that leaves."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Carry what the item's verdict compared, or its skip's kind, on its report."""
        report = yield
        if report.when == "call":
            carry(item, report, _CHECKED)
        if report.skipped:
            carry(item, report, _SKIP_GROUP)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count, in the controlling process, each block that ran or was skipped."""
        if self.is_worker or MARK not in report.user_properties:
            return
        if report.skipped and not hasattr(report, "wasxfail"):
            if report.when in ("setup", "call"):
                # A skip that is not ours (a fixture's, a conftest's) counts by its reason.
                self.tally.add_skip(getattr(report, _SKIP_GROUP, None) or _reason(report))
            return
        if report.when != "call":
            return
        wire = getattr(report, _CHECKED, None)
        facts = Checked.from_wire(wire) if wire is not None else Checked()
        self.tally.add_run(
            facts, passed=report.passed, baselined=bool(getattr(report, KNOWN, False))
        )

    def lines(self, stats: Mapping[str, Sequence[object]]) -> list[str]:
        """The `mdverify:` lines: the outcomes in the terminal's `stats`, then the tally."""
        line = outcome_line(outcomes(stats))
        lines = ([line] if line is not None else []) + tally_lines(self.tally)
        return lines + ([self.unprotected] if self.unprotected and lines else [])

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        """The `mdverify:` lines: the outcomes, then what was really checked."""
        for text in self.lines(terminalreporter.stats):
            terminalreporter.write_line(text)


def _reason(report: pytest.TestReport) -> str:
    """A skip's reason, as `-rs` shows it without its place."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def outcomes(stats: Mapping[str, Sequence[object]]) -> dict[str, int]:
    """Our items' outcomes in the terminal's stats (`passed` -> 12), in pytest's order."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "xfailed", "xpassed", "error"):
        for report in stats.get(outcome, []):
            when = getattr(report, "when", None)
            if MARK in getattr(report, "user_properties", ()) and when in ("call", "setup"):
                if when == "setup" and outcome != "skipped":
                    continue
                counts[outcome] = counts.get(outcome, 0) + 1
    return counts
