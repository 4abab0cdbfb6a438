"""Files changed since a git ref (`mdverify.selection.changed`), on a real temporary repo."""

from __future__ import annotations

import shutil

import pytest

from mdverify.selection.changed import ChangesError, changed_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def repo(tmp_path, git):
    """A repository whose `base` tag has four articles."""
    git(tmp_path, "init", "-q", "-b", "main")
    for name in ("kept", "modified", "renamed", "deleted"):
        (tmp_path / f"{name}.md").write_text(f"# {name}\n\nSome text long enough to rename.\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "tag", "base")
    return tmp_path


def names(paths):
    return sorted(p.name for p in paths)


def test_added_modified_and_renamed_files_count_and_deleted_ones_do_not(repo, git):
    (repo / "added.md").write_text("# added\n")
    (repo / "modified.md").write_text("# modified, again\n")
    git(repo, "mv", "renamed.md", "new-name.md")
    git(repo, "rm", "-q", "deleted.md")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "change")
    assert names(changed_files("base", repo)) == ["added.md", "modified.md", "new-name.md"]


def test_uncommitted_and_untracked_changes_count(repo):
    (repo / "modified.md").write_text("# not committed yet\n")
    (repo / "draft.md").write_text("# untracked\n")
    assert names(changed_files("base", repo)) == ["draft.md", "modified.md"]


def test_ignored_files_do_not_count(repo):
    (repo / ".gitignore").write_text("build/\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.md").write_text("# built\n")
    assert names(changed_files("base", repo)) == [".gitignore"]


def test_paths_are_absolute_whatever_the_directory_asked_from(repo):
    (repo / "sub").mkdir()
    (repo / "sub" / "a.md").write_text("# a\n")
    assert changed_files("base", repo / "sub") == {(repo / "sub" / "a.md").resolve()}


def test_changes_on_a_branch_are_counted_from_the_merge_base(repo, git):
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "feature.md").write_text("# feature\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "feature")
    git(repo, "checkout", "-q", "main")
    (repo / "main-only.md").write_text("# main\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "main moves on")
    git(repo, "checkout", "-q", "feature")
    assert names(changed_files("main", repo)) == ["feature.md"]


def test_unknown_ref_is_a_clear_error(repo):
    with pytest.raises(ChangesError, match="unknown git ref 'no-such-branch'"):
        changed_files("no-such-branch", repo)


def test_option_looking_ref_is_refused(repo):
    with pytest.raises(ChangesError, match="is not a git ref"):
        changed_files("--output=x", repo)


def test_directory_outside_a_repository_is_a_clear_error(tmp_path):
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(ChangesError, match="not inside a git repository"):
        changed_files("HEAD", outside)


def test_missing_git_is_a_clear_error(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "no-bin-here"))
    with pytest.raises(ChangesError, match="git is not installed"):
        changed_files("base", repo)
