"""Which folders the sandbox covers and rebuilds open (`mdverify.run.sandbox._closed`)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from mdverify.run.sandbox import _closed


@pytest.fixture
def tmp_path():
    """A folder others may enter, right under the system's temp (pytest's own is 0700)."""
    folder = Path(tempfile.mkdtemp())
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_folder_only_its_owner_may_enter_is_covered(tmp_path):
    checkout = tmp_path / "check" / "work" / "main"
    checkout.mkdir(parents=True)
    (tmp_path / "check").chmod(0o700)
    assert _closed([str(checkout)], []) == [str(tmp_path / "check")]


def test_open_folders_and_private_ones_are_left_alone(tmp_path):
    tree = tmp_path / "open" / "docs"
    tree.mkdir(parents=True)
    assert _closed([str(tree)], []) == []
    (tmp_path / "open").chmod(0o700)
    # Under a folder the sandbox covers anyway (/tmp, the homes), nothing more is needed.
    assert _closed([str(tree)], [str(tmp_path)]) == []


def test_one_cover_serves_every_folder_under_it(tmp_path):
    closed = tmp_path / "closed"
    (closed / "a").mkdir(parents=True)
    (closed / "b").mkdir()
    closed.chmod(0o700)
    assert _closed([str(closed / "a"), str(closed / "b")], []) == [str(closed)]
