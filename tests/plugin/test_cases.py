"""Plugin behaviour as case articles: one inner pytest run, one test per case.

Each file under tests/cases/<topic>/ is an article a writer could have written, with what
mdverify must make of it in the `case:` key of its front matter (mdverify itself reads only
`mdverify:`, so the two never mix):

```yaml
case:
  outcomes:            # every item of the article, by name, and its outcome:
    Title (line 5): failed        # passed, failed, skipped, xfailed, xpassed or error
    Title (line 9): passed
  report:              # per item, lines its report must hold, in order (fnmatch patterns;
    Title (line 5):    # `{file}` is the article's path as the report prints it)
      - "{file}:5: timeout*1 s*"
  absent:              # per item, patterns no line of its report may match
    Title (line 5): ["*output differs*"]
  warnings:            # the warnings the article's items raise, all of them, in order
    - "MdverifyWarning: coroutine function f() defined at line 6 is never run"
```

The report of a failure is its longrepr as the terminal prints it; of a skip, the line `-rs`
prints (`{file}:line: reason`); of an xfail, its reason. Articles that must not share state
are two cases of one run, run in name order.

The markdown-it-py fixture files are the model: adding a behaviour check is adding an
article, and all of them cost one pytest start. The run is a subprocess with the
`tests/cases/_recorder.py` plugin, which writes every report and warning to a JSON file:
nothing of the outer session (its plugins, its modules, its options) reaches the inner one.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import frontmatter
import pytest

pytestmark = pytest.mark.process

CASES = Path(__file__).resolve().parents[1] / "cases"
FILES = sorted(CASES.glob("*/*.md"))
OUTCOMES = {"passed", "failed", "skipped", "xfailed", "xpassed", "error"}


@dataclasses.dataclass
class Item:
    """What the inner run reported for one item."""

    outcome: str = "passed"
    text: str = ""
    location: tuple[str, int] = ("", 0)  # as reports carry it: path, 0-based line


@dataclasses.dataclass
class Run:
    """The one inner run over every case."""

    exitstatus: int
    items: dict[str, Item]  # by node id
    warnings: list[dict[str, str]]
    collect_errors: list[str]
    stray_files: list[str]
    output: str


def _items(reports: list[dict[str, Any]]) -> dict[str, Item]:
    """Fold each item's phase reports into one outcome, as pytest's summary counts it."""
    items: dict[str, Item] = {}
    for report in reports:
        item = items.setdefault(report["nodeid"], Item())
        item.location = tuple(report["location"])
        when, outcome = report["when"], report["outcome"]
        if outcome == "failed":
            item.outcome = "failed" if when == "call" else "error"
            item.text = report["text"]
        elif outcome == "skipped" and item.outcome == "passed":
            item.outcome = "xfailed" if report["wasxfail"] is not None else "skipped"
            item.text = report["wasxfail"] or report["text"]
        elif when == "call" and report["wasxfail"] is not None:
            item.outcome = "xpassed"
            item.text = report["wasxfail"]
    return items


def _files(root: Path) -> set[str]:
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if ".pytest_cache" not in path.parts and path.is_file()
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("cases")
    for topic in sorted({path.parent for path in FILES}):
        shutil.copytree(topic, root / topic.name)
    before = _files(root)
    record = root.parent / "record.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["MDVERIFY_CASE_RECORD"] = str(record)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CASES), env.get("PYTHONPATH")]))
    # As the pytester runs did: without the outer session's hypothesis plugin (0.9 s a start).
    command = [sys.executable, "-m", "pytest", "-p", "_recorder", "-p", "no:hypothesispytest"]
    command += ["-o", "asyncio_default_fixture_loop_scope=function", "-q", "."]
    done = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    output = done.stdout + done.stderr
    assert record.exists(), output
    data = json.loads(record.read_text(encoding="utf-8"))
    return Run(
        exitstatus=data["exitstatus"],
        items=_items(data["reports"]),
        warnings=data["warnings"],
        collect_errors=data["collect_errors"],
        stray_files=sorted(_files(root) - before),
        output=output,
    )


@dataclasses.dataclass(frozen=True)
class Case:
    """One case article and what it expects."""

    display: str  # the path the inner run's reports print: topic/name.md
    outcomes: dict[str, str]
    report: dict[str, list[str]]
    absent: dict[str, list[str]]
    warnings: list[str]

    @classmethod
    def load(cls, path: Path) -> Case:
        spec = frontmatter.load(path).metadata["case"]
        assert set(spec) <= {"outcomes", "report", "absent", "warnings"}, spec
        display = f"{path.parent.name}/{path.name}"
        case = cls(
            display=display,
            outcomes=spec["outcomes"],
            report={
                name: [_fill(p, display) for p in ps] for name, ps in spec.get("report", {}).items()
            },
            absent=spec.get("absent", {}),
            warnings=spec.get("warnings", []),
        )
        assert set(case.outcomes.values()) <= OUTCOMES, case.outcomes
        assert set(case.report) | set(case.absent) <= set(case.outcomes), spec
        return case


def _fill(pattern: str, display: str) -> str:
    return pattern.replace("{file}", display)


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_case(run, path):
    case = Case.load(path)
    prefix = f"{case.display}::"
    items = {
        nodeid.removeprefix(prefix): item
        for nodeid, item in run.items.items()
        if nodeid.startswith(prefix)
    }
    assert {name: item.outcome for name, item in items.items()} == case.outcomes
    # A block's report points at its fence, the line its name gives, in this article.
    for name, item in items.items():
        line = re.search(r"\bline (\d+)\)?$", name)
        if line:
            assert item.location == (case.display, int(line[1]) - 1), name
    for name, patterns in case.report.items():
        pytest.LineMatcher(items[name].text.splitlines()).fnmatch_lines(patterns)
    for name, patterns in case.absent.items():
        for pattern in patterns:
            pytest.LineMatcher(items[name].text.splitlines()).no_fnmatch_line(pattern)
    warnings = [w["text"] for w in run.warnings if w["nodeid"].startswith(prefix)]
    assert len(warnings) == len(case.warnings), warnings
    for text, pattern in zip(warnings, case.warnings, strict=True):
        assert fnmatch.fnmatch(text, pattern), (text, pattern)


def test_the_case_run_collects_every_case_and_nothing_else(run):
    """A case that failed to collect would make no item, and its test would say so, but
    a collection error stops nothing else: check it here, with the run's output."""
    assert run.collect_errors == [], run.output
    displays = {f"{path.parent.name}/{path.name}" for path in FILES}
    assert {nodeid.split("::")[0] for nodeid in run.items} <= displays
    # Some cases fail on purpose; 1 (not 2, interrupted, or 3, internal) says only that.
    assert run.exitstatus == pytest.ExitCode.TESTS_FAILED, run.output


def test_examples_write_only_in_their_own_working_directory(run):
    assert run.stray_files == []
