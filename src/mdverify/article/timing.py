"""Timing claims: the grammar that finds them (`mdverify.check.tolerance` checks them).

A claim is read from any comment in a block, or from an `elapsed=` directive:

* a duration after `takes` / `took`: `takes 2s`, `took 1.5 seconds`;
* a duration marked approximate: `~1s`, `about 2 seconds`, `roughly 500ms`, `around 3 s`,
  `approximately 1.5s`, `≈ 1s`;
* optionally followed, in the same comment, by `not N` durations: `(~1s, not 2s)`.

Units: `ms`, `millisecond(s)`, `s`, `sec(s)`, `second(s)`; decimals allowed. A bare duration
with no marker (`# Pauses for 3 seconds`) describes one call, not the block: it is not a
claim. A claim covers its whole block, from the first statement to the last.
"""

from __future__ import annotations

import io
import re
import tokenize

from mdverify.model import TimingClaim

__all__ = ["describe", "parse_duration", "timing_claims"]

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


def timing_claims(source: str, first_line: int) -> tuple[TimingClaim, ...]:
    """Timing claims in the comments of a block, with article line numbers."""
    if "#" not in source:
        return ()  # claims live in comments; tokenizing every block costs most of a parse
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return ()
    claims = []
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        match = _CLAIM.search(tok.string)
        if match is None:
            continue
        rest = tok.string[match.end() :]
        seconds = _seconds(match["n"], match["unit"])
        not_seconds = tuple(_seconds(m["n"], m["unit"]) for m in _NOT.finditer(rest))
        claims.append(
            TimingClaim(
                line=first_line + tok.start[0] - 1,
                text=describe(seconds, not_seconds),
                seconds=seconds,
                not_seconds=not_seconds,
            )
        )
    return tuple(claims)


def describe(seconds: float, not_seconds: tuple[float, ...] = ()) -> str:
    """A claim as reports spell it: `~1s, not 2s`."""
    return f"~{seconds:g}s" + "".join(f", not {n:g}s" for n in not_seconds)


def _seconds(number: str, unit: str) -> float:
    value = float(number)
    return value / 1000 if unit.lower().startswith("m") else value
