"""Find coroutine functions an article defines but never runs.

An `async def main()` with no `asyncio.run(main())` anywhere is the usual sign of an example
whose last line was lost; its declared output is then never printed, and the output diff
alone does not say why. Blocks share one namespace, so a use may sit in a later block; a
later block that defines the same name again starts a new definition.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.article.syntax import BlockSyntax

__all__ = ["never_run"]


def never_run(blocks: Sequence[BlockSyntax | None]) -> dict[int, list[str]]:
    """Map block index -> warnings, for top-level `async def`s that nothing uses.

    `blocks` holds each block's reading in document order, None for blocks that do not run
    (skipped, or not Python); a block that does not parse is ignored.
    """
    if not any(_defines_coroutine(b) for b in blocks):
        return {}  # the common case: no walk over every block's tree
    return _unused_coroutines(blocks)


def _defines_coroutine(block: BlockSyntax | None) -> bool:
    return block is not None and any(
        isinstance(stmt, ast.AsyncFunctionDef) for stmt in block.statements
    )


def _unused_coroutines(blocks: Sequence[BlockSyntax | None]) -> dict[int, list[str]]:
    pending: dict[str, tuple[int, int]] = {}  # name -> (block, line) of an unused definition
    warnings: dict[int, list[str]] = {}

    def report(name: str) -> None:
        block, line = pending.pop(name)
        warnings.setdefault(block, []).append(
            f"coroutine function {name}() defined at line {line} is never run or awaited"
        )

    for index, block in enumerate(blocks):
        if block is None or block.tree is None:
            continue
        defined = {s.name: s for s in block.statements if isinstance(s, ast.AsyncFunctionDef)}
        used_here = _loaded_names(block.tree, exclude=set(defined.values()))
        for name in list(pending):
            if name in defined:
                report(name)  # redefined: this block's uses belong to the new definition
            elif name in used_here:
                del pending[name]
        for name, stmt in defined.items():
            if name not in used_here:
                pending[name] = (index, block.article_line(stmt.lineno))
    for name in list(pending):
        report(name)
    return warnings


def _loaded_names(tree: ast.Module, exclude: set[ast.AsyncFunctionDef]) -> set[str]:
    names: set[str] = set()
    for stmt in tree.body:
        if stmt in exclude:
            # A coroutine's body may call other functions of the article: those count.
            names.update(_names_in(stmt, skip_own=stmt.name))
        else:
            names.update(_names_in(stmt, skip_own=None))
    return names


def _names_in(node: ast.AST, skip_own: str | None) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            if child.id != skip_own:
                names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)  # module.main or self.main: a use, conservatively
    return names
