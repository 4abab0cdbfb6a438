"""The front matter of an article: its YAML, and the `mdverify:` key's article settings.

Only this key is mdverify's; the rest of the front matter is the site generator's (a title,
tags), and other tools' keys (`case:` in this project's own tests) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import yaml

from mdverify.article.directives import DirectiveError, parse_mapping
from mdverify.model import ArticleError, ArticleSettings

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["MAX_NODES", "front_matter"]

MAX_NODES = 100_000
"""How many values the front matter may hold once its aliases are expanded. An alias is a
reference, so `&a [*b, *b, ...]` ten levels deep is a few lines that hold 10**10 values:
anything that walks them (mdverify's settings, the site generator's) never ends."""

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


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
    meta = _meta(path, content, start)
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


def _meta(path: str, content: str, start: int) -> object:
    """The front matter's YAML, read; an `ArticleError` at the line of what is wrong."""
    try:
        return _load(content)
    except _TooBig as err:
        raise ArticleError(path, start + 1, f"invalid YAML front matter: {err}") from None
    except RecursionError:  # the pure-Python loader, or the count, on deep nesting
        raise ArticleError(path, start + 1, "invalid YAML front matter: nested too deep") from None
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


def _key_line(key: str, lines: Sequence[str], key_line: int, end: int) -> int:
    """The line of `key:` under the `mdverify:` key at `key_line`; that line if none is.

    Inline mappings (`mdverify: {clok: real}`) have the key on the `mdverify:` line itself.
    """
    pattern = re.compile(rf"\s+{re.escape(key)}\s*:")
    found = (key_line + i for i, ln in enumerate(lines[key_line - 1 : end]) if pattern.match(ln))
    return next(found, key_line)


class _TooBig(ValueError):
    """Front matter whose aliases expand past `MAX_NODES` values, or into themselves."""


def _load(content: str) -> object:
    """The YAML of `content` as the safe loader reads it; refused if its aliases expand too far.

    The node graph is composed first (linear in the text), counted with each shared node
    counted once per use, and only then constructed.
    """
    loader = _Loader(content)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _count(node, {}, set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _count(node: yaml.Node, sizes: dict[int, int], open_nodes: set[int]) -> int:
    """The values `node` holds expanded; `sizes` remembers shared nodes (aliases)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_nodes:
        raise _TooBig("an alias refers to the value that holds it (a recursive structure)")
    open_nodes.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_count(child, sizes, open_nodes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(
            _count(k, sizes, open_nodes) + _count(v, sizes, open_nodes) for k, v in node.value
        )
    if total > MAX_NODES:
        raise _TooBig(f"its aliases expand to more than {MAX_NODES:,} values; write the values out")
    open_nodes.discard(key)
    sizes[key] = total
    return total
