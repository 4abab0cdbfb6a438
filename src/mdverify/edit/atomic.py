"""Write a file so that a crash leaves it either as it was or as intended, never half-written.

The new bytes go to a temporary file in the same directory (so the rename cannot cross a
filesystem), are flushed to disk, and then replace the old file in one `os.replace`. A file
that changed on disk since it was read is not overwritten: the writer's edit wins over ours.
A file that did not exist when it was read (`expected` None) must still not exist.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["FileChangedError", "digest", "write_atomic"]


class FileChangedError(Exception):
    """The file on disk is no longer the one that was read."""


def digest(data: bytes) -> str:
    """A fingerprint of a file's bytes, cheap to send between processes."""
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes, expected: str | None) -> None:
    """Replace `path` with `data`, if its bytes still have the digest `expected`.

    With `expected` None, create `path`, which must not exist.
    """
    target = path.resolve()  # through a symlink: rewrite the article, keep the link
    _check_unchanged(target, expected)
    # A new file gets the mode a plain `open` would give it.
    mode = stat.S_IMODE(target.stat().st_mode) if expected is not None else _new_file_mode()
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
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
