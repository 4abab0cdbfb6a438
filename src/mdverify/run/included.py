"""A block that includes files (`--8<--`), compiled so that each line keeps its own file and line.

The parent sends the expanded code with the article line of each of its lines and the runs
of lines that come from included files (`mdverify.article.snippets`). The child compiles a
block one top-level statement at a time, so each statement can carry its own filename:

- a statement wholly from one included file is compiled as that file's code, at that
  file's lines: its traceback names the file and the line, and shows its real text;
- any other statement is the article's, at the article's lines; the lines of it that come
  from a file stand at the line that includes them, but for a function (or class) whose
  body comes wholly from one file (an include inside a `def`): its code object is that
  file's, at the file's lines (`refiled`), so that its traceback names the file's own line,
  and the error is at the article line that includes it.

A frame of an included file is one of the article's own for the traceback a writer reads,
and an error only an included file's frames show is at the article line that includes it.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import ast
import linecache
import traceback
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdverify.run.spec import BlockRequest

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_REFILED: set[types.CodeType] = set()
"""The code objects `Places.refiled` made one file's, in this process (a block's error is
read by a `Places` of its own)."""

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
        self._bodies: dict[tuple[int, str], str] = {}
        """(first line, name) of each scope whose body is one file's -> that file."""
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
        own = self._home(first, last) or self.article
        bodies = self._file_bodies(stmt) if own == self.article else {}
        for node in ast.walk(stmt):
            home = bodies.get(id(node), own)
            if home != own:
                self._unindent(node)
            for attr in ("lineno", "end_lineno"):
                line = getattr(node, attr, None)
                if line is not None:
                    setattr(node, attr, self._moved(line, home))
        for node in ast.walk(stmt):
            if not isinstance(node, _SCOPES):
                continue
            body = bodies.get(id(node.body[0]))
            if body is not None and bodies.get(id(node)) is None:
                decorated = [node.lineno, *(d.lineno for d in node.decorator_list)]
                self._bodies[min(decorated), node.name] = body
        return own

    def _unindent(self, node: ast.AST) -> None:
        """Take off `node`'s columns the indent its include gave its file's lines."""
        for attr, at in (("col_offset", "lineno"), ("end_col_offset", "end_lineno")):
            col, line = getattr(node, attr, None), getattr(node, at, None)
            if col is None or line is None:
                continue
            number = line - self.code_line + 1
            path, own = self.files[number]
            added = len(self.source[number - 1]) - len(linecache.getline(path, own).rstrip("\n"))
            setattr(node, attr, max(col - max(added, 0), 0))

    def _home(self, first: int, last: int) -> str | None:
        """The one file block lines `first` to `last` all come from, else None."""
        homes = {self.files.get(n, (self.article, 0))[0] for n in range(first, last + 1)}
        return homes.pop() if len(homes) == 1 else None

    def _file_bodies(self, stmt: ast.stmt) -> dict[int, str]:
        """Each node (by id) in a scope of `stmt` whose body is one file's code -> that file."""
        found: dict[int, str] = {}
        for node in ast.walk(stmt):
            if not isinstance(node, _SCOPES) or id(node) in found:
                continue
            first = node.body[0].lineno - self.code_line + 1
            last = (node.body[-1].end_lineno or node.body[-1].lineno) - self.code_line + 1
            home = self._home(first, last)
            if home is not None and home != self.article:
                for inner in node.body:
                    found.update((id(n), home) for n in ast.walk(inner))
        return found

    def refiled(self, code: types.CodeType, home: str | None = None) -> types.CodeType:
        """`code`, with the code objects of the scopes `place` found one file's in that file."""
        if not self._bodies:
            return code
        home = home or self._bodies.get((code.co_firstlineno, code.co_name))
        consts = tuple(
            self.refiled(c, home) if isinstance(c, types.CodeType) else c for c in code.co_consts
        )
        code = code.replace(co_consts=consts, co_filename=home or code.co_filename)
        if home is not None:
            _REFILED.add(code)
        return code

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
        frames = _frames(exc.__traceback__)
        if any(tb.tb_frame.f_code in _REFILED for tb in frames):
            line = found
            for tb in frames:
                if tb.tb_frame.f_code.co_filename == self.article:
                    line = tb.tb_lineno
                elif tb.tb_frame.f_code in _REFILED:
                    line = self._including(tb.tb_frame.f_code.co_filename, tb.tb_lineno, line)
            return line
        if found is not None or not self.names:
            return found
        if isinstance(exc, SyntaxError) and exc.filename in self.lines:
            return self.lines[exc.filename]
        line = None
        for frame in traceback.extract_tb(exc.__traceback__):
            line = self.lines.get(frame.filename, line)
        return line

    def _including(self, path: str, line: int, otherwise: int | None) -> int | None:
        """The article line that includes line `line` of the file `path`."""
        for number, home in self.files.items():
            if home == (path, line) and 0 < number <= len(self.origins):
                return self.origins[number - 1]
        return otherwise


def _frames(tb: types.TracebackType | None) -> list[types.TracebackType]:
    found = []
    while tb is not None:
        found.append(tb)
        tb = tb.tb_next
    return found
