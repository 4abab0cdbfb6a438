"""Isolated blocks: each runs in a fresh process of its own, forked from a pristine template.

`isolate` (and the front matter's `isolate: blocks`) promises a block what a fresh
`python script.py` has: no module an earlier block imported or patched, no `sys.modules`
entry it added, no environment variable it set, no working directory it moved to, no
thread it left running. A namespace of its own cannot give that, so the child forks a
*template* before any block runs (`start`), once the article's process is set up (its
limits, sandbox, PID and network namespaces, `sys.argv` and `sys.path`) and before its
clock and network routing are installed. The template runs no example code: it waits for
the article's process (A) to ask it for a run, and forks a fresh process (F) for each:

* A, at an isolated block, asks the template (`Template.run`) to run it with the hidden
  blocks of its namespace, then waits, passing on a server check's Ctrl+C;
* F installs its own clock and routing, runs those blocks as A would, in the article's
  folder, writing their events to the same pipe and their output to the same capture files,
  drops its namespace after its last block and exits; it tells A which blocks it started
  and ended;
* the template reaps F and tells A how it ended. A block that F started and never ended
  (`os._exit`, a crash, a signal) gets an `End` from A with F's exit code (`End.exited`),
  and the article goes on: only that fresh process ended.

F has the article's limits, clock kind, sandbox and offline rules, since it is forked
from the template that A set up; each block keeps its own real-time limit, which the
parent's watch starts at its `Start`. Its virtual clock starts afresh, as a new process's.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from typing import TYPE_CHECKING

from mdverify.model import Status
from mdverify.run import lifeline, pidns, streams
from mdverify.run.events import End, Start

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from mdverify.run.events import Event
    from mdverify.run.spec import ArticleRequest, BlockRequest

__all__ = ["Runs", "Template", "start"]


class Template:
    """The article's process's handle on its template: it runs blocks in fresh processes."""

    def __init__(self, pid: int, ask: int, answers: int) -> None:
        self.pid = pid
        self._ask = ask
        self._answers = os.fdopen(answers, "rb", buffering=0)

    def run(self, blocks: Sequence[BlockRequest], report: Callable[[Event], None]) -> None:
        """Run `blocks` in a fresh process, and end for it the blocks it never ended."""
        streams.flush()
        indices = [block["index"] for block in blocks]
        _write(self._ask, json.dumps(indices))
        started: list[int] = []
        ended: set[int] = set()
        code = -int(signal.SIGKILL)  # the template itself ended: as if killed
        fresh: int | None = None
        previous = signal.getsignal(signal.SIGINT)
        # A server check's Ctrl+C comes to this process (the warm worker's child passes it
        # down), or to the whole group (a cold child's), which holds the fresh process too.
        signal.signal(signal.SIGINT, lambda *_: _interrupt(fresh))
        try:
            for line in self._answers:
                word, _, value = line.decode().partition(" ")
                if word == "pid":
                    fresh = int(value) if pidns.forwards() else None
                elif word == "start":
                    started.append(int(value))
                elif word == "end":
                    ended.add(int(value))
                elif word == "exit":
                    code = int(value)
                    break
        finally:
            signal.signal(signal.SIGINT, previous)
        cut = [index for index in started if index not in ended] or ([] if started else indices[:1])
        for index in cut:
            if index not in started:
                report(Start(index, *streams.offsets()))
            report(
                End(index, Status.CRASHED, None, None, 0.0, (), (), *streams.offsets(), exited=code)
            )


class Runs:
    """How one process runs the article's blocks: here, or an isolated one's in a fresh process."""

    def __init__(self, template: Template | None = None, answers: int | None = None) -> None:
        self.template = template
        """The template (in the article's process, when some block runs alone)."""
        self._answers = answers
        self.fresh = answers is not None
        """This is a fresh process, which runs one isolated block's namespace."""

    def groups(
        self, blocks: Sequence[BlockRequest], report: Callable[[Event], None]
    ) -> Iterator[list[BlockRequest]]:
        """`blocks` in order, in runs to run here; an isolated block's go to the template."""
        for run in _runs(blocks):
            if self.template is not None and run[0].get("alone"):
                self.template.run(run, report)
            else:
                yield run

    def tap(self, send: Callable[[Event], None]) -> Callable[[Event], None]:
        """`send`; in a fresh process, then a note of each `Start` and `End` to the article's."""
        answers = self._answers
        if answers is None:
            return send

        def tapped(event: Event) -> None:
            send(event)
            if isinstance(event, (Start, End)):
                _write(answers, f"{'start' if isinstance(event, Start) else 'end'} {event.index}")

        return tapped


def _runs(blocks: Sequence[BlockRequest]) -> Iterator[list[BlockRequest]]:
    """`blocks` in order, in runs: an isolated block's namespace together, any other alone."""
    run: list[BlockRequest] = []
    for block in blocks:
        if run and not (block.get("alone") and block["namespace"] == run[0]["namespace"]):
            yield run
            run = []
        run.append(block)
        if not block.get("alone"):
            yield run
            run = []
    if run:
        yield run


def start(request: ArticleRequest) -> tuple[ArticleRequest, Runs]:
    """Fork the template if a block runs alone; return in each process that runs blocks.

    In the article's process: `request`, and runs with the template. In a fresh process:
    the request of its blocks only, and runs that tell the article's process about them.
    """
    if not any(block.get("alone") for block in request["blocks"]):
        return request, Runs()
    streams.flush()
    ask_read, ask_write = os.pipe()
    answer_read, answer_write = os.pipe()
    article = os.getpid()
    pid = os.fork()
    if pid:
        os.close(ask_read)
        os.close(answer_write)
        return request, Runs(Template(pid, ask_write, answer_read))
    lifeline.die_with_parent(article)
    os.close(ask_write)
    os.close(answer_read)
    indices = _serve(ask_read, answer_write)
    by_index = {block["index"]: block for block in request["blocks"]}
    own: ArticleRequest = {**request, "blocks": [by_index[i] for i in indices]}
    return own, Runs(answers=answer_write)


def _serve(ask: int, answers: int) -> list[int]:  # pragma: no cover -- forked
    """The template: fork a fresh process for each run asked; return in that process.

    It keeps the article's event pipe open: its fresh processes write their events to it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl+C is for the block, not for us
    template = os.getpid()
    with os.fdopen(ask, "rb", buffering=0) as asked:
        for line in asked:
            pid = os.fork()
            if pid == 0:
                lifeline.die_with_parent(template)
                signal.signal(signal.SIGINT, signal.default_int_handler)
                return [int(index) for index in json.loads(line)]
            _write(answers, f"pid {pid}")
            _, status = os.waitpid(pid, 0)
            _write(answers, f"exit {os.waitstatus_to_exitcode(status)}")
    os._exit(0)  # the article's process closed its end: it has run its last block


def _interrupt(pid: int | None) -> None:
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)


def _write(fd: int, line: str) -> None:
    data = (line + "\n").encode()
    while data:
        data = data[os.write(fd, data) :]
