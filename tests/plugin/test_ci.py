"""The CI gate: changed-since collection, GitHub annotations, --junitxml, and pytest-xdist."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

PASSING = "# Passing\n\n```python\nprint(1)\n```\n\n```\n1\n```\n"
FAILING = "# Failing\n\n```python\nx = 1\nprint(x + 1)  # 3\n```\n"
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@needs_git
def test_changed_since_collects_only_the_changed_articles(pytester, git):
    for name in ("same", "edited", "moved", "gone"):
        (pytester.path / f"{name}.md").write_text(PASSING.replace("Passing", name))
    git(pytester.path, "init", "-q")
    git(pytester.path, "add", ".")
    git(pytester.path, "commit", "-q", "-m", "base")
    (pytester.path / "edited.md").write_text(FAILING)
    (pytester.path / "new.md").write_text(PASSING)
    git(pytester.path, "mv", "moved.md", "renamed.md")
    git(pytester.path, "rm", "-q", "gone.md")
    result = pytester.runpytest("--mdverify-changed-since=HEAD", "--collect-only", "-q")
    collected = sorted({line.split("::")[0] for line in result.outlines if "::" in line})
    assert collected == ["edited.md", "new.md", "renamed.md"]


@needs_git
def test_changed_since_with_no_changed_article_says_so_and_passes(pytester, git):
    (pytester.path / "a.md").write_text(PASSING)
    git(pytester.path, "init", "-q")
    git(pytester.path, "add", ".")
    git(pytester.path, "commit", "-q", "-m", "base")
    result = pytester.runpytest("--mdverify-changed-since=HEAD")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["mdverify: no article changed since HEAD: nothing to verify"])
    # Without the ref, an empty session is pytest's "no tests collected" as ever.
    (pytester.path / "a.md").unlink()
    assert pytester.runpytest().ret == pytest.ExitCode.NO_TESTS_COLLECTED


@needs_git
def test_changed_since_a_bad_ref_is_a_usage_error(pytester, git):
    (pytester.path / "a.md").write_text(PASSING)
    git(pytester.path, "init", "-q")
    result = pytester.runpytest("--mdverify-changed-since=no-such-ref")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mdverify-changed-since: unknown git ref 'no-such-ref'*"])


def test_changed_since_without_a_repository_is_a_usage_error(pytester):
    (pytester.path / "a.md").write_text(PASSING)
    result = pytester.runpytest("--mdverify-changed-since=main")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mdverify-changed-since:*"])
    assert "Traceback" not in result.stderr.str()


def test_github_actions_gets_one_annotation_per_failure_at_the_md_line(pytester, monkeypatch):
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "ok.md").write_text(PASSING)
    (pytester.path / "docs" / "bad.md").write_text(FAILING)
    (pytester.path / "docs" / "broken.md").write_text("```python\nprint(1)\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    result = pytester.runpytest()
    annotations = [line for line in result.outlines if line.startswith("::error ")]
    assert len(annotations) == 2
    assert annotations[0].startswith(
        "::error file=docs/bad.md,line=5,title=output differs from what the block printed::"
    )
    assert "%0A-3%0A+2" in annotations[0]
    assert annotations[1].startswith("::error file=docs/broken.md,line=1,title=code fence")


def _obeyed(lines):
    """The lines GitHub's runner would read as workflow commands: `::name` after any spaces,
    or the older `##[name]` anywhere, outside a `::stop-commands::TOKEN` ... `::TOKEN::`."""
    stopped, obeyed = None, []
    for line in lines:
        if stopped is not None:
            stopped = None if line == f"::{stopped}::" else stopped
        elif line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
        elif line.lstrip().startswith("::") or "##[" in line:
            obeyed.append(line)
    return obeyed


def test_workflow_commands_an_example_prints_are_not_obeyed_on_github_actions(
    pytester, monkeypatch
):
    hostile = (
        "# Hostile\n\n```python\n"
        'print("::add-mask::secret")\n'
        'print("  ::error file=x.py,line=1::injected")\n'
        'print("v1 ##[error]injected")\n'
        "```\n\nOutput:\n\n```\n  ::error file=x.py,line=1::injected\n```\n\n"
        "```python\n"
        'raise ValueError("::warning::first line\\n::add-mask::second")\n'
        "```\n"
    )
    (pytester.path / "bad.md").write_text(hostile)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("CI", "true")  # pytest then prints each report whole in its summary
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    result = pytester.runpytest("-n", "0", "-p", "no:randomly")
    result.assert_outcomes(failed=2)
    assert "injected" in result.stdout.str()  # the reports still show what was printed
    obeyed = _obeyed(result.outlines)
    assert len(obeyed) == 2, obeyed  # mdverify's own annotations, one per failure
    assert all(line.startswith("::error file=bad.md,") for line in obeyed), obeyed


def test_no_annotations_outside_github_actions(pytester, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (pytester.path / "bad.md").write_text(FAILING)
    result = pytester.runpytest()
    assert not [line for line in result.outlines if line.startswith("::")]


def test_junitxml_carries_the_md_file_and_line(pytester):
    (pytester.path / "bad.md").write_text(FAILING)
    pytester.runpytest("--junitxml=report.xml")
    case = ET.parse(pytester.path / "report.xml").find(".//testcase")
    assert case is not None
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert (properties["file"], properties["line"]) == ("bad.md", "3")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message", "").startswith("bad.md:5: output differs")


def test_an_annotation_of_a_setup_file_that_raised_names_that_file(pytester, monkeypatch):
    (pytester.path / "docs").mkdir()
    article = "---\nmdverify:\n  setup: fakes.py\n---\n\n```python\nprint(1)  # 1\n```\n"
    (pytester.path / "docs" / "a.md").write_text(article)
    (pytester.path / "docs" / "fakes.py").write_text("x = 1\ny = 1 / 0\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    result = pytester.runpytest()
    annotations = [line for line in result.outlines if line.startswith("::error ")]
    assert len(annotations) == 1
    assert annotations[0].startswith(
        "::error file=docs/fakes.py,line=2,title=ZeroDivisionError%3A division by zero::"
    )
