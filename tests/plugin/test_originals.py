"""The five articles as first converted (tests/fixtures/originals) and as fixed (content/)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORIGINALS = ROOT / "tests" / "fixtures" / "originals"
CONTENT = ROOT / "content"


def _copy(source: Path, pytester: pytest.Pytester) -> None:
    for path in sorted(source.glob("*.md")):
        shutil.copy(path, pytester.path / path.name)
    # What the articles' services serve: canned pages and SQL live next to them.
    for path in sorted(source.glob("*.sql")):
        shutil.copy(path, pytester.path / path.name)
    if (source / "_pages").is_dir():
        shutil.copytree(source / "_pages", pytester.path / "_pages")


def _failed_ids(result: pytest.RunResult) -> list[str]:
    return sorted(
        line.removeprefix("FAILED ").split(" - ")[0]
        for line in result.stdout.lines
        if line.startswith("FAILED ")
    )


def test_originals_fail_exactly_at_the_four_known_defects_and_say_why(pytester):
    # One run over all five; each check below once had a run of its own article.
    _copy(ORIGINALS, pytester)
    result = pytester.runpytest("-rf")
    assert result.parseoutcomes()["failed"] == 4
    assert _failed_ids(result) == [
        "async-await.md::async def",
        "async-await.md::async def #2",
        "python-async.md::Example 1",
        "what-does-async-do-in-python.md::Example",
    ]
    outcomes = result.parseoutcomes()
    assert set(outcomes) <= {"passed", "failed", "skipped", "warnings"}
    assert outcomes["passed"] > 0
    # python-async.md, Example 1: the output it shows is never printed ...
    result.stdout.fnmatch_lines(
        [
            "*python-async.md::Example 1 (line 50)*",
            "python-async.md:61: output differs*",
            "--- expected (python-async.md:61)",
            "+++ got",
            "*",
            "-Hello",
            "-world!",
        ]
    )
    # ... because hello() is never run, which a warning says.
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            "*python-async.md::Example 1",
            "*MdverifyWarning: coroutine function hello() defined at line 52 is never run*",
        ]
    )
    # async-await.md, async def: a dict shown as JSON where Python prints its repr.
    result.stdout.fnmatch_lines(
        [
            "*async-await.md::async def #2 (line 45)*",
            "async-await.md:54: output differs*",
            "--- expected (async-await.md:54)",
            "+++ got",
            "*",
            " Fetching data...",
            '-{"data": 42}',
            "+{'data': 42}",
        ]
    )
    # Two blocks show a coroutine object and leave it, never awaited: Python warns of it as
    # the reader's script ends.
    result.stdout.fnmatch_lines(
        [
            "*async-await.md::async def (line 32)*",
            "async-await.md:38: coroutine 'fetch_data' was never awaited (created at line 38)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*what-does-async-do-in-python.md::Example (line 26)*",
            "what-does-async-do-in-python.md:36: coroutine 'greet' was never awaited*",
            "*when the article's process ended",
            "--- stderr ---",
            "sys:1: RuntimeWarning: coroutine 'greet' was never awaited",
        ]
    )
    # async-await.md, Task Groups: main() is defined and never run.
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            "*async-await.md::Task Groups (Python 3.11+)",
            "*MdverifyWarning: coroutine function main() defined at line 233 is never run*",
        ]
    )


def test_content_passes_with_every_skip_explained(pytester):
    _copy(CONTENT, pytester)
    result = pytester.runpytest("-rs")
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK
    assert "failed" not in outcomes
    assert "error" not in outcomes
    assert outcomes["passed"] > 0
    assert outcomes["skipped"] > 0
    skips = [
        re.fullmatch(r"SKIPPED \[(\d+)\] (\S+?): (.*)", line)
        for line in result.stdout.lines
        if line.startswith("SKIPPED ")
    ]
    assert all(skips)
    assert sum(int(m[1]) for m in skips if m) == outcomes["skipped"]
    for match in skips:
        assert match is not None
        reason = match[3].strip()
        assert reason
        assert not reason.startswith("mdverify: skip directive")
