"""A block that includes files (`--8<--`), compiled so that each line keeps its own file and line.

The parent sends the expanded code with the article line of each of its lines and the runs
of lines that come from included files (`mdverify.article.snippets`). The child compiles a
block one top-level statement at a time, so each statement can carry its own filename:

- a statement wholly from one included file is compiled as that file's code, at that
  file's lines: its traceback names the file and the line, and shows its real text;
- any other statement is the article's, at the article's lines; the lines of it that come
  from a file (an include inside a function's body) stand at the line that includes them.

A frame of an included file is one of the article's own for the traceback a writer reads,
and an error only an included file's frames show is at the article line that includes it.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import ast
import traceback
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdverify.run.spec import BlockRequest

__all__ = ["Places"]


class Places:
    """Where each line of one block's expanded code comes from."""

    def __init__(self, block: BlockRequest, article: str) -> None:
        self.article = article
        self.code_line = block["code_line"]
        self.origins = block.get("origins", [])
        self.source = block["source"].split("\n")
        self.files: dict[int, tuple[str, int]] = {}
        """Block line -> (file's absolute path, its line) for the lines from a file."""
        self.names: dict[str, str] = {}
        """Absolute path -> how reports name it."""
        self.lines: dict[str, int] = {}
        """Absolute path -> the article line that includes it first."""
        for run in block.get("included", []):
            self.names[run["path"]] = run["name"]
            self.lines.setdefault(run["path"], run["line"])
            for n in range(run["count"]):
                self.files[run["at"] + n] = (run["path"], run["first"] + n)

    def article_line(self, line: int) -> int:
        """The article line of line `line` of the padded code (line 1 at `code_line`)."""
        number = line - self.code_line + 1
        if 0 < number <= len(self.origins):
            return self.origins[number - 1]
        return line

    def place(self, stmt: ast.stmt) -> str:
        """Move `stmt`'s nodes to their own lines; return the filename to compile it with."""
        if not self.origins:
            return self.article  # the block includes nothing: its lines are the article's
        first = stmt.lineno - self.code_line + 1
        last = (stmt.end_lineno or stmt.lineno) - self.code_line + 1
        homes = {self.files.get(n, (self.article, 0))[0] for n in range(first, last + 1)}
        own = homes.pop() if len(homes) == 1 else self.article
        for node in ast.walk(stmt):
            for attr in ("lineno", "end_lineno"):
                line = getattr(node, attr, None)
                if line is not None:
                    setattr(node, attr, self._moved(line, own))
        return own

    def _moved(self, line: int, own: str) -> int:
        if own == self.article:
            return self.article_line(line)
        return self.files[line - self.code_line + 1][1]

    def syntax_error(self, err: SyntaxError) -> SyntaxError:
        """`err`, raised by the padded code, at its own file and line."""
        if err.lineno is None:
            return err
        number = err.lineno - self.code_line + 1
        if 0 < number <= len(self.source):
            # The parser read the text from the article's file, at the padded line.
            err.text = self.source[number - 1] + "\n"
        home = self.files.get(number)
        if home is not None:
            err.filename, err.lineno = home
            err.end_lineno = None
        else:
            err.lineno = self.article_line(err.lineno)
            err.end_lineno = None
        return err

    def error_line(self, exc: BaseException, found: int | None) -> int | None:
        """The article line of an error: `found`, else the line including the deepest file.

        `found` is the deepest article frame's; without one, the traceback passes only
        through included files, and the line that includes the deepest is the article's.
        """
        if found is not None or not self.names:
            return found
        if isinstance(exc, SyntaxError) and exc.filename in self.lines:
            return self.lines[exc.filename]
        line = None
        for frame in traceback.extract_tb(exc.__traceback__):
            line = self.lines.get(frame.filename, line)
        return line
