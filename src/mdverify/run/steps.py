"""The steps a block runs in: one a top-level statement, or one prompt of a pycon block.

The child (`mdverify.run.child`) compiles a block into steps and runs them in order; each
step's last line is where the output it prints is attributed up to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import doctest
    import types

    from mdverify.run.spec import BlockRequest

__all__ = ["Step", "at_ends"]


@dataclass(frozen=True)
class Step:
    """One top-level statement of a block, or one prompt of a pycon block."""

    code: types.CodeType | None
    last_line: int
    """Article line where the statement ends: its output is attributed up to here."""
    prompt: doctest.Example | None = None
    error: SyntaxError | None = None
    """Why `code` is None: the prompt does not compile, which it raises when its turn comes."""

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


def at_ends(steps: list[Step], block: BlockRequest) -> list[Step]:
    """The steps marked at the parent's statement ends, which the claims were read against.

    A parent that could not parse the block (another interpreter's syntax) sent none, and
    then this parse's own ends are the only ones there are.
    """
    ends = block.get("ends", [])
    if len(ends) != len(steps):
        return steps
    return [replace(step, last_line=end) for step, end in zip(steps, ends, strict=True)]
