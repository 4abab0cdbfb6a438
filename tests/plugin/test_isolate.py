"""Isolated blocks in fresh processes, under update mode, xdist, shards and changed-since."""

from __future__ import annotations

import re
import shutil

import pytest

UPDATE = "--mdverify-update"
_OUTCOMES = {"PASSED", "FAILED", "SKIPPED"}


def _isolated(n: int, wrong: bool = False) -> str:
    """An article whose middle block runs alone and prints what its process was left."""
    shown = "True 2" if wrong else f"False {n}"
    return (
        f"# Alone {n}\n\n```python\nimport json\njson.patched = True\nvalue = {n}\n```\n\n"
        "<!-- mdverify: isolate -->\n\n"
        f"```python\nimport json\nprint(hasattr(json, 'patched'), {n})\n```\n\n"
        f"```text\n{shown}\n```\n\n"
        "```python\nprint(json.patched, value)\n```\n\n"
        f"```text\nTrue {n}\n```\n"
    )


def outcomes(result) -> dict[str, str]:
    """nodeid -> outcome, from -v lines with or without xdist's `[gwN] [ %]` prefix."""
    found = {}
    for line in result.outlines:
        match = re.search(r"(\S+\.md::.*?) (PASSED|FAILED|SKIPPED)\b", line)
        match = match or re.search(r"\b(PASSED|FAILED|SKIPPED) (\S+\.md::.*?)(?: - .*)?\s*$", line)
        if match:
            nodeid, outcome = sorted(match.groups(), key=lambda g: g in _OUTCOMES)
            found[nodeid] = outcome
    return found


def test_update_rewrites_the_output_fence_of_an_isolated_block(pytester):
    (pytester.path / "alone.md").write_text(_isolated(1, wrong=True))
    result = pytester.runpytest(UPDATE)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["mdverify: rewrote 1 declared output in 1 file", "  alone.md: line 17"]
    )
    assert (pytester.path / "alone.md").read_text() == _isolated(1)
    pytester.runpytest().assert_outcomes(passed=3)


def test_xdist_runs_isolated_blocks_as_one_process_does(pytester):
    pytest.importorskip("xdist")
    for n in range(4):
        (pytester.path / f"alone{n}.md").write_text(_isolated(n, wrong=n == 0))
    alone = outcomes(pytester.runpytest("-v", "-p", "no:xdist"))
    spread = pytester.runpytest("-v", "-n", "2", UPDATE)
    assert outcomes(spread) == alone
    assert sorted(alone.values()).count("FAILED") == 1
    assert (pytester.path / "alone0.md").read_text() == _isolated(0)


def test_shards_split_articles_with_isolated_blocks_with_the_same_outcomes(pytester):
    for n in range(4):
        (pytester.path / f"alone{n}.md").write_text(_isolated(n, wrong=n == 2))
    whole = outcomes(pytester.runpytest("-v"))
    parts = [outcomes(pytester.runpytest("-v", f"--mdverify-shard={k}/2")) for k in (1, 2)]
    assert {name: outcome for part in parts for name, outcome in part.items()} == whole
    assert len(whole) == 12
    assert list(whole.values()).count("FAILED") == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_runs_the_changed_article_with_its_isolated_blocks(pytester, git):
    for n in range(2):
        (pytester.path / f"alone{n}.md").write_text(_isolated(n))
    git(pytester.path, "init", "-q")
    git(pytester.path, "add", ".")
    git(pytester.path, "commit", "-q", "-m", "base")
    (pytester.path / "alone1.md").write_text(_isolated(5))
    result = pytester.runpytest("-v", "--mdverify-changed-since=HEAD")
    assert outcomes(result) == {
        "alone1.md::Alone 5": "PASSED",
        "alone1.md::Alone 5 #2": "PASSED",
        "alone1.md::Alone 5 #3": "PASSED",
    }
