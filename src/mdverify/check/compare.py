"""Observation vs claims -> `Verdict`.

The matching rules are `mdverify.check.matching`'s. A `#` comment claim is first read as a
value, as text or as prose (`mdverify.check.reading`): prose is not compared, and a value
that goes on in prose is compared by its value part. A `stderr` fence is compared with all
the block wrote to stderr, by the same rules; stderr is compared only where one declares
it. asyncio's diagnostics that the block does not declare fail it
(`mdverify.check.diagnostics`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal, Union

from mdverify.article.cells import CELL_KINDS
from mdverify.article.literal import literal
from mdverify.check.diagnostics import pasted, undeclared
from mdverify.check.filters import Filters
from mdverify.check.matching import matches, matches_unordered, normalise
from mdverify.check.raises import check_raised
from mdverify.check.reading import read_claim
from mdverify.check.tolerance import DEFAULT_TOLERANCE, Tolerance, check
from mdverify.model import (
    Example,
    Mismatch,
    Observation,
    OutputClaim,
    Status,
    TimingMismatch,
    Verdict,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.model import OutputFilter

__all__ = ["judge", "matches", "normalise"]

# Claims whose comment may be prose: read by `read_claim` before they are compared.
_READ = frozenset({"comment", "trailing"})
# Claims that stand on one statement: on one that reads the clock or a pid, a value that
# differs is the writer's run (`print(today.year)  # 2019`), not an error (`_dated`).
_ON_A_STATEMENT = frozenset({"comment", "trailing", "value", "arrow"})
_DIGITS = re.compile(r"\d+")


def judge(
    example: Example,
    observation: Observation,
    tolerance: Tolerance | None = None,
    filters: Sequence[OutputFilter] = (),
) -> Verdict:
    """Check every output and timing the example declares against what it did.

    `tolerance` applies to timing claims (and the `durations` filter); None uses the default
    of the observation's clock. `filters` are the session's, applied before the example's.
    """
    if example.settings.norun:
        # Compiled, its imports looked up, never run: nothing it declares can be compared.
        return Verdict(example, observation)
    return _judge_run(example, observation, tolerance, filters)


def _judge_run(
    example: Example,
    observation: Observation,
    tolerance: Tolerance | None,
    filters: Sequence[OutputFilter],
) -> Verdict:
    """`judge` for a block that ran."""
    raised_as, raises = check_raised(example, observation)
    diagnostics = undeclared(example, observation)
    if observation.status is not Status.OK and raised_as is None:
        return Verdict(example, observation, raises=raises, diagnostics=diagnostics)
    allowed = tolerance or DEFAULT_TOLERANCE[observation.clock]
    in_force = Filters((*filters, *example.settings.filters), allowed, example.volatile)
    how = _How(in_force, unordered=bool(example.settings.unordered))
    mismatches: list[Mismatch] = []
    prose: list[OutputClaim] = []
    dated: list[Mismatch] = []
    previous_end = 0
    claimed = _claimed_calls(example, observation)
    values = dict(observation.values)
    ran = {(line, col) for line, col, _, _ in observation.calls}
    not_run = [c for c in example.outputs if c.call is not None and c.call not in ran]
    outputs = example.outputs
    if raised_as is not None and observation.raised is not None:
        # A bare `# TypeError` is the declaration it matched, not also output.
        if raised_as.soft:
            outputs = tuple(c for c in outputs if c.line != raised_as.line)
            not_run = [c for c in not_run if c.line != raised_as.line]
        # As in a script, nothing after the statement that raised ran.
        stopped = observation.raised.statement or 0
        not_run += [c for c in outputs if stopped and (c.upto_line or 0) > stopped]
    for claim in outputs:
        if claim in not_run:
            continue
        if claim.kind == "value":
            outcome = _value(claim, values.get(claim.line, ()), how)
        else:
            got, cut = _claimed_output(claim, observation, previous_end, claimed)
            if claim.upto_line is not None:
                previous_end = _offset_after(observation, claim.upto_line)
            # Output that runs past the cut is not what the block printed: it can match no
            # declaration, not even one that an update wrote from it.
            outcome = _printed(claim, example, observation, values, (got, cut), how)
        if isinstance(outcome, Mismatch):
            (dated if _dated(outcome, example, how) else mismatches).append(outcome)
        elif outcome == _PROSE:
            prose.append(claim)
    timing = _timing(example, observation, tolerance)
    return Verdict(
        example,
        observation,
        tuple(mismatches),
        timing,
        tuple(prose),
        tuple(not_run),
        raised_as,
        raises,
        tuple(m.claim for m in dated),
        diagnostics,
    )


def _dated(mismatch: Mismatch, example: Example, how: _How) -> bool:
    """Whether `mismatch` is the writer's run, not an error.

    So it is when its claim stands on a statement that reads the clock or a pid and differs
    from what this run printed in numbers only (a year, a day, a pid:
    `print(today.year)  # 2019`); the other words on the line are still compared.
    """
    claim = mismatch.claim
    if claim.kind not in _ON_A_STATEMENT or not example.volatile_lines or mismatch.cut:
        return False
    line = claim.call[0] if claim.call is not None else (claim.upto_line or claim.line)
    if line not in example.volatile_lines:
        return False
    masked = replace(claim, expected=_DIGITS.sub("0", claim.expected))
    got = _DIGITS.sub("0", mismatch.got)
    if claim.kind == "value":
        return _value(masked, (got.removesuffix("\n"),), how) is None
    return _compare(masked, got, how, cut=False) is None


def _timing(
    example: Example, observation: Observation, tolerance: Tolerance | None
) -> tuple[TimingMismatch, ...]:
    if observation.elapsed is None:
        return ()
    allowed = tolerance or DEFAULT_TOLERANCE[observation.clock]
    found = []
    for claim in example.timings:
        reason = check(claim, observation.elapsed, allowed)
        if reason is not None:
            found.append(TimingMismatch(claim, observation.elapsed, reason))
    return tuple(found)


# A comment claim read as prose: not compared, and the verdict lists it.
_PROSE: Final = "prose"
Outcome = Union[Mismatch, Literal["prose"], None]  # noqa: UP007 -- a runtime alias on 3.10


@dataclass(frozen=True)
class _How:
    """How one block's declared and printed texts are compared besides the claim's kind."""

    filters: Filters
    unordered: bool

    def matches(self, declared: str, printed: str) -> bool:
        """Whether the filtered texts match, their lines in any order when `unordered`."""
        if self.unordered:
            return matches_unordered(declared, printed)
        return matches(declared, printed)


def _shown(claim: OutputClaim, got: str, declared: str, printed: str) -> tuple[str, str] | None:
    """The texts as filtered, when the filters changed either: what a diff shows."""
    return None if (declared, printed) == (claim.expected, got) else (declared, printed)


def _value(claim: OutputClaim, shown: tuple[str, ...] | None, how: _How) -> Outcome:
    """A bare expression's value against the literal its comment starts with.

    None shown (the value None, which a REPL does not show) makes the comment prose about
    what the call did (`items.append(4)  # [1, 2, 3, 4]`): not compared.
    """
    if shown is None:
        return _PROSE
    texts = [how.filters.apply(claim.expected, text) for text in shown]
    readings = [read_claim(declared, text) for declared, text in texts]
    if any(r.matched for r in readings) or not readings:
        return None
    compared = readings[0].compared
    same = normalise(compared) == normalise(texts[0][0])
    declared, printed = texts[0]
    got = shown[0] + "\n"
    filtered = _shown(claim, got, declared, printed + "\n")
    return Mismatch(claim, got, None if same else compared, shown=filtered)


def _printed(
    claim: OutputClaim,
    example: Example,
    observation: Observation,
    values: dict[int, tuple[str, ...] | None],
    printed: tuple[str, bool],
    how: _How,
) -> Outcome:
    """A claim on printed text against `printed` (the text, and whether it ran past the cut).

    A terminal's paste is compared without its lines of the block's diagnostics (`pasted`):
    the diff shows what was compared, and an update rewrites the fence as it was declared.
    """
    got, cut = printed
    seen = pasted(claim, observation)
    outcome = _as_cell(seen, example, values, got, how, _compare(seen, got, how, cut=cut))
    if isinstance(outcome, Mismatch) and seen is not claim:
        return replace(outcome, claim=claim, shown=outcome.shown or (seen.expected, got))
    return outcome


def _as_cell(
    claim: OutputClaim,
    example: Example,
    values: dict[int, tuple[str, ...] | None],
    got: str,
    how: _How,
    mismatch: Outcome,
) -> Outcome:
    """`mismatch` of a whole-block output, read again as a notebook cell shows the block.

    The cell shows what the block printed, then the value of its last line
    (`mdverify.article.cells`). A match passes. Otherwise the script's mismatch stands,
    unless the block printed nothing: then the writer plainly showed the cell's value, and
    the diff is against it.
    """
    if not isinstance(mismatch, Mismatch) or mismatch.cut:  # past a cut nothing is known
        return mismatch
    shown = None if example.display is None else values.get(example.display)
    if claim.kind not in CELL_KINDS or claim.upto_line is not None or not shown:
        return mismatch
    cell = f"{got}{shown[0]}\n"
    outcome = _compare(claim, cell, how, cut=False)
    if outcome is None or got:
        return None if outcome is None else mismatch
    return replace(outcome, cell=example.display) if isinstance(outcome, Mismatch) else outcome


def _same_literal(expected: str, got: str) -> bool:
    value, printed = literal(expected), literal(got)
    return value is not None and printed is not None and value == printed


def _compare(claim: OutputClaim, got: str, how: _How, *, cut: bool) -> Outcome:
    """A `Mismatch`, `_PROSE` for a comment read as prose, or None when `got` matches."""
    filtered = how.filters.apply(claim.expected, got)
    if claim.kind == "string" and not cut and _same_literal(*filtered):
        return None  # pytest-examples formats a long value over lines; the value is the same
    shown = _shown(claim, got, *filtered)
    if cut:
        # Past the cut nothing is known of what was printed: not even whether the comment
        # is prose about it.
        return Mismatch(claim, got, cut=True, shown=shown)
    if claim.kind not in _READ or (how.unordered and how.matches(*filtered)):
        return None if how.matches(*filtered) else Mismatch(claim, got, shown=shown)
    reading = read_claim(*filtered)
    if reading.style == "prose":
        return _PROSE
    if reading.matched:
        return None
    compared = reading.compared if reading.style == "value" else None
    if compared is not None and normalise(compared) == normalise(filtered[0]):
        compared = None
    return Mismatch(claim, got, compared, shown=shown)


def _claimed_calls(example: Example, observation: Observation) -> list[tuple[int, int]]:
    """The stdout ranges that print calls with a claim of their own wrote, in order."""
    keys = {claim.call for claim in example.outputs if claim.call is not None}
    return [(start, end) for line, col, start, end in observation.calls if (line, col) in keys]


def _claimed_output(
    claim: OutputClaim, observation: Observation, since: int, claimed: list[tuple[int, int]]
) -> tuple[str, bool]:
    """What the claim covers in stdout, and whether that runs past where stdout was cut."""
    if claim.stream == "stderr":
        return observation.stderr, observation.stderr_cut is not None
    kept = len(observation.stdout)
    if claim.call is not None:
        ranges = [(s, e) for line, col, s, e in observation.calls if (line, col) == claim.call]
        cut = observation.truncated and any(end >= kept for _, end in ranges)
        return "".join(observation.stdout[start:end] for start, end in ranges), cut
    if claim.upto_line is None:
        return observation.stdout, observation.truncated
    # What a print call's own claim declares is not also the statement's: a comment under
    # `main()` shows what the prints without a comment of their own wrote.
    found = _segment_end(observation, claim.upto_line)
    upto = kept if found is None else found
    parts, at = [], since
    for start, end in claimed:
        if start >= upto:
            break
        if end > at:
            parts.append(observation.stdout[at : max(at, start)])
            at = end
    parts.append(observation.stdout[at:upto] if at < upto else "")
    # A statement whose output ends past the cut has no segment (`run.observe`).
    return "".join(parts), found is None and observation.truncated


def _segment_end(observation: Observation, line: int) -> int | None:
    for end_line, offset in observation.segments:
        if end_line == line:
            return offset
    return None


def _offset_after(observation: Observation, line: int) -> int:
    found = _segment_end(observation, line)
    return len(observation.stdout) if found is None else found
