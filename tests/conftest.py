"""Shared helpers for the tests that drive pytest through `pytester`."""

from __future__ import annotations

import subprocess
import textwrap

import pytest


@pytest.fixture
def article(pytester: pytest.Pytester):
    """Write a Markdown article into the pytester directory: article("name.md", text)."""

    def write(name: str, text: str) -> None:
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")

    return write


@pytest.fixture(autouse=True)
def _inner_runs_environment(request, monkeypatch):
    """The hypothesis plugin costs ~0.9 s per inner pytest start-up and is not used there.

    And an inner run is no xdist worker, though the outer session may run on one: the
    variables xdist sets there (mdverify reads the worker count) stay out of it.
    """
    if "pytester" not in request.fixturenames:
        return
    request.getfixturevalue("pytester")  # it clears PYTEST_ADDOPTS: set ours after it
    monkeypatch.setenv(
        "PYTEST_ADDOPTS", "-p no:hypothesispytest -o asyncio_default_fixture_loop_scope=function"
    )
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)
    # Nor do the inner runs write their summaries into the outer job's (on GitHub Actions).
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def git():
    """Run git in a repository as a throwaway user: git(repo, "commit", "-m", "x")."""

    def run(repo, *args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    return run
