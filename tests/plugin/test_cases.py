"""Plugin behaviour as case articles: one inner pytest run, one test per case.

Each file under tests/cases/<topic>/ is an article a writer could have written, with what
mdverify must make of it in the `case:` key of its front matter (mdverify itself reads only
`mdverify:`, so the two never mix):

```yaml
case:
  outcomes:            # every item of the article, by heading and fence line (its id is
                       # the heading alone: see _case_name), and its outcome:
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
prints (`{file}:line: reason`); of an xfail, its reason; of a block that is a file and
passed, what it did (`written to helpers.py, not run`). Articles that must not share state
are two cases of one run, run in name order.

A topic folder may hold `_args.txt`, extra command-line arguments for its articles, one a
line (`--mdverify-timeout=1`; `-o` and `key=value` for an ini key): topics with the same
arguments share one inner run. The runs start at once, as soon as collection is done (see
`start_runs`), so that their real-time waits (timeouts, sleeps, a slow host) overlap with
each other and with the tests that run before these.

The markdown-it-py fixture files are the model: adding a behaviour check is adding an
article, and a whole topic costs one pytest start. Each run is a subprocess with the
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
import tempfile
from pathlib import Path
from typing import Any

import frontmatter
import pytest

# Under xdist every case must go to one worker, so that the inner runs start once, not once
# on each worker that gets a case: the suite's `--dist loadfile` does it (see conftest.py),
# and this mark under `--dist loadgroup` where xdist and pytest agree on node ids.
pytestmark = [pytest.mark.process, pytest.mark.xdist_group("cases")]

CASES = Path(__file__).resolve().parents[1] / "cases"
FILES = sorted(CASES.glob("*/*.md"))
OUTCOMES = {"passed", "failed", "skipped", "xfailed", "xpassed", "error"}
ARGS = "_args.txt"


@dataclasses.dataclass
class Item:
    """What the inner run reported for one item."""

    outcome: str = "passed"
    text: str = ""
    location: tuple[str, int] = ("", 0)  # as reports carry it: path, 0-based line


@dataclasses.dataclass
class Run:
    """One inner run, over the topics that share its command-line arguments."""

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
        elif when == "call":
            item.text = report["text"]
    return items


def _files(root: Path) -> set[str]:
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if ".pytest_cache" not in path.parts and path.is_file()
    }


def args_of(topic: Path) -> tuple[str, ...]:
    """The topic's extra command-line arguments: its _args.txt, one argument a line."""
    file = topic / ARGS
    lines = file.read_text(encoding="utf-8").splitlines() if file.exists() else []
    return tuple(line.strip() for line in lines if line.strip())


GROUPS: dict[tuple[str, ...], list[Path]] = {}
for _topic in sorted({path.parent for path in FILES}):
    GROUPS.setdefault(args_of(_topic), []).append(_topic)


class _Started:
    """An inner run under way in its own directory."""

    def __init__(self, root: Path, topics: list[Path], args: tuple[str, ...]) -> None:
        for topic in topics:
            shutil.copytree(topic, root / topic.name, ignore=shutil.ignore_patterns(ARGS))
        self.root, self.before = root, _files(root)
        self.record = root / ".record.json"
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
        env["MDVERIFY_CASE_RECORD"] = str(self.record)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CASES), env.get("PYTHONPATH")]))
        # As the pytester runs did: without the outer session's hypothesis plugin (0.9 s).
        command = [sys.executable, "-m", "pytest", "-p", "_recorder", "-p", "no:hypothesispytest"]
        command += ["-o", "asyncio_default_fixture_loop_scope=function", "-q", *args, "."]
        self.process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def finish(self) -> Run:
        output, _ = self.process.communicate(timeout=600)
        assert self.record.exists(), output
        data = json.loads(self.record.read_text(encoding="utf-8"))
        return Run(
            exitstatus=data["exitstatus"],
            items=_items(data["reports"]),
            warnings=data["warnings"],
            collect_errors=data["collect_errors"],
            stray_files=sorted(_files(self.root) - self.before - {self.record.name}),
            output=output,
        )


_STARTED: dict[tuple[str, ...], _Started] = {}


def needed(items: list[pytest.Item]) -> set[tuple[str, ...]]:
    """The inner runs the selected items of this module read: `-k one-case` starts one."""
    groups: set[tuple[str, ...]] = set()
    for item in items:
        if isinstance(item, pytest.Function) and item.module.__file__ == __file__:
            params = item.callspec.params
            groups.add(args_of(params["path"].parent) if "path" in params else params["args"])
    return groups


def start_runs(groups: set[tuple[str, ...]]) -> None:
    """Start the inner runs of `groups` not yet started, all at once: their real-time waits
    (timeouts, sleeps) overlap.

    tests/plugin/conftest.py calls this as soon as collection is done, so that the runs go
    on while the tests before these run; the fixture calls it too, for sessions without it
    (an xdist worker, where the tests of this module all go to one worker).
    """
    todo = [(number, args) for number, args in enumerate(GROUPS) if args in groups - set(_STARTED)]
    if not todo:
        return
    root = Path(tempfile.mkdtemp(prefix="mdverify-cases-"))
    for number, args in todo:
        _STARTED[args] = _Started(root / str(number), GROUPS[args], args)


