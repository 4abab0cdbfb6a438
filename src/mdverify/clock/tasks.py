"""Task recording: which tasks ran on our loops, and when, for the block's timeline.

Both clocks record every task created on their loops, with its start and end relative
to `Clock.begin_block`, to show a reader what ran concurrently. Times come from the
clock's own reading (virtual or real), so on the virtual clock they are exact.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import asyncio
import functools
import re
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mdverify.clock.realtime import NS_PER_S
from mdverify.model import TaskSpan

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Timeline"]

_DEFAULT_TASK_NAME: Final = re.compile(r"Task-\d+")

# asyncio.run wraps its own clean-up in tasks; a reader's timeline has no use for them.
_HOUSEKEEPING_CODE: Final = frozenset(
    getattr(method, "__code__", None)
    for method in (
        asyncio.BaseEventLoop.shutdown_asyncgens,
        asyncio.BaseEventLoop.shutdown_default_executor,
    )
)


@dataclass(eq=False, slots=True)
class _Span:
    """A task's record while it may still change; absolute clock nanoseconds."""

    task: weakref.ref[asyncio.Task[Any]]
    name: str
    start_ns: int
    end_ns: int | None = None
    cancelled: bool = False

    def current_name(self) -> str:
        """The name now: `asyncio.create_task` names a task after the loop made it."""
        task = self.task() if self.end_ns is None else None
        return self.name if task is None else _task_name(task)


def _task_name(task: asyncio.Task[Any]) -> str:
    name = task.get_name()
    if _DEFAULT_TASK_NAME.fullmatch(name):
        qualname = getattr(task.get_coro(), "__qualname__", None)
        if isinstance(qualname, str):
            return qualname
    return name


class Timeline:
    """Every task created on our loops since the last `reset`, in creation order."""

    def __init__(self, now_ns: Callable[[], int]) -> None:
        self._now_ns = now_ns
        self._lock = threading.Lock()
        self._origin_ns = now_ns()
        self._spans: list[_Span] = []

    def reset(self) -> None:
        """Forget every task so far and measure from now."""
        with self._lock:
            self._origin_ns = self._now_ns()
            self._spans = []

    def record(self, task: asyncio.Task[Any]) -> None:
        """Note a task's creation and, through a done callback, its end."""
        if getattr(task.get_coro(), "cr_code", None) in _HOUSEKEEPING_CODE:
            return
        span = _Span(weakref.ref(task), _task_name(task), self._now_ns())
        with self._lock:
            self._spans.append(span)
        task.add_done_callback(functools.partial(self._finish, span))

    def _finish(self, span: _Span, task: asyncio.Task[Any]) -> None:
        span.end_ns = self._now_ns()
        span.cancelled = task.cancelled()
        span.name = _task_name(task)  # the example may have renamed it meanwhile

    def spans(self) -> tuple[TaskSpan, ...]:
        """The recorded tasks, relative to the last `reset`."""
        with self._lock:
            origin, spans = self._origin_ns, list(self._spans)
        return tuple(
            TaskSpan(
                name=span.current_name(),
                start=(span.start_ns - origin) / NS_PER_S,
                end=None if span.end_ns is None else (span.end_ns - origin) / NS_PER_S,
                cancelled=span.cancelled,
            )
            for span in spans
        )

    def after_fork_in_child(self) -> None:
        """Replace a lock that a thread which does not exist in the child may hold."""
        self._lock = threading.Lock()
