"""An observation compared with its example's claims: `Verdict`, and the edits update mode makes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from mdverify.model.observation import Status

if TYPE_CHECKING:
    from mdverify.model.article import Example, OutputClaim, RaisesClaim, TimingClaim
    from mdverify.model.observation import Diagnostic, Observation

__all__ = ["Edit", "Mismatch", "RaisesFault", "RaisesMismatch", "TimingMismatch", "Verdict"]


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
    cell: int | None = None
    """The article line whose value `got` ends with: the block printed nothing, so its
    output was compared as a notebook cell shows it (`mdverify.article.cells`)."""


@dataclass(frozen=True)
class TimingMismatch:
    """A timing claim that the block's measured elapsed time does not honour."""

    claim: TimingClaim
    measured: float
    """Seconds, on the observation's clock."""
    reason: str
    """Why the measurement breaks the claim, tolerance included."""


class RaisesFault(Enum):
    """How a block broke what its article declares it raises (`mdverify.check.raises`)."""

    NOT_RAISED = "not-raised"
    """The block ran to its end."""
    DIFFERS = "differs"
    """It raised another exception, or the same with another message."""
    ELSEWHERE = "elsewhere"
    """It raised at another statement than the one the declaration is on."""


@dataclass(frozen=True)
class RaisesMismatch:
    """A declared exception the block did not raise as declared.

    The observation's `raised` says what it did raise, if anything.
    """

    claim: RaisesClaim
    fault: RaisesFault


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
    later, a branch not taken), and claims on statements after the one that raised as
    declared: not compared."""
    raised_as: RaisesClaim | None = None
    """The declaration the block's exception is: it stopped where its article says."""
    raises: RaisesMismatch | None = None
    """A declared exception the block did not raise as declared."""
    dated: tuple[OutputClaim, ...] = ()
    """Claims on a statement that prints a value of the clock or a pid
    (`Example.volatile_lines`) that differ from this run: what the writer's run printed,
    not compared."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """asyncio's diagnostics of the block that neither `allow` nor a stderr fence declares
    (`mdverify.check.diagnostics`): each fails the block."""

    @property
    def ran(self) -> bool:
        """True when the block ran to its end, or to the exception it declares."""
        return self.observation.status is Status.OK or self.raised_as is not None

    @property
    def passed(self) -> bool:
        """True when the block ran as declared, printed what it declares and kept to its timing."""
        return (
            self.ran
            and not self.mismatches
            and not self.timing
            and self.raises is None
            and not self.diagnostics
        )
