"""Spans of the coroutines a block awaits directly, for the timeline of a timing failure.

The clock records tasks, but `await step_one(); await step_two()` creates no task: on a
task-only timeline a sequential block is one bar, and the writer cannot see *why* it took
2 s. So while a block that makes a timing claim runs, a profile hook notes when each
coroutine defined in the article is first entered and when it last gave control back.
For a coroutine that has finished, its last return is its end.

Coroutines driven by a task (or by `asyncio.run`) are left out: the task's own span already
shows them. One is told apart by its caller: an awaited coroutine is entered from the
article's own frame; a task's coroutine is entered from asyncio or from C.

The hook is a `sys.setprofile` function, on the example's thread only, so it costs nothing
in blocks that make no timing claim.
"""

from __future__ import annotations

import inspect
import sys
from typing import TYPE_CHECKING, Any

from mdverify.model import TaskSpan

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType

__all__ = ["AwaitRecorder"]

_LIMIT = 500


class AwaitRecorder:
    """Records awaited coroutines of `path` between `start()` and `stop()`."""

    def __init__(self, path: str, now: Callable[[], float]) -> None:
        self._path = path
        self._now = now
        self._origin = 0.0
        # Frames are kept alive until stop(), so that an id is never reused for a new frame.
        self._spans: dict[int, tuple[FrameType, str, float, float]] = {}
        self._previous: Any = None

    def start(self) -> None:
        """Begin recording; block time 0 is now."""
        self._origin = self._now()
        self._spans.clear()
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)

    def stop(self) -> tuple[TaskSpan, ...]:
        """Stop recording and return the spans, in the order the coroutines started."""
        sys.setprofile(self._previous)
        spans = tuple(
            TaskSpan(f"await {name}", start - self._origin, end - self._origin, cancelled=False)
            for _frame, name, start, end in self._spans.values()
        )
        self._spans.clear()
        return spans

    def _profile(self, frame: FrameType, event: str, _arg: object) -> None:
        code = frame.f_code
        if (
            event not in ("call", "return")
            or code.co_filename != self._path
            or not code.co_flags & inspect.CO_COROUTINE
        ):
            return
        key = id(frame)
        now = self._now()
        known = self._spans.get(key)
        if known is not None:
            self._spans[key] = (known[0], known[1], known[2], now)
        elif event == "call" and len(self._spans) < _LIMIT:
            caller = frame.f_back
            if caller is not None and caller.f_code.co_filename == self._path:
                name: str = getattr(code, "co_qualname", code.co_name)  # 3.11+ has the qualname
                self._spans[key] = (frame, name, now, now)
