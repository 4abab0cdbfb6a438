"""What a notebook cell shows that a script does not: the value of its last line.

Tutorials exported from notebooks (and written in their style) end a block with a bare
expression, `df.head()` or `arr.dtype`, and show its value in the output fence under it. Run
as a script, that line prints nothing, so the fence could never match and the writer would
be told their output is wrong when it is what every notebook reader sees. So the child
records the value of such a last line (as it does for a value comment, without printing it),
and a whole-block output that matches only with that value after what the block printed
matches as the cell (`mdverify.check.compare`). The script's reading is tried first: a
block whose output is what it prints is never compared as a cell.

As IPython does, a last line that ends with `;` shows nothing, nor does a value of None.
A string constant is left out: under a print it is a declaration of output, not a value.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdverify.article.syntax import BlockSyntax

__all__ = ["CELL_KINDS", "display_line"]

CELL_KINDS = frozenset({"fence", "transcript"})
"""The claims on what a whole block printed, which a cell's shown value may end."""


def display_line(block: BlockSyntax) -> int | None:
    """Article line of the block's last statement, when a notebook would show its value."""
    if not block.statements:
        return None
    last = block.statements[-1]
    if not isinstance(last, ast.Expr) or (
        isinstance(last.value, ast.Constant) and last.value.value is Ellipsis
    ):
        return None
    if _is_print(last.value):  # its value is None; saying so here spares the child the hook
        return None
    # The offsets count UTF-8 bytes.
    end = block.lines[(last.end_lineno or last.lineno) - 1].encode()
    if end[last.end_col_offset or len(end) :].lstrip().startswith(b";"):
        return None
    return block.article_line(last.lineno)


def _is_print(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    )
