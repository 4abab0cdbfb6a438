"""In the child: record asyncio's diagnostics (`mdverify.run.diagnostics`) as data.

What a reader's `python script.py` prints stays what the blocks' stderr holds; besides it,
each diagnostic is kept with the article line that made its object, for the verdict:

* A never-awaited coroutine's line is where it was created. Python knows that only with
  coroutine origin tracking (or tracemalloc, which traces every allocation and costs far
  more), so the child turns tracking on (`_DEPTH` frames, enough to reach the article
  through a library's wrapper) and writes the warning as a plain run does, without the
  "Coroutine created at" lines tracking would add. It is recorded unless the filters in
  force ignore it, as they do only when the example asked them to.
* A task's line (destroyed pending, exception never retrieved) is its coroutine's. These
  reach the loop's exception handler, which logs them; recorded when the handler is the
  default one, which prints them (an example's own handler decides what the reader sees).
* An event loop's or a transport's line is where it was made: their `__init__` notes it.
  They are ResourceWarnings, which a plain run ignores: they are recorded only where the
  run's filters show them (`python -X dev`, `-W default`, or the example's own filter), so
  a verdict never fails on what the reader's run does not print.

Some objects die only when the article's process ends: `sweep` clears the namespace and
collects the garbage as an interpreter's exit would (under the file name `sys`, so the
warnings read `sys:1: ...` as a reader sees them), before the child exits without
finalising. This module never imports pytest: the child imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import warnings
from typing import TYPE_CHECKING, Any

from mdverify.model import Diagnostic, DiagnosticKind
from mdverify.run.diagnostics import of_context, of_warning, origin

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["Leaks"]

_DEPTH = 8
_MARK = "_mdverify_line"
"""The attribute where a loop or a transport keeps the article line that made it."""
# One line: what it drops warns at `sys:1`, as objects dropped at an interpreter's exit do.
_SWEEP = compile(
    "[ns.__setitem__(name, None) for name in list(ns) if name != '__builtins__'], collect()",
    "sys",
    "exec",
)


class Leaks:
    """The diagnostics of one article's run, recorded as its blocks give them."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.block: int | None = None
        """The index of the running block; None between blocks and at the end."""
        self._found: list[Diagnostic] = []

    def install(self) -> None:
        """Hook warnings, the loops' exception handler and what loops and transports make."""
        # What the harness imported is never garbage: `settle` then walks the examples' only.
        gc.freeze()
        sys.set_coroutine_origin_tracking_depth(_DEPTH)
        # The C core looks both up by name on the warnings module, each time.
        if hasattr(warnings, "_warn_unawaited_coroutine"):
            warnings._warn_unawaited_coroutine = self._unawaited  # noqa: SLF001
        shown = getattr(warnings, "_showwarnmsg", None)
        if shown is not None:

            def show(message: warnings.WarningMessage) -> None:
                if self._shown(message):
                    shown(message)

            warnings._showwarnmsg = show  # type: ignore[attr-defined]  # noqa: SLF001
        handle = asyncio.BaseEventLoop.call_exception_handler

        def handled(loop: asyncio.BaseEventLoop, context: dict[str, Any]) -> None:
            if loop.get_exception_handler() is None:  # the default one logs it
                with contextlib.suppress(Exception):  # what the reader sees comes first
                    self._context(context)
            handle(loop, context)

        asyncio.BaseEventLoop.call_exception_handler = handled  # type: ignore[method-assign,assignment]
        self._mark(asyncio.BaseEventLoop)
        self._mark(asyncio.BaseTransport)

    def take(self) -> tuple[Diagnostic, ...]:
        """What was recorded since the last call."""
        found, self._found = tuple(self._found), []
        return found

    def settle(self) -> None:
        """Collect the garbage a block left, so that what it made dies in its own block."""
        gc.collect()

    def sweep(self, namespace: dict[str, Any], keep: Iterable[object]) -> None:
        """Drop what the article's namespace holds, as its process's exit would.

        `keep` holds what must outlive it (the tasks of the harness's own loop, which a
        notebook-like article leaves to it).
        """
        kept = list(keep)
        self.block = None
        with contextlib.suppress(Exception):
            exec(_SWEEP, {"ns": namespace, "collect": gc.collect})  # noqa: S102
        del kept

    def _record(self, kind: DiagnosticKind, name: str, line: int | None, detail: str = "") -> None:
        self._found.append(Diagnostic(kind, name, line, self.block, detail))

    def _unawaited(self, coro: Any) -> None:  # noqa: ANN401 -- a coroutine of any kind
        """`warnings._warn_unawaited_coroutine`, recording, and worded as in a plain run."""
        text = f"coroutine '{coro.__qualname__}' was never awaited"
        try:
            caller = sys._getframe(1)  # noqa: SLF001 -- where warn() will say it was issued
            module, lineno = str(caller.f_globals.get("__name__") or ""), caller.f_lineno
        except ValueError:  # dropped by C code with no Python frame above
            module, lineno = "sys", 1
        if _shows(RuntimeWarning, text, module, lineno) and _not_recording():
            self._record(DiagnosticKind.NEVER_AWAITED, coro.__qualname__, self._made(coro))
        if coro.cr_origin is not None and sys.get_coroutine_origin_tracking_depth() != _DEPTH:
            # The example tracks origins itself (asyncio's debug mode): it sees them.
            text += _created_at(coro.cr_origin)
        warnings.warn(text, RuntimeWarning, stacklevel=2, source=coro)

    def _shown(self, message: warnings.WarningMessage) -> bool:
        """Record a ResourceWarning that is a diagnostic; whether to print `message`."""
        if not issubclass(message.category, ResourceWarning):
            return True
        found = of_warning("ResourceWarning", str(message.message))
        if found is not None and _not_recording():
            kind, name = found
            line = getattr(message.source, _MARK, None)
            self._record(kind, name, line if isinstance(line, int) else None)
        return True

    def _context(self, context: dict[str, Any]) -> None:
        kind = of_context(str(context.get("message", "")))
        if kind is None:
            return
        if kind is DiagnosticKind.UNCLOSED:
            self._record(kind, "aiohttp client session", None)
            return
        future: Any = context.get("task", context.get("future"))
        coro = getattr(future, "get_coro", lambda: None)()
        name = "a future"
        if coro is not None:
            name = f"{future.get_name()} running {getattr(coro, '__qualname__', '?')}()"
        error = context.get("exception")
        self._record(kind, name, self._made(coro), "" if error is None else repr(error))

    def _made(self, coro: object) -> int | None:
        return origin(getattr(coro, "cr_origin", None), self.path)

    def _mark(self, cls: type[Any]) -> None:
        """Have `cls`'s objects note the article line that made them."""
        init: Callable[..., None] = cls.__init__
        path = self.path

        def noted(obj: object, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
            init(obj, *args, **kwargs)
            with contextlib.suppress(AttributeError):  # a class with __slots__
                setattr(obj, _MARK, _article_line(path))

        cls.__init__ = noted


def _article_line(path: str) -> int | None:
    frame = sys._getframe(2)  # noqa: SLF001 -- the cheap way to the caller's frames
    while frame is not None:
        if frame.f_code.co_filename == path:
            return frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _shows(
    category: type[Warning],
    text: str,
    module: str = "",
    lineno: int = 0,
) -> bool:
    """Whether the warning filters in force let such a warning through."""
    for entry in warnings.filters:
        action, message, kind, where, line = entry
        if (
            (message is None or message.match(text))
            and issubclass(category, kind)
            and (where is None or where.match(module))
            and line in (0, lineno)
        ):
            return bool(action != "ignore")
    return getattr(warnings, "defaultaction", "default") != "ignore"


def _not_recording() -> bool:
    """Whether warnings reach stderr, not an example's `catch_warnings(record=True)`."""
    return getattr(warnings, "_showwarnmsg_impl", None) is _IMPL


_IMPL = getattr(warnings, "_showwarnmsg_impl", None)


def _created_at(frames: tuple[tuple[str, int, str], ...]) -> str:
    """The lines Python adds to the warning when it tracks where coroutines were created."""
    import linecache  # noqa: PLC0415 -- only for an example that tracks origins itself
    import traceback  # noqa: PLC0415

    listed = [(name, line, func, linecache.getline(name, line)) for name, line, func in frames]
    lines = traceback.format_list(list(reversed(listed)))
    return ("\nCoroutine created at (most recent call last)\n" + "".join(lines)).rstrip("\n")
