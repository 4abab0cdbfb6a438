"""Blocks that call the function an exercise asks the reader to write.

Course trees end a chapter with exercises: "Write a function called `greet` that takes a
default argument", then a block that shows how the finished function is called and what it
prints (`greet()  # Hello, Guest!`). The function is the reader's to write. Run as it
stands, such a block fails, or calls an older function of the same name from an earlier
example, and either says nothing about the page (docs/output.md shows the rule).

A block is such an exercise when both hold (`Example.asked`); when it then fails, it is
skipped naming the function and the line of the ask (`mdverify.check.runskips.skip_of`), and
when it passes with an earlier example's function of that name, it passes:

* the prose since the previous fence asks for a function by name: a verb that asks for
  one (write, create, declare, define, implement, make, build; in Spanish escribe, crea,
  define, implementa) and then "function called NAME", "function named NAME" ("función
  llamada NAME"), or "call your function NAME";
* the block calls NAME and does not define or assign it itself. A block that defines it is
  the answer, and runs; prose that only names a function ("now call the function named
  add") asks for nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.article.markdown import token_lines

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token

    from mdverify.model import Example

__all__ = ["exercises"]

# A name as prose writes it, in code or emphasis marks or none: `greet`, _show_args_.
_NAME = r"[`*_]*(?P<name>[A-Za-z_]\w*?)[`*_]*(?!\w)"
_ASKS = (
    re.compile(
        r"\b(?:write|create|declare|define|implement|make|build)\b[^.:;!?]*?"
        r"\bfunctions?\s+(?:called|named)\s+" + _NAME,
        re.IGNORECASE,
    ),
    re.compile(r"\bcall\s+your\s+function\s+" + _NAME, re.IGNORECASE),
    re.compile(
        r"\b(?:escrib|cre|defin|implement)\w*\b[^.:;!?]*?"
        r"\bfunci[oó]n\s+(?:llamada|denominada)\s+" + _NAME,
        re.IGNORECASE,
    ),
)


def exercises(tokens: Sequence[Token], examples: Sequence[Example]) -> list[Example]:
    """`examples`, each with the functions its prose asks for that it calls (`asked`)."""
    asked: dict[int, list[tuple[str, int]]] = {}  # fence line -> (name, line of the ask)
    since: list[tuple[str, int]] = []
    for pos, token in enumerate(tokens):
        if token.type == "fence":
            asked[token_lines(token)[0] + 1] = since
            since = []
        elif token.type == "inline" and pos and tokens[pos - 1].type == "paragraph_open":
            line = token_lines(token)[0] + 1
            since += [(m["name"], line) for ask in _ASKS for m in ask.finditer(token.content)]
    return [
        example
        if example.hidden or example.kind != "python"
        else replace(
            example,
            asked=tuple(
                (name, line)
                for name, line in asked.get(example.line, ())
                if _calls(example.source, name) and not _binds(example.source, name)
            ),
        )
        for example in examples
    ]


def _calls(source: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", source) is not None


def _binds(source: str, name: str) -> bool:
    """Whether the block defines `name` or assigns it, at any indentation."""
    word = re.escape(name)
    pattern = rf"^\s*(?:(?:async\s+)?def\s+{word}\b|class\s+{word}\b|{word}\s*(?::[^=]*)?=(?!=))"
    return re.search(pattern, source, re.MULTILINE) is not None
