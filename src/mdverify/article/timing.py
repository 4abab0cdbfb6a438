"""The timing-claim grammar: which comments and directive values promise a block's duration.

A claim is read from a comment of a block, or from an `elapsed=` directive:

* a duration after `takes` / `took`: `takes 2s`, `took 1.5 seconds`;
* a duration marked approximate: `~1s`, `about 2 seconds`, `roughly 500ms`, `around 3 s`,
  `approximately 1.5s`, `≈ 1s`;
* optionally followed, in the same comment, by `not N` durations: `(~1s, not 2s)`.

Units: `ms`, `millisecond(s)`, `s`, `sec(s)`, `second(s)`; decimals allowed. A bare duration
with no marker (`# Pauses for 3 seconds`) describes one call, not the block: it is not a
claim. A claim covers its whole block, from the first statement to the last.

A comment is a timing claim or declared output, never both: a comment that is output by its
form (trailing a one-line `print`, or a `#>` line; see `mdverify.article.claims`) is not
read here, and any other comment this grammar matches is never output. Whether a measurement
honours a claim is decided in `mdverify.check.tolerance`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mdverify.model import TimingClaim

if TYPE_CHECKING:
    from collections.abc import Container

    from mdverify.article.syntax import BlockSyntax

__all__ = ["directive_claim", "is_claim", "parse_duration", "timing_claims"]

_UNIT = r"(?P<unit>ms|milliseconds?|s|secs?|seconds?)\b"
_NUMBER = r"(?P<n>\d+(?:\.\d+)?)"
_CLAIM = re.compile(
    rf"(?:(?P<verb>\btakes?|\btook)\s+(?P<approx1>~|≈|about|roughly|around|approximately)?"
    rf"|(?P<approx2>~|≈|\babout|\broughly|\baround|\bapproximately))\s*{_NUMBER}\s*{_UNIT}",
    re.IGNORECASE,
)
_NOT = re.compile(rf"\bnot\s*(?:~|≈|about|roughly)?\s*{_NUMBER}\s*{_UNIT}", re.IGNORECASE)
_DURATION = re.compile(rf"\s*(?:~|≈)?\s*{_NUMBER}\s*{_UNIT}\s*", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """`1.5s`, `~500ms`, `2 seconds` -> seconds; ValueError for anything else."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (write e.g. 1.5s or 500ms)")
    return _seconds(match["n"], match["unit"])


def is_claim(comment: str) -> bool:
    """Whether the text of a comment makes a timing claim."""
    return _CLAIM.search(comment) is not None


def timing_claims(block: BlockSyntax, output_lines: Container[int]) -> tuple[TimingClaim, ...]:
    """The timing claims in a block's comments, except those on `output_lines`.

    `output_lines` are the article lines of declared output: a comment there is output.
    """
    claims = []
    for comment in block.comments:
        line = block.article_line(comment.line)
        match = _CLAIM.search(comment.text)
        if match is None or line in output_lines:
            continue
        rest = comment.text[match.end() :]
        seconds = _seconds(match["n"], match["unit"])
        not_seconds = tuple(_seconds(m["n"], m["unit"]) for m in _NOT.finditer(rest))
        written = comment.text.lstrip("#").strip()
        claims.append(
            TimingClaim(line, _describe(seconds, not_seconds), seconds, not_seconds, written)
        )
    return tuple(claims)


def directive_claim(line: int, seconds: float, not_seconds: tuple[float, ...]) -> TimingClaim:
    """The claim of an `elapsed=~1s not=2s` directive at article line `line`."""
    return TimingClaim(line, _describe(seconds, not_seconds), seconds, not_seconds)


def _describe(seconds: float, not_seconds: tuple[float, ...] = ()) -> str:
    """A claim as reports spell it: `~1s, not 2s`."""
    return f"~{seconds:g}s" + "".join(f", not {n:g}s" for n in not_seconds)


def _seconds(number: str, unit: str) -> float:
    value = float(number)
    return value / 1000 if unit.lower().startswith("m") else value
