"""What the child tells the parent while it runs an article: typed events, one codec.

The child writes one JSON object per line to its report pipe (`encode_event`); every reader, the
cold start's watch and the warm worker alike, turns a line back into an event with
`decode_event`, and a worker's result frame carries the same objects (`to_json`, `from_json`).

* `Start` before a block and `End` after it, with byte offsets into the capture files
  (`out`, `err`), so the parent slices each block's output without the child sending it;
* `Listening` when a block's server listens (see `mdverify.run.netmap`), for the server
  checks (`mdverify.run.servecheck`);
* `Accepted` and `Closed` when a listening socket accepts its first client, and when it is
  closed, so that a block that times out while serving is reported as such;
* `Offline` when a block tries a host it did not declare (the network refuses it), so that
  a block that caught the error is not judged as if it had reached the real host;
* `Forever` when the running block waits for what can never come and the child stops it
  with SIGINT (the virtual clock's rule 5), so the parent knows which ports it served;
* `Leftover` after the last block, once the child has dropped what the article left, as
  an interpreter's exit would: asyncio's diagnostics that gave, and where stderr ends;
* `Done` after that.

Frozen dataclasses rather than TypedDicts: an article sends two events per block, so the
cost of building objects is nothing next to running the block, and a reader gets types it
can match on instead of keys it must trust. Anything that is not one of these (an example
that found the pipe and wrote to it) decodes to None and is ignored.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Union

from mdverify.model import Diagnostic, DiagnosticKind, Raised, Status, TaskSpan

__all__ = [
    "Accepted",
    "Closed",
    "Done",
    "End",
    "Event",
    "Forever",
    "Leftover",
    "Listening",
    "Offline",
    "Start",
    "decode_event",
    "encode_event",
    "from_json",
    "to_json",
]


@dataclass(frozen=True)
class Start:
    """A block is about to run; its output begins at these offsets."""

    index: int
    out: int
    err: int


@dataclass(frozen=True)
class End:
    """A block has run; its output ends at these offsets."""

    index: int
    status: Status
    """OK, RAISED or CAP: what the child itself can tell."""
    error: str | None
    error_line: int | None
    elapsed: float
    segments: tuple[tuple[int, int], ...]
    """(article line where a statement ends, bytes of stdout the block wrote up to it)."""
    tasks: tuple[TaskSpan, ...]
    out: int
    err: int
    calls: tuple[tuple[int, int, int, int], ...] = ()
    """(article line, column, bytes of stdout before, after) of each watched print call."""
    values: tuple[tuple[int, list[str] | None], ...] = ()
    """(article line, [repr, str]) of each value a watched bare expression showed."""
    raised: Raised | None = None
    """RAISED: the exception the block stopped on, as data (`mdverify.run.raised`)."""
    asked_input: bool = False
    """The block called `input()` (`mdverify.run.fresh.input_refused`)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """asyncio's diagnostics given while the block ran (`mdverify.run.leaks`)."""
    exited: int | None = None
    """CRASHED: the exit code of the fresh process an isolated block ended (negative: the
    signal), sent for it by the article's process (`mdverify.run.alone`)."""


@dataclass(frozen=True)
class Leftover:
    """What the article's end gave, once the child dropped what its blocks left."""

    diagnostics: tuple[Diagnostic, ...]
    err: int
    """Where stderr ends: what the end wrote follows the last block's `End`."""


@dataclass(frozen=True)
class Listening:
    """A server of the running block listens at `host`:`port`; it asked for `asked`."""

    host: str
    port: int
    asked: int


@dataclass(frozen=True)
class Accepted:
    """The server that asked for `port` accepted its first client."""

    port: int


@dataclass(frozen=True)
class Closed:
    """The server that asked for `port` closed its listening socket."""

    port: int


@dataclass(frozen=True)
class Offline:
    """A block tried `host`, which is not declared: the network refused it.

    `block` is the index of the block that started the thread that tried, so that a thread
    still running when a later block runs is still its own block's; -1: the running block.
    """

    host: str
    block: int = -1


@dataclass(frozen=True)
class Forever:
    """The running block waited forever; the child stops it with SIGINT now."""


@dataclass(frozen=True)
class Done:
    """Every block has run."""


Event = Union[Start, End, Listening, Accepted, Closed, Offline, Forever, Leftover, Done]  # noqa: UP007 -- a runtime alias on Python 3.10 too


