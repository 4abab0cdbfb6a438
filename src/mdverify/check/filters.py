"""Filters applied to declared and printed output alike, before they are compared.

The filters in force for a block are the session's, then the article's, then the block's
(`mdverify.article.filters` reads them); a `none` drops those before it. Each regex filter
rewrites both texts with `re.sub`. The `durations` preset instead pairs the durations of
the two texts in order, and where a declared one is within the tolerance of the printed
one it is written as printed: `took 2.0031 s` declares the `took 2.0 s` of the virtual
clock, and `took 5 s` still fails against it. What is shown in a failure's diff is the
filtered text; update mode writes the output as printed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from mdverify.article.filters import CONDITIONAL
from mdverify.check.tolerance import Tolerance

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mdverify.model import OutputFilter

__all__ = ["Filters"]

_NUMBER = r"(?P<n>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
_UNITS = {
    "ns": 1e-9,
    "nanosecond": 1e-9,
    "nanoseconds": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "microsecond": 1e-6,
    "microseconds": 1e-6,
    "ms": 1e-3,
    "millisecond": 1e-3,
    "milliseconds": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "segundo": 1.0,
    "segundos": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
}
# Words after which a bare number is a measured time (`Elapsed: 2.0031`, `Tiempo usado: 2.0`).
_TIME_WORDS = r"took|elapsed|time|timed|duration|tiempo|tempo|temps|dauer|zeit"
_DURATION = re.compile(
    rf"(?<![\w.]){_NUMBER}\s?(?P<unit>{'|'.join(sorted(_UNITS, key=len, reverse=True))})\b"
    rf"|(?i:\b(?:{_TIME_WORDS})\b)[^\d\n]{{0,30}}?(?<![\w.]){_NUMBER.replace('<n>', '<bare>')}"
    r"(?![\w.])"
)


class Filters:
    """The filters in force for one block, ready to apply to a declared and a printed text."""

    def __init__(
        self,
        filters: Iterable[OutputFilter],
        tolerance: Tolerance,
        volatile: frozenset[str] = frozenset(),
    ) -> None:
        """Those of `filters` after the last `none`; `durations` defaults to `tolerance`.

        `volatile` is what the block's code reads (`mdverify.model.Example.volatile`): a
        conditional preset (`wall_clock`, `pids`) applies only where it reads its kind.
        """
        kept: list[OutputFilter] = []
        for item in filters:
            kept = [] if item.name == "none" else [*kept, item]
        subs: list[tuple[str, str]] = []
        for item in kept:
            if item.pattern:
                subs.append((item.pattern, item.replacement))
            elif item.name in CONDITIONAL and CONDITIONAL[item.name][0] in volatile:
                subs.extend(CONDITIONAL[item.name][1])
        self._subs = [(_compiled(pattern), replacement) for pattern, replacement in subs]
        self._versions = any(f.name == "versions" for f in kept)
        durations = [f for f in kept if f.name == "durations"]
        self._tolerance: Tolerance | None = None
        if durations:
            stated = durations[-1].tolerance
            self._tolerance = tolerance if stated is None else Tolerance.parse(stated, tolerance)

    def apply(self, declared: str, printed: str) -> tuple[str, str]:
        """`declared` and `printed` as compared: each filter applied to both, in order."""
        for pattern, replacement in self._subs:
            declared = pattern.sub(replacement, declared)
            printed = pattern.sub(replacement, printed)
        if self._tolerance is not None:
            declared = _durations(declared, printed, self._tolerance)
        if self._versions:
            declared = _versions(declared, printed)
        return declared, printed


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _durations(declared: str, printed: str, tolerance: Tolerance) -> str:
    """`declared` with each duration close enough to its printed twin written as printed."""
    shown = list(_DURATION.finditer(printed))
    parts, at = [], 0
    for match, twin in zip(_DURATION.finditer(declared), shown, strict=False):
        claimed, measured = _seconds(match), _seconds(twin)
        if claimed is None or measured is None or not tolerance.allows(claimed, measured):
            continue
        group = "n" if match["n"] is not None else "bare"
        parts.append(declared[at : match.start(group)])
        parts.append(twin["n"] or twin["bare"])
        at = match.end(group)
        if match["unit"] is not None and twin["unit"] is not None:
            parts.append(declared[at : match.start("unit")] + twin["unit"])
            at = match.end("unit")
    parts.append(declared[at:])
    return "".join(parts)


# A version as a whole segment of a URL's path: `https://errors.pydantic.dev/2.14/v/missing`.
_URL_VERSION = re.compile(
    r"(?P<url>https?://[^\s/]+(?:/[^\s/]+)*?/)(?P<v>v?\d+(?:\.\d+)*)(?=/|\s|$)", re.MULTILINE
)


def _versions(declared: str, printed: str) -> str:
    """`declared` with each URL version that starts its printed twin written as printed.

    The twins are paired in order; `2` stands for `2.14` (a docs site's major-version
    link), `2.1` does not stand for `2.14`, nor `3` for `2.14`.
    """
    shown = list(_URL_VERSION.finditer(printed))
    parts, at = [], 0
    for match, twin in zip(_URL_VERSION.finditer(declared), shown, strict=False):
        short, full = match["v"], twin["v"]
        if match["url"] != twin["url"] or not full.startswith(f"{short}."):
            continue
        parts.append(declared[at : match.start("v")] + full)
        at = match.end("v")
    parts.append(declared[at:])
    return "".join(parts)


def _seconds(match: re.Match[str]) -> float | None:
    if match["n"] is not None:
        return float(match["n"]) * _UNITS[match["unit"]]
    return float(match["bare"])
