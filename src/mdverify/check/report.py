"""Verdict -> the text a writer reads: `file:line: what`, the code around it, then a diff.

Modelled on pytest's doctest reports, so the first line is clickable in editors and CI logs.
The run stage reports how a block ended as data (`Status`, `Interruption`); the words for
it are `mdverify.check.endings`'s (`message`).
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from mdverify.check.diagnostics import diagnostic_title, diagnostics_body
from mdverify.check.endings import forever, message
from mdverify.check.hidden import hidden_section
from mdverify.check.matching import as_matched, matches_unordered, normalise
from mdverify.check.raises import raises_body, raises_headline
from mdverify.check.timeline import ascii_timeline
from mdverify.model import Halt, Status, beside
from mdverify.run.options import size_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.model import (
        Example,
        Mismatch,
        Observation,
        RaisesMismatch,
        TimingMismatch,
        Truncation,
        Verdict,
    )

__all__ = [
    "NORUN_NOTE",
    "RACE_NOTE",
    "baseline_note",
    "file_note",
    "forever",
    "headline",
    "known_failure",
    "message",
    "render",
    "timing_not_rewritten",
    "timing_title",
]

# A block that starts another process: `multiprocessing`, `os.fork()`, a process pool.
_FORKS = re.compile(r"\bmultiprocessing\b|\bos\.fork\(|\bProcessPoolExecutor\b")
RACE_NOTE = (
    "the same lines in another order; the block prints from another process, and unless the"
    " example orders those prints (a join before printing, a queue, a lock), their order"
    " changes from run to run, for a reader too (add unordered to the block's directive if"
    " the order does not matter)"
)
"""The note under an order-only mismatch of a block that starts processes (`_mismatch`)."""

NORUN_NOTE = "the block is norun: it was compiled and its imports looked up, not run"
"""What the report of a `norun` block says it checked."""
_CONTEXT = 4
# How each kind of claim is declared, in a report's words (a claim's own `form` wins).
_FORMS = {
    "fence": "the output fence",
    "transcript": "the console transcript",
    "comment": "the comment lines under the statement",
    "trailing": "the comment after the print",
    "arrow": "the '#>' lines",
    "string": "the string under the print",
    "prompt": "the answer to the '>>>' prompt",
    "value": "the comment after the expression, compared with the value's repr",
    "command": "the lines under the command in the console transcript",
}
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_STATUS_TITLES = {
    Status.TIMEOUT: "timeout",
    Status.CRASHED: "the article's process died",
    Status.NOT_RUN: "not run",
    Status.CAP: "virtual-time cap reached",
    Status.LIMIT: "stopped",
    Status.SERVE: "server check failed",
}


def headline(verdict: Verdict) -> tuple[int, str]:
    """The line a failure points at and a one-line title (for annotations and summaries)."""
    obs, example = verdict.observation, verdict.example
    if verdict.raises is not None:
        return raises_headline(verdict.raises, obs)
    if obs.status is Status.RAISED and not verdict.ran:
        last = (obs.error or "").rstrip().splitlines()
        return obs.error_line or example.line, last[-1] if last else "the block raised"
    if not verdict.ran:
        title = _STATUS_TITLES.get(obs.status, obs.status.value)
        if obs.status is Status.CRASHED and example.alone:
            title = "the block's own process died"  # `isolate`: the article goes on
        summary = (message(obs) or "").split("\n", 1)[0]
        text = summary if summary.startswith(title) else f"{title}: {summary}"
        return obs.error_line or example.line, text
    return _ran_headline(verdict)


def _ran_headline(verdict: Verdict) -> tuple[int, str]:
    """`headline` of a block that ran: its first mismatch, timing or diagnostic."""
    example = verdict.example
    first = verdict.mismatches[0] if verdict.mismatches else None
    if first is None:
        if verdict.timing:
            return verdict.timing[0].claim.line, timing_title(
                verdict.timing[0], verdict.observation
            )
        if verdict.diagnostics:
            found = verdict.diagnostics[0]
            line = found.line if found.line and found.line >= example.code_line else example.line
            return line, diagnostic_title(found)
        return example.line, ""
    count = len(verdict.mismatches)
    more = f" (and {count - 1} more)" if count > 1 else ""
    if _err(first):
        return first.claim.line, f"stderr differs from what the block wrote{more}"
    return first.claim.line, f"output differs from what the block printed{more}"


def render(
    verdict: Verdict, path: str, source_lines: list[str], hidden: Sequence[Example] = ()
) -> str:
    """Render a failed verdict, with the hidden blocks (`hidden`) that ran before it."""
    obs, example = verdict.observation, verdict.example
    line, title = headline(verdict)
    article = path
    if example.file is not None and obs.error_line is not None:
        # The setup file raised: point at its own line (else at the `setup:` key's).
        path, source_lines = beside(path, example.file), example.source.split("\n")
    parts = [f"{path}:{line}: {title}"]
    if verdict.raises is not None:
        parts.append(_raises(verdict.raises, obs, example, source_lines))
    if verdict.ran:
        parts.extend(_compared(verdict, path, source_lines))
    else:
        if verdict.raises is None:
            parts.append(_context(source_lines, example, line))
        error = message(obs)
        if error:
            parts.append(error.rstrip())
        if obs.stdout.strip() or obs.stdout_cut:
            parts.append(_section("stdout", obs.stdout, obs.stdout_cut))
    if verdict.diagnostics:
        if verdict.ran and not verdict.mismatches and not verdict.timing:
            parts.append(_context(source_lines, example, line))
        parts.append(diagnostics_body(verdict.diagnostics, example))
    parts.append(_stderr(verdict))
    norun = (NORUN_NOTE,) if example.settings.norun else ()
    parts.append(hidden_section(hidden, article))
    parts.extend(f"note: {note}" for note in (*norun, *_includes(example), *example.warnings))
    return "\n\n".join(p for p in parts if p)


def _includes(example: Example) -> list[str]:
    """Where a block's included lines are from: `line 16 includes snips/a.py, lines 1-5`."""
    spans: dict[tuple[int, str], list[int]] = {}
    for run in example.included:
        spans.setdefault((run.line, run.name), []).extend((run.first, run.first + run.count - 1))
    return [
        f"line {at} includes {name}, lines {min(s)}-{max(s)}" for (at, name), s in spans.items()
    ]


