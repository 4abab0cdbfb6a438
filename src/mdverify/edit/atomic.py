"""Write a file so that a crash leaves it either as it was or as intended, never half-written.

The new bytes go to a temporary file in the same directory (so the rename cannot cross a
filesystem), are flushed to disk, and then replace the old file in one `os.replace`. A file
that changed on disk since it was read is not overwritten: the writer's edit wins over ours.
A file that did not exist when it was read (`expected` None) must still not exist.

A rewrite must leave the file as its owner set it up, or not happen (`NotRewritten`):

* a read-only file (no owner write bit, or not writable by us) is refused, saying so;
* the new file gets the old one's owner and group before its mode (chown clears set-id
  bits); where we may not give them (another user's file we may only write), it is refused;
* a file with hard links is refused: replacing it would leave the other names on the old
  bytes, and writing in place is not atomic;
* a temporary file is named for the process that wrote it (`.a.md.mdverify-PID-XXXX.tmp`);
  one whose process no longer runs was left by a killed session, and the next write in its
  folder removes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

__all__ = ["FileChangedError", "NotRewritten", "digest", "write_atomic"]

_MARK = "mdverify"
_TEMPORARY = re.compile(rf"\.(?P<name>.+)\.{_MARK}-(?P<pid>\d+)-[^.]*\.tmp")


class FileChangedError(Exception):
    """The file on disk is no longer the one that was read."""


class NotRewritten(Exception):
    """A file that a rewrite would change other than in its bytes; the message says how."""


def digest(data: bytes) -> str:
    """A fingerprint of a file's bytes, cheap to send between processes."""
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes, expected: str | None) -> None:
    """Replace `path` with `data`, if its bytes still have the digest `expected`.

    With `expected` None, create `path`, which must not exist.
    """
    target = path.resolve()  # through a symlink: rewrite the article, keep the link
    _check_unchanged(target, expected)
    _remove_stale(target.parent)
    owner: tuple[int, int] | None = None
    if expected is None:
        mode = _new_file_mode()  # what a plain `open` would give it
    else:
        found = target.stat()
        _check_rewritable(target, found)
        mode, owner = stat.S_IMODE(found.st_mode), (found.st_uid, found.st_gid)
    prefix = f".{target.name}.{_MARK}-{os.getpid()}-"
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if owner is not None:
            _give(temporary, owner)
        temporary.chmod(mode)
        _check_unchanged(target, expected)  # again, as late as possible
        # os.replace itself, not Path.replace: on 3.10 pathlib binds it at import time, and
        # the crash tests must be able to interrupt exactly this step.
        os.replace(temporary, target)  # noqa: PTH105
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_directory(target.parent)


def _check_rewritable(path: Path, found: os.stat_result) -> None:
    # The owner's write bit too: root may write anything, and should not rewrite a 0444 file.
    if not found.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise NotRewritten("is read-only: not rewritten (make it writable to update it)")
    if found.st_nlink > 1:
        raise NotRewritten(
            f"has {found.st_nlink} hard links: not rewritten (replacing it would leave the "
            "other links with the old text; rewrite the file each link names once it has one)"
        )


def _give(temporary: Path, owner: tuple[int, int]) -> None:
    """Give the new file the old one's owner and group, or refuse the rewrite."""
    now = temporary.stat()
    if (now.st_uid, now.st_gid) == owner:
        return
    try:
        os.chown(temporary, *owner)
    except PermissionError:
        raise NotRewritten(
            "belongs to another user or group, which a rewrite would take from it: not rewritten"
        ) from None


def _remove_stale(directory: Path) -> None:
    """Remove the temporary files a killed process left in `directory`."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match is not None and not _running(int(match["pid"])):
            with contextlib.suppress(OSError):
                entry.unlink()


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's: running
    return True


def _check_unchanged(path: Path, expected: str | None) -> None:
    if _current(path) != expected:
        raise FileChangedError(str(path))


def _current(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; some systems cannot open a directory, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
