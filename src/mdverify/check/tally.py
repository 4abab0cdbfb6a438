"""What a session really verified: per block what was checked, summed over the session.

"Never pass a block without saying what was checked": a block that ran cleanly with no
output and no timing claim compared passes, and the session's count says so ("ran, nothing
compared"). Each block's `Checked` is plain data, so that it travels from an xdist worker
on its report; `Tally` sums them in the controlling process. `check.summary` words it.

A block that waited forever and was stopped with Ctrl-C, as a reader stops it (the virtual
clock's rule 5), ran: its output up to then was compared. The session counts it apart, by
whether it was serving, so that a writer sees which blocks never end on their own.

A `norun` block compiled and had its imports looked up, and nothing else: it did not run,
and what it declares was not compared. The session counts it apart ("compiled, not run"),
with the outputs and timing claims it left uncompared, never among the blocks that ran.

An environment failure is one the article's text cannot fix: a package not installed, a
host the article did not declare (mdverify runs examples offline), a file or service that
is not there. It still fails; the count tells a writer what to provide rather than fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mdverify.check.baseline import raised_name
from mdverify.model import Halt, Status

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.model import Verdict

__all__ = ["Checked", "Tally", "checked", "environment", "stopped"]

# The exception a block raised -> what the environment lacks.
_MISSING = {
    "ModuleNotFoundError": "missing package",
    "gaierror": "undeclared host",
    "ConnectionRefusedError": "missing service",
    "FileNotFoundError": "missing file",
}


@dataclass(frozen=True)
class Checked:
    """What one block's verdict compared; `to_wire`/`from_wire` carry it between processes."""

    outputs: int = 0
    """Declared outputs compared with what the block printed."""
    timings: int = 0
    """Timing claims compared with the measured time."""
    environment: str = ""
    """What the environment lacked, for a failure that says so; empty otherwise."""
    stopped: str = ""
    """Why the block was stopped with Ctrl-C (`stopped`), when it was; empty otherwise."""
    written: str = ""
    """The file a block that is a file was written to, when nothing ran it; empty otherwise."""
    compiled: bool = False
    """A `norun` block: compiled and its imports looked up, not run."""
    unrun_outputs: int = 0
    """`compiled`: the outputs it declares, none of them compared."""
    unrun_timings: int = 0
    """`compiled`: the timing claims it makes, none of them compared."""

    def to_wire(self) -> list[object]:
        """Plain data for a report."""
        return [
            self.outputs,
            self.timings,
            self.environment,
            self.stopped,
            self.written,
            self.compiled,
            self.unrun_outputs,
            self.unrun_timings,
        ]

    @staticmethod
    def from_wire(data: Sequence[object]) -> Checked:
        """What `to_wire` made."""
        outputs, timings, environment, stopped, written, compiled, unrun_o, unrun_t = data
        return Checked(
            int(str(outputs)),
            int(str(timings)),
            str(environment),
            str(stopped),
            str(written),
            compiled is True,
            int(str(unrun_o)),
            int(str(unrun_t)),
        )


def checked(verdict: Verdict) -> Checked:
    """What `verdict` compared: claims are compared only when the block ran to its end."""
    obs = verdict.observation
    ran, outputs, declared = verdict.ran, verdict.example.outputs, verdict.raised_as
    example = verdict.example
    if example.settings.norun:
        return Checked(
            environment=environment(verdict),
            compiled=True,
            unrun_outputs=len(outputs),
            unrun_timings=len(example.timings),
        )
    # Prose comments, claims on a print that never ran and the writer's clock values were
    # read, not compared; the exception the block raised as declared was (a bare
    # `# TypeError` is not also output).
    compared = len(outputs) - len(verdict.prose) - len(verdict.not_run) - len(verdict.dated)
    if declared is not None:
        compared += 1 - sum(declared.soft and c.line == declared.line for c in outputs)
    return Checked(
        outputs=compared if ran else 0,
        timings=len(verdict.example.timings) if ran and obs.elapsed is not None else 0,
        environment=environment(verdict),
        stopped=stopped(verdict),
        written=(example.writes or "") if not example.script else "",
    )


def stopped(verdict: Verdict) -> str:
    """Why the block was stopped with Ctrl-C, as a reader stops it; empty if it was not."""
    cut = verdict.observation.interruption
    if cut is None or cut.halt is not Halt.FOREVER:
        return ""
    return "waited forever while serving" if cut.serving else "waited forever"


def environment(verdict: Verdict) -> str:
    """What the environment lacked when the block failed because of it; else empty."""
    obs = verdict.observation
    if obs.status is not Status.RAISED or verdict.ran:
        return ""
    if obs.offline:
        return "undeclared host"
    return _MISSING.get(raised_name(obs), "")


@dataclass
class Tally:
    """The session's counts, summed from each block's report (a mutable accumulator)."""

    ran: int = 0
    """Blocks that ran (passed, failed or a known failure)."""
    with_outputs: int = 0
    outputs: int = 0
    with_timings: int = 0
    timings: int = 0
    nothing_compared: int = 0
    """Blocks that passed with no output and no timing claim compared."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Group of reasons (`mdverify.check.skips.skip_group`) -> blocks skipped for it."""
    environment: dict[str, int] = field(default_factory=dict)
    """What was missing -> blocks that failed for it."""
    baselined: int = 0
    """Failures reported as known, from the baseline."""
    stopped: dict[str, int] = field(default_factory=dict)
    """Why blocks were stopped with Ctrl-C (`stopped`) -> blocks stopped for it."""
    written: int = 0
    """Blocks that are files, written and not run (`Checked.written`): they ran nothing."""
    compiled: int = 0
    """`norun` blocks: compiled and their imports looked up, not run (passed or failed)."""
    unrun_outputs: int = 0
    unrun_timings: int = 0
    """The outputs and timing claims of those blocks, none compared."""

    def add_run(self, facts: Checked, *, passed: bool, baselined: bool = False) -> None:
        """Count a block that ran, one that only compiled, or a file written and not run."""
        if facts.environment and not passed:
            self.environment[facts.environment] = self.environment.get(facts.environment, 0) + 1
        self.baselined += baselined
        if facts.written and passed:
            self.written += 1
            return
        if facts.compiled:
            self.compiled += 1
            self.unrun_outputs += facts.unrun_outputs
            self.unrun_timings += facts.unrun_timings
            return
        self.ran += 1
        self.outputs += facts.outputs
        self.timings += facts.timings
        self.with_outputs += facts.outputs > 0
        self.with_timings += facts.timings > 0
        if passed and not facts.outputs and not facts.timings:
            self.nothing_compared += 1
        if facts.stopped:
            self.stopped[facts.stopped] = self.stopped.get(facts.stopped, 0) + 1

    def add_skip(self, group: str) -> None:
        """Count a block that did not run, on its group (`mdverify.check.skips.skip_group`)."""
        self.skipped[group] = self.skipped.get(group, 0) + 1
