"""What a block's own comments (or a pycon block's prompts) promise it prints.

The rule for `# ...` comments (documented in docs/output.md, tested at its edges):

* A run of full-line comments at column 0 is declared output when the line directly above
  it ends a top-level statement that can print (not an import, `def` or `class`), and the
  line directly below it is blank or the end of the block. A comment run with a blank line
  above it, or with code directly below it, introduces code: it is prose. A line of the run
  that starts with `Output:` (or `Prints:`) starts the output; the lines above it are prose.
* `print(...)  # text`, at any depth (in a function, a loop, a `with`), declares `text` as
  the output of that one print call: the last print on the line, the one the comment
  follows. Not a print to another `file=`.
* `#> text` lines at column 0 under a top-level statement declare output whatever stands
  around them; indented `#>` lines (pydantic's style, in a function body) declare the output
  of the print call directly above them.
* A string statement directly under a print (a triple-quoted string, pytest-examples'
  form for long output) declares the output of that print call; its indentation is not output.
* `len(word)  # 5`: a one-line bare expression at the top level, other than a print, whose
  trailing comment starts with a Python literal (`mdverify.article.literal`) shows the
  expression's value, as a REPL would show it: its `repr` (or its `str`) is compared, not
  what it printed. Any other comment on an expression is prose.
* A leading `->` / `=>` is a marker, not output.
* A full-line comment that makes a timing claim (`# takes ~1s`; `mdverify.article.timing`)
  is never part of a `# ...` run, and does not count as code above or below one. A
  trailing comment on a print stays output whatever it says (and may be read as prose).

A claim on a print call (`OutputClaim.call`) covers what that call printed while the block
ran, each of its calls in order, wherever it was called from (`mdverify.run.prints`). Any
other claim covers what the block printed since the previous comment claim of the block (or
its start) up to the end of the statement directly above it: what a reader running the code
would have seen appear at that point. Whether a `#` comment is output or prose is decided
when it is compared (`mdverify.check.reading`): `#>` lines are output whatever they say.

A pycon block declares, for each `>>>` prompt, the lines doctest reads as its answer.
"""

from __future__ import annotations

import ast
import doctest
import itertools
import re
from typing import TYPE_CHECKING

from mdverify.article.literal import value_part
from mdverify.article.timing import is_claim
from mdverify.model import ClaimKind, OutputClaim

if TYPE_CHECKING:
    from collections.abc import Callable

    from mdverify.article.syntax import BlockSyntax, Comment

__all__ = ["CommentClaimError", "comment_claims", "prompt_claims"]

