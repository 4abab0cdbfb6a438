"""The output of a program shown after a walk through its lines.

Tutorials show a whole program, then walk through it: a list whose items each repeat a few
of its lines as a block of their own ("- **Define the coroutine:**" and its `async def`),
then a heading for the section's output (`### Output:`) and the fence under it. That
output is the program's, not the last fragment's: `mdverify.article.parse` pairs an output
heading only with a block of its own container, so the fence was paired with nothing. Here
it is paired with the program (docs/output.md shows the rule) when all of these hold:

* the heading names output, and stands in the program's container (both at the top of the
  page, say), and every Python block since the program is deeper (in the walk's list);
* no heading since the program starts a new section: each is of a lower rank than the
  heading above the program (an `#### Explanation` under its `###`), but for one of the
  same rank (an `#### Explanation` beside its `####`, as a block's own explanation may
  stand), and the output's heading is of that rank or lower;
* the fence comes right under the heading, or under one paragraph, in the same container,
  and says it holds output as a fence after a block does (`declared_output`);
* the program declares no whole output of its own already.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mdverify.article.fences import PYTHON_LANGS, declared_output, language, names_output
from mdverify.article.fences import plain_text as _plain
from mdverify.article.files import paired
from mdverify.article.markdown import is_container, token_lines
from mdverify.model import OutputClaim

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from markdown_it.token import Token

    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import Example

__all__ = ["walk_outputs"]

_WHOLE = frozenset({"fence", "transcript"})
_TOP_RANK = "h0"  # no heading above the program: any heading ranks lower


@dataclass
class _Program:
    """The last block at its depth, and what the page did since."""

    index: int
    depth: int
    rank: str  # the tag of the heading above it ("h3")
    walked: bool = False  # a deeper block came since
    broken: bool = False  # a heading since started a new section
    beside: bool = False  # a heading of the program's rank came since: its explanation


def walk_outputs(
    tokens: Sequence[Token],
    read: list[tuple[Example, BlockSyntax | None]],
    words: Collection[str],
) -> list[tuple[Example, BlockSyntax | None]]:
    """`read` with each output after a walk paired with its program (see the module doc)."""
    at_line = {example.line: i for i, (example, _) in enumerate(read) if not example.hidden}
    program: _Program | None = None
    rank, depth = _TOP_RANK, 0
    for pos, token in enumerate(tokens):
        depth += token.nesting if is_container(token.type) else 0
        if token.type == "fence" and language(token.info) in PYTHON_LANGS:
            index = at_line.get(token_lines(token)[0] + 1)
            if index is None:
                continue
            if program is not None and depth > program.depth:
                program.walked = True
            else:
                program = _Program(index, depth, rank)
        elif token.type == "heading_open":
            heading = tokens[pos + 1].content if pos + 1 < len(tokens) else ""
            output = program is not None and _output_heading(program, token, depth, heading, words)
            if program is not None and output:
                claim = _claim_below(tokens, pos, depth, heading, words)
                example, syntax = read[program.index]
                if claim is not None and not any(
                    c.stream == "stdout" and c.kind in _WHOLE for c in example.outputs
                ):
                    read[program.index] = (paired(example, claim), syntax)
                program = None
                continue
            if program is not None and token.tag <= program.rank:
                program.broken = token.tag < program.rank or program.beside
                program.beside = True
            rank = token.tag
    return read


def _output_heading(
    program: _Program, token: Token, depth: int, heading: str, words: Collection[str]
) -> bool:
    """Whether the heading `token` introduces the output of the walked `program`."""
    return (
        program.walked
        and not program.broken
        and depth == program.depth
        and token.tag >= program.rank
        and names_output(heading, words)
    )


def _claim_below(
    tokens: Sequence[Token], pos: int, depth: int, heading: str, words: Collection[str]
) -> OutputClaim | None:
    """The output claim of the fence under the heading at `pos`, if one is there."""
    paragraphs = 0
    here = depth
    for token in tokens[pos + 1 :]:
        here += token.nesting if is_container(token.type) else 0
        if token.type in ("heading_close", "inline", "paragraph_close"):
            continue
        if token.type == "paragraph_open" and here - 1 == depth and paragraphs == 0:
            paragraphs += 1
            continue
        if token.type != "fence" or here != depth:
            return None
        lang = language(token.info)
        body = token.content.removesuffix("\n")
        python = lang in PYTHON_LANGS
        declared = declared_output(lang, token.info, body, words, python=python, introduced=True)
        if declared is None or declared.stream != "stdout":
            return None
        start, closing = token_lines(token)  # closing: the closing fence's line, 1-based
        line = start + 1
        form = f'{declared.form} under the heading "{_plain(heading)}", after the walk'
        return OutputClaim(
            declared.kind, declared.text, line + 1 + declared.first, end_line=closing - 1, form=form
        )
    return None
