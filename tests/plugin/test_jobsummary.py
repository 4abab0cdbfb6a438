"""The CI job's Markdown summary: appended once, by the controller, with links to the failures."""

from __future__ import annotations

import pytest

PASSING = "# Passing\n\n```python\nprint(1)\n```\n\n```\n1\n```\n"
FAILING = "# Failing\n\n```python\nx = 1\nprint(x + 1)  # 3\n```\n"
GITHUB = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "owner/docs",
    "GITHUB_SHA": "0123abc",
}


@pytest.fixture
def summary(pytester, monkeypatch):
    """The step summary file, with a line another step wrote, and a GitHub job's variables."""
    path = pytester.path / "step-summary.md"
    path.write_text("# Earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    return path


def _articles(pytester):
    (pytester.path / "docs").mkdir()
    (pytester.path / "docs" / "good.md").write_text(PASSING)
    (pytester.path / "docs" / "bad.md").write_text(FAILING)
    (pytester.path / "docs" / "broken.md").write_text("# Broken\n\n<!-- mdverify: sikp -->\n")


def test_the_summary_has_the_sessions_counts_and_links_each_failure(pytester, summary):
    _articles(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider", "docs")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# Earlier step\n## mdverify\n")  # appended, not replaced
    counts = [line for line in result.outlines if line.startswith("mdverify: ")]
    assert counts
    assert "\n".join(counts) in text  # the terminal summary's lines, as they were
    bad = pytester.path / "docs" / "bad.md"
    line = bad.read_text().split("\n").index("print(x + 1)  # 3") + 1
    link = f"https://github.com/owner/docs/blob/0123abc/docs/bad.md#L{line}"
    assert f"| [docs/bad\\.md\\:{line}](<{link}>) | output differs" in text
    assert "docs/broken.md" in text
    assert "good.md" not in text


def test_what_an_article_raises_is_text_in_the_summary(pytester, summary):
    raising = "```python\nraise ValueError('a | <b>bold</b> [x](y)')\n```\n"
    (pytester.path / "raising.md").write_text(raising)
    pytester.runpytest("-p", "no:cacheprovider", "raising.md")
    rows = [line for line in summary.read_text().splitlines() if line.startswith("| [")]
    assert len(rows) == 1
    assert rows[0].count(" | ") == 1  # two cells: the message's `|` is escaped
    assert "<b>" not in rows[0]
    assert "&lt;b&gt;bold&lt;/b&gt; \\[x\\]\\(y\\)" in rows[0]


def test_under_xdist_only_the_controller_writes_it_once(pytester, summary):
    _articles(pytester)
    pytester.runpytest("-p", "no:cacheprovider", "-n", "2", "docs")
    text = summary.read_text(encoding="utf-8")
    assert text.count("## mdverify") == 1
    assert text.count("| [docs/") == 2  # the failure and the unreadable article


def test_a_path_option_writes_elsewhere_and_none_writes_nothing(pytester, summary):
    _articles(pytester)
    pytester.runpytest("-p", "no:cacheprovider", "--mdverify-job-summary=none", "docs")
    assert summary.read_text(encoding="utf-8") == "# Earlier step\n"
    pytester.runpytest("-p", "no:cacheprovider", "--mdverify-job-summary=mine.md", "docs")
    assert "## mdverify" in (pytester.path / "mine.md").read_text(encoding="utf-8")
    assert summary.read_text(encoding="utf-8") == "# Earlier step\n"


def test_off_github_nothing_is_written(pytester, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    (pytester.path / "bad.md").write_text(FAILING)
    pytester.runpytest("-p", "no:cacheprovider")
    assert sorted(p.name for p in pytester.path.iterdir()) == ["bad.md"]
