"""The session summary in words: the `mdverify:` lines at the end of a run.

`check.report` words each block's report; this module, the lines about the whole session:
the outcomes, what was really checked (`mdverify.check.tally`) and the baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.check.tally import Tally

__all__ = ["baseline_lines", "outcome_line", "tally_lines"]


def outcome_line(counts: Mapping[str, int]) -> str | None:
    """`mdverify: 12 blocks passed, 1 failed`: the session's blocks by outcome, if any."""
    if not counts:
        return None
    rest = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if outcome != "passed")
    passed = counts.get("passed", 0)
    blocks = "block" if passed == 1 else "blocks"
    return f"mdverify: {passed} {blocks} passed" + (f", {rest}" if rest else "")


def tally_lines(tally: Tally) -> list[str]:
    """The session summary's account of what was really checked (`mdverify.check.tally`)."""
    if not tally.ran and not tally.skipped and not tally.written and not tally.compiled:
        return []
    ran = (
        f"mdverify: {_count(tally.ran, 'block')} ran: "
        f"{tally.with_outputs} with output compared ({_count(tally.outputs, 'output')}), "
        f"{tally.with_timings} with timing checked ({_count(tally.timings, 'claim')}), "
        f"{tally.nothing_compared} passed with nothing compared"
    )
    lines = [ran]
    if tally.written:
        lines.append(f"mdverify: {_count(tally.written, 'block')} written to a file, not run")
    if tally.compiled:
        lines.append(_compiled(tally))
    stopped = (
        f"{_count(sum(tally.stopped.values()), 'block')} stopped with Ctrl-C, as a reader would"
    )
    for title, groups in (
        (stopped, tally.stopped),
        (f"{_count(sum(tally.skipped.values()), 'block')} skipped", tally.skipped),
        (_count(sum(tally.environment.values()), "environment failure"), tally.environment),
    ):
        if groups:
            lines.append(f"mdverify: {title}:")
            ordered = sorted(groups.items(), key=lambda item: (-item[1], item[0]))
            lines.extend(f"  {n} x {reason}" for reason, n in ordered)
    if tally.baselined:
        lines.append(f"mdverify: {_count(tally.baselined, 'known failure')}, from the baseline")
    return lines


def _compiled(tally: Tally) -> str:
    """`mdverify: 2 blocks compiled, not run (norun): 3 declared outputs not compared`."""
    line = f"mdverify: {_count(tally.compiled, 'block')} compiled, not run (norun)"
    unrun = [
        *([_count(tally.unrun_outputs, "declared output")] if tally.unrun_outputs else []),
        *([_count(tally.unrun_timings, "timing claim")] if tally.unrun_timings else []),
    ]
    return f"{line}: {' and '.join(unrun)} not compared" if unrun else line


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def baseline_lines(
    path: str, *, passing: int, gone: int, entries: int, added: int, write: bool, written: bool
) -> list[str]:
    """The session summary's account of the baseline (`mdverify.check.baseline`)."""
    if write and not written:
        return [f"mdverify: baseline {path} not written: it changed on disk during the session"]
    if write:
        pruned = f"{passing} now passing and {gone} vanished pruned"
        known = _count(entries, "known failure")
        return [f"mdverify: baseline {path} written: {known} ({added} new or changed, {pruned})"]
    lines = []
    if passing:
        lines.append(
            f"mdverify: {_count(passing, 'baselined block')} now "
            f"{'pass' if passing > 1 else 'passes'}: --mdverify-baseline-write prunes "
            f"{'them' if passing > 1 else 'it'} from {path}"
        )
    if gone:
        lines.append(
            f"mdverify: {gone} {'entry' if gone == 1 else 'entries'} of the baseline {path} "
            f"{'names a block' if gone == 1 else 'name blocks'} no longer there (edited or "
            "removed): --mdverify-baseline-write prunes them"
        )
    return lines
