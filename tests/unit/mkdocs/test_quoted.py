"""The MkDocs plugin logs a report's body with workflow commands off on GitHub Actions."""

from mdverify.mkdocs.plugin import _quoted


def test_on_github_actions_the_whole_body_is_under_a_stop(monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    lines = _quoted("::add-mask::secret\n+::error::x").splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    assert len(token) == 32
    assert lines[1:] == ["::add-mask::secret", "+::error::x", f"::{token}::"]


def test_elsewhere_the_body_is_as_it_was(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert _quoted("::add-mask::secret") == "::add-mask::secret"
