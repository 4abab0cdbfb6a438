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


def render(pieces: Iterable[Piece]) -> str:
    """The pieces as one script, each at its own line where the ones above leave room."""
    lines: list[str] = []
    for line, text in pieces:
        lines.extend([""] * (line - 1 - len(lines)))
        lines.extend(text.split("\n"))
    return "\n".join(lines) + "\n" if lines else ""


class Script:
    """The file one namespace's `__main__` is: what its blocks ran, and the block running."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._ran: list[Piece] = []

    @classmethod
    def under(cls, root: str, number: int, article: str) -> Script:
        """The script of the `number`th namespace of `article`, in the folder `root`."""
        name = os.path.splitext(os.path.basename(article))[0] + ".py"  # noqa: PTH119, PTH122
        return cls(os.path.join(root, _FOLDER, str(number), name))  # noqa: PTH118

    def begin(self, pieces: Iterable[Piece]) -> None:
        """Write the file as it is while a block runs: what ran above, then all of `pieces`."""
        text = render([*self._ran, *pieces])
        try:
            _write(self.path, text)
        except OSError:
            # The example removed or replaced the folder (it is its own to write in): the
            # namespace then has a file no longer, as a script whose file was deleted.
            return

    def ran(self, done: Piece) -> None:
        """Keep `done`, a statement that ran to its end, for the blocks below."""
        self._ran.append(done)


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)  # noqa: PTH103, PTH120
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
