"""The HTML comments that speak to mdverify: which one holds a directive, and reading it.

`<!-- mdverify: timeout=5 -->` before a fence is that block's directive
(`mdverify.article.directives` reads its keys); several such comments in one HTML block read
as one. `<!-- mdverify: hidden` opens hidden code instead (`mdverify.article.hidden`).
"""

from __future__ import annotations

import re
from difflib import get_close_matches

from mdverify.article.directives import (
    BlockDirective,
    DirectiveError,
    known_keys,
    parse_comment,
)
from mdverify.model import ArticleError

__all__ = ["DIRECTIVE_HINT", "html_directive"]

_DIRECTIVE = re.compile(r"<!--\s*mdverify\s*:(?P<body>.*?)-->", re.DOTALL | re.IGNORECASE)
_NO_COLON = re.compile(r"<!--\s*mdverify\s+(?P<key>\w+)", re.IGNORECASE)
_OPENED = re.compile(r"<!--\s*mdverify\s*:(?!.*?-->)", re.DOTALL | re.IGNORECASE)
_NAMED = re.compile(r"<!--\s*(?P<name>[A-Za-z][\w-]*)\s*:")
DIRECTIVE_HINT = re.compile(r"<!--\s*mdverify\b", re.IGNORECASE)
"""What an HTML comment holding a directive (closed or not) starts with."""


def html_directive(path: str, html: str, line: int) -> BlockDirective | None:
    """The directive of an HTML block at article `line`; None when it holds none."""
    if not DIRECTIVE_HINT.search(html):
        near = _NAMED.match(html.lstrip())
        if near is not None and _near_miss(near["name"]):
            raise ArticleError(
                path, line, f"'{near['name']}:' is not a directive: did you mean 'mdverify:'?"
            )
        return None
    missing = _NO_COLON.match(html.lstrip())
    if missing is not None and missing["key"].lower() in known_keys():
        raise ArticleError(
            path,
            line,
            f"an mdverify directive needs a colon: <!-- mdverify: {missing['key']} ... -->",
        )
    bodies = [m["body"] for m in _DIRECTIVE.finditer(html)]
    if not bodies and _OPENED.search(html):
        raise ArticleError(path, line, "mdverify directive comment is not closed with '-->'")
    if not bodies:
        return None  # `<!-- mdverify checks these pages -->`: prose about us
    try:
        # Several directive comments in one HTML block read as one directive.
        return parse_comment(" ".join(bodies), line)
    except DirectiveError as err:
        raise ArticleError(path, line, str(err)) from None


def _near_miss(name: str) -> bool:
    """`mdverfy`, `mdvrify`: a slip of the name, not another tool's comment."""
    lowered = name.lower()
    return lowered != "mdverify" and bool(get_close_matches(lowered, ["mdverify"], cutoff=0.8))
