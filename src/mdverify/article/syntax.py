"""One Python block, read once: its syntax tree, its comments and where its statements end.

The readers of a block (declared output in `mdverify.article.claims`, timing claims in
`mdverify.article.timing`, never-run coroutines in `mdverify.article.coroutines`) and the
child that runs it (through `Example.ends`) all work from this one reading, so they agree on
what a statement is and where it ends.

The tree and the comments fail apart: a block with a syntax error still has its comments
(tokenizing is more lenient than parsing), and an unterminated string has neither. Running
such a block reports the error at the right line, so the readers only need to skip it.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field

__all__ = ["BlockSyntax", "Comment", "read_block"]

# Tokens that stand on a line without making it a line of code.
_LAYOUT = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
)


@dataclass(frozen=True, slots=True)
class Comment:
    """One `#` comment of a block."""

    line: int
    """Block line (1-based) the comment stands on."""
    col: int
    """Column of its `#`."""
    text: str
    """The comment, `#` included."""
    full_line: bool
    """True when no code shares its line."""


@dataclass(frozen=True)
class BlockSyntax:
    """A block's source as the readers need it; lines are block lines unless named article."""

    first_line: int
    """Article line of the block's line 1."""
    lines: tuple[str, ...]
    """The source split at newlines."""
    tree: ast.Module | None
    """The parsed block; None when it does not parse."""
    comments: tuple[Comment, ...]
    """Every comment in order; empty when the block cannot be tokenized. An included
    file's comments are not there: only the article's lines declare (`article.snippets`)."""
    origins: tuple[int, ...] = field(default=())
    """The article line of each block line when the block includes files; empty: none."""

    @property
    def statements(self) -> list[ast.stmt]:
        """The top-level statements, in order (none when the block does not parse)."""
        return self.tree.body if self.tree is not None else []

    def ends(self) -> tuple[int, ...]:
        """Article lines where the top-level statements end, in order."""
        return tuple(self.article_line(stmt.end_lineno or stmt.lineno) for stmt in self.statements)

    def article_line(self, line: int) -> int:
        """The article line of block line `line`."""
        if self.origins and 0 < line <= len(self.origins):
            return self.origins[line - 1]
        return self.first_line + line - 1


def read_block(
    source: str,
    first_line: int,
    origins: tuple[int, ...] = (),
    foreign: frozenset[int] = frozenset(),
) -> BlockSyntax:
    """Read `source`, a block whose line 1 is article line `first_line`.

    `origins` and `foreign`: for a block that includes files, the article line of each of
    its lines, and the lines that come from the files (`mdverify.article.snippets`).
    """
    try:
        tree: ast.Module | None = ast.parse(source)
    except (SyntaxError, ValueError):  # ValueError: a NUL byte in the source
        tree = None
    # Every comment the readers look for starts with `#`; tokenizing is most of the cost.
    comments = _comments(source) if "#" in source else ()
    if foreign:
        comments = tuple(c for c in comments if c.line not in foreign)
    return BlockSyntax(first_line, tuple(source.split("\n")), tree, comments, origins)


def _comments(source: str) -> tuple[Comment, ...]:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return ()
    code_lines: set[int] = set()
    for tok in tokens:
        if tok.type not in _LAYOUT:
            code_lines.update(range(tok.start[0], tok.end[0] + 1))
    return tuple(
        Comment(tok.start[0], tok.start[1], tok.string, tok.start[0] not in code_lines)
        for tok in tokens
        if tok.type == tokenize.COMMENT
    )
