"""The pre-commit hook, run for real: `pre-commit try-repo` installs it from this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.precommit,
    pytest.mark.process,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs mdverify's git checkout"),
]


def run(args, cwd, env=None):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, env=env)


def test_hook_fails_the_wrong_article_and_passes_the_right_one(tmp_path):
    pytest.importorskip("pre_commit")
    docs = tmp_path / "docs-repo"
    docs.mkdir()
    (docs / "good.md").write_text("# Good\n\n```python\nprint(2 + 2)  # 4\n```\n")
    (docs / "bad.md").write_text("# Bad\n\n```python\nprint(2 + 2)  # 5\n```\n")
    (docs / "prose.md").write_text("# Only prose\n\nNo code here.\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env.pop("PYTEST_ADDOPTS", None)
    for args in (["init", "-q"], ["add", "."]):
        assert run(["git", *args], docs).returncode == 0
    # try-repo copies the repository, uncommitted changes included, and installs the hook
    # into its own virtualenv from the package index.
    result = run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "mdverify", "--all-files"],
        docs,
        env,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "bad.md:4: output differs from what the block printed" in output
    assert "bad.md F" in output
    assert "good.md ." in output
    assert "1 failed, 1 passed" in output


def test_hook_installs_and_runs_from_a_tag_of_the_repository(tmp_path):
    """The published-hook form of docs/ci.md: `repo:` and a tagged `rev:`, as a user writes it.

    A clone of this repository stands for its published address; the tag is made in the
    clone, so the test checks the committed tree (HEAD), not uncommitted changes.
    """
    pytest.importorskip("pre_commit")
    import mdverify  # noqa: PLC0415  # the tag a release of this version gets

    clone = tmp_path / "mdverify"
    tag = f"v{mdverify.__version__}"
    assert (
        run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], tmp_path).returncode
        == 0
    )
    assert run(["git", "-c", "tag.gpgSign=false", "tag", tag], clone).returncode == 0
    docs = tmp_path / "docs-repo"
    docs.mkdir()
    (docs / "bad.md").write_text("# Bad\n\n```python\nprint(2 + 2)  # 5\n```\n")
    (docs / ".pre-commit-config.yaml").write_text(
        # Relative, as docs/ci.md writes it: pre-commit resolves it from the docs repository.
        f"repos:\n  - repo: ../{clone.name}\n    rev: {tag}\n    hooks:\n      - id: mdverify\n"
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env.pop("PYTEST_ADDOPTS", None)
    for args in (["init", "-q"], ["add", "."]):
        assert run(["git", *args], docs).returncode == 0
    result = run([sys.executable, "-m", "pre_commit", "run", "--all-files"], docs, env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "bad.md:4: output differs from what the block printed" in output
    (docs / "bad.md").write_text("# Bad\n\n```python\nprint(2 + 2)  # 4\n```\n")
    result = run([sys.executable, "-m", "pre_commit", "run", "--all-files"], docs, env)
    assert result.returncode == 0, result.stdout + result.stderr
