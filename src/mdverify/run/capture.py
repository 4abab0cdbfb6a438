"""An article's folder and what its child printed there.

Every start, cold or warm, gives an article the same folder: `work/` is the child's working
directory, `stdout` and `stderr` are the capture files its fds 1 and 2 point at. Files
rather than pipes: the child can never block on a full pipe, and the parent reads each
block's slice by the byte offsets the child reports (`Capture`), at most `output_limit`
bytes of it, so a block that prints gigabytes costs the parent nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, NamedTuple

from mdverify.model import Truncation

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["Capture", "Folder", "Slice", "decode_output"]

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

    @contextlib.contextmanager
    def capture(self, limit: int) -> Iterator[Capture]:
        """The capture files opened for reading slices of at most `limit` bytes."""
        with self.stdout.open("rb") as out, self.stderr.open("rb") as err:
            yield Capture(out, err, limit)

    def remove(self) -> None:
        """Delete the folder and everything in it."""
        shutil.rmtree(self.root, ignore_errors=True)


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
            end = os.fstat(file.fileno()).st_size
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