def _stderr(verdict: Verdict) -> str:
    """The stderr section of the report, if any: a compared stderr fence's diff shows it."""
    obs, example = verdict.observation, verdict.example
    if verdict.ran and any(claim.stream == "stderr" for claim in example.outputs):
        return ""
    if obs.status is not Status.RAISED:
        text = obs.stderr
    else:
        text = obs.stderr.replace(obs.error or "", "").strip()
    if text.strip() or obs.stderr_cut:
        return _section("stderr", text, obs.stderr_cut)
    return ""


def _compared(verdict: Verdict, path: str, source_lines: list[str]) -> list[str]:
    """The parts of a report on a block that ran: what differs, and what was not compared."""
    obs, example = verdict.observation, verdict.example
    parts = [
        _mismatch(m, example, path, source_lines, obs.stderr_cut if _err(m) else obs.stdout_cut)
        for m in verdict.mismatches
    ]
    for number, timing in enumerate(verdict.timing):
        own_headline = number == 0 and not verdict.mismatches
        parts.append(_timing(timing, verdict, path, source_lines, headline=not own_headline))
    if verdict.prose:
        where = _at("the comment", [claim.line for claim in verdict.prose])
        parts.append(f"read as prose, not compared: {where}")
    if verdict.dated:
        where = _at("the output declared", [claim.line for claim in verdict.dated])
        parts.append(
            f"not compared: {where}, on a statement that prints a value of the clock or a "
            "process id: the writer's run, not this one"
        )
    calls = [c.call[0] for c in verdict.not_run if c.call]
    if calls:
        where = _at("the print call", calls)
        parts.append(f"not compared: {where}, which did not run in this block")
    after = [c.line for c in verdict.not_run if not c.call]
    if after:
        where = _at("the output declared", after)
        parts.append(f"not compared: {where}, after the statement that raised")
    cut = obs.interruption
    if cut is not None and cut.halt is Halt.FOREVER:
        parts.append(f"note: {forever(cut)}")
    return parts


def _raises(problem: RaisesMismatch, obs: Observation, example: Example, lines: list[str]) -> str:
    """The declaration and what was raised, one exception a line, with the code around it."""
    where = problem.claim.line if obs.raised is None else (obs.error_line or problem.claim.line)
    context = _context(lines, example, where) if where >= example.code_line else ""
    body = raises_body(problem, obs)
    return f"{context}\n{body}" if context else body