_FLAT: dict[str, type[Start | Listening | Accepted | Closed | Offline | Forever | Done]] = {
    "start": Start,
    "listening": Listening,
    "accepted": Accepted,
    "closed": Closed,
    "offline": Offline,
    "forever": Forever,
    "done": Done,
}
"""The events whose fields are all int or str: one JSON key per field, the same names."""
_KINDS = {cls: kind for kind, cls in _FLAT.items()}
# The child's own, taken before any example runs: a block may patch `json` (`json.dumps =
# None`), and the events of its end must still reach the parent.
_DUMPS, _LOADS = json.dumps, json.loads
_CONVERT = {"int": int, "str": str}


def to_json(event: Event) -> dict[str, object]:
    """`event` as the JSON object the wire carries."""
    if isinstance(event, End):
        return {
            "event": "end",
            "index": event.index,
            "status": event.status.value,
            "error": event.error,
            "error_line": event.error_line,
            "elapsed": event.elapsed,
            "segments": event.segments,
            "tasks": [[t.name, t.start, t.end, t.cancelled] for t in event.tasks],
            "out": event.out,
            "err": event.err,
            "calls": event.calls,
            "values": event.values,
            "raised": None if event.raised is None else _raised_json(event.raised),
            "asked_input": event.asked_input,
            "diagnostics": [_diagnostic_json(d) for d in event.diagnostics],
            "exited": event.exited,
        }
    if isinstance(event, Leftover):
        return {
            "event": "leftover",
            "diagnostics": [_diagnostic_json(d) for d in event.diagnostics],
            "err": event.err,
        }
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    return {"event": _KINDS[type(event)], **fields}


def _raised_json(raised: Raised) -> dict[str, object]:
    return {
        "type": raised.type,
        "message": raised.message,
        "statement": raised.statement,
        "printed": [list(pair) for pair in raised.printed],
        "name": raised.name,
    }


def _diagnostic_json(found: Diagnostic) -> list[object]:
    return [found.kind.value, found.name, found.line, found.block, found.detail]


def _diagnostics(data: Any) -> tuple[Diagnostic, ...]:  # noqa: ANN401 -- whatever json.loads gave
    return tuple(
        Diagnostic(
            DiagnosticKind(kind),
            str(name),
            None if line is None else int(line),
            None if block is None else int(block),
            str(detail),
        )
        for kind, name, line, block, detail in data or ()
    )


def _raised(data: Any) -> Raised | None:  # noqa: ANN401 -- whatever json.loads gave
    if data is None:
        return None
    statement = data["statement"]
    return Raised(
        str(data["type"]),
        str(data["message"]),
        None if statement is None else int(statement),
        tuple((str(kind), str(text)) for kind, text in data["printed"]),
        None if data.get("name") is None else str(data["name"]),
    )


def encode_event(event: Event) -> bytes:
    """One line for the report pipe."""
    return (_DUMPS(to_json(event)) + "\n").encode()


def decode_event(line: bytes) -> Event | None:
    """The event on one line of the report pipe; None for anything that is not one."""
    try:
        return from_json(_LOADS(line))
    except ValueError:
        return None


def from_json(data: Any) -> Event | None:  # noqa: ANN401 -- whatever json.loads gave
    """The event `data` encodes; None when it is not one of ours."""
    try:
        kind = data["event"]
        if kind == "end":
            return End(
                index=int(data["index"]),
                status=Status(data["status"]),
                error=data["error"],
                error_line=data["error_line"],
                elapsed=float(data["elapsed"]),
                segments=tuple((int(line), int(size)) for line, size in data["segments"]),
                tasks=tuple(TaskSpan(*task) for task in data["tasks"]),
                out=int(data["out"]),
                err=int(data["err"]),
                calls=tuple(
                    (int(line), int(col), int(before), int(after))
                    for line, col, before, after in data.get("calls", ())
                ),
                values=tuple(
                    (int(line), None if texts is None else [str(t) for t in texts])
                    for line, texts in data.get("values", ())
                ),
                raised=_raised(data.get("raised")),
                asked_input=bool(data.get("asked_input")),
                diagnostics=_diagnostics(data.get("diagnostics")),
                exited=None if data.get("exited") is None else int(data["exited"]),
            )
        if kind == "leftover":
            return Leftover(_diagnostics(data["diagnostics"]), int(data["err"]))
        cls = _FLAT[kind]
        return cls(**{f.name: _CONVERT[str(f.type)](data[f.name]) for f in dataclasses.fields(cls)})
    except (KeyError, TypeError, ValueError):
        pass  # an example writing to our pipe
    return None
