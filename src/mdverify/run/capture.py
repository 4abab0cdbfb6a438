"""An article's folder and what its child printed there.

Every start, cold or warm, gives an article the same folder: `work/` is the child's working
directory, `stdout` and `stderr` are the capture files its fds 1 and 2 point at. Files
rather than pipes: the child can never block on a full pipe, and the parent reads each
block's slice by the byte offsets the child reports (`Capture`), at most `output_limit`
bytes of it, so a block that prints gigabytes costs the parent nothing.

The folder is the article's to write in, capture files included: an example may delete
`../stdout` or put a directory, a FIFO or a symlink in its place. So the parent makes the
capture files and holds them open (`Folder.hold`) before the child starts, and puts them
back from what it holds once the child has ended (`Held.restore`); the reader opens them
as regular files only, and reads a missing one as empty.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, NamedTuple

from mdverify.model import Truncation

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["Capture", "Folder", "Held", "Slice", "decode_output"]

_ENCODING_ERRORS = "backslashreplace"
Stream = Literal["out", "err"]


@dataclass(frozen=True)
class Folder:
    """One article's folder: `work/`, `stdout`, `stderr`."""

    root: Path

    @classmethod
    def make(cls, parent: str | None = None, prefix: str = "mdverify-") -> Folder:
        """A new folder under `parent` (None: tempfile's choice), with an empty `work/`."""
        folder = cls(Path(tempfile.mkdtemp(prefix=prefix, dir=parent)))
        folder.work.mkdir()
        return folder

    @property
    def work(self) -> Path:
        """The child's working directory."""
        return self.root / "work"

    @property
    def stdout(self) -> Path:
        """The capture file of fd 1."""
        return self.root / "stdout"

    @property
    def stderr(self) -> Path:
        """The capture file of fd 2."""
        return self.root / "stderr"

    def write_files(self, files: Iterable[tuple[str, str]]) -> None:
        """Create the article's declared files in `work/`."""
        for name, content in files:
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")

    def written(self) -> int:
        """Bytes in both capture files: what the output budget counts."""
        total = 0
        for path in (self.stdout, self.stderr):
            with contextlib.suppress(OSError):
                total += path.stat().st_size
        return total

    def hold(self) -> Held:
        """Make the empty capture files and hold them open, before the child starts."""
        fds = []
        for path in (self.stdout, self.stderr):
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            fds.append(fd)
        return Held(self, fds[0], fds[1])

    @contextlib.contextmanager
    def capture(self, limit: int) -> Iterator[Capture]:
        """The capture files opened for reading slices of at most `limit` bytes."""
        with _open_regular(self.stdout) as out, _open_regular(self.stderr) as err:
            yield Capture(out, err, limit)

    def remove(self) -> None:
        """Delete the folder and everything in it."""
        shutil.rmtree(self.root, ignore_errors=True)


class Held(NamedTuple):
    """The capture files of `folder`, open in the parent since before the child ran."""

    folder: Folder
    out: int
    err: int

    def restore(self) -> None:
        """Put back, from the held files, a capture file the child removed or replaced."""
        with contextlib.suppress(OSError):
            self.folder.root.mkdir(exist_ok=True)  # the child may have removed it all
            for path, fd in ((self.folder.stdout, self.out), (self.folder.stderr, self.err)):
                kept = os.fstat(fd)
                try:
                    found = os.lstat(path)
                except FileNotFoundError:
                    found = None
                if found is not None and (found.st_dev, found.st_ino) == (
                    kept.st_dev,
                    kept.st_ino,
                ):
                    continue
                if found is not None and stat.S_ISDIR(found.st_mode):
                    shutil.rmtree(path, ignore_errors=True)
                elif found is not None:
                    path.unlink()
                _copy(fd, path)

    def close(self) -> None:
        """Let go of the files (after `restore`)."""
        for fd in (self.out, self.err):
            with contextlib.suppress(OSError):
                os.close(fd)


def _copy(source: int, path: Path) -> None:
    """A new regular file at `path` with all of `source`'s bytes."""
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        offset = 0
        while chunk := os.pread(source, 1 << 20, offset):
            os.write(target, chunk)
            offset += len(chunk)
    finally:
        os.close(target)


@contextlib.contextmanager
def _open_regular(path: Path) -> Iterator[BinaryIO]:
    """`path` opened for reading if it is a regular file; else (gone, a FIFO) nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        yield io.BytesIO()
        return
    with os.fdopen(fd, "rb") as file:
        yield file if stat.S_ISREG(os.fstat(fd).st_mode) else io.BytesIO()


class Slice(NamedTuple):
    """Part of a capture file, as the report shows it."""

    text: str
    """The bytes kept, decoded for reading."""
    kept: bytes
    cut: Truncation | None
    """How the slice was cut at the limit; None when it is whole."""


class Capture:
    """Reads slices of the capture files, keeping at most `limit` bytes of each."""

    def __init__(self, out: BinaryIO, err: BinaryIO, limit: int) -> None:
        self.files = {"out": out, "err": err}
        self.limit = limit

    def text(self, stream: Stream, start: int, end: int | None = None) -> Slice:
        """The slice from `start` to `end` (or the end of the file), cut at the limit."""
        file = self.files[stream]
        if end is None:
            end = file.seek(0, os.SEEK_END)
        total = max(0, end - start)
        file.seek(start)
        data = file.read(min(total, self.limit))
        if total <= self.limit:
            return Slice(decode_output(data), data, None)
        data = data[: data.rfind(b"\n") + 1 or len(data)]  # a whole line where there is one
        return Slice(decode_output(data), data, Truncation(total, len(data), self.limit))


def decode_output(data: bytes) -> str:
    """Captured bytes as text; what is not UTF-8 shows as escapes."""
    return data.decode("utf-8", _ENCODING_ERRORS)
