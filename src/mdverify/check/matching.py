"""Declared output against printed output: the matching rules, in one place.

Line endings and trailing whitespace are normalised; `...` inside a line matches any text
on that line, and a line that is only `...` matches any number of lines (none included).
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["matches", "normalise"]

_WILD_LINES = object()


def normalise(text: str) -> list[str]:
    """Split output into lines: CRLF as LF, no trailing whitespace, no trailing blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(expected: str, got: str) -> bool:
    """Whether `got` is what `expected` declares, `...` wildcards included."""
    return _match(tuple(normalise(expected)), tuple(normalise(got)))


def _match(expected: tuple[str, ...], got: tuple[str, ...]) -> bool:
    patterns = [_pattern(line) for line in expected]
    if all(isinstance(p, str) for p in patterns):
        return expected == got
    # ok[j]: do the patterns from the current one on match got[j:]? Built from the last
    # pattern back, one row at a time, so `...` lines cost O(lines), never backtracking.
    m = len(got)
    ok = [False] * m + [True]
    for pattern in reversed(patterns):
        row = [False] * (m + 1)
        if pattern is _WILD_LINES:
            row[m] = ok[m]
            for j in range(m - 1, -1, -1):
                row[j] = ok[j] or row[j + 1]
        else:
            for j in range(m - 1, -1, -1):
                row[j] = ok[j + 1] and _line_matches(pattern, got[j])
        ok = row
    return ok[0]


def _line_matches(pattern: object, line: str) -> bool:
    if isinstance(pattern, str):
        return pattern == line
    assert isinstance(pattern, re.Pattern)
    return pattern.fullmatch(line) is not None


@cache
def _pattern(line: str) -> object:
    if line.strip() == "...":
        return _WILD_LINES
    if "..." not in line:
        return line
    return re.compile(".*".join(re.escape(part) for part in line.split("...")), re.DOTALL)
