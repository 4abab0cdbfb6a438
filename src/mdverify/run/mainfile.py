"""In the child: the file a namespace's `__main__` is, so that a spawned process finds its names.

multiprocessing's `spawn` and `forkserver` start methods start a fresh interpreter, which
runs the parent's main script again, as `__mp_main__`, before it unpickles the function it
is to call by name (`multiprocessing.spawn`: `get_preparation_data` reads
`__main__.__file__`, `_fixup_main_from_path` runs it with `runpy.run_path`). A reader's
script has that file; a block's namespace needs one too, or the child fails with
`Can't get attribute 'square' on <module '__main__' (built-in)>`.

So each namespace (`mdverify.run.spaces`) has a script in the article's folder, beside the
capture files and outside the working directory, which stays empty for the example:
`scripts/<n>/<article stem>.py`, its `__main__.__file__`. Before each block it holds the
statements of that namespace's blocks that ran to their end, in order, then the whole block
about to run: what a reader's script holds at that point, so a spawned child sees the names
the blocks above defined, and its `if __name__ == "__main__":` parts do not run again.

* Each statement is at its article line (blank lines between), so a spawned child's
  traceback gives the article's line numbers; where two pieces would overlap (the lines of
  a `setup` file, two statements on one line) the later one comes on the next free line.
* A statement that raised, and the rest of its block, are left out once the block is over:
  the parent never bound what they would have.
* A statement with a top-level `await` is left out: a script cannot hold one (a child that
  compiled it would fail), so the names only it binds are not in a spawned child. The
  block's other statements are.
* Blocks that are files (`python title="x.py"`) are not `__main__`'s: run as a script, such
  a file is its own `__file__`. Console blocks and `norun` blocks ran no code here.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import ast
    from collections.abc import Iterable, Sequence

__all__ = ["Piece", "Script", "piece", "render"]

_FOLDER = "scripts"


class Piece(NamedTuple):
    """One statement's text and the line it starts on."""

    line: int
    text: str


def piece(lines: Sequence[str], stmt: ast.stmt) -> Piece:
    """The text of top-level `stmt` of the (padded) source `lines`, decorators included."""
    first, col = stmt.lineno, stmt.col_offset
    decorators = getattr(stmt, "decorator_list", ())
    if decorators:
        first, col = min((d.lineno, d.col_offset) for d in decorators)
    if not lines[first - 1][:col].strip(" \t@"):
        col = 0  # the statement starts its line: keep its decorator's '@'
    last = stmt.end_lineno or stmt.lineno
    end = stmt.end_col_offset
    chunk = list(lines[first - 1 : last])
    chunk[-1] = chunk[-1][:end] if end is not None else chunk[-1]
    chunk[0] = chunk[0][col:]
    return Piece(first, "\n".join(chunk))


def render(pieces: Iterable[Piece], above: int = 0) -> str:
    """The pieces as one script, each at its own line where the ones above leave room.

    `above`: the lines already written above the first piece.
    """
    out = []
    for line, text in pieces:
        out.append("\n" * max(0, line - 1 - above) + text + "\n")
        above = max(above, line - 1) + text.count("\n") + 1
    return "".join(out)


class Script:
    """The file one namespace's `__main__` is: what its blocks ran, and the block running.

    Each block costs what its own text does, not the whole article's: what ran stays the
    file's first bytes, and `begin` cuts the file there and writes the block after it.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._ran: list[Piece] = []
        self._size = 0
        """Bytes of the file that hold what ran."""
        self._lines = 0
        self._ends: list[tuple[Piece, int, int]] = []
        """Each piece of the running block, with the file's size and lines after it."""
        self._whole = True
        """Whether the file holds exactly what ran, up to `_size`."""

    @classmethod
    def under(cls, root: str, number: int, article: str) -> Script:
        """The script of the `number`th namespace of `article`, in the folder `root`."""
        name = os.path.splitext(os.path.basename(article))[0] + ".py"  # noqa: PTH119, PTH122
        return cls(os.path.join(root, _FOLDER, str(number), name))  # noqa: PTH118

    def begin(self, pieces: Iterable[Piece]) -> None:
        """Write the file as it is while a block runs: what ran above, then all of `pieces`."""
        self._ends = []
        try:
            fd = _open(self.path)
        except OSError:
            # The example removed or replaced the folder (it is its own to write in): the
            # namespace then has a file no longer, as a script whose file was deleted.
            self._whole = False
            return
        try:
            if not self._whole or os.fstat(fd).st_size < self._size:
                text = render(self._ran)
                self._size, self._lines = len(text.encode()), text.count("\n")
                os.ftruncate(fd, 0)
                os.pwrite(fd, text.encode(), 0)
                self._whole = True
            size, lines, chunks = self._size, self._lines, []
            for one in pieces:
                chunk = render([one], lines).encode()
                size, lines = size + len(chunk), max(lines, one.line - 1) + one.text.count("\n") + 1
                chunks.append(chunk)
                self._ends.append((one, size, lines))
            os.ftruncate(fd, self._size)
            os.pwrite(fd, b"".join(chunks), self._size)
        except OSError:
            self._whole = False
        finally:
            os.close(fd)

    def ran(self, done: Piece) -> None:
        """Keep `done`, a statement that ran to its end, for the blocks below."""
        self._ran.append(done)
        if self._ends and self._ends[0][0] is done:
            _, self._size, self._lines = self._ends.pop(0)
        else:
            self._whole = False  # a piece before it did not run: write it all again next time


def _open(path: str) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
    try:
        return os.open(path, flags, 0o644)
    except FileNotFoundError:  # the namespace's first block, or the example removed it
        os.makedirs(os.path.dirname(path), exist_ok=True)  # noqa: PTH103, PTH120
        return os.open(path, flags, 0o644)
