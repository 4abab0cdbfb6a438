"""Frames between the parent and the warm worker: a job one way, a result the other.

A frame is a 4-byte big-endian length, then that many bytes of JSON. `Job` is an article
for the worker to run; `ResultFrame` is how its child ended (`mdverify.run.watch.Outcome`,
its events in the child's own encoding, `mdverify.run.events`) and the folder that holds
its capture files. Each kind has one encoder and one decoder, here.
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from mdverify.model import Halt, ServeCheck, ServeFault, ServeProblem
from mdverify.run.events import from_json, to_json
from mdverify.run.servecheck import CheckResult
from mdverify.run.watch import Outcome

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.run.spec import ArticleRequest

__all__ = ["Job", "ResultFrame", "decode_job", "decode_result", "encode_frame", "split_frame"]

_LENGTH = struct.Struct(">I")


@dataclass(frozen=True)
class Job:
    """One article for the worker to run."""

    key: int
    request: ArticleRequest
    timeouts: Mapping[int, float]
    """Real-time limit of each block, by example index."""
    env: Mapping[str, str] | None
    """The child's environment; None: the worker's own (the usual case, not sent again)."""
    budget: int
    """Bytes the article may write to stdout and stderr before it is stopped."""
    files: tuple[tuple[str, str], ...] = ()
    """(relative name, content) to create in the child's working directory."""
    serve: Mapping[int, ServeCheck] = field(default_factory=dict)
    """The server check of each block that serves, by example index."""


@dataclass(frozen=True)
class ResultFrame:
    """How the child of job `key` ended; its capture files are in `folder`."""

    key: int
    outcome: Outcome
    folder: str


def encode_frame(message: Job | ResultFrame) -> bytes:
    """`message` as one frame."""
    if isinstance(message, Job):
        data: dict[str, object] = {
            "key": message.key,
            "request": message.request,
            "timeouts": {str(i): t for i, t in message.timeouts.items()},
            "env": None if message.env is None else dict(message.env),
            "budget": message.budget,
            "files": message.files,
            "serve": {str(i): [c.port, c.exchanges] for i, c in message.serve.items()},
        }
    else:
        outcome = message.outcome
        data = {
            "key": message.key,
            "events": [to_json(event) for event in outcome.events],
            "stop": None if outcome.stop is None else outcome.stop.value,
            "code": outcome.code,
            "checks": [
                [
                    c.index,
                    [_problem(p) for p in c.problems],
                    c.interrupted,
                ]
                for c in outcome.checks
            ],
            "folder": message.folder,
        }
    payload = json.dumps(data).encode()
    return _LENGTH.pack(len(payload)) + payload


def _problem(problem: ServeProblem) -> dict[str, object]:
    return {**asdict(problem), "fault": problem.fault.value}


def split_frame(buffer: bytes) -> tuple[bytes, bytes] | None:
    """The payload of the frame at the front of `buffer` and the rest; None if incomplete."""
    if len(buffer) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack_from(buffer)
    end = _LENGTH.size + length
    if len(buffer) < end:
        return None
    return buffer[_LENGTH.size : end], buffer[end:]


def decode_job(payload: bytes) -> Job:
    """The job a frame's payload carries."""
    data = json.loads(payload)
    return Job(
        key=int(data["key"]),
        request=data["request"],
        timeouts={int(i): float(t) for i, t in data["timeouts"].items()},
        env=data["env"],
        budget=int(data["budget"]),
        files=tuple((str(name), str(text)) for name, text in data["files"]),
        serve={
            int(i): ServeCheck(port, tuple((str(r), str(e)) for r, e in exchanges))
            for i, (port, exchanges) in data["serve"].items()
        },
    )


def decode_result(payload: bytes) -> ResultFrame:
    """The result a frame's payload carries; its events decoded as every reader does."""
    data = json.loads(payload)
    events = tuple(e for e in map(from_json, data["events"]) if e is not None)
    stop = None if data["stop"] is None else Halt(data["stop"])
    checks = tuple(
        CheckResult(
            int(index),
            tuple(ServeProblem(**{**p, "fault": ServeFault(p["fault"])}) for p in problems),
            bool(interrupted),
        )
        for index, problems, interrupted in data["checks"]
    )
    outcome = Outcome(events, stop, data["code"], checks)
    return ResultFrame(int(data["key"]), outcome, str(data["folder"]))