_SILENT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_MARKER = re.compile(r"^(?:(?:output|prints)\s*:\s|(?:->|=>)\s?)", re.IGNORECASE)
_OUTPUT = re.compile(r"(?:outputs?|prints)\s*:(?:\s|$)", re.IGNORECASE)
# A line that only names what follows: `# output`, `# Outputs:`, `# Prints`.
_HEADING = re.compile(r"(?:outputs?|prints)\s*:?\s*", re.IGNORECASE)


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
    if block.tree is None:
        return ()
    ends = {stmt.end_lineno or stmt.lineno: stmt for stmt in block.statements}
    tops = _top_level(block.statements)
    inside = tops.keys()
    loose = [c for c in block.comments if c.full_line and c.line not in inside]
    timing = {c.line for c in loose if not c.text.startswith("#>") and is_claim(c.text)}

    at = block.article_line
    prints = _print_calls(block)
    claims: list[OutputClaim] = []
    claims.extend(_trailing_print_claims(block, prints, tops))
    nested = [
        c
        for c in block.comments
        if c.full_line and c.text.startswith("#>") and (c.col != 0 or c.line in inside)
    ]
    claims.extend(_nested_arrow_claims(block, nested, prints, tops))
    claims.extend(_value_claims(block))
    claims.extend(_string_claims(block, prints, tops))
    skip = {c.line for c in nested}
    by_line = {c.line: c for c in loose if c.line not in timing and c.line not in skip}
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
        claim = _run_claim(run, ends, block.lines, timing, at)
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
    at: Callable[[int], int],
) -> OutputClaim | None:
    arrows = [c for c in run if c.text.startswith("#>")]
    above_line = _past(timing, run[0].line - 1, -1)
    above = ends.get(above_line)
    if arrows:
        if any(c.col != 0 for c in arrows):
            raise CommentClaimError(at(arrows[0].line), "'#>' output lines must start at column 0")
        statement_end = _statement_above(run[0].line, ends, lines)
        if statement_end is None:
            raise CommentClaimError(
                at(arrows[0].line), "'#>' output lines must follow the statement that prints"
            )
        text = "\n".join(_strip_marker(c.text[2:]) for c in arrows)
        return OutputClaim(
            "arrow", text, at(arrows[0].line), at(statement_end), at(arrows[-1].line)
        )
    if any(c.col != 0 for c in run) or above is None or isinstance(above, _SILENT):
        return None
    below = _past(timing, run[-1].line + 1, 1)
    if below <= len(lines) and lines[below - 1].strip():
        return None  # code directly below: the comment introduces it
    texts = [_strip_marker(c.text[1:]) for c in run]
    start = run[0].line
    heading = next(
        (
            i
            for i, t in enumerate(texts)
            if _OUTPUT.match(t.lstrip()) or _HEADING.fullmatch(t.strip())
        ),
        0,
    )
    texts, start = texts[heading:], run[heading].line  # prose above an `# Output:` line
    if _HEADING.fullmatch(texts[0].strip()) is not None and len(texts) > 1:
        texts, start = texts[1:], start + 1  # an `# Output:` heading line
    else:
        texts[0] = _MARKER.sub("", texts[0].lstrip(), count=1)
    return OutputClaim("comment", "\n".join(texts), at(start), at(above_line), at(run[-1].line))


def _past(timing: set[int], line: int, step: int) -> int:
    """The first line from `line` on, going by `step`, that holds no timing claim."""
    while line in timing:
        line += step
    return line


def _print_calls(block: BlockSyntax) -> dict[int, ast.Call]:
    """The print call a trailing comment on each line annotates: the last one on it.

    Only a call written on one line, with nothing but `)` or `;` after it, and not one to
    another `file=`: `print(a); x = f()  # ...` annotates `x = f()`, not the print.
    """
    assert block.tree is not None
    found: dict[int, ast.Call] = {}
    for node in ast.walk(block.tree):
        if not (
            isinstance(node, ast.Call)
            and _is_print(node)
            and not any(k.arg == "file" for k in node.keywords)
            and node.end_lineno == node.lineno  # a comment on `)` alone is about the call
            and node.end_col_offset is not None
        ):
            continue
        rest = block.lines[node.lineno - 1].encode()[node.end_col_offset :].decode()
        if rest.split("#", 1)[0].strip(" \t);"):
            continue
        other = found.get(node.lineno)
        if other is None or other.col_offset < node.col_offset:
            found[node.lineno] = node
    return found


def _top_level(statements: list[ast.stmt]) -> dict[int, int]:
    """Each block line inside a top-level statement -> the line where that statement ends."""
    tops: dict[int, int] = {}
    for stmt in statements:
        end = stmt.end_lineno or stmt.lineno
        tops.update(dict.fromkeys(range(_first_line(stmt), end + 1), end))
    return tops


def _call_claim(
    block: BlockSyntax,
    tops: dict[int, int],
    kind: ClaimKind,
    text: str,
    lines: tuple[int, int],
    call: ast.Call,
) -> OutputClaim:
    """A claim on the output of `call`, declared on block lines `lines` (first, last).

    Its `upto_line` is the end of the top-level statement that holds the call, so that a
    comment claim further down covers only what was printed after that statement.
    """
    at = block.article_line
    upto = tops.get(call.lineno, call.end_lineno or call.lineno)
    return OutputClaim(
        kind,
        text,
        at(lines[0]),
        at(upto),
        at(lines[1]),
        call=(at(call.lineno), call.col_offset),
    )


