"""Which lines of a declared output to keep when it is rewritten, and which to replace.

Writers put `...` wildcards and hand-picked lines in their declared output; an update that
replaced the whole output would throw them away. So the old lines are aligned with what
the block printed, as an edit distance in which keeping a line that still matches is free,
replacing one in place is cheaper than dropping one, and a `...` line may cover any number
of printed lines at a small cost per line (so it does not swallow a line written out).
"""

from __future__ import annotations

from mdverify.check.compare import matches, normalise

__all__ = ["aligned"]

# Aligning old and new output costs O(old lines x new lines); past this, write the new
# output as it is rather than spend minutes keeping a few wildcard lines.
_MAX_ALIGNMENT_CELLS = 1_000_000
_DROP, _INSERT, _REPLACE, _COVER = 20, 10, 15, 1


def aligned(old: list[str], got_text: str) -> list[int | str]:
    """The new declared lines: an int keeps old line i as written, a str is a new line.

    Old lines that still match (literally, through an inline `...`, or a `...` line
    covering any number of lines) are kept; the fewest lines are replaced. Trailing blank
    lines, which never count when matching, are kept as they were.
    """
    got = normalise(got_text)
    kept_tail = len(old) - len(normalise("\n".join(old)))
    head = old[: len(old) - kept_tail]
    tail: list[int | str] = list(range(len(head), len(old)))
    if len(head) * len(got) > _MAX_ALIGNMENT_CELLS:
        return [*got, *tail]
    result = _align(head, got)
    texts = [head[i] if isinstance(i, int) else i for i in result]
    if not matches("\n".join(texts), got_text):  # never expected, but never write a lie
        return [*got, *tail]
    return [*result, *tail]


def _align(old: list[str], got: list[str]) -> list[int | str]:
    n, m = len(old), len(got)
    wild = [line.strip() == "..." for line in old]
    # cost[i][j]: cheapest way to make old[i:] declare got[j:]. Replacing a line in place is
    # cheaper than losing one the writer wrote, and a `...` line covering one more line
    # costs a little, so that it does not swallow a line that was written out before.
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        cost[n][j] = (m - j) * _INSERT
    for i in range(n - 1, -1, -1):
        cost[i][m] = cost[i + 1][m] if wild[i] else cost[i + 1][m] + _DROP
        for j in range(m - 1, -1, -1):
            best = min(cost[i + 1][j] + _DROP, cost[i][j + 1] + _INSERT)
            if wild[i]:
                best = min(best, cost[i + 1][j], cost[i][j + 1] + _COVER)
            elif matches(old[i], got[j]):
                best = min(best, cost[i + 1][j + 1])
            else:
                best = min(best, cost[i + 1][j + 1] + _REPLACE)
            cost[i][j] = best
    return _walk(cost, old, got, wild)


def _walk(
    cost: list[list[int]], old: list[str], got: list[str], wild: list[bool]
) -> list[int | str]:
    """Follow one cheapest path through `cost`: kept old lines (ints) and new lines (strs)."""
    n, m = len(old), len(got)
    result: list[int | str] = []
    i = j = 0
    while i < n or j < m:
        here = cost[i][j]
        if i < n and wild[i]:
            if not result or result[-1] != i:
                result.append(i)  # a `...` line is written once, however much it covers
            if j < m and here == cost[i][j + 1] + _COVER:
                j += 1
            else:
                i += 1
        elif i < n and j < m and here == cost[i + 1][j + 1] and matches(old[i], got[j]):
            result.append(i)
            i, j = i + 1, j + 1
        elif i < n and j < m and here == cost[i + 1][j + 1] + _REPLACE:
            result.append(got[j])
            i, j = i + 1, j + 1
        elif j < m and here == cost[i][j + 1] + _INSERT:
            result.append(got[j])
            j += 1
        else:
            i += 1  # old line i is dropped
    return result
