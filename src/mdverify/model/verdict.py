"""An observation compared with its example's claims: `Verdict`, and the edits update mode makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mdverify.model.observation import Status

if TYPE_CHECKING:
    from mdverify.model.article import Example, OutputClaim, TimingClaim
    from mdverify.model.observation import Observation

__all__ = ["Edit", "Mismatch", "TimingMismatch", "Verdict"]


@dataclass(frozen=True)
class Mismatch:
    """A declared output that the block's real output does not match."""

    claim: OutputClaim
    got: str
    compared: str | None = None
    """The part of the declaration that was compared when it is not all of it: the value
    of a comment that goes on in prose (`True` of `True, since n is 3`)."""
    cut: bool = False
    """The claimed output runs past where stdout was cut: `got` is only its beginning."""
    shown: tuple[str, str] | None = None
    """(declared, printed) as the output filters left them, when they changed either: what
    a diff shows. `got` stays what was printed, which an update writes."""


@dataclass(frozen=True)
class TimingMismatch:
    """A timing claim that the block's measured elapsed time does not honour."""

    claim: TimingClaim
    measured: float
    """Seconds, on the observation's clock."""
    reason: str
    """Why the measurement breaks the claim, tolerance included."""


@dataclass(frozen=True)
class Edit:
    """A declared output to replace with what its block really printed (update mode)."""

    example: Example
    claim: OutputClaim
    """One of `example.outputs`."""
    got: str
    """What the block printed for that claim."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing an observation with what its example claims."""

    example: Example
    observation: Observation
    mismatches: tuple[Mismatch, ...] = ()
    timing: tuple[TimingMismatch, ...] = ()
    prose: tuple[OutputClaim, ...] = ()
    """Comment claims read as prose, not as output (`check.reading`): not compared."""
    not_run: tuple[OutputClaim, ...] = ()
    """Claims on a print call that never ran while the block ran (a function called only
    later, a branch not taken): not compared."""

    @property
    def passed(self) -> bool:
        """True when the block ran cleanly, printed what it declares and kept to its timing."""
        return self.observation.status is Status.OK and not self.mismatches and not self.timing
