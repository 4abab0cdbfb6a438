"""Timing claims: the grammar that finds them and the rule that checks them.

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
from dataclasses import dataclass

from mdverify.model import ClockName, TimingClaim

__all__ = ["Tolerance", "check", "describe", "parse_duration", "timing_claims"]

_UNIT = r"(?P<unit>ms|milliseconds?|s|secs?|seconds?)\b"
_NUMBER = r"(?P<n>\d+(?:\.\d+)?)"
_CLAIM = re.compile(
    rf"(?:(?P<verb>\btakes?|\btook)\s+(?P<approx1>~|≈|about|roughly|around|approximately)?"
    rf"|(?P<approx2>~|≈|\babout|\broughly|\baround|\bapproximately))\s*{_NUMBER}\s*{_UNIT}",
    re.IGNORECASE,
)
_NOT = re.compile(rf"\bnot\s*(?:~|≈|about|roughly)?\s*{_NUMBER}\s*{_UNIT}", re.IGNORECASE)
_DURATION = re.compile(rf"\s*(?:~|≈)?\s*{_NUMBER}\s*{_UNIT}\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Tolerance:
    """How far a measurement may be from a claim: the larger of a fraction and seconds."""

    relative: float
    absolute: float

    def margin(self, claimed: float) -> float:
        """How far from `claimed` a measurement may be."""
        return max(self.relative * claimed, self.absolute)

    def allows(self, claimed: float, measured: float) -> bool:
        """Whether `measured` is within tolerance of `claimed`."""
        # The epsilon keeps a claim of 1s with a 0.1s margin honouring exactly 1.1s.
        return abs(measured - claimed) <= self.margin(claimed) + 1e-9

    def describe(self) -> str:
        """The tolerance as a writer reads it, in the syntax `parse` accepts."""
        return f"{self.relative * 100:g}%,{self.absolute:g}s"

    @classmethod
    def parse(cls, text: str, default: Tolerance) -> Tolerance:
        """`10%`, `0.2s`, `10%,0.2s` (the larger wins); a missing part keeps `default`'s."""
        relative, absolute = default.relative, default.absolute
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts or len(parts) > 2:
            raise ValueError(f"not a tolerance: {text!r} (write e.g. 10%, 0.2s or 10%,0.2s)")
        for part in parts:
            if part.endswith("%"):
                try:
                    relative = float(part[:-1]) / 100
                except ValueError:
                    raise ValueError(f"not a percentage: {part!r}") from None
            else:
                absolute = parse_duration(part)
            if relative < 0:
                raise ValueError(f"a tolerance cannot be negative: {part!r}")
        return cls(relative, absolute)


# Virtual time is exact, so its tolerance only absorbs rounding in how writers speak
# ("~1s" for 1.05 s). Real time also absorbs scheduler noise on a loaded CI machine.
DEFAULT_TOLERANCE: dict[ClockName, Tolerance] = {
    "virtual": Tolerance(relative=0.10, absolute=0.05),
    "real": Tolerance(relative=0.25, absolute=0.25),
}


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


def check(claim: TimingClaim, measured: float, tolerance: Tolerance) -> str | None:
    """None when the measurement honours the claim, else what is wrong with it."""
    if not tolerance.allows(claim.seconds, measured):
        return (
            f"{measured:.3f}s is more than {tolerance.margin(claim.seconds):.3g}s away from the "
            f"claimed {claim.seconds:g}s (tolerance {tolerance.describe()})"
        )
    for wrong in claim.not_seconds:
        if tolerance.allows(wrong, measured):
            return (
                f"{measured:.3f}s is within {tolerance.margin(wrong):.3g}s of {wrong:g}s, which "
                f"the claim rules out (tolerance {tolerance.describe()})"
            )
    return None


def _seconds(number: str, unit: str) -> float:
    value = float(number)
    return value / 1000 if unit.lower().startswith("m") else value
