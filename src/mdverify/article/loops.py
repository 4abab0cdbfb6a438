"""Articles whose examples run on an event loop that the virtual clock cannot drive.

The virtual clock drives asyncio's own loops only. trio binds `time.perf_counter` when it
is imported and keeps its own timers, so on the virtual clock it would wait forever for a
deadline that never comes; uvloop keeps real time in C while `perf_counter` stays virtual,
so it would measure 0 s; curio has a kernel of its own. An article that imports one of
them runs on the real clock instead, and says so once, at the first block that imports it.
anyio runs on asyncio unless told otherwise: only an article that also names its trio
backend (`backend="trio"`) needs the real clock.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import MutableSequence, Sequence

    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import ArticleSettings, Example

__all__ = ["foreign_loop", "on_real_clock", "warning"]

# Top-level packages whose event loop is not asyncio's own.
_FOREIGN = ("trio", "uvloop", "curio", "trio_asyncio")


def on_real_clock(
    settings: ArticleSettings,
    examples: MutableSequence[Example],
    blocks: Sequence[BlockSyntax | None],
) -> ArticleSettings:
    """The article's settings, on the real clock if it needs it and chose no clock itself.

    The first block that imports the loop gets the warning that says why (in `examples`).
    """
    foreign = foreign_loop(blocks) if settings.clock is None else None
    if foreign is None:
        return settings
    index, package = foreign
    old = examples[index]
    examples[index] = replace(old, warnings=(*old.warnings, warning(package)))
    return replace(settings, clock="real")


def foreign_loop(blocks: Sequence[BlockSyntax | None]) -> tuple[int, str] | None:
    """(block index, package) of the first block that imports a loop the clock cannot drive.

    `blocks` are the readings of the blocks that run, in document order (None for the
    others). None when every block stays on asyncio's loops.
    """
    # Most articles name none of these packages: a look at the text spares every walk.
    named = [b for b in blocks if b is not None and _mentions(b, (*_FOREIGN, "anyio"))]
    if not named:
        return None
    trio_named = any(_names_trio(block) for block in named)
    looked = {id(block) for block in named}
    for index, block in enumerate(blocks):
        if id(block) not in looked:
            continue
        for package in _imported(block):
            if package in _FOREIGN or (package == "anyio" and trio_named):
                return index, package
    return None


def _mentions(block: BlockSyntax, words: tuple[str, ...]) -> bool:
    return any(word in line for line in block.lines for word in words)


def _imported(block: BlockSyntax | None) -> list[str]:
    if block is None or block.tree is None:
        return []
    found: list[str] = []
    for node in ast.walk(block.tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module.partition(".")[0])
    return found


def _names_trio(block: BlockSyntax | None) -> bool:
    """Whether the block's code holds the string "trio" (anyio's backend name)."""
    if block is None or block.tree is None:
        return False
    return any(
        isinstance(node, ast.Constant) and node.value == "trio" for node in ast.walk(block.tree)
    )


def warning(package: str) -> str:
    """What the block that imports `package` warns: why its article runs on the real clock."""
    runner = "anyio's trio backend" if package == "anyio" else package
    return (
        f"{runner} runs its own event loop, which the virtual clock cannot drive: the article "
        "runs on the real clock (write `clock: real` under `mdverify:` in the front matter to "
        "say so and silence this)"
    )
