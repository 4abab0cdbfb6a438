"""The child process: runs one article's blocks, in order, in their namespaces, as a script would.

Protocol (the same for a cold start and for a child forked by the warm worker):

* The parent starts `python -m mdverify.run.child FD` with stdout and stderr already pointing at
  capture files, and writes one JSON request to stdin (`mdverify.run.spec.ArticleRequest`).
* The child writes one event per line to FD (`mdverify.run.events`): `Start` before a block
  and `End` after it, with byte offsets into the capture files; after the last block,
  `Leftover` once what the article left is dropped (`mdverify.run.leaks`), then `Done`.
* Output is captured at the file-descriptor level, so C code and subprocesses count too.

Anything the child cannot report (a hang, a crash, `os._exit`) the parent infers from the
last `Start` it saw; see `mdverify.run.watch` and `mdverify.run.observe`.
"""

from __future__ import annotations
import __future__

import ast
import asyncio
import contextlib
import inspect
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from mdverify.clock import Clock, VirtualTimeExceeded, harness_work, install
from mdverify.model import Status
from mdverify.run import alone, files, fresh, lifeline, netmap, netns, pidns, posixipc, streams
from mdverify.run.awaits import AwaitRecorder
from mdverify.run.claimed import Recorder
from mdverify.run.compiled import check_block
from mdverify.run.console import CommandFailed, run_commands
from mdverify.run.events import Done, End, Forever, Leftover, Start, encode_event
from mdverify.run.included import Places
from mdverify.run.leaks import Leaks
from mdverify.run.limits import apply
from mdverify.run.mainfile import Piece
from mdverify.run.raised import describe, format_error, last_article_line, prompt_exception
from mdverify.run.spaces import Space, Spaces
from mdverify.run.steps import Step, at_ends, noting, statements

if TYPE_CHECKING:
    import types
    from collections.abc import Callable

    from mdverify.model import Raised
    from mdverify.run.events import Event
    from mdverify.run.spec import ArticleRequest, BlockRequest

__all__ = ["execute", "main"]

_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
_TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
# A timeline is for a reader; a block that spawns thousands of tasks gets the first ones.
_MAX_TASKS = 200


