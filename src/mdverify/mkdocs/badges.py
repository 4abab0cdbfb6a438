"""Each verified block's state, shown in the page: a marker line after the block.

The marker goes after the block's closing fence, or after the closing fence of the output
it declares when that comes later, with the block's container prefix (a list item's or an
admonition's indentation, a blockquote's `>`), so that it stays inside the container. It
is a paragraph holding one `<span class="mdverify mdverify-OUTCOME">`; the reason inside
is escaped, so a block's output or a skip's words never become the page's HTML.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.mkdocs.verify import Block
    from mdverify.model import Example

__all__ = ["badge", "with_badges"]

_FENCE = re.compile(r"^(?P<prefix>[ \t>]*)(?:`{3,}|~{3,})\s*$")
"""A closing fence, and the container prefix before it."""
_WORDS = {
    "passed": "verified",
    "failed": "failed",
    "skipped": "not run",
    "xfailed": "fails, as expected",
}


def badge(block: Block) -> str:
    """The marker's HTML: the outcome in words, and the reason when there is one."""
    words = f"mdverify: {_WORDS[block.outcome]}"
    if block.reason:
        words += f": {block.reason}"
    title = html.escape(block.where, quote=True)
    return (
        f'<span class="mdverify mdverify-{block.outcome}" title="{title}">'
        f"{html.escape(words, quote=False)}</span>"
    )


def with_badges(markdown: str, text: str, blocks: Sequence[Block]) -> str | None:
    """`markdown` with a marker after each block; None when it is not the article's text.

    `text` is the article as it was verified, front matter included; MkDocs hands a page's
    Markdown without its front matter, so the two line up from where `markdown` starts in
    `text`. Markdown that another plugin changed no longer lines up: None then.
    """
    if not text.endswith(markdown):
        return None
    skipped = text[: len(text) - len(markdown)].count("\n")
    lines = markdown.split("\n")
    after: dict[int, list[str]] = {}
    for block in blocks:
        example = block.example
        if example.hidden or example.file is not None:
            continue  # nothing of it is on the page
        index = _last_fence(example, lines, skipped)
        if index is not None:
            prefix = _FENCE.match(lines[index])
            lead = prefix.group("prefix") if prefix is not None else ""
            after.setdefault(index, []).extend([lead.rstrip(), lead + badge(block), lead.rstrip()])
    for index in sorted(after, reverse=True):
        lines[index + 1 : index + 1] = after[index]
    return "\n".join(lines)


def _last_fence(example: Example, lines: list[str], skipped: int) -> int | None:
    """Index in `lines` of the last closing fence of the block and of the output it declares."""
    # Article lines are 1-based over the whole file; `lines` starts `skipped` lines in.
    closing = [example.code_line + example.source.count("\n")]
    closing.extend(claim.end_line + 1 for claim in example.outputs if claim.end_line is not None)
    found = [
        i
        for line in closing
        if 0 <= (i := line - 1 - skipped) < len(lines) and _FENCE.match(lines[i])
    ]
    return max(found, default=None)
