"""Update mode in the pytest shell: gather what to rewrite from the items, rewrite at the end.

Items may run in pytest-xdist workers, so what an item learns (the outputs to rewrite,
the timing claims it will not rewrite) travels on its report as plain data, and only the
controlling process (or the only one) rewrites the articles, once every block has run.
The rewriting itself is the core's (`mdverify.edit.update`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mdverify.check.raises import raised_line
from mdverify.check.report import timing_not_rewritten
from mdverify.model import RaisesFault
from mdverify.plugin.options import settings
from mdverify.plugin.xdist import carry, is_worker

if TYPE_CHECKING:
    from collections.abc import Generator

    from _pytest.terminal import TerminalReporter

    from mdverify.edit.update import Correction
    from mdverify.model import Verdict

__all__ = ["Updates", "record"]

_UPDATES = "mdverify_updates"
_TIMING = "mdverify_timing_notes"


def record(item: pytest.Item, verdict: Verdict, display: str, digest: str) -> None:
    """Keep what update mode needs from a verdict on the item, for its report."""
    if not settings(item.config).update:
        return
    # The rewriting code is imported in update mode only: a plain run never needs it.
    from mdverify.edit.update import Correction  # noqa: PLC0415

    path, example = str(item.path), verdict.example
    obs = verdict.observation
    wanted = []
    if verdict.ran and not obs.truncated and example.settings.xfail is None:
        # Never a cut: the real output is unknown.
        wanted = [
            Correction(path, display, digest, example.index, example.outputs.index(m.claim), m.got)
            for m in verdict.mismatches
            if not m.cut  # a stderr fence past where stderr was cut
        ]
    problem = verdict.raises
    if (
        problem is not None
        and problem.fault is RaisesFault.DIFFERS
        and problem.claim.form == "traceback"
        and obs.raised is not None
        and example.settings.xfail is None
    ):
        index = example.raises.index(problem.claim)
        got = raised_line(obs.raised)
        wanted.append(Correction(path, display, digest, example.index, index, got, raises=True))
    if wanted:
        setattr(item, _UPDATES, [c.to_wire() for c in wanted])
    clock = verdict.observation.clock
    notes = [timing_not_rewritten(display, t, clock) for t in verdict.timing]
    setattr(item, _TIMING, notes)


class Updates:
    """Update mode's hooks, registered once per process."""

    def __init__(self, config: pytest.Config) -> None:
        self.update = settings(config).update
        self.output_words = settings(config).output_words
        self.claims = settings(config).claims
        self.is_worker = is_worker(config)
        self.requests: list[Correction] = []
        self.timing_notes: list[str] = []
        self.summary: list[str] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Carry the item's updates and timing notes on its report (to the controller)."""
        report = yield
        if report.when == "call":
            carry(item, report, _UPDATES, _TIMING)  # only our items, in update mode: `record`
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather, in the controlling process, what the items reported."""
        if self.is_worker:
            return
        if updates := getattr(report, _UPDATES, ()):
            from mdverify.edit.update import Correction  # noqa: PLC0415

            self.requests.extend(Correction.from_wire(d) for d in updates)
        self.timing_notes.extend(getattr(report, _TIMING, ()))

    def pytest_sessionfinish(self) -> None:
        """Rewrite the articles once every block has run (never in an xdist worker)."""
        if self.update and not self.is_worker:
            from mdverify.edit.update import summary, update_files  # noqa: PLC0415

            self.summary = summary(update_files(self.requests, self.output_words, self.claims))

    def pytest_terminal_summary(self, terminalreporter: TerminalReporter) -> None:
        """Print the update summary and the timing claims left as they were."""
        for line in [*self.summary, *self.timing_notes]:
            terminalreporter.write_line(line)
