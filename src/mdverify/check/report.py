"""Verdict -> the text a writer reads: `file:line: what`, the code around it, then a diff.

Modelled on pytest's doctest reports, so the first line is clickable in editors and CI logs.
The run stage reports how a block ended as data (`Status`, `Interruption`); the words for
it are made here and nowhere else (`message`).
"""

from __future__ import annotations

import difflib
import re
import signal
from typing import TYPE_CHECKING

from mdverify.check.compare import normalise
from mdverify.check.timeline import ascii_timeline
from mdverify.model import Halt, Status
from mdverify.run.options import size_text

if TYPE_CHECKING:
    from mdverify.model import (
        Example,
        Interruption,
        Mismatch,
        Observation,
        TimingMismatch,
        Verdict,
    )

__all__ = ["headline", "message", "render", "timing_title"]

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


def message(obs: Observation) -> str | None:
    """What went wrong in `obs`, in words: its error, or why its run was cut short."""
    if obs.error is not None or obs.interruption is None:
        return obs.error
    text = _interruption(obs.interruption)
    if obs.interruption.after_sigint:
        return f"the server did not stop on SIGINT; it ran until the {text}"
    return text


def _interruption(cut: Interruption) -> str:
    if cut.halt is Halt.TIMEOUT:
        return f"timeout: the block ran longer than {cut.limit:g} s (real time)"
    if cut.halt is Halt.IDLE:
        return f"the child process stopped answering for {cut.limit:.0f} s"
    if cut.halt is Halt.BUDGET:
        return (
            f"output limit: the article wrote {size_text(int(cut.limit))} or more to stdout"
            " and stderr (the budget); the rest of the article was stopped"
        )
    if cut.halt is Halt.NOT_REACHED:
        where = f"at line {cut.line}" if cut.line else "earlier"
        return f"not run: the article's process ended {where}"
    return _exit(cut.code)


def _exit(code: int | None) -> str:
    if code is None or code == 0:
        return "the child process exited during the block"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == getattr(signal, "SIGXFSZ", None):
            return "a file the block wrote passed the size limit (SIGXFSZ) during the block"
        return f"the interpreter crashed ({name}) during the block"
    return f"the process exited with status {code} during the block (os._exit?)"


def headline(verdict: Verdict) -> tuple[int, str]:
    """The line a failure points at and a one-line title (for annotations and summaries)."""
    obs, example = verdict.observation, verdict.example
    if obs.status is Status.RAISED:
        last = (obs.error or "").rstrip().splitlines()
        return obs.error_line or example.line, last[-1] if last else "the block raised"
    if obs.status is not Status.OK:
        title = _STATUS_TITLES.get(obs.status, obs.status.value)
        summary = (message(obs) or "").split("\n", 1)[0]
        text = summary if summary.startswith(title) else f"{title}: {summary}"
        return obs.error_line or example.line, text
    first = verdict.mismatches[0] if verdict.mismatches else None
    if first is None:
        if verdict.timing:
            return verdict.timing[0].claim.line, timing_title(verdict.timing[0], obs)
        return example.line, ""
    count = len(verdict.mismatches)
    more = f" (and {count - 1} more)" if count > 1 else ""
    return first.claim.line, f"output differs from what the block printed{more}"


def render(verdict: Verdict, path: str, source_lines: list[str]) -> str:
    """Render a failed verdict; `source_lines` are the article's lines (for context)."""
    obs, example = verdict.observation, verdict.example
    line, title = headline(verdict)
    parts = [f"{path}:{line}: {title}"]
    if obs.status is Status.OK:
        parts.extend(_mismatch(m, example, path, source_lines) for m in verdict.mismatches)
        for number, timing in enumerate(verdict.timing):
            own_headline = number == 0 and not verdict.mismatches
            parts.append(_timing(timing, verdict, path, source_lines, headline=not own_headline))
        if verdict.prose:
            where = _at("the comment", [claim.line for claim in verdict.prose])
            parts.append(f"read as prose, not compared: {where}")
        if verdict.not_run:
            where = _at("the print call", [c.call[0] for c in verdict.not_run if c.call])
            parts.append(f"not compared: {where}, which did not run in this block")
    else:
        parts.append(_context(source_lines, example, line))
        error = message(obs)
        if error:
            parts.append(error.rstrip())
        if obs.stdout.strip():
            parts.append(_section("stdout", obs.stdout))
    if obs.stderr.strip() and obs.status is not Status.RAISED:
        parts.append(_section("stderr", obs.stderr))
    elif obs.stderr.strip():
        extra = obs.stderr.replace(obs.error or "", "").strip()
        if extra:
            parts.append(_section("stderr", extra))
    parts.extend(f"note: {warning}" for warning in example.warnings)
    return "\n\n".join(p for p in parts if p)


def _mismatch(mismatch: Mismatch, example: Example, path: str, lines: list[str]) -> str:
    claim = mismatch.claim
    last_code_line = example.code_line + example.source.count("\n") - 1
    where = claim.upto_line or (claim.line if claim.kind == "value" else last_code_line)
    context = _context(lines, example, where)
    expected = normalise(claim.expected if mismatch.compared is None else mismatch.compared)
    got = [_readable(line) for line in normalise(mismatch.got)]
    diff = difflib.unified_diff(
        expected, got, f"expected ({path}:{claim.line})", "got", lineterm="", n=3
    )
    body = "\n".join(diff) or "(the difference is only in whitespace or line endings)"
    if not got:
        body += "\n(the block printed nothing here)"
    form = claim.form or _FORMS[claim.kind]
    if mismatch.compared is not None:  # the rest of the comment is prose
        form = f"the value {mismatch.compared!r} that starts {form}"
    body = f"declared by {form} (line {claim.line})\n{body}"
    return f"{context}\n{body}" if context else body


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


def _section(name: str, text: str) -> str:
    body = "\n".join(_readable(line) for line in text.rstrip().split("\n"))
    return f"--- {name} ---\n{body}"


def _readable(line: str) -> str:
    """Show escape sequences and carriage returns instead of letting them act on the terminal."""
    line = _ANSI.sub(lambda m: repr(m.group())[1:-1], line)
    return line.replace("\r", "\\r")
