"""The front matter of an article: its YAML, and the `mdverify:` key's article settings.

Only this key is mdverify's; the rest of the front matter is the site generator's (a title,
tags), and other tools' keys (`case:` in this project's own tests) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import yaml
from frontmatter.default_handlers import YAMLHandler

from mdverify.article.directives import DirectiveError, parse_mapping
from mdverify.model import ArticleError, ArticleSettings

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["front_matter"]


def front_matter(
    path: str, content: str, span: tuple[int, int], lines: Sequence[str]
) -> ArticleSettings:
    """The article settings of the front matter `content`; an `ArticleError` names the line.

    `span` is where its token stands in the article's `lines`: 0-based first line, end.
    """
    start, end = span
    closing = lines[end - 1].strip() if end - 1 > start else ""
    if not re.fullmatch(r"-{3,}", closing):
        raise ArticleError(path, start + 1, "front matter starting here is never closed by '---'")
    try:
        meta = YAMLHandler().load(content)
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        mark = getattr(err, "problem_mark", None)
        if "end of stream" in problem:
            # Noticed at the end of the front matter (an unclosed quote): the line where the
            # broken construct began says more.
            mark = getattr(err, "context_mark", None) or mark
        line = start + 2 + mark.line if mark is not None else start + 1
        context = getattr(err, "context", None)
        said = f"{context}, {problem}" if context else problem
        raise ArticleError(path, line, f"invalid YAML front matter: {said}") from None
    if meta is None:
        return ArticleSettings()
    if not isinstance(meta, dict):
        raise ArticleError(
            path, start + 1, f"front matter must be a mapping of keys, not {type(meta).__name__}"
        )
    if "mdverify" not in meta:
        return ArticleSettings()
    key_line = next(
        (start + 1 + i for i, ln in enumerate(lines[start:end]) if ln.startswith("mdverify")),
        start + 1,
    )
    try:
        settings = parse_mapping(meta["mdverify"])
    except DirectiveError as err:
        line = _key_line(err.key, lines, key_line, end) if err.key else key_line
        raise ArticleError(path, line, f"front matter 'mdverify': {err}") from None
    if settings.setup is None:
        return settings
    # The key's own line, for the error of a missing file: under `mdverify:`, or on its
    # line when the mapping is written inline.
    return replace(
        settings, setup=replace(settings.setup, line=_key_line("setup", lines, key_line, end))
    )


def _key_line(key: str, lines: Sequence[str], key_line: int, end: int) -> int:
    """The line of `key:` under the `mdverify:` key at `key_line`; that line if none is.

    Inline mappings (`mdverify: {clok: real}`) have the key on the `mdverify:` line itself.
    """
    pattern = re.compile(rf"\s+{re.escape(key)}\s*:")
    found = (key_line + i for i, ln in enumerate(lines[key_line - 1 : end]) if pattern.match(ln))
    return next(found, key_line)
