"""Declared output against printed output: the matching rules, in one place.

Line endings and trailing whitespace are normalised; `...` inside a line matches any text
on that line, and a line that is only `...` matches any number of lines (none included).
With `unordered`, the lines are a multiset: each declared line takes one printed line it
matches, in any order, and a `...` line takes any that are left.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["as_matched", "matches", "matches_unordered", "normalise"]

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


def matches_unordered(expected: str, got: str) -> bool:
    """Whether `got`'s lines, in any order, are those `expected` declares."""
    left = normalise(got)
    wild = False
    patterns = [_pattern(line) for line in normalise(expected)]
    # Lines written out first, so that an inline `...` does not take a line one of them needs.
    for pattern in sorted(patterns, key=lambda p: not isinstance(p, str)):
        if pattern is _WILD_LINES:
            wild = True
            continue
        found = next((i for i, line in enumerate(left) if _line_matches(pattern, line)), None)
        if found is None:
            return False
        del left[found]
    return wild or not left


# Aligning declared and printed lines for a diff costs O(lines x lines); past this, the
# diff shows the declared lines as written.
_MAX_CELLS = 1_000_000


def as_matched(expected: list[str], got: list[str]) -> list[str]:
    """`expected` as a diff against `got` shows it: what each wildcard matched, written out.

    A `...` line becomes the printed lines it covers (none: it disappears), and a line with
    an inline `...` that matches its printed line becomes that line, so that a diff marks
    only the lines that really differ. The alignment keeps the most declared lines.
    """
    patterns = [_pattern(line) for line in expected]
    n, m = len(expected), len(got)
    if all(isinstance(p, str) for p in patterns) or n * m > _MAX_CELLS:
        return expected
    steps = _replaced(_walk(patterns, got, _best(patterns, got)))
    return [expected[k] if step == "removed" else got[k] for step, k in steps if step != "added"]


def _walk(patterns: list[object], got: list[str], best: list[list[int]]) -> list[tuple[str, int]]:
    """One best alignment: (`matched`, `covered`, `added`, got line) or (`removed`, line)."""
    n, m = len(patterns), len(got)
    steps: list[tuple[str, int]] = []
    i = j = 0
    while i < n:
        here = best[i][j]
        if patterns[i] is _WILD_LINES:
            if j < m and best[i][j + 1] == here:
                steps.append(("covered", j))
                j += 1
            else:
                i += 1
        elif j < m and _line_matches(patterns[i], got[j]) and best[i + 1][j + 1] + 1 == here:
            steps.append(("matched", j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] == here:
            steps.append(("removed", i))
            i += 1
        else:
            steps.append(("added", j))
            j += 1
    return steps


def _replaced(steps: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """`steps` where lines a `...` covered just before unmatched declared lines are added.

    Those printed lines replaced the declared ones; the `...` does not stand for them.
    """
    steps = list(steps)
    for k, (step, _) in enumerate(steps):
        if step != "removed" or (k and steps[k - 1][0] == "removed"):
            continue
        removed = k
        while removed < len(steps) and steps[removed][0] == "removed":
            removed += 1
        back = k - 1
        for _ in range(removed - k):
            if back < 0 or steps[back][0] != "covered":
                break
            steps[back] = ("added", steps[back][1])
            back -= 1
    return steps


def _best(patterns: list[object], got: list[str]) -> list[list[int]]:
    """best[i][j]: the most of patterns[i:] that can match within got[j:], `...` always."""
    n, m = len(patterns), len(got)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        wild = patterns[i] is _WILD_LINES
        for j in range(m, -1, -1):
            here = best[i + 1][j] + (1 if wild else 0)
            if j < m:
                here = max(here, best[i][j + 1])
                if not wild and _line_matches(patterns[i], got[j]):
                    here = max(here, best[i + 1][j + 1] + 1)
            best[i][j] = here
    return best


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
