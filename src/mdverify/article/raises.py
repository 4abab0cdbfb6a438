"""Which declared output is an exception the block stops on: the article's `RaisesClaim`s.

The rule (docs/output.md, "Expected exceptions"):

* **A traceback** in declared output (an output fence, a console transcript, `#>` lines,
  comment lines under a statement), in doctest's form: a line `Traceback (most recent call
  last):`, any body (`...` will do), then the exception line, `ValueError: message`. What
  stands before the first traceback line is the output printed before the exception, and is
  compared as before. A chain (`The above exception was the direct cause ...`) and an
  ExceptionGroup's box (`+ Exception Group Traceback`, `| ValueError: ...`), as Python
  prints them, declare each exception they show.
* **An exception line** as the whole comment: `items[5]  # IndexError: list index out of
  range` on the raising statement (any top-level statement, not only a print), or
  `# IndexError: ...` on the line under it. A type with a message declares it; a bare name
  (`# TypeError`, `# Error`, `# error`), or an exception line after prose (`# this gives:
  NameError: ...`), declares nothing unless the block raised at that statement, where it
  says which type (any, for `Error`) and, after prose, which message: elsewhere it stays
  the comment it was. So is any such comment in the body of a `try` statement, which may
  name what the `except` below it catches.
* **The directive** `raises=TimeoutError` or `raises="ValueError: message"`.

The comparison is `mdverify.check.raises`'s.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.model import RaisesClaim

if TYPE_CHECKING:
    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import Example, OutputClaim
    from mdverify.model.article import RaisesForm

__all__ = ["declare_raises", "directive_raises", "exception_line", "parse_traceback"]

# A terminal shows the Ctrl-C that stopped a server as `^C` before the traceback's header.
_HEADER = re.compile(
    r"(?:\^C)?(?:Exception Group )?Traceback \((?:most recent call last|innermost last)\):"
)
_CHAIN = (
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
)
# An ExceptionGroup's box: `  | ` before each line, `  + ` before its header, `+-+---` rules.
_BOX = re.compile(r"^\s*(?:\| ?|\+ (?=(?:Exception Group )?Traceback))")
_RULE = re.compile(r"^\s*\+[-+]")
_NAME = re.compile(r"[A-Za-z_][\w.]*")
# What makes a name an exception's, where a comment could be prose.
_EXCEPTION_NAME = re.compile(
    r"(?:^|\.)(?:\w*(?:Error|Exception|Exit|Interrupt|Group|Iteration|Warning)|CancelledError)$"
)
_FROM_CLAIM = frozenset({"fence", "transcript", "arrow", "comment"})


def parse_traceback(text: str) -> tuple[str, tuple[str, ...], int] | None:
    """Split declared output at its first traceback line.

    Returns the output before it, the exception lines the traceback shows (a message of
    several lines kept whole), and the index of the text's line that begins the last one;
    None when `text` holds no traceback with an exception line.
    """
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if _HEADER.fullmatch(_unbox(line)[1])), None)
    if first is None:
        return None
    found: list[tuple[int, list[str]]] = []
    reading = False  # inside an exception's message
    for index in range(first, len(lines)):
        boxed, line = _unbox(lines[index])
        if _HEADER.fullmatch(line.strip()) or line.strip() in _CHAIN or _RULE.match(lines[index]):
            reading = False
        elif not line.strip():
            reading = reading and boxed  # a blank line ends a message outside a box
        elif reading:
            found[-1][1].append(line)
        elif not line[0].isspace() and line.strip() != "...":
            found.append((index, [line.rstrip()]))
            reading = True
    if not found:
        return None
    exceptions = tuple("\n".join(parts).rstrip() for _, parts in found)
    return "\n".join(lines[:first]).rstrip("\n"), exceptions, found[-1][0]


def _unbox(line: str) -> tuple[bool, str]:
    """A line without an ExceptionGroup box's margin, and whether it had one."""
    match = _BOX.match(line)
    return (True, line[match.end() :]) if match else (False, line)


def exception_line(text: str) -> tuple[str, str | None] | None:
    """`ValueError: bad` -> ("ValueError", "bad"), `TypeError` -> ("TypeError", None).

    None unless the name is an exception's (`...Error`, `...Exception`, `...Warning`,
    `CancelledError`, ...): `# note: the list` is prose.
    """
    text = text.strip()
    if text.lower() == "error":
        return text, None  # `# error`: the word, not a class
    name = _NAME.match(text)
    if name is None or not _EXCEPTION_NAME.search(name.group()):
        return None
    rest = text[name.end() :]
    if not rest:
        return name.group(), None
    if rest.startswith(":") and rest[1:2] in (" ", ""):
        return name.group(), rest[1:].strip()
    return None


