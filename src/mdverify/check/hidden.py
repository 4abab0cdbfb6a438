"""The hidden code a failed block ran after, for its report: what a reader needs to reproduce it.

A reader who copies a failing block from the rendered page lacks the hidden blocks above it
(`mdverify.article.hidden`) and the setup file, so the report shows them, numbered by their
own lines, and cut short: a long setup file would bury the failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.model import beside

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.model import Example

__all__ = ["MAX_HIDDEN_LINES", "hidden_above", "hidden_section"]

MAX_HIDDEN_LINES = 12
"""Lines of hidden code a report shows, over all the hidden blocks it names."""


def hidden_above(examples: Sequence[Example], example: Example) -> list[Example]:
    """The hidden blocks above `example` in its namespace (`Example.namespace`).

    Those of another session, or from before a `reset`, are none of what it ran after.
    """
    return [
        above
        for above in examples[: example.index]
        if above.hidden and above.namespace == example.namespace
    ]


def hidden_section(hidden: Sequence[Example], path: str) -> str:
    """The hidden blocks `hidden` (in run order) with their lines; "" when there are none.

    `path` is the article's, as reports name it.
    """
    parts = []
    budget = MAX_HIDDEN_LINES
    for example in hidden:
        code = example.source.rstrip("\n").split("\n")
        first, last = example.code_line, example.code_line + len(code) - 1
        if example.file is not None:
            what, where = "setup file", beside(path, example.file)
        else:
            what, where = "hidden code", path
        title = f"{what} this block ran after ({where}:{first}-{last}):"
        shown = code[:budget]
        budget -= len(shown)
        width = len(str(first + len(shown) - 1))
        lines = [f"{first + n:>{width}} | {text}".rstrip() for n, text in enumerate(shown)]
        if len(shown) < len(code):
            cut = len(code) - len(shown)
            lines.append(f"[... {cut} more line{'s' if cut != 1 else ''} cut]")
        parts.append("\n".join([title, *lines]))
    return "\n\n".join(parts)
