"""A child's outcome and capture files -> one `Observation` per block that was to run.

A block with `Start` and `End` ran: its output is the slice between their offsets. A block
with only a `Start` is the one the process ended under: the watch's stop reason (or the
exit code, when the child ended by itself) says how, as an `Interruption` the report puts
in words. An isolated block whose own process ended under it has an `End` with that
process's exit code (`End.exited`, `mdverify.run.alone`): only it was cut short. Blocks
after a process's end never started: each carries that interruption as its `cause`, so
its skip names the block that ended the process and how. A block the child stopped because
it waited forever (a `Forever` event in it) ran to its end: its interruption says so, with
the servers it was listening on at that moment. What the server checks found
(`mdverify.run.servecheck`) then makes a block that serves a SERVE failure.

asyncio's diagnostics (`mdverify.run.leaks`) go to the block that made their object, by
its line; those of no block's making to the block that gave them, and those the article's
end gave to its last block that ran, whose stderr then ends with what the end wrote, as a
reader's run of the article ends. In stderr the article's own path reads as reports name
the article (`docs/intro.md:12: RuntimeWarning: ...`): the same on every machine.
"""

from __future__ import annotations

import ast
import traceback
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.model import Halt, Interruption, Observation, Status, beside
from mdverify.run.capture import decode_output
from mdverify.run.events import (
    Accepted,
    Closed,
    Done,
    End,
    Forever,
    Leftover,
    Listening,
    Offline,
    Start,
)
from mdverify.run.options import IDLE_LIMIT
from mdverify.run.servecheck import apply

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from mdverify.model import Diagnostic, Example
    from mdverify.run.capture import Capture, Slice
    from mdverify.run.events import Event
    from mdverify.run.request import Prepared
    from mdverify.run.watch import Outcome

__all__ = ["not_run", "observations"]

_STOPPED = {Halt.TIMEOUT: Status.TIMEOUT, Halt.IDLE: Status.CRASHED, Halt.BUDGET: Status.LIMIT}
"""The status of the block the parent stopped, by why it stopped the child."""


def observations(prepared: Prepared, outcome: Outcome, capture: Capture) -> dict[int, Observation]:
    """What each chosen block of `prepared` did, from `outcome` and the capture files."""
    starts = {e.index: e for e in outcome.events if isinstance(e, Start)}
    refused = _refused(outcome)
    forever = _forever(outcome)
    ends = {e.index: e for e in outcome.events if isinstance(e, End)}
    clock = prepared.clock
    results: dict[int, Observation] = {}
    broken_at: int | None = None
    cause: Interruption | None = None
    for example in prepared.chosen:
        index = example.index
        start = starts.get(index)
        end = ends.get(index)
        if start is None:
            # Never run, but a syntax error is a defect whatever ran before: report it.
            broken = _syntax_error(prepared, example) if cause is not None else None
            if broken is not None:
                results[index] = broken
                continue
            results[index] = Observation(
                index,
                Status.NOT_RUN,
                interruption=Interruption(Halt.NOT_REACHED, line=broken_at, cause=cause),
                clock=clock,
            )
            continue
        if end is None:
            broken_at = example.line
            status, interruption = _interrupted(prepared, outcome, index)
            cause = interruption
            out, err = capture.text("out", start.out), capture.text("err", start.err)
            results[index] = Observation(
                index,
                status,
                stdout=out.text,
                stderr=err.text,
                interruption=interruption,
                clock=clock,
                stdout_cut=out.cut,
                stderr_cut=err.cut,
            )
            continue
        out, err = capture.text("out", start.out, end.out), capture.text("err", start.err, end.err)
        results[index] = Observation(
            index,
            end.status,
            stdout=out.text,
            stderr=err.text,
            # A statement whose output ends past the cut has no segment: its end is unknown.
            segments=tuple(
                (line, _chars(out, size)) for line, size in end.segments if size <= len(out.kept)
            ),
            calls=tuple(
                (line, col, _chars(out, before), _chars(out, after))
                for line, col, before, after in end.calls
            ),
            values=tuple((line, tuple(texts) if texts else None) for line, texts in end.values),
            error=end.error,
            error_line=end.error_line,
            raised=end.raised,
            asked_input=end.asked_input,
            elapsed=end.elapsed,
            clock=clock,
            stdout_cut=out.cut,
            stderr_cut=err.cut,
            tasks=end.tasks,
            offline=refused.get(index, ()),
            interruption=_exited(end) or forever.get(index),
        )
    results = _diagnosed(prepared, outcome, capture, results, ends)
    path, display = prepared.request["path"], prepared.request["display"]
    if path != display:
        results = {
            i: replace(o, stderr=o.stderr.replace(path, display)) for i, o in results.items()
        }
    return apply(results, outcome.checks)


