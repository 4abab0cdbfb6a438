"""What a block's reading takes from the other blocks of its article, once all are read.

`mdverify.article.parse` reads each block on its own; these readings need the whole
article: the names a block uses that no block defines (`fragments`), the names each block
binds and reads (`with_names`), what no later run reproduces (`with_volatile`), coroutine
functions never run (`never_run`), a loop the virtual clock cannot drive (`on_real_clock`)
and the namespace each block runs in (`with_namespaces`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.article.coroutines import never_run
from mdverify.article.fragments import fragments, with_names
from mdverify.article.loops import on_real_clock
from mdverify.article.sessions import with_namespaces
from mdverify.article.volatile import with_volatile

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.article.directives import BlockDirective
    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import ArticleSettings, BlockSettings, Example

__all__ = ["across_blocks", "decided"]


def across_blocks(
    examples: list[Example], syntaxes: Sequence[BlockSyntax | None], settings: ArticleSettings
) -> tuple[list[Example], ArticleSettings]:
    """The article's examples and settings with what the other blocks tell of each."""
    for index, reason in fragments(examples, syntaxes).items():
        if decided(examples[index].settings) or examples[index].hidden:
            continue  # the writer said how this block runs: a guess does not overrule it
        if examples[index].settings.norun:
            continue  # a name it lacks cannot fail a block that never runs
        settings_of = replace(examples[index].settings, skip=reason)
        examples[index] = replace(examples[index], settings=settings_of)
    examples = [
        replace(e, unbound=frozenset(), local=()) if e.hidden else e  # hidden code must run
        for e in with_volatile(with_names(examples, syntaxes), syntaxes)
    ]
    runnable = [
        syntax if e.settings.skip is None else None
        for e, syntax in zip(examples, syntaxes, strict=True)
    ]
    for index, messages in never_run(runnable).items():
        old = examples[index]
        examples[index] = replace(old, warnings=(*old.warnings, *messages))
    settings = on_real_clock(settings, examples, runnable)
    return list(with_namespaces(examples)), settings


def decided(settings: BlockSettings, directive: BlockDirective | None = None) -> bool:
    """Whether a directive already says if and how the block runs (skip, xfail, requires).

    So does the block's own `norun`; the front matter's leaves templates to the guess.
    """
    return bool(
        (directive is not None and directive.settings.norun)
        or settings.skip is not None
        or settings.xfail is not None
        or settings.requires
        or settings.python
    )
