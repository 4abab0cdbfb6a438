"""Sessions, `reset` and `isolate` under xdist, shards, update mode and changed-since.

Which namespace a block runs in is decided from the article alone, so that each of these
gives what one plain run gives; the case articles (tests/cases/sessions/) test the rest.
"""

from __future__ import annotations

import re
import shutil

import pytest

OUTCOME = re.compile(r"(\S+\.md::.*?) (PASSED|FAILED|SKIPPED)\b")
OUTCOME_FIRST = re.compile(r"\b(PASSED|FAILED|SKIPPED) (\S+\.md::.*?)(?: - .*)?\s*$")


def article(n: int, shown: int | None = None) -> str:
    """An article whose `server` session keeps a port the default namespace overwrites."""
    port = 8000 + n
    return f"""# Article {n}

<!-- mdverify: session=server -->

```python
port = {port}
```

```python
port = 1
```

<!-- mdverify: session=server -->

```python
print(port)
```

```text
{port if shown is None else shown}
```

<!-- mdverify: isolate -->

```python
print("port" in globals())
```

```text
False
```

```python
print(port)
```

```text
1
```

<!-- mdverify: reset -->

```python
print("port" in globals())
```

```text
False
```
"""


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """nodeid -> outcome, from -v lines with or without xdist's `[gwN] [ %]` prefix."""
    found = {}
    for line in result.outlines:
        if match := OUTCOME.search(line):
            found[match[1]] = match[2]
        elif match := OUTCOME_FIRST.search(line):
            found[match[2]] = match[1]
    return found


@pytest.fixture
def articles(pytester: pytest.Pytester) -> None:
    for n in range(4):
        # Article 1's server session declares the default namespace's port: one failure.
        (pytester.path / f"a{n}.md").write_text(article(n, shown=1 if n == 1 else None))


def test_xdist_and_shards_give_the_outcomes_of_one_run(pytester, articles):
    pytest.importorskip("xdist")
    alone = outcomes(pytester.runpytest("-v", "-p", "no:xdist"))
    assert len(alone) == 24
    assert [name for name, outcome in alone.items() if outcome != "PASSED"] == [
        "a1.md::Article 1 #3"
    ]
    assert outcomes(pytester.runpytest("-v", "-n", "2")) == alone
    shards = [outcomes(pytester.runpytest("-v", f"--mdverify-shard={k}/2")) for k in (1, 2)]
    assert sum(len(shard) for shard in shards) == len(alone)
    assert {name: outcome for shard in shards for name, outcome in shard.items()} == alone


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_update_writes_the_value_of_the_blocks_own_session(pytester, start):
    (pytester.path / "a.md").write_text(article(7, shown=1))
    updated = pytester.runpytest("--mdverify-update", f"--mdverify-start={start}")
    updated.assert_outcomes(failed=1, passed=5)
    updated.stdout.fnmatch_lines(["mdverify: rewrote 1 declared output in 1 file"])
    assert (pytester.path / "a.md").read_text() == article(7)
    pytester.runpytest(f"--mdverify-start={start}").assert_outcomes(passed=6)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_runs_a_changed_article_with_its_sessions(pytester, git):
    for n in range(2):
        (pytester.path / f"a{n}.md").write_text(article(n))
    git(pytester.path, "init", "-q")
    git(pytester.path, "add", ".")
    git(pytester.path, "commit", "-q", "-m", "base")
    (pytester.path / "a1.md").write_text(article(1).replace("port = 1\n", "port = 2\n"))
    result = outcomes(pytester.runpytest("-v", "--mdverify-changed-since=HEAD"))
    assert {name.split("::")[0] for name in result} == {"a1.md"}
    # Only the default namespace's block that prints the changed port fails: the server
    # session and the isolated block are not reached by the edit.
    assert [name for name, outcome in result.items() if outcome != "PASSED"] == [
        "a1.md::Article 1 #5"
    ]