def stop_runs() -> None:
    """Stop what still runs (a session cut short) and remove the runs' directories."""
    for started in _STARTED.values():
        if started.process.poll() is None:
            started.process.kill()
            started.process.communicate()
        shutil.rmtree(started.root.parent, ignore_errors=True)
    _STARTED.clear()


@pytest.fixture(scope="module")
def runs(request):
    start_runs(needed(request.session.items))
    try:
        yield {args: started.finish() for args, started in _STARTED.items()}
    finally:
        stop_runs()


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
        # Some cases are broken on purpose (a BOM, a byte that is not UTF-8): read around it.
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode(errors="replace")
        spec = frontmatter.loads(text).metadata["case"]
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


_NEEDS_PYTHON = re.compile(r"needs Python (?P<op>[<>=!]=?)(?P<version>\d+(?:\.\d+)*)$")


def _unmet_python(item: Item) -> bool:
    """A block skipped by its `python` directive on an interpreter that does not meet it:
    a case states the outcome on the Pythons that run the block (3.11's TaskGroup, say)."""
    match = _NEEDS_PYTHON.search(item.text) if item.outcome == "skipped" else None
    if match is None:
        return False
    want = tuple(int(part) for part in match["version"].split("."))
    have = sys.version_info[: len(want)]
    holds = {
        ">=": have >= want, "<=": have <= want, ">": have > want, "<": have < want,
        "==": have == want, "!=": have != want,
    }[match["op"]]  # fmt: skip
    return not holds


def _case_name(name: str, item: Item) -> str:
    """How a case names a block: its id without the ordinal, and its fence's line.

    An id is the heading alone (`Title`, `Title #2`, `top` above the first heading), so that
    edits elsewhere keep it; a case names the block at that line, `Title (line 9)` or
    `line 3`, which says which of a heading's blocks it means.
    """
    if name == "unreadable article":
        return name
    base = re.sub(r" #\d+'*$", "", name)
    line = item.location[1] + 1
    return f"line {line}" if base == "top" else f"{base} (line {line})"


def _fill(pattern: str, display: str) -> str:
    return pattern.replace("{file}", display)


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_case(runs, path):
    case = Case.load(path)
    run = runs[args_of(path.parent)]
    prefix = f"{case.display}::"
    items = {
        _case_name(nodeid.removeprefix(prefix), item): item
        for nodeid, item in run.items.items()
        if nodeid.startswith(prefix)
    }
    expected = {
        name: "skipped" if name in items and _unmet_python(items[name]) else outcome
        for name, outcome in case.outcomes.items()
    }
    outcomes = {name: item.outcome for name, item in items.items()}
    # On a mismatch, what each unexpected block reported: CI keeps nothing else of the run.
    reports = "\n".join(
        f"--- {name}:\n{item.text}"
        for name, item in items.items()
        if expected.get(name) != item.outcome
    )
    assert outcomes == expected, reports
    # A block's report points at its fence, the line its name gives, in this article.
    for name, item in items.items():
        line = re.search(r"\bline (\d+)\)?$", name)
        if line:
            assert item.location == (case.display, int(line[1]) - 1), name
    for name, patterns in case.report.items():
        if expected[name] != case.outcomes[name]:
            continue  # not run on this Python: its report is the skip's
        pytest.LineMatcher(items[name].text.splitlines()).fnmatch_lines(patterns)
    for name, patterns in case.absent.items():
        for pattern in patterns:
            pytest.LineMatcher(items[name].text.splitlines()).no_fnmatch_line(pattern)
    warnings = [w["text"] for w in run.warnings if w["nodeid"].startswith(prefix)]
    assert len(warnings) == len(case.warnings), warnings
    for text, pattern in zip(warnings, case.warnings, strict=True):
        assert fnmatch.fnmatch(text, pattern), (text, pattern)


@pytest.mark.parametrize("args", list(GROUPS), ids=lambda args: " ".join(args) or "default")
def test_each_run_collects_its_cases_and_nothing_else(runs, args):
    """A case that failed to collect makes no item, and its test says so; but a collection
    error stops nothing else, so check it here, where the run's output can be shown."""
    run = runs[args]
    assert run.collect_errors == [], run.output
    assert "INTERNALERROR" not in run.output
    # No frame of the harness (the child, the supervision, the starts) anywhere in what the
    # run printed, stderr and warnings included. The clock's and netmap's wrappers may still
    # stand in a traceback an example's own library prints to stderr (an interrupted send);
    # a block's own error never shows them (see services/error-through-our-network-...).
    harness = [f"/mdverify/run/{name}.py" for name in ("child", "watch", "worker", "cold")]
    assert [frame for frame in harness if frame in run.output] == []
    displays = {f"{path.parent.name}/{path.name}" for path in FILES if path.parent in GROUPS[args]}
    assert {nodeid.split("::")[0] for nodeid in run.items} <= displays
    # 1 if a case fails on purpose, else 0; never 2 (interrupted) or 3 (internal error).
    expected = any(
        outcome in {"failed", "error"}
        for path in FILES
        if path.parent in GROUPS[args]
        for outcome in Case.load(path).outcomes.values()
    )
    assert run.exitstatus == int(expected), run.output


@pytest.mark.parametrize("args", list(GROUPS), ids=lambda args: " ".join(args) or "default")
def test_examples_write_only_in_their_own_working_directory(runs, args):
    assert runs[args].stray_files == []
