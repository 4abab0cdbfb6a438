"""asyncio's diagnostics as verdicts: which of a block's fail it, and the words for them.

A block fails on a diagnostic of its own (`Observation.diagnostics`: a never-awaited
coroutine, a pending task destroyed, an exception never retrieved, an event loop, a
transport or a client session never closed) unless it declares it: a `stderr` fence with
a line that reads as that diagnostic (`mdverify.run.diagnostics.declared`; the fence is
compared with stderr too), or the `allow` directive with the diagnostic's word. A
terminal's paste declares it as well: a stdout fence whose line shows the diagnostic, as
Python wrote it to stderr among the output (`pasted`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.model import DiagnosticKind
from mdverify.run.diagnostics import declared, same

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.model import Diagnostic, Example, Observation, OutputClaim

__all__ = ["diagnostic_title", "diagnostics_body", "pasted", "undeclared"]

# Claims that show all a block printed, as a terminal shows it: stderr's lines among them.
_PASTED = frozenset({"fence", "transcript"})

_WHAT = {
    DiagnosticKind.NEVER_AWAITED: "coroutine '{name}' was never awaited",
    DiagnosticKind.PENDING_TASK: "task {name} was destroyed while still pending",
    DiagnosticKind.UNRETRIEVED: "the exception of {name} was never retrieved",
    DiagnosticKind.UNCLOSED: "{an} {name} was never closed",
}
_MADE = {
    DiagnosticKind.NEVER_AWAITED: "created",
    DiagnosticKind.PENDING_TASK: "created",
    DiagnosticKind.UNRETRIEVED: "created",
    DiagnosticKind.UNCLOSED: "made",
}
_HINT = {
    DiagnosticKind.NEVER_AWAITED: "await it, or run it with asyncio.run()",
    DiagnosticKind.PENDING_TASK: "await the task (or cancel it and await that) before the "
    "loop ends, and keep a reference to it",
    DiagnosticKind.UNRETRIEVED: "await the task, or read task.exception()",
    DiagnosticKind.UNCLOSED: "close it",
}
_CLOSE = {
    "event loop": "close it with loop.close(), or let asyncio.run() make and close it",
    "transport": "close it (writer.close(), then await writer.wait_closed())",
    "aiohttp client session": "await session.close(), or use it in 'async with'",
}


def undeclared(example: Example, observation: Observation) -> tuple[Diagnostic, ...]:
    """The block's diagnostics that neither `allow` nor a stderr fence declares."""
    allowed = example.settings.allow
    shown = [
        found
        for claim in example.outputs
        if claim.stream == "stderr" or claim.kind in _PASTED
        for found in declared(claim.expected)
    ]
    return tuple(
        d
        for d in observation.diagnostics
        if d.kind not in allowed
        and not any(kind is d.kind and same(d.name, name) for kind, name in shown)
    )


def pasted(claim: OutputClaim, observation: Observation) -> OutputClaim:
    """`claim` without the lines that show the block's own diagnostics, to compare with stdout.

    A writer who copies the terminal shows what Python wrote to stderr when the script ended
    among the output (`sys:1: RuntimeWarning: coroutine 'main' was never awaited`, with a
    note of theirs after it at times). Such a line declares that diagnostic, as a stderr
    fence's does; stdout never held it. A line for a diagnostic the block does not give
    stays, and fails the comparison.
    """
    if claim.stream != "stdout" or claim.kind not in _PASTED or not observation.diagnostics:
        return claim
    lines = claim.expected.split("\n")
    kept = [line for line in lines if not _gives(line, observation.diagnostics)]
    return claim if len(kept) == len(lines) else replace(claim, expected="\n".join(kept))


def _gives(line: str, diagnostics: Sequence[Diagnostic]) -> bool:
    """Whether `line` shows one of `diagnostics`."""
    return any(
        d.kind is kind and same(d.name, name) for kind, name in declared(line) for d in diagnostics
    )


def diagnostic_title(found: Diagnostic) -> str:
    """One line: what asyncio said, and where the article made the object."""
    an = "an" if found.name[:1] in "aeiou" else "a"
    text = _WHAT[found.kind].format(name=found.name, an=an)
    if found.detail:
        text += f": {found.detail}"
    if found.line is not None:
        text += f" ({_MADE[found.kind]} at line {found.line})"
    return text


def diagnostics_body(diagnostics: tuple[Diagnostic, ...], example: Example) -> str:
    """Each diagnostic, when it was given, what to do, and how to declare it instead."""
    lines = []
    for found in diagnostics:
        when = _when(found, example)
        lines.append(f"asyncio: {diagnostic_title(found)}{when}")
        hint = _CLOSE.get(found.name) if found.kind is DiagnosticKind.UNCLOSED else None
        lines.append(f"  fix: {hint or _HINT[found.kind]}")
    words = "allow=" + ",".join(dict.fromkeys(d.kind.value for d in diagnostics))
    lines.append(
        f"declared on purpose? show it in a 'stderr' fence under the block, or add {words} "
        "to the block's directive"
    )
    return "\n".join(lines)


def _when(found: Diagnostic, example: Example) -> str:
    if found.block is None:
        return ", when the article's process ended"
    if found.block != example.index:
        return ", while a later block ran"
    return ""
