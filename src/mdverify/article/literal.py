"""The Python literal a comment starts with: how a value is told from the prose after it.

`True, since n is 3` starts with the literal `True`; `9 - rounded down` with `9`;
`[1, 2] : the list` with `[1, 2]`. A literal ends where a space or `,` `;` `:` `` ` ``
follows it and the rest does not continue it. A comment of several literals in a row
(`0 1 2`, the lines of a loop's output) is not one value, and `adds the unit` is none.
Both the reader of claims (`mdverify.article.claims`, for values of bare expressions) and
the comparison (`mdverify.check.reading`) use this one rule.
"""

from __future__ import annotations

import ast
import re

__all__ = ["literal", "value_part"]

# Where prose may begin after a value: a space, or punctuation that cannot continue it.
_AFTER_VALUE = re.compile(r"[\s,;:`]")


def value_part(text: str) -> str | None:
    """The Python literal that `text` starts with, when prose (or nothing) follows it."""
    if not text.rstrip().endswith(",") and literal(text) is not None:
        return text.strip()
    first = text.split("\n", 1)[0].strip()
    words = first.split()
    if len(words) > 1 and all(literal(word) is not None for word in words):
        return None  # `0 1 2`: values one after another, the lines of a loop's output
    for end in range(len(first) - 1, 0, -1):
        if not _AFTER_VALUE.match(first[end]):
            continue
        head = first[:end].rstrip()
        if head and not head.endswith(",") and literal(head) is not None:
            return head
    return None


def literal(text: str) -> tuple[object] | None:
    """`(value,)` when `text` is a Python literal, else None (a literal may be None)."""
    try:
        return (ast.literal_eval(text.strip()),)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
