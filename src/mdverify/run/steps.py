"""The steps a block runs in: one a top-level statement, or one prompt of a pycon block.

The child (`mdverify.run.child`) compiles a block into steps and runs them in order; each
step's last line is where the output it prints is attributed up to.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mdverify.run.mainfile import Piece, Script, piece

if TYPE_CHECKING:
    import doctest
    import types
    from collections.abc import Callable, Collection, Sequence

    from mdverify.run.included import Places
    from mdverify.run.spec import BlockRequest

__all__ = ["Step", "at_ends", "noting", "statements"]


@dataclass(frozen=True)
class Step:
    """One top-level statement of a block, or one prompt of a pycon block."""

    code: types.CodeType | None
    last_line: int
    """Article line where the statement ends: its output is attributed up to here."""
    prompt: doctest.Example | None = None
    error: SyntaxError | None = None
    """Why `code` is None: the prompt does not compile, which it raises when its turn comes."""
    piece: Piece | None = None
    """Its text at its line, for `__main__`'s file (`mdverify.run.mainfile`)."""

    @property
    def script(self) -> Piece | None:
        """Its piece of `__main__`'s file: none for a top-level await, which no script has."""
        return None if self.flags & inspect.CO_COROUTINE else self.piece

    @property
    def flags(self) -> int:
        """The code's flags (`CO_COROUTINE` for a top-level await); 0 when it did not compile."""
        return self.code.co_flags if self.code is not None else 0

    def compiled(self) -> types.CodeType:
        """The code, or the SyntaxError it could not compile with, raised in its turn."""
        if self.code is None:
            assert self.error is not None
            raise self.error
        return self.code


def statements(
    tree: ast.Module,
    padded: str,
    path: str,
    where: Places,
    shown: Collection[int],
    compile_: Callable[[ast.Module | ast.Interactive, str, str], types.CodeType],
) -> list[Step]:
    """One step for each top-level statement of a block's `tree`, compiled by `compile_`."""
    lines = padded.split("\n")
    steps = []
    for stmt in tree.body:
        text = piece(lines, stmt)  # read before `place` moves its lines
        own = where.place(stmt)  # an included file's statement compiles as its code
        if own == path:  # at its article line: where it lies after an include above it
            text = text._replace(line=_first_line(stmt))
        # A value a comment shows is handed to sys.displayhook, as in the REPL.
        code = (
            compile_(ast.Interactive(body=[stmt]), own, "single")
            if own == path and stmt.lineno in shown
            else compile_(ast.Module(body=[stmt], type_ignores=[]), own, "exec")
        )
        # A function whose body one included file gives runs as that file's code.
        steps.append(Step(where.refiled(code), stmt.end_lineno or stmt.lineno, piece=text))
    return steps


def noting(script: Script | None, steps: Sequence[Step]) -> Callable[[Step], None]:
    """Write `script` as it is while `steps` run; what keeps in it each step that ran.

    `script`: the file of the namespace the steps run in (`mdverify.run.mainfile`); None:
    they run in none (a file run as a script is its own file).
    """
    if script is None:
        return lambda _: None
    script.begin(step.script for step in steps if step.script is not None)

    def ran(step: Step) -> None:
        if step.script is not None:
            script.ran(step.script)

    return ran


def _first_line(stmt: ast.stmt) -> int:
    """The line `stmt` starts on, its decorators' included."""
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def at_ends(steps: list[Step], block: BlockRequest) -> list[Step]:
    """The steps marked at the parent's statement ends, which the claims were read against.

    A parent that could not parse the block (another interpreter's syntax) sent none, and
    then this parse's own ends are the only ones there are.
    """
    ends = block.get("ends", [])
    if len(ends) != len(steps):
        return steps
    return [replace(step, last_line=end) for step, end in zip(steps, ends, strict=True)]
