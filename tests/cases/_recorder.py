"""The inner run's recorder: every report and warning of the case run, as JSON.

tests/plugin/test_cases.py runs pytest once over the case articles with `-p _recorder`;
this plugin writes what that run saw to the file named by MDVERIFY_CASE_RECORD, and the
outer test reads it back, one case at a time. It implements no phase hook, so the example
items keep mdverify's light run protocol, as in a writer's own run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

_REPORTS: list[dict[str, Any]] = []
_WARNINGS: list[dict[str, Any]] = []
_COLLECT_ERRORS: list[str] = []


def _text(report: pytest.TestReport) -> str:
    """What the terminal shows for the report: the skip line `-rs` prints, or the longrepr.

    A passing call has none; its `mdverify_file` property ("written to x.py, not run") is
    its text then.
    """
    if report.skipped and isinstance(report.longrepr, tuple):
        path, lineno, reason = report.longrepr
        return f"{path}:{lineno + 1}: {reason.removeprefix('Skipped: ')}"
    if report.passed and report.when == "call":
        return "\n".join(str(v) for k, v in report.user_properties if k == "mdverify_file")
    return report.longreprtext


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _REPORTS.append(
        {
            "nodeid": report.nodeid,
            "when": report.when,
            "outcome": report.outcome,
            "location": [report.location[0], report.location[1]],
            "text": _text(report),
            "wasxfail": getattr(report, "wasxfail", None),
        }
    )


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _COLLECT_ERRORS.append(f"{report.nodeid}: {report.longreprtext}")


def pytest_warning_recorded(warning_message: Any, nodeid: str) -> None:
    message = warning_message.message
    _WARNINGS.append({"nodeid": nodeid, "text": f"{type(message).__name__}: {message}"})


def pytest_sessionfinish(exitstatus: int) -> None:
    record = {
        "exitstatus": int(exitstatus),
        "reports": _REPORTS,
        "warnings": _WARNINGS,
        "collect_errors": _COLLECT_ERRORS,
    }
    Path(os.environ["MDVERIFY_CASE_RECORD"]).write_text(json.dumps(record), encoding="utf-8")
