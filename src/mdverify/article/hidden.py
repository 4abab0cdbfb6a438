"""Hidden code: fences inside an `<!-- mdverify: hidden ... -->` comment, and the setup file.

A reader never sees an HTML comment, so a writer puts there the code the article needs but
does not teach: imports, fakes, a teardown. The comment opens with `<!-- mdverify: hidden`
alone on its line and closes with `-->` alone on a later line; between them stand one or
more fences, read as Markdown of their own. markdown-it gives the whole comment as one
`html_block` token, so its inner lines are parsed here with the same parser, and the maps
of the tokens shifted by the comment's first line: every line is the article's.

Each Python fence inside is a block of the article like any other (its claims, its items,
its failures at its lines), marked `hidden` and named for where it stands: "hidden setup"
before the first visible block, "hidden teardown" after the last, "hidden code" between.

The front matter's `setup: fakes.py` is a Python file beside the article, run before the
first block as one more hidden block (`setup_example`); its lines are the file's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.article.markdown import markdown_parser
from mdverify.article.syntax import BlockSyntax, read_block
from mdverify.model import ArticleError, Example

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token

    from mdverify.model import ArticleSettings, SetupFile

__all__ = ["HIDDEN_HINT", "UNTITLED", "hidden_tokens", "named", "setup_example"]

# The name of a block above the article's first heading.
UNTITLED = "top"

HIDDEN_HINT = re.compile(r"<!--\s*mdverify\s*:\s*hidden(?![\w-])", re.IGNORECASE)
"""What opens a hidden comment; a directive comment never starts with a key `hidden`."""
_OPENER = re.compile(r"\s*<!--\s*mdverify\s*:\s*hidden\s*", re.IGNORECASE)
_FORM = "write '<!-- mdverify: hidden' alone on a line, the fences below it, and '-->' alone"


def hidden_tokens(path: str, token: Token) -> list[Token] | None:
    """The tokens of the fences inside the hidden comment `token`, at article lines.

    None when `token` is no hidden comment; an `ArticleError` at the comment's first line
    when it is one written wrong (not closed, text beside its markers, no Python fence).
    """
    if token.map is None or not HIDDEN_HINT.match(token.content.lstrip()):
        return None
    first = token.map[0]
    line = first + 1
    lines = token.content.rstrip("\n").split("\n")
    opener = _OPENER.match(lines[0])
    if opener is None or opener.end() != len(lines[0]):
        raise ArticleError(path, line, f"nothing may follow 'hidden' on its line: {_FORM}")
    close = next((n for n, text in enumerate(lines) if "-->" in text), None)
    if close is None:
        raise ArticleError(path, line, "hidden code comment opened here is never closed with '-->'")
    if close == 0 or lines[close].strip() != "-->" or close != len(lines) - 1:
        where = first + close + 1
        raise ArticleError(
            path,
            where,
            "'-->' ends the hidden code comment that opens at line "
            f"{line}, so it must stand alone on its line (even inside code): {_FORM}",
        )
    inner = markdown_parser().parse("\n".join(lines[1:close]) + "\n")
    for inner_token in inner:
        if inner_token.map is not None:
            inner_token.map = [inner_token.map[0] + line, inner_token.map[1] + line]
    if not any(t.type == "fence" for t in inner):
        raise ArticleError(path, line, f"hidden code comment holds no fence: {_FORM}")
    return inner


def named(examples: Sequence[Example]) -> list[Example]:
    """The blocks' final names: their test ids, unique in the article, kept by edits elsewhere.

    A hidden block is named for where it stands among the visible ones. A name that more
    than one block has gets an ordinal from the second on, in the article's order: the
    second block under `## Install` is `Install #2` (so `-k Install` selects both).
    """
    visible = [e.index for e in examples if not e.hidden]
    first, last = (visible[0], visible[-1]) if visible else (len(examples), -1)
    result = []
    for example in examples:
        if not example.hidden or example.file is not None:
            result.append(example)
            continue
        role = "setup" if example.index < first else "teardown" if example.index > last else "code"
        result.append(replace(example, name=f"hidden {role}"))
    seen: dict[str, int] = {}
    taken = {e.name for e in result}
    for number, example in enumerate(result):
        count = seen[example.name] = seen.get(example.name, 0) + 1
        if count > 1:
            name = f"{example.name} #{count}"
            while name in taken:  # a heading that itself ends in '#2'
                name += "'"
            taken.add(name)
            result[number] = replace(example, name=name)
    return result


def setup_example(
    setup: SetupFile, code: str, article: ArticleSettings
) -> tuple[Example, BlockSyntax]:
    """The setup file as the article's first block: its code, at its own lines.

    A setup file is a Python module, not an article: its comments are comments, never
    declared output or timing claims, and what it prints is not compared.
    """
    syntax = read_block(code, 1)
    example = Example(
        index=0,
        kind="python",
        source=code,
        line=setup.line,
        code_line=1,
        name=f"setup file {setup.name}",
        settings=article.defaults,
        world=article.world,
        ends=syntax.ends(),
        hidden=True,
        file=setup.name,
    )
    return example, syntax
