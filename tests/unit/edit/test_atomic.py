"""Atomic writes in `mdverify.edit.atomic` and whole-file updates in `mdverify.edit.update`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mdverify.edit.atomic import FileChangedError, digest, write_atomic
from mdverify.edit.update import Correction, summary, update_files

ARTICLE = b"# T\n\n```python\nprint(1)\n```\n\n```\nold\n```\n"
NEW = ARTICLE.replace(b"old", b"1")


def files(directory):
    return sorted(p.name for p in directory.iterdir())


def request(path, data=ARTICLE, got="1\n"):
    return Correction(str(path), path.name, digest(data), 0, 0, got)


def test_write_replaces_the_bytes_and_keeps_the_mode(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"new", digest(b"old"))
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_write_through_a_symlink_rewrites_the_target(tmp_path):
    target = tmp_path / "a.md"
    target.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(link, b"new", digest(b"old"))
    assert link.is_symlink()
    assert target.read_bytes() == b"new"


def test_file_changed_since_it_was_read_is_not_overwritten(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"edited by the writer")
    with pytest.raises(FileChangedError):
        write_atomic(path, b"new", digest(b"old"))
    assert path.read_bytes() == b"edited by the writer"
    assert files(tmp_path) == ["a.md"]


def test_crash_before_the_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_bytes(b"old")

    def crash(*args):
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        write_atomic(path, b"new", digest(b"old"))
    assert path.read_bytes() == b"old"
    assert files(tmp_path) == ["a.md"]


def test_update_rewrites_the_article_and_names_the_line(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(ARTICLE)
    results = update_files([request(path)])
    assert path.read_bytes() == NEW
    assert summary(results) == ["mdverify: rewrote 1 declared output in 1 file", "  a.md: line 8"]


def test_crash_between_two_files_leaves_each_file_old_or_new(tmp_path, monkeypatch):
    paths = [tmp_path / f"{n}.md" for n in range(3)]
    for path in paths:
        path.write_bytes(ARTICLE)
    real_replace = os.replace
    calls = []

    def crash_on_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("killed")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_second)
    results = update_files([request(p) for p in paths])
    contents = [p.read_bytes() for p in paths]
    assert contents == [NEW, ARTICLE, NEW]
    assert files(tmp_path) == ["0.md", "1.md", "2.md"]
    assert "mdverify: 1.md cannot be written: killed" in summary(results)


def test_article_changed_during_the_run_is_left_alone_and_the_user_told(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(ARTICLE + b"\nA sentence the writer just added.\n")
    results = update_files([request(path)])
    assert path.read_bytes().endswith(b"just added.\n")
    assert "mdverify: a.md changed on disk while the examples ran: not rewritten" in summary(
        results
    )


def test_update_that_changes_no_byte_writes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_bytes(NEW)

    def no_write(*args):
        raise AssertionError("nothing to write")

    monkeypatch.setattr(os, "replace", no_write)
    results = update_files([request(path, NEW, "1\n")])
    assert summary(results) == ["mdverify: rewrote 0 declared outputs in 0 files"]


def test_correction_survives_the_trip_as_plain_data(tmp_path):
    original = request(tmp_path / "a.md")
    assert Correction.from_wire(original.to_wire()) == original


def test_write_creates_a_file_that_did_not_exist(tmp_path):
    path = tmp_path / "known.json"
    write_atomic(path, b"{}", None)
    assert path.read_bytes() == b"{}"
    assert files(tmp_path) == ["known.json"]


def test_creating_a_file_that_appeared_meanwhile_is_refused(tmp_path):
    path = tmp_path / "known.json"
    path.write_bytes(b"theirs")
    with pytest.raises(FileChangedError):
        write_atomic(path, b"ours", None)
    assert path.read_bytes() == b"theirs"


def _dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_temporary_file_a_killed_session_left_is_removed_by_the_next_write(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"old")
    stale = tmp_path / f".a.md.mdverify-{_dead_pid()}-k1ll3d.tmp"
    stale.write_bytes(b"half")
    running = tmp_path / f".b.md.mdverify-{os.getppid()}-busy.tmp"  # a live process's
    running.write_bytes(b"being written")
    theirs = tmp_path / ".a.md.swp.tmp"
    theirs.write_bytes(b"an editor's")
    write_atomic(path, b"new", digest(b"old"))
    assert files(tmp_path) == sorted([".a.md.swp.tmp", running.name, "a.md"])


def test_a_write_names_its_temporary_file_for_its_own_process(tmp_path, monkeypatch):
    path = tmp_path / "a.md"
    path.write_bytes(b"old")
    seen = []

    def replace(source, target):
        seen.append(Path(source).name)
        real_replace(source, target)

    real_replace = os.replace
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(path, b"new", digest(b"old"))
    assert seen[0].startswith(f".a.md.mdverify-{os.getpid()}-")


def test_a_read_only_file_is_not_rewritten_and_the_user_told(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(ARTICLE)
    path.chmod(0o444)  # read-only even for root, who may write anything
    results = update_files([request(path)])
    assert path.read_bytes() == ARTICLE
    assert "mdverify: a.md is read-only: not rewritten (make it writable to update it)" in (
        summary(results)
    )
    assert files(tmp_path) == ["a.md"]


def test_a_file_with_hard_links_is_not_rewritten_so_the_links_stay_one_file(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(ARTICLE)
    other = tmp_path / "b.md"
    os.link(path, other)
    results = update_files([request(path)])
    assert path.read_bytes() == other.read_bytes() == ARTICLE
    assert path.stat().st_ino == other.stat().st_ino
    assert any("a.md has 2 hard links: not rewritten" in line for line in summary(results))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_a_rewrite_keeps_the_files_owner_group_and_mode(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"old")
    os.chown(path, 4321, 4322)
    path.chmod(0o2640)  # setgid too, which a chown after the chmod would clear
    write_atomic(path, b"new", digest(b"old"))
    found = path.stat()
    assert (found.st_uid, found.st_gid) == (4321, 4322)
    assert stat.S_IMODE(found.st_mode) == 0o2640
    assert path.read_bytes() == b"new"
