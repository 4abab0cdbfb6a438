"""What a block's own comments (or a pycon block's prompts) promise it prints.

The rule for `# ...` comments (documented in the README, tested at its edges):

* A run of full-line comments at column 0 is declared output when the line directly above
  it ends a top-level statement that can print (not an import, `def` or `class`), and the
  line directly below it is blank or the end of the block. A comment run with a blank line
  above it, or with code directly below it, introduces code: it is prose.
* `print(...)  # text` on one line at the top level declares `text` as that print's output.
* `#> text` lines (at column 0) declare output whatever stands around them.
* A first line `Output:` (or `Prints:`) and a leading `->` / `=>` are markers, not output.
* A full-line comment that makes a timing claim (`# takes ~1s`; `mdverify.article.timing`)
  is never part of a `# ...` run, and does not count as code above or below one. The two
  explicit forms, a trailing print comment and `#>`, stay output whatever they say.

Each such claim covers what the block printed since the previous comment claim of the
block (or its start) up to the end of the statement directly above the claim: what a reader
running the code would have seen appear at that point.

A pycon block declares, for each `>>>` prompt, the lines doctest reads as its answer.
"""

from __future__ import annotations

import ast
import doctest
import re
from typing import TYPE_CHECKING

from mdverify.article.timing import is_claim
from mdverify.model import OutputClaim

if TYPE_CHECKING:
    from mdverify.article.syntax import BlockSyntax, Comment

__all__ = ["CommentClaimError", "comment_claims", "prompt_claims"]

_SILENT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MARKER = re.compile(r"^(?:(?:output|prints)\s*:\s|(?:->|=>)\s?)", re.IGNORECASE)


class CommentClaimError(ValueError):
    """A comment that looks like declared output but cannot be one; carries the block line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def comment_claims(block: BlockSyntax) -> tuple[OutputClaim, ...]:
    """Return the output claims written as comments in `block`, in article lines.

    A block that does not parse declares nothing here: running it reports the SyntaxError
    at the right line.
    """
    if block.tree is None or not block.comments:
        return ()
    ends: dict[int, ast.stmt] = {}
    inside: set[int] = set()
    for stmt in block.statements:
        end = stmt.end_lineno or stmt.lineno
        ends[end] = stmt
        inside.update(range(_first_line(stmt), end + 1))
    loose = [c for c in block.comments if c.full_line and c.line not in inside]
    timing = {c.line for c in loose if not c.text.startswith("#>") and is_claim(c.text)}

    offset = block.first_line - 1
    claims: list[OutputClaim] = []
    claims.extend(_trailing_print_claims(block.tree, block.comments, offset))
    by_line = {c.line: c for c in loose if c.line not in timing}
    line = 1
    while line <= len(block.lines):
        comment = by_line.get(line)
        if comment is None:
            line += 1
            continue
        run = [comment]
        while (nxt := by_line.get(run[-1].line + 1)) is not None:
            run.append(nxt)
        line = run[-1].line + 1
        claim = _run_claim(run, ends, block.lines, timing, offset)
        if claim is not None:
            claims.append(claim)
    claims.sort(key=lambda c: (c.upto_line or 0, c.line))
    return tuple(claims)


def prompt_claims(source: str, first_line: int) -> tuple[OutputClaim, ...]:
    """One claim per `>>>` prompt of a pycon block: the lines that follow it, as doctest reads.

    `first_line` is the article line of the block's first line.
    """
    claims = []
    for ex in doctest.DocTestParser().get_examples(source):
        last = first_line + ex.lineno + ex.source.count("\n") - 1
        want = ex.want.removesuffix("\n")
        end = last + (want.count("\n") + 1 if ex.want else 0)
        claims.append(OutputClaim("prompt", want, last + 1, last, end))
    return tuple(claims)


def _run_claim(
    run: list[Comment],
    ends: dict[int, ast.stmt],
    lines: tuple[str, ...],
    timing: set[int],
    offset: int,
) -> OutputClaim | None:
    arrows = [c for c in run if c.text.startswith("#>")]
    above_line = _past(timing, run[0].line - 1, -1)
    above = ends.get(above_line)
    if arrows:
        if any(c.col != 0 for c in arrows):
            raise CommentClaimError(
                arrows[0].line + offset, "'#>' output lines must start at column 0"
            )
        statement_end = _statement_above(run[0].line, ends, lines)
        if statement_end is None:
            raise CommentClaimError(
                arrows[0].line + offset, "'#>' output lines must follow the statement that prints"
            )
        text = "\n".join(_strip_marker(c.text[2:]) for c in arrows)
        return OutputClaim(
            "arrow", text, arrows[0].line + offset, statement_end + offset, arrows[-1].line + offset
        )
    if any(c.col != 0 for c in run) or above is None or isinstance(above, _SILENT):
        return None
    below = _past(timing, run[-1].line + 1, 1)
    if below <= len(lines) and lines[below - 1].strip():
        return None  # code directly below: the comment introduces it
    texts = [_strip_marker(c.text[1:]) for c in run]
    start = run[0].line
    if _MARKER.fullmatch(texts[0] + " ") is not None and len(run) > 1:
        texts, start = texts[1:], run[1].line  # an `# Output:` heading line
    else:
        texts[0] = _MARKER.sub("", texts[0], count=1)
    return OutputClaim(
        "comment", "\n".join(texts), start + offset, above_line + offset, run[-1].line + offset
    )


def _past(timing: set[int], line: int, step: int) -> int:
    """The first line from `line` on, going by `step`, that holds no timing claim."""
    while line in timing:
        line += step
    return line


def _trailing_print_claims(
    tree: ast.Module, comments: tuple[Comment, ...], offset: int
) -> list[OutputClaim]:
    trailing = {c.line: c for c in comments if not c.full_line}
    claims = []
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name)
            and stmt.value.func.id == "print"
            and stmt.lineno == stmt.end_lineno
            and (comment := trailing.get(stmt.lineno)) is not None
        ):
            text = _MARKER.sub("", _strip_marker(comment.text[1:]), count=1)
            line = stmt.lineno + offset
            claims.append(OutputClaim("trailing", text, line, line, line))
    return claims


def _statement_above(line: int, ends: dict[int, ast.stmt], lines: tuple[str, ...]) -> int | None:
    """The end line of the nearest statement above `line`, skipping blanks and comments."""
    probe = line - 1
    while probe >= 1:
        if probe in ends:
            return probe
        text = lines[probe - 1].strip()
        if text and not text.startswith("#"):
            return None
        probe -= 1
    return None


def _strip_marker(text: str) -> str:
    """Drop the one space that follows `#` or `#>`; keep any further indentation."""
    return text.removeprefix(" ").rstrip()


def _first_line(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])
