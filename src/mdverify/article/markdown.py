"""The Markdown reader: one markdown-it instance that sees fences wherever a site renders them.

Plain CommonMark reads the body of a MkDocs-Material admonition (`!!! note`, `??? note`)
or content tab (`=== "Tab"`) as an indented code block, so the fences inside would be lost.
One small block rule below reads both as containers, parsing the indented body as nested
blocks. It follows Python-Markdown, which MkDocs renders with: the body is every following
line indented by four more columns, blank lines included, up to the first line that is not.
(mdit-py-plugins' `admon` rule ends the body at two blank lines in a row, the PEP 8 spacing
between two classes, and the rest of a fenced block then reads as never closed.)

mdverify reads no inline markup except an HTML comment inside a paragraph (a misplaced
directive), so inline parsing, three quarters of markdown-it's time on a long article, is
done only for the text that may hold one.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, cast

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from mdverify.model import ArticleError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

__all__ = [
    "check_closed",
    "decode",
    "is_container",
    "markdown_parser",
    "read_article",
    "token_lines",
]

# What opens a container, and the token type it gets (admon's, for admonitions).
_OPENERS = (
    (re.compile(r'===\+?[ \t]+"[^"\n]*"[ \t]*$'), "content_tab"),
    (
        re.compile(r'(?:!!!|\?\?\?\+?)[ \t]*[\w-]+(?:[ \t]+[\w-]+)*(?:[ \t]+"[^"\n]*")?[ \t]*$'),
        "admonition",
    ),
)
_BODY_INDENT = 4


@cache
def markdown_parser() -> MarkdownIt:
    """Return the shared parser; building one costs more than parsing a typical article.

    Inline markup is parsed only in inline tokens that hold an HTML comment (see above).
    """
    md = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
    md.block.ruler.before(
        "fence", "container", _container, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.core.ruler.at("inline", _inline_with_comments)
    return md


def _inline_with_comments(state: StateCore) -> None:
    """markdown-it's inline rule, for the inline tokens that contain an HTML comment."""
    for token in state.tokens:
        if token.type == "inline" and "<!--" in token.content:
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _container(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= _BODY_INDENT:
        return False  # indented: a code block, not a container
    begin = state.bMarks[start_line] + state.tShift[start_line]
    end = state.eMarks[start_line]
    kind = next((name for opener, name in _OPENERS if opener.match(state.src, begin, end)), None)
    if kind is None:
        return False
    if silent:
        return True

    body_indent = state.blkIndent + _BODY_INDENT
    next_line = start_line + 1
    while next_line < end_line:
        blank = state.isEmpty(next_line)
        if not blank and state.sCount[next_line] < body_indent:
            break
        next_line += 1
    while next_line > start_line + 1 and state.isEmpty(next_line - 1):
        next_line -= 1  # trailing blank lines belong to what follows

    old_parent, old_max, old_indent = state.parentType, state.lineMax, state.blkIndent
    state.parentType = kind
    state.lineMax = next_line
    state.blkIndent = body_indent

    token = state.push(f"{kind}_open", "div", 1)
    token.block = True
    token.map = [start_line, next_line]
    token.info = state.src[begin:end]
    state.md.block.tokenize(state, start_line + 1, next_line)
    state.push(f"{kind}_close", "div", -1).block = True

    state.parentType, state.lineMax, state.blkIndent = old_parent, old_max, old_indent
    state.line = next_line
    return True


def is_container(kind: str) -> bool:
    """Whether a token of type `kind` opens or closes a container, a paragraph included.

    Lists, items, quotes, tabs and admonitions; a paragraph too, so that a fence inside one
    (markdown-it nests none, but a plugin may) is deeper than the text around it.
    """
    return kind.endswith(("_open", "_close")) and not kind.startswith(("heading", "table"))


def token_lines(token: Token) -> tuple[int, int]:
    """The 0-based first line of a block token and the line after its last; (0, 0): none."""
    if token.map is None:
        return (0, 0)
    return cast("tuple[int, int]", tuple(token.map))


def check_closed(path: str, token: Token, lines: Sequence[str]) -> None:
    """Raise an `ArticleError` at a fence that runs to the end of its container unclosed."""
    start, end = token_lines(token)
    last = lines[end - 1].lstrip(" \t>") if end - 1 > start else ""
    marker = token.markup
    run = len(last) - len(last.lstrip(marker[0]))
    if run < len(marker) or last[run:].strip():
        raise ArticleError(path, start + 1, f"code fence {marker} opened here is never closed")


def decode(path: str, data: bytes) -> str:
    r"""Decode an article as UTF-8 (a BOM is allowed) with newlines normalised to `\n`."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ArticleError(path, line, "contains NUL bytes: a binary file, not Markdown")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ArticleError(
            path,
            line,
            f"the file is not valid UTF-8 (byte 0x{data[err.start]:02x} here); save it as UTF-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_article(path: str, file: Path, limit: int | None) -> bytes:
    """The bytes of the article `file` (which reports name `path`), at most `limit` of them.

    A bigger file is an `ArticleError` read no further than the limit: pytest's own process
    parses what it reads, so a huge file (or `/dev/zero` behind a symlink) would stop the
    whole session with a MemoryError, or never end.
    """
    with file.open("rb") as stream:
        data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise ArticleError(
            path,
            None,
            f"is over the size limit for an article, {_mib(limit)} "
            "(mdverify's max_article_size setting); split it, or raise the limit",
        )
    return data


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.4g} MiB" if size >= 1 << 20 else f"{size} bytes"