def _mismatch(
    mismatch: Mismatch,
    example: Example,
    path: str,
    lines: list[str],
    stdout_cut: Truncation | None,
) -> str:
    claim = mismatch.claim
    last_code_line = (
        example.origins[-1]
        if example.origins
        else example.code_line + example.source.count("\n") - 1
    )
    where = claim.upto_line or (claim.line if claim.kind == "value" else last_code_line)
    context = _context(lines, example, where)
    declared, printed = mismatch.shown or (claim.expected, mismatch.got)
    got = normalise(printed)
    written = normalise(declared if mismatch.compared is None else mismatch.compared)
    unordered = bool(example.settings.unordered)
    if unordered:  # sorted, what is missing and what is extra stand side by side
        got, written = sorted(got), sorted(written)
    # What a wildcard matched is shown as printed, so the diff marks only real differences.
    expected = [_readable(line) for line in as_matched(written, got)]
    got = [_readable(line) for line in got]
    if mismatch.cut and stdout_cut is not None:
        got.append(_cut_note(stdout_cut))
    diff = difflib.unified_diff(
        expected, got, f"expected ({path}:{claim.line})", "got", lineterm="", n=3
    )
    body = "\n".join(diff) or "(the difference is only in whitespace or line endings)"
    if not mismatch.got.strip() and not mismatch.cut:
        nothing = "wrote nothing to stderr" if _err(mismatch) else "printed nothing here"
        body += f"\n(the block {nothing})"
    form = claim.form or _FORMS[claim.kind]
    if mismatch.compared is not None:  # the rest of the comment is prose
        form = f"the value {mismatch.compared!r} that starts {form}"
    how = [
        *(["its lines in any order"] if unordered else []),
        *(["after the output filters"] if mismatch.shown is not None else []),
        *(
            [f"as a notebook cell shows the block: the value of line {mismatch.cell}"]
            if mismatch.cell is not None
            else []
        ),
    ]
    compared = f", compared {' and '.join(how)}" if how else ""
    body = f"declared by {form} (line {claim.line}){compared}\n{body}"
    if not unordered and _FORKS.search(example.source) and matches_unordered(declared, printed):
        body += f"\n{RACE_NOTE}"
    return f"{context}\n{body}" if context else body


def _err(mismatch: Mismatch) -> bool:
    return mismatch.claim.stream == "stderr"


def _at(what: str, lines: list[int]) -> str:
    """`the comment at line 4`, `the comments at lines 4, 9`."""
    if len(lines) == 1:
        return f"{what} at line {lines[0]}"
    return f"{what}s at lines {', '.join(map(str, lines))}"


def timing_title(mismatch: TimingMismatch, observation: Observation) -> str:
    """`timing: claimed ~1s, not 2s; measured 2.000s (virtual clock)`."""
    return (
        f"timing: claimed {mismatch.claim.text}; measured {mismatch.measured:.3f}s "
        f"({observation.clock} clock)"
    )


def _timing(
    mismatch: TimingMismatch, verdict: Verdict, path: str, lines: list[str], *, headline: bool
) -> str:
    obs, example = verdict.observation, verdict.example
    parts = [f"{path}:{mismatch.claim.line}: {timing_title(mismatch, obs)}"] if headline else []
    parts.append(f"  {mismatch.reason}")
    if example.code_line <= mismatch.claim.line:
        parts.append(_context(lines, example, mismatch.claim.line))
    parts.append("\n" + ascii_timeline(obs.tasks, mismatch.measured, obs.clock))
    return "\n".join(p for p in parts if p)


def _context(lines: list[str], example: Example, line: int) -> str:
    """Numbered article lines of the block, ending at `line`."""
    first = max(example.code_line, line - _CONTEXT)
    last = min(line, len(lines))
    if last < first:
        return ""
    width = len(str(last))
    return "\n".join(f"{n:>{width}} | {lines[n - 1]}" for n in range(first, last + 1))


def _cut_note(cut: Truncation) -> str:
    """The line that ends output cut at the limit, where the report shows that output."""
    return (
        f"[mdverify: output truncated: the block wrote {size_text(cut.written)}; the first "
        f"{size_text(cut.kept)} are shown (the limit is {size_text(cut.limit)})]"
    )


def _section(name: str, text: str, cut: Truncation | None = None) -> str:
    lines = [_readable(line) for line in text.rstrip().split("\n")] if text.strip() else []
    if cut is not None:
        lines.append(_cut_note(cut))
    body = "\n".join(lines)
    return f"--- {name} ---\n{body}"


def _readable(line: str) -> str:
    """Show escape sequences and carriage returns instead of letting them act on the terminal."""
    line = _ANSI.sub(lambda m: repr(m.group())[1:-1], line)
    return line.replace("\r", "\\r")


def known_failure(path: str, kind: str, *, written: bool) -> str:
    """The reason a baselined failure reports as xfailed with."""
    return f"known failure, {'written to' if written else 'in'} the baseline {path}: {kind}"


def timing_not_rewritten(display: str, timing: TimingMismatch, clock: str) -> str:
    """Update mode's note on a timing claim it leaves for the writer."""
    return (
        f"{display}:{timing.claim.line}: timing claim "
        f"{timing.claim.written or timing.claim.text!r} is not rewritten: "
        f"measured {timing.measured:.3f}s on the {clock} clock ({timing.reason})"
    )


def baseline_note(path: str, recorded: str, now: str) -> str:
    """What a failure's report adds when the baseline knew the block failing otherwise."""
    return f"note: the baseline {path} records this block as {recorded!r}; now it is {now!r}"


def file_note(example: Example) -> str | None:
    """What a block that is a file did (`Example.writes`), for its passing report; None: code."""
    if example.writes is None:
        return None
    ran = "then run as a script" if example.script else "not run"
    return f"written to {example.writes}, {ran}"
