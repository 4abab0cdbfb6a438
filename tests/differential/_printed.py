"""The differential run's recorder: what each block printed, as JSON.

tests/differential/test_differential.py runs pytest over the corpus once per clock with
`-p _printed`; this plugin writes each block's stdout, its status and its item's outcome
to the file named by MDVERIFY_PRINTED. It reads the observation the item already judged
(the article ran once, for its first item), and implements no phase hook, so the items
keep mdverify's light run protocol, as in a writer's own run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mdverify.plugin.items import ExampleItem

if TYPE_CHECKING:
    from _pytest.runner import CallInfo

_PRINTED: dict[str, dict[str, Any]] = {}


def pytest_runtest_makereport(item: pytest.Item, call: CallInfo[None]) -> None:
    if call.when != "call" or not isinstance(item, ExampleItem):
        return
    try:
        observation = item.article_file.observe(item.example, item)
    except pytest.skip.Exception:
        return  # not run on this interpreter (a `python` directive): nothing to compare
    _PRINTED[item.nodeid] = {"stdout": observation.stdout, "status": observation.status.value}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.nodeid in _PRINTED:
        _PRINTED[report.nodeid]["outcome"] = report.outcome


def pytest_sessionfinish() -> None:
    Path(os.environ["MDVERIFY_PRINTED"]).write_text(json.dumps(_PRINTED), encoding="utf-8")