def _trailing_print_claims(
    block: BlockSyntax, prints: dict[int, ast.Call], tops: dict[int, int]
) -> list[OutputClaim]:
    claims = []
    for comment in block.comments:
        call = prints.get(comment.line)
        if comment.full_line or call is None:
            continue
        text = _MARKER.sub("", _strip_marker(comment.text[1:]).lstrip(), count=1)
        claims.append(
            _call_claim(block, tops, "trailing", text, (comment.line, comment.line), call)
        )
    return claims


def _nested_arrow_claims(
    block: BlockSyntax, arrows: list[Comment], prints: dict[int, ast.Call], tops: dict[int, int]
) -> list[OutputClaim]:
    """Indented `#>` runs, or runs inside a statement: the print call above declares them."""
    claims = []
    by_line = {c.line: c for c in arrows}
    for comment in arrows:
        if comment.line - 1 in by_line:
            continue  # not the first line of its run
        run = [comment]
        while (nxt := by_line.get(run[-1].line + 1)) is not None:
            run.append(nxt)
        probe = comment.line - 1
        while probe >= 1 and (not block.lines[probe - 1].strip() or probe in by_line):
            probe -= 1
        call = prints.get(probe)
        if call is None:
            raise CommentClaimError(
                block.article_line(comment.line),
                "indented '#>' output lines must follow the print call that prints them",
            )
        text = "\n".join(_strip_marker(c.text[2:]) for c in run)
        claims.append(_call_claim(block, tops, "arrow", text, (run[0].line, run[-1].line), call))
    return claims


def _value_claims(block: BlockSyntax) -> list[OutputClaim]:
    """`len(word)  # 5`: the comment shows the value of the expression, as a REPL would.

    Only a one-line bare expression at the top level whose comment starts with a literal.
    """
    trailing = {c.line: c for c in block.comments if not c.full_line}
    claims = []
    for stmt in block.statements:
        comment = trailing.get(stmt.lineno)
        if (
            comment is None
            or not isinstance(stmt, ast.Expr)
            or stmt.end_lineno != stmt.lineno
            or isinstance(stmt.value, ast.Constant)  # a string standing alone is prose
            or _is_print(stmt.value)
        ):
            continue
        text = _MARKER.sub("", _strip_marker(comment.text[1:]).lstrip(), count=1)
        if value_part(text) is None:
            continue  # `lst.pop()  # the last item`: prose about the call
        line = block.article_line(stmt.lineno)
        claims.append(OutputClaim("value", text, line, None, line))
    return claims


def _string_claims(
    block: BlockSyntax, prints: dict[int, ast.Call], tops: dict[int, int]
) -> list[OutputClaim]:
    """pytest-examples' form for long output: a string statement right under a print.

    Its lines stand at the print's indentation, which is not part of the output.
    """
    assert block.tree is not None
    claims = []
    for node in ast.walk(block.tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if not isinstance(body, list):
                continue
            for above, stmt in itertools.pairwise(body):
                call = prints.get(above.end_lineno or above.lineno)
                if (
                    call is None
                    or not isinstance(stmt, ast.Expr)
                    or not isinstance(stmt.value, ast.Constant)
                    or not isinstance(stmt.value.value, str)
                    or stmt.lineno != (above.end_lineno or above.lineno) + 1
                ):
                    continue
                text = _unindent(stmt.value.value, " " * stmt.col_offset)
                span = (stmt.lineno, stmt.end_lineno or stmt.lineno)
                claims.append(_call_claim(block, tops, "string", text, span, call))
    return claims


def _unindent(text: str, indent: str) -> str:
    lines = text.removeprefix("\n").split("\n")
    if lines and not lines[-1].strip():
        lines.pop()  # the line of the closing quotes
    return "\n".join(line.removeprefix(indent) for line in lines)


def _is_print(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    )


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