def directive_raises(value: str, line: int) -> RaisesClaim:
    """`raises=TimeoutError` or `raises="ValueError: message"` at directive line `line`.

    Any class name will do here: the writer said it is an exception.
    """
    text = value.strip()
    name, sep, _ = text.partition(":")
    if _NAME.fullmatch(name.strip()) is None:
        raise ValueError(
            f"'raises' needs an exception, e.g. raises=TimeoutError or "
            f'raises="ValueError: message", not {value!r}'
        )
    return RaisesClaim("directive", (text,), line, exact=bool(sep))


def declare_raises(example: Example, syntax: BlockSyntax | None) -> Example:
    """`example` with the exceptions its declared output and comments show as `raises`.

    An output claim that holds a traceback keeps only what comes before it (dropped when
    nothing does), and a comment that declares an exception is no longer an output claim.
    """
    if example.kind != "python":
        return example
    outputs: list[OutputClaim] = []
    raises = list(example.raises)
    for claim in example.outputs:
        kept, declared = _split(claim)
        outputs.extend(kept)
        raises.extend(declared)
    if syntax is not None:
        raises.extend(_trailing(syntax, {c.line for c in example.outputs}))
        # In a `try` body the comment may say what the `except` below catches.
        caught = _in_try(syntax)
        raises = [
            replace(r, soft=True) if r.form in ("trailing", "comment") and r.line in caught else r
            for r in raises
        ]
    raises.sort(key=lambda r: r.line)
    return replace(example, outputs=tuple(outputs), raises=tuple(raises))


def _split(claim: OutputClaim) -> tuple[list[OutputClaim], list[RaisesClaim]]:
    if claim.kind not in _FROM_CLAIM and claim.kind != "trailing":
        return [claim], []
    parsed = parse_traceback(claim.expected) if claim.kind in _FROM_CLAIM else None
    if parsed is not None:
        before, exceptions, last = parsed
        declared = RaisesClaim(
            "traceback",
            exceptions,
            claim.line + last,
            claim.upto_line,
            form_text=claim.form,
            style=claim.kind,
        )
        if not before.strip():
            return [], [declared]
        end = claim.line + before.count("\n")
        return [replace(claim, expected=before, end_line=end)], [declared]
    one = _in_comment(claim.expected) if "\n" not in claim.expected.strip() else None
    if one is None or claim.kind not in ("comment", "arrow", "trailing"):
        return [claim], []
    form: RaisesForm = "trailing" if claim.kind == "trailing" else "comment"
    declared = replace(_from_comment(form, claim.line, claim.upto_line, one), style=claim.kind)
    # A bare name is still the comment it was where the block did not raise.
    return ([claim] if declared.soft else []), [declared]


def _in_try(syntax: BlockSyntax) -> set[int]:
    """Article lines inside the body of a `try` statement, at any depth."""
    lines: set[int] = set()
    for node in ast.walk(syntax.tree) if syntax.tree is not None else ():
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":  # 3.11's `except*`
            for stmt in getattr(node, "body", ()):
                end = stmt.end_lineno or stmt.lineno
                lines.update(syntax.article_line(n) for n in range(stmt.lineno, end + 1))
    return lines


_WORD = re.compile(r"(?<![\w.])[A-Za-z_]")


def _in_comment(text: str) -> tuple[str, str | None, bool] | None:
    """The exception line a comment is, or ends with after prose (`should give: KeyError`).

    The flag says whether prose comes first: then, as for a bare name, the comment declares
    the exception only where the block raised.
    """
    text = text.strip()
    for start in (match.start() for match in _WORD.finditer(text)):
        parsed = exception_line(text[start:])
        if parsed is not None and (start == 0 or parsed[0].lower() != "error"):
            return (*parsed, start > 0)
    return None


def _from_comment(
    form: RaisesForm, line: int, upto: int | None, parsed: tuple[str, str | None, bool]
) -> RaisesClaim:
    name, message, after_prose = parsed
    bare = message is None or name.lower() == "error"
    text = name if message is None else f"{name}: {message}"
    return RaisesClaim(
        form, (text,), line, upto, exact=not bare, soft=bare or after_prose, style="trailing"
    )


def _trailing(syntax: BlockSyntax, claimed: set[int]) -> list[RaisesClaim]:
    """`items[5]  # IndexError: ...`: a trailing comment on a statement that is no print."""
    ends: dict[int, int] = {}
    bodies: set[int] = set()  # lines of function and class bodies: they run when called
    for stmt in syntax.statements:
        for number in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1):
            ends[number] = syntax.article_line(stmt.end_lineno or stmt.lineno)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bodies.update(range(stmt.body[0].lineno, (stmt.end_lineno or stmt.lineno) + 1))
    found = []
    for comment in syntax.comments:
        line = syntax.article_line(comment.line)
        if comment.full_line or line in claimed or comment.line not in ends:
            continue
        parsed = _in_comment(comment.text[1:])
        if parsed is not None and comment.line in bodies:
            # `raise ValueError(...)  # ValueError: when n < 0` in a def says when the
            # function raises, not that the block does: read only where the block raised.
            name, message, _ = parsed
            parsed = (name, message, True)
        if parsed is not None:
            found.append(_from_comment("trailing", line, ends[comment.line], parsed))
    return found
