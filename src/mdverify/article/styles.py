"""Which claim styles a tree reads: one line per style, and the article a choice leaves.

A claim style is a way an article declares output (`model.OutputClaim.kind`). A tree whose
comments are prose (`print(n)  # n is the count`) switches the comment styles off with
`mdverify_claims`, and keeps the rest. A new style is one more line of `CLAIM_STYLES`
(and its kind in `model.ClaimKind`); a test checks that the two agree.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from mdverify.model import Article, ClaimKind

__all__ = ["CLAIM_STYLES", "only_styles", "parse_styles"]

CLAIM_STYLES: Mapping[ClaimKind, str] = {
    "fence": "an output fence after the block, or a fence titled as output",
    "transcript": "a console transcript after the block that runs it as a script",
    "comment": "'# ...' comment lines under a statement",
    "trailing": "a comment after a print: print(x)  # 3",
    "arrow": "'#>' lines",
    "string": "a triple-quoted string right under a print",
    "prompt": "what follows a '>>>' prompt in a pycon block",
    "value": "a literal after a bare expression, shown as a REPL shows its value: len(s)  # 5",
    "command": "the lines under a '$ ' command in a console transcript that runs",
}
"""Every claim style, and what it reads, in words (the help text lists them)."""


def parse_styles(text: str) -> frozenset[str]:
    """The styles named in `text`, separated by spaces or commas; ValueError names a stranger."""
    names = [name for name in re.split(r"[\s,]+", text) if name]
    unknown = [name for name in names if name not in CLAIM_STYLES]
    if unknown:
        raise ValueError(
            f"unknown claim style {unknown[0]!r} (the styles are {', '.join(CLAIM_STYLES)})"
        )
    return frozenset(names)


def only_styles(article: Article, styles: Collection[str]) -> Article:
    """`article` with only the output claims of `styles`; the same object if none is dropped.

    A declared exception goes with the style it is written in (a traceback in a fence with
    `fence`); the `raises` directive is no claim style and always stays.
    """
    if all(c.kind in styles for e in article.examples for c in e.outputs) and all(
        r.style in styles for e in article.examples for r in e.raises if r.style is not None
    ):
        return article
    examples = tuple(
        replace(
            e,
            outputs=tuple(c for c in e.outputs if c.kind in styles),
            raises=tuple(r for r in e.raises if r.style is None or r.style in styles),
        )
        for e in article.examples
    )
    return replace(article, examples=examples)
