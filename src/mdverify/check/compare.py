"""Observation vs claims -> `Verdict`.

Matching rules: line endings and trailing whitespace are normalised; `...` inside a line
matches any text on that line, and a line that is only `...` matches any number of lines
(none included).
"""

from __future__ import annotations

import re
from functools import cache

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

__all__ = ["judge", "matches", "normalise"]

_WILD_LINES = object()


def judge(
    example: Example, observation: Observation, tolerance: Tolerance | None = None
) -> Verdict:
    """Check every output and timing the example declares against what it did.

    `tolerance` applies to timing claims; None uses the default of the observation's clock.
    """
    if observation.status is not Status.OK:
        return Verdict(example, observation)
    timing = []
    if observation.elapsed is not None:
        allowed = tolerance or DEFAULT_TOLERANCE[observation.clock]
        for timing_claim in example.timings:
            reason = check(timing_claim, observation.elapsed, allowed)
            if reason is not None:
                timing.append(TimingMismatch(timing_claim, observation.elapsed, reason))
    mismatches = []
    previous_end = 0
    for claim in example.outputs:
        end = _end(claim, observation)
        got = observation.stdout[previous_end if claim.upto_line is not None else 0 : end]
        if claim.upto_line is not None:
            previous_end = len(observation.stdout) if end is None else end
        # Output that runs past the cut is not what the block printed: it can match no
        # declaration, not even one that an update wrote from it.
        cut = end is None and observation.truncated
        if cut or not matches(claim.expected, got):
            mismatches.append(Mismatch(claim, got, cut=cut))
    return Verdict(example, observation, tuple(mismatches), tuple(timing))


def _end(claim: OutputClaim, observation: Observation) -> int | None:
    """Where the claim's output ends in stdout; None: at the end of what was kept."""
    if claim.upto_line is not None:
        for end_line, offset in observation.segments:
            if end_line == claim.upto_line:
                return offset
    return None


def normalise(text: str) -> list[str]:
    """Split output into lines: CRLF as LF, no trailing whitespace, no trailing blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(expected: str, got: str) -> bool:
    """Whether `got` is what `expected` declares, `...` wildcards included."""
    return _match(tuple(normalise(expected)), tuple(normalise(got)))


def _match(expected: tuple[str, ...], got: tuple[str, ...]) -> bool:
    patterns = [_pattern(line) for line in expected]
    if all(isinstance(p, str) for p in patterns):
        return expected == got
    # ok[j]: do the patterns from the current one on match got[j:]? Built from the last
    # pattern back, one row at a time, so `...` lines cost O(lines), never backtracking.
    m = len(got)
    ok = [False] * m + [True]
    for pattern in reversed(patterns):
        row = [False] * (m + 1)
        if pattern is _WILD_LINES:
            row[m] = ok[m]
            for j in range(m - 1, -1, -1):
                row[j] = ok[j] or row[j + 1]
        else:
            for j in range(m - 1, -1, -1):
                row[j] = ok[j + 1] and _line_matches(pattern, got[j])
        ok = row
    return ok[0]


def _line_matches(pattern: object, line: str) -> bool:
    if isinstance(pattern, str):
        return pattern == line
    assert isinstance(pattern, re.Pattern)
    return pattern.fullmatch(line) is not None


@cache
def _pattern(line: str) -> object:
    if line.strip() == "...":
        return _WILD_LINES
    if "..." not in line:
        return line
    return re.compile(".*".join(re.escape(part) for part in line.split("...")), re.DOTALL)