def _diagnosed(
    prepared: Prepared,
    outcome: Outcome,
    capture: Capture,
    results: dict[int, Observation],
    ends: dict[int, End],
) -> dict[int, Observation]:
    """`results` with each diagnostic on its block, and the article's end on the last one."""
    ran = [e for e in prepared.chosen if e.index in ends]
    if not ran:
        return results
    last = ran[-1].index
    found: list[Diagnostic] = [d for end in ends.values() for d in end.diagnostics]
    leftover = next((e for e in outcome.events if isinstance(e, Leftover)), None)
    if leftover is not None:
        found.extend(leftover.diagnostics)
        tail = capture.text("err", ends[last].err, leftover.err).text
        if tail:
            results[last] = replace(results[last], stderr=results[last].stderr + tail)
    owners: dict[int, list[Diagnostic]] = {}
    for diagnostic in found:
        owner = _maker(ran, diagnostic.line)
        if owner is None:
            owner = diagnostic.block if diagnostic.block in ends else last
        owners.setdefault(owner, []).append(diagnostic)
    for index, own in owners.items():
        results[index] = replace(results[index], diagnostics=tuple(own))
    return results


def _maker(examples: Sequence[Example], line: int | None) -> int | None:
    """The block whose code holds article line `line`."""
    if line is None:
        return None
    for example in examples:
        if example.code_line <= line < example.code_line + len(example.source.splitlines()):
            return example.index
    return None


def _syntax_error(prepared: Prepared, example: Example) -> Observation | None:
    """A block the process never reached, failed as the child would if it does not compile."""
    if example.kind != "python":
        return None
    display = prepared.request["display"]
    if example.file is not None:
        display = beside(display, example.file)
    try:
        source = "\n" * (example.code_line - 1) + example.source
        # As the child compiles it: top-level `await` is the reader's, not an error.
        compile(source, display, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as err:
        text = "".join(traceback.format_exception_only(type(err), err))
        return Observation(
            example.index, Status.RAISED, error=text, error_line=err.lineno, clock=prepared.clock
        )
    return None


def _refused(outcome: Outcome) -> dict[int, tuple[str, ...]]:
    """The undeclared hosts each block tried, in order, each once."""
    refused: dict[int, dict[str, None]] = {}
    running: int | None = None
    for event in outcome.events:
        if isinstance(event, Start):
            running = event.index
        elif isinstance(event, Offline):
            index = event.block if event.block >= 0 else running
            if index is not None:
                refused.setdefault(index, {})[event.host] = None
    return {index: tuple(hosts) for index, hosts in refused.items()}


def _forever(outcome: Outcome) -> dict[int, Interruption]:
    """The blocks stopped because they waited forever, with what each was serving then."""
    stopped: dict[int, Interruption] = {}
    running: int | None = None
    for n, event in enumerate(outcome.events):
        if isinstance(event, Start):
            running = event.index
        elif isinstance(event, Forever) and running is not None:
            serving, connected = _serving(outcome.events[:n])
            stopped[running] = Interruption(Halt.FOREVER, serving=serving, connected=connected)
    return stopped


def _exited(end: End) -> Interruption | None:
    """How the fresh process of an isolated block that ended under it ended, if it did."""
    return None if end.exited is None else Interruption(Halt.EXITED, code=end.exited)


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
    halt = outcome.stop
    limit = {
        Halt.TIMEOUT: prepared.timeouts.get(index, IDLE_LIMIT),
        Halt.IDLE: IDLE_LIMIT,
        Halt.BUDGET: prepared.output_budget,
    }[halt]
    status = _STOPPED[halt]
    if halt is Halt.TIMEOUT:
        serving, connected = _serving(outcome.events)
        return status, Interruption(halt, limit=limit, serving=serving, connected=connected)
    return status, Interruption(halt, limit=limit)


def _serving(events: Sequence[Event]) -> tuple[tuple[str, ...], bool]:
    """The servers still listening when the child was stopped, and whether any was reached.

    A server started in an earlier block counts too: the block may be the one that waits
    on it (`await server.serve_forever()`).
    """
    listening: dict[int, str] = {}
    reached: set[int] = set()
    for event in events:
        if isinstance(event, Listening):
            host = f"[{event.host}]" if ":" in event.host else event.host
            listening[event.asked] = f"{host}:{event.asked}"
            reached.discard(event.asked)
        elif isinstance(event, Accepted):
            reached.add(event.port)
        elif isinstance(event, Closed):
            listening.pop(event.port, None)
    return tuple(listening.values()), not reached.isdisjoint(listening)


def not_run(examples: Iterable[Example], reason: str) -> dict[int, Observation]:
    """Every block of `examples` not run, for `reason` (its set-up failed)."""
    return {e.index: Observation(e.index, Status.NOT_RUN, error=reason) for e in examples}