class _Session:
    """State shared by the blocks of one article."""

    def __init__(
        self,
        request: ArticleRequest,
        report: Callable[[Event], None],
        leaks: Leaks,
        runs: alone.Runs,
    ) -> None:
        self.request = request
        self.report = report
        self.leaks = leaks
        self.runs = runs
        self.clock: Clock = install("real" if request["clock"] == "real" else "virtual")
        # The article's folder, beside its working directory (`mdverify.run.capture`).
        root = os.path.dirname(os.getcwd())  # noqa: PTH109, PTH120
        # A fresh process drops its namespace after its last block, as its script's exit does.
        self.spaces = Spaces(request["blocks"], root, request["path"], last=runs.fresh)
        self.space = Space()
        """The namespace of the running block (`mdverify.run.spaces`)."""
        self.statement: int | None = None
        """Article line where the running top-level statement (or prompt) ends."""

    def run(self) -> None:
        for blocks in self.runs.groups(self.request["blocks"], self.report):
            for block in blocks:
                self.space = self.spaces.enter(block)
                self.run_block(block)
        if self.runs.fresh:
            return  # what it left is dropped with it: the article's process ends the article
        # The harness's own loop outlives the article, and so do its tasks: a notebook-like
        # article may leave them running, as a notebook does.
        spaces = self.spaces.remaining()
        kept = set().union(*(space.tasks() for space in spaces))
        for space in spaces:
            self.leaks.sweep(space.names, kept)
        streams.flush()
        self.report(Leftover(self.leaks.take(), streams.offsets()[1]))
        self.report(Done())

    def run_block(self, block: BlockRequest) -> None:
        fresh.reset_asyncio()
        fresh.reset_stdin(block.get("stdin"))
        os.environ.update(dict(block.get("environ", [])))
        self.report(Start(block["index"], *streams.offsets()))
        self.leaks.block = block["index"]
        serving = netmap.begin_block(block["index"])
        segments: list[tuple[int, int]] = []
        status, error, error_line = Status.OK, None, None
        raised: Raised | None = None
        self.statement = None
        start_out = streams.offsets()[0]
        self.clock.begin_block(self.request["cap"], self._stop_forever)
        started = self.clock.now()
        recorder = AwaitRecorder(self.request["path"], self.clock.now)
        if block.get("trace_awaits"):
            recorder.start()
        claimed = Recorder(
            self.request["path"],
            [(line, col) for line, col in block.get("calls", [])],
            block.get("values", []),
            lambda: streams.offsets()[0] - start_out,
            streams.flush,
        )
        try:
            # A server the parent talks to waits for real clients: real time, no jumps.
            with self.clock.flowing() if serving else contextlib.nullcontext(), claimed:
                self._dispatch(block, segments, start_out)
        except CommandFailed as exc:
            status, error, error_line = Status.RAISED, str(exc), exc.line
        except VirtualTimeExceeded as exc:
            status, error = Status.CAP, str(exc)
            error_line = last_article_line(exc, self._file(block)[0])
        except BaseException as exc:  # noqa: BLE001 -- SystemExit and KeyboardInterrupt too
            # Ending on the Ctrl-C the clock pressed for a block that waited forever is how
            # the reader's run ends too, and so is `sys.exit()` or `sys.exit(0)` for a script
            # that stops there with success: neither is a failure. The statements after it
            # do not run; the article's later blocks do.
            stopped = isinstance(exc, KeyboardInterrupt) and self.clock.waited_forever
            raised = describe(exc, self.statement)  # an article may show that Ctrl-C
            if not (stopped or (isinstance(exc, SystemExit) and exc.code in (None, 0))):
                path, display = self._file(block)
                where = Places(block, path)  # a file the block includes is its own too
                status, error = Status.RAISED, format_error(exc, path, display, where.names)
                error_line = where.error_line(exc, last_article_line(exc, path))
        elapsed = self.clock.now() - started
        awaited = recorder.stop() if block.get("trace_awaits") else ()
        tasks = sorted((*self.clock.timeline(), *awaited), key=lambda t: t.start)
        # What the block made and dropped dies in it, as its script's exit would see it.
        fresh.reset_asyncio()
        self.spaces.end(block, self.leaks)
        self.leaks.settle()
        streams.flush()
        streams.restore()
        self.report(
            End(
                block["index"],
                status,
                error,
                error_line,
                elapsed,
                tuple(segments),
                tuple(tasks[:_MAX_TASKS]),
                *streams.offsets(),
                calls=tuple(claimed.calls),
                values=tuple(claimed.values),
                raised=raised,
                asked_input=fresh.input_refused(),
                diagnostics=self.leaks.take(),
            )
        )
        self.leaks.block = None

    def _dispatch(
        self, block: BlockRequest, segments: list[tuple[int, int]], start_out: int
    ) -> None:
        """Run the block as its kind says: compiled only, written, commands, pycon or code."""
        if block.get("norun"):
            self._check(block)
        elif block.get("writes"):
            self._write(block, segments, start_out)
        elif block["kind"] == "console":
            net = self.request.get("net")
            stdin = block.get("stdin")
            run_commands(block["commands"], segments, start_out, self.clock.name, net, stdin)
        elif block["kind"] == "pycon":
            self._run_pycon(block, segments, start_out)
        else:
            self._run_python(block, segments, start_out, self.space.names)

    def _check(self, block: BlockRequest) -> None:
        """A `norun` block: compiled and its imports looked up (`mdverify.run.compiled`)."""
        flags = self.space.future_flags | _TOP_LEVEL_AWAIT
        path = self._file(block)[0]
        kind, source, first = block["kind"], block["source"], block["code_line"]
        check_block(kind, source, first, path, flags, Places(block, path))

    def _file(self, block: BlockRequest) -> tuple[str, str]:
        """The file the block's code is from, and how reports name it: the article, or its setup."""
        file = block.get("file")
        return (file[0], file[1]) if file else (self.request["path"], self.request["display"])

    def _stop_forever(self) -> None:
        """Press Ctrl-C, as a reader does, for a block that waits for what can never come."""
        self.report(Forever())
        signal.raise_signal(signal.SIGINT)

    def _write(self, block: BlockRequest, segments: list[tuple[int, int]], start_out: int) -> None:
        """A block that is a file: write it, then run it as a script if a transcript does."""
        name = block["writes"] or ""
        target = files.write(name, block["source"])
        if not block.get("script"):
            return
        space = self.space
        flags, space.future_flags = space.future_flags, 0  # a script starts with no futures
        try:
            with files.as_script(target, name) as namespace:
                self._run_python(block, segments, start_out, namespace)
        finally:
            space.future_flags = flags

    def _run_python(
        self,
        block: BlockRequest,
        segments: list[tuple[int, int]],
        start_out: int,
        namespace: dict[str, Any],
    ) -> None:
        path = self._file(block)[0]
        # Padding with newlines makes line N of the compiled code line N of the article.
        padded = "\n" * (block["code_line"] - 1) + block["source"]
        # The child parses the block again because it compiles one statement at a time, with
        # its own interpreter's grammar (`python` may differ from the parent's), and a syntax
        # error must stop the block before its first statement runs. A script is compiled
        # before it starts: that CPU is not the block's time (`harness_work`).
        where = Places(block, path)
        with harness_work():
            try:
                tree = ast.parse(padded, filename=path)
            except SyntaxError as err:
                raise where.syntax_error(err)  # noqa: B904 -- the same error, at its own line
            shown = set(block.get("values", []))
            steps = statements(tree, padded, path, where, shown, self._compile)
        self._run_steps(at_ends(steps, block), segments, start_out, namespace)

    def _run_pycon(
        self, block: BlockRequest, segments: list[tuple[int, int]], start_out: int
    ) -> None:
        import doctest  # noqa: PLC0415 -- see `mdverify.run.worker.preload`

        path = self.request["path"]
        steps = []
        with harness_work():  # reading and compiling the prompts is not the block's time
            for example in doctest.DocTestParser().get_examples(block["source"]):
                first = block["code_line"] + example.lineno
                last = first + example.source.count("\n") - 1
                try:
                    code = self._compile("\n" * (first - 1) + example.source, path, "single")
                except SyntaxError as err:
                    # As in the REPL, the prompts above it run first; its answer may be this.
                    steps.append(Step(None, last, example, err))
                else:
                    steps.append(
                        Step(code, last, example, piece=Piece(first, example.source.rstrip("\n")))
                    )
        if not block.get("repl"):
            self._run_steps(at_ends(steps, block), segments, start_out, self.space.names)
            return
        # `python -m asyncio`: a process of its own, with asyncio imported and its own loop.
        kept, self.space = self.space, Space()
        try:
            self.space.names["asyncio"] = asyncio
            self._run_steps(at_ends(steps, block), segments, start_out, self.space.names)
        finally:
            if self.space.loop is not None:
                self.space.loop.close()
            self.space = kept

    def _run_steps(
        self,
        steps: list[Step],
        segments: list[tuple[int, int]],
        start_out: int,
        scope: dict[str, Any],
    ) -> None:
        """Run each top-level statement (or prompt), in `scope`, and note where its output ends."""

        def done(step: Step) -> None:
            with harness_work():  # marking where a statement's output ends is not its time
                streams.flush()
                segments.append((step.last_line, streams.offsets()[0] - start_out))

        with harness_work():  # `__main__`'s file holds the block while it runs
            ran = noting(self.space.script if scope is self.space.names else None, steps)
        if not any(step.flags & inspect.CO_COROUTINE for step in steps):
            for step in steps:
                self.statement = step.last_line
                with prompt_exception(step.prompt, streams.flush):
                    exec(step.compiled(), scope)  # noqa: S102
                    ran(step)
                done(step)
            return

        async def driver() -> None:
            # A block with top-level await runs wholly inside the loop, as in a notebook
            # cell or the asyncio REPL, so its plain statements may create tasks too.
            for step in steps:
                self.statement = step.last_line
                with prompt_exception(step.prompt, streams.flush):
                    result = eval(step.compiled(), scope)  # noqa: S307
                    if step.flags & inspect.CO_COROUTINE:
                        await result
                    ran(step)
                done(step)

        # One loop for each namespace: a task started in one block can be awaited in the next.
        space = self.space
        if space.loop is None or space.loop.is_closed():
            space.loop = asyncio.new_event_loop()
        space.loop.run_until_complete(driver())

    def _compile(
        self, source: str | ast.Module | ast.Interactive, path: str, mode: str
    ) -> types.CodeType:
        flags = self.space.future_flags | _TOP_LEVEL_AWAIT
        code: types.CodeType = compile(source, path, mode, flags=flags, dont_inherit=True)
        self.space.future_flags |= code.co_flags & _FUTURE_FLAGS
        return code


