"""asyncio's diagnostics as verdicts: which of a block's fail it, and the words for them.

A block fails on a diagnostic of its own (`Observation.diagnostics`: a never-awaited
coroutine, a pending task destroyed, an exception never retrieved, an event loop, a
transport or a client session never closed) unless it declares it: a `stderr` fence with
a line that reads as that diagnostic (`mdverify.run.diagnostics.declared`; the fence is
compared with stderr too), or the `allow` directive with the diagnostic's word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.model import DiagnosticKind
from mdverify.run.diagnostics import declared, same

if TYPE_CHECKING:
    from mdverify.model import Diagnostic, Example, Observation

__all__ = ["diagnostic_title", "diagnostics_body", "undeclared"]

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
        if claim.stream == "stderr"
        for found in declared(claim.expected)
    ]
    return tuple(
        d
        for d in observation.diagnostics
        if d.kind not in allowed
        and not any(kind is d.kind and same(d.name, name) for kind, name in shown)
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
