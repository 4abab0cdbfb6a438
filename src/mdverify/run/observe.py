"""A child's outcome and capture files -> one `Observation` per block that was to run.

A block with `Start` and `End` ran: its output is the slice between their offsets. A block
with only a `Start` is the one the process ended under: the watch's stop reason (or the
exit code, when the child ended by itself) says how, as an `Interruption` the report puts
in words. Blocks after it never started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.model import Halt, Interruption, Observation, Status
from mdverify.run.capture import decode_output
from mdverify.run.events import Done, End, Start
from mdverify.run.options import IDLE_LIMIT
from mdverify.run.watch import StopReason

if TYPE_CHECKING:
    from mdverify.run.capture import Capture, Slice
    from mdverify.run.request import Prepared
    from mdverify.run.watch import Outcome

__all__ = ["observations"]

_STOPPED = {
    StopReason.TIMEOUT: (Status.TIMEOUT, Halt.TIMEOUT),
    StopReason.IDLE: (Status.CRASHED, Halt.IDLE),
    StopReason.BUDGET: (Status.LIMIT, Halt.BUDGET),
}


def observations(prepared: Prepared, outcome: Outcome, capture: Capture) -> dict[int, Observation]:
    """What each chosen block of `prepared` did, from `outcome` and the capture files."""
    starts = {e.index: e for e in outcome.events if isinstance(e, Start)}
    ends = {e.index: e for e in outcome.events if isinstance(e, End)}
    clock = prepared.clock
    results: dict[int, Observation] = {}
    broken_at: int | None = None
    for example in prepared.chosen:
        index = example.index
        start = starts.get(index)
        end = ends.get(index)
        if start is None:
            results[index] = Observation(
                index,
                Status.NOT_RUN,
                interruption=Interruption(Halt.NOT_REACHED, line=broken_at),
                clock=clock,
            )
            continue
        if end is None:
            broken_at = example.line
            status, interruption = _interrupted(prepared, outcome, index)
            out = capture.text("out", start.out)
            results[index] = Observation(
                index,
                status,
                stdout=out.text,
                stderr=capture.text("err", start.err).text,
                interruption=interruption,
                clock=clock,
                truncated=out.truncated,
            )
            continue
        out = capture.text("out", start.out, end.out)
        results[index] = Observation(
            index,
            end.status,
            stdout=out.text,
            stderr=capture.text("err", start.err, end.err).text,
            segments=tuple((line, _chars(out, size)) for line, size in end.segments),
            calls=tuple(
                (line, col, _chars(out, before), _chars(out, after))
                for line, col, before, after in end.calls
            ),
            values=tuple((line, tuple(texts) if texts else None) for line, texts in end.values),
            error=end.error,
            error_line=end.error_line,
            elapsed=end.elapsed,
            clock=clock,
            truncated=out.truncated,
            tasks=end.tasks,
        )
    return results


def _chars(out: Slice, size: int) -> int:
    """How many characters of the block's stdout its first `size` bytes are."""
    return len(decode_output(out.kept[:size])) if size <= len(out.kept) else len(out.text)


def _interrupted(
    prepared: Prepared, outcome: Outcome, index: int
) -> tuple[Status, Interruption | None]:
    """How the block `index`, started and never ended, was cut short."""
    if outcome.stop is None:
        if outcome.events and isinstance(outcome.events[-1], Done):
            return Status.CRASHED, None
        return Status.CRASHED, Interruption(Halt.EXITED, code=outcome.code)
    status, halt = _STOPPED[outcome.stop]
    limit = {
        Halt.TIMEOUT: prepared.timeouts.get(index, IDLE_LIMIT),
        Halt.IDLE: IDLE_LIMIT,
        Halt.BUDGET: prepared.output_budget,
    }[halt]
    return status, Interruption(halt, limit=limit)