def main() -> None:
    """Entry point: `python -m mdverify.run.child REPORT_FD PARENT`, the request on stdin.

    It dies with the process PARENT, which started it.
    """
    lifeline.die_with_parent(int(sys.argv[2]))
    report_fd = os.dup(int(sys.argv[1]))
    os.close(int(sys.argv[1]))
    request: ArticleRequest = json.loads(sys.stdin.buffer.read())
    pidns.by_group()  # a sandboxed cold child is signalled through its group (run/cold.py)
    execute(request, report_fd)


def execute(request: ArticleRequest, report_fd: int) -> NoReturn:
    """Run the article and exit; stdout, stderr and the cwd are already the article's.

    Both starts end here: `main` after a cold interpreter start, and `mdverify.run.worker`
    in a child forked from a warm process, so per-article set-up belongs here.
    """
    # First, while this process has one thread: a namespace is made per thread.
    pidns.enter()
    net = request.get("net")
    serving = bool(net and net["serve_blocks"])
    isolated, door = netns.enter(netmap.local_only(net), netmap.harness(net), serving)
    pidns.drop()
    streams.save()
    # A script run from a terminal gets KeyboardInterrupt on Ctrl+C. pytest may itself run
    # with SIGINT ignored (a CI job started in the background), and that would be inherited.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    fresh.no_stdin()
    streams.line_buffered()

    def send(event: Event) -> None:
        data = encode_event(event)
        while data:
            data = data[os.write(report_fd, data) :]

    apply(request["limits"])
    posixipc.record(os.path.dirname(os.getcwd()))  # noqa: PTH109, PTH120 -- the article's folder
    # Below a stand-in parent, which an example's os.kill(os.getppid(), ...) reaches. After
    # the limits, which it shares; before the network's routing, which may start threads.
    # In a PID namespace of its own too: there the parent would be the namespace's init,
    # which ignores what its namespace sends it, so that an example that kills its parent
    # and waits to die with it (as it does without the sandbox) would spin to the timeout.
    lifeline.stand_in(report_fd, forward=pidns.forwards())
    sys.argv = [request["path"]]
    # A reader runs it beside the article, so a module there (`import mymodule`) imports;
    # last on the path, so that it never hides an installed one.
    sys.path.append(str(Path(request["path"]).parent))
    # Here, set up and still pristine, the template of the isolated blocks' fresh processes.
    request, runs = alone.start(request)
    report = runs.tap(send)
    netmap.route(net, report, isolated=isolated, door=door)
    leaks = Leaks(request["path"])
    leaks.install()
    _Session(request, report, leaks, runs).run()
    streams.flush()
    # Skip interpreter shutdown: threads an example left running must not keep us alive.
    os._exit(0)


if __name__ == "__main__":
    main()
