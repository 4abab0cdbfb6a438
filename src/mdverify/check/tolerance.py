"""How far a measured duration may be from a claimed one, and the rule that checks a claim.

The claims themselves are read by `mdverify.article.timing`; this is the judging side. The
tolerance is the larger of a fraction of the claim and a number of seconds, so that a short
claim is not held to an impossible absolute precision and a long one not to a loose one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mdverify.article.timing import parse_duration

if TYPE_CHECKING:
    from mdverify.model import ClockName, TimingClaim

__all__ = ["DEFAULT_TOLERANCE", "Tolerance", "check"]


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
            if not math.isfinite(relative) or not math.isfinite(absolute):
                raise ValueError(f"a tolerance must be finite: {part!r}")
        return cls(relative, absolute)


# Virtual time is exact, so its tolerance only absorbs rounding in how writers speak
# ("~1s" for 1.05 s). Real time also absorbs scheduler noise on a loaded CI machine.
DEFAULT_TOLERANCE: dict[ClockName, Tolerance] = {
    "virtual": Tolerance(relative=0.10, absolute=0.05),
    "real": Tolerance(relative=0.25, absolute=0.25),
}


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
