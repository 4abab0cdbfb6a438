"""`--mdverify-shard=K/N`: the union of the shards' results is the result of one run."""

from __future__ import annotations

import re

import pytest

OUTCOME = re.compile(r"^(\S+\.(?:md|py)::.*?) (PASSED|FAILED|SKIPPED)", re.MULTILINE)


def outcomes(result) -> dict[str, str]:
    return dict(OUTCOME.findall(result.stdout.str()))


@pytest.fixture
def tree(pytester, article):
    for n in range(8):
        verdict = n if n % 3 else n + 1  # every third article declares a wrong output
        article(f"docs/part{n % 2}/a{n}.md", f"# A{n}\n\n```python\nprint({n})  # {verdict}\n```\n")
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")


def test_the_shards_partition_one_run_with_the_same_outcomes(pytester, tree):
    whole = outcomes(pytester.runpytest("-v"))
    parts = [outcomes(pytester.runpytest("-v", f"--mdverify-shard={k}/3")) for k in (1, 2, 3)]
    assert sum(len(part) for part in parts) == len(whole) == 9
    merged = {name: outcome for part in parts for name, outcome in part.items()}
    assert merged == whole
    assert "FAILED" in whole.values()


def test_a_bad_shard_is_a_usage_error(pytester, tree):
    result = pytester.runpytest("--mdverify-shard=4/3")
    assert "--mdverify-shard: shard '4/3': K must be between 1 and N" in result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
