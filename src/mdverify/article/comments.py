"""The HTML comments that speak to mdverify: which one holds a directive, and reading it.

`<!-- mdverify: timeout=5 -->` before a fence is that block's directive
(`mdverify.article.directives` reads its keys); several such comments in one HTML block read
as one. `<!-- mdverify: hidden` opens hidden code instead (`mdverify.article.hidden`).
"""

from __future__ import annotations

import re

from mdverify.article.directives import BlockDirective, DirectiveError, parse_comment
from mdverify.model import ArticleError

__all__ = ["DIRECTIVE_HINT", "html_directive"]

_DIRECTIVE = re.compile(r"<!--\s*mdverify\s*:(?P<body>.*?)-->", re.DOTALL)
DIRECTIVE_HINT = re.compile(r"<!--\s*mdverify\b", re.IGNORECASE)
"""What an HTML comment holding a directive (closed or not) starts with."""


def html_directive(path: str, html: str, line: int) -> BlockDirective | None:
    """The directive of an HTML block at article `line`; None when it holds none."""
    if not DIRECTIVE_HINT.search(html):
        return None
    bodies = [m["body"] for m in _DIRECTIVE.finditer(html)]
    if not bodies:
        raise ArticleError(path, line, "mdverify directive comment is not closed with '-->'")
    try:
        # Several directive comments in one HTML block read as one directive.
        return parse_comment(" ".join(bodies), line)
    except DirectiveError as err:
        raise ArticleError(path, line, str(err)) from None
