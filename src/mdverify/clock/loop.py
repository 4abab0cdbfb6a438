"""The event loops of a clocked process: recording loops, and virtual loops that jump.

Once the clock is installed, every asyncio loop the examples make (`asyncio.run`,
`asyncio.Runner`, `asyncio.new_event_loop()`, the default policy,
`asyncio.SelectorEventLoop()`) is one of ours:

* on the real clock a `RecordingLoop`: a selector loop that records its tasks in the
  block's timeline (`mdverify.clock.tasks`);
* on the virtual clock a `VirtualLoop`: a recording loop whose `time()` is virtual and
  whose selector (`_IdleSelector`) hands idle waits to the coordinator instead of
  blocking. It reads its next timer exactly from `loop._scheduled`, and answers the
  coordinator's questions about its sockets through `mdverify.clock.sockets`.

This module never imports pytest: the child process imports it. It uses CPython loop
internals (`_scheduled`, `_ready`, `_clock_resolution`); verified on CPython 3.10.13,
3.11.7, 3.12.1 and 3.13.0 on Linux.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import selectors
import sys
from typing import TYPE_CHECKING, Any, TypeVar

from mdverify.clock.current import CURRENT
from mdverify.clock.patches import patch
from mdverify.clock.realtime import NS_PER_S
from mdverify.clock.sockets import external_peers, only_listening, reply_pending
from mdverify.clock.tracking import submissions

if TYPE_CHECKING:
    import collections
    import concurrent.futures
    import contextvars
    from collections.abc import Callable, Mapping

    from _typeshed import FileDescriptorLike
    from typing_extensions import TypeVarTuple, Unpack

    from mdverify.clock.coordinator import Coordinator
    from mdverify.clock.parties import ExecutorJob
    from mdverify.clock.realtime import Events

    _Ts = TypeVarTuple("_Ts")

__all__ = ["RecordingLoop", "VirtualLoop", "patch_loop_creation", "restart_task_names"]

_T = TypeVar("_T")


class RecordingLoop(asyncio.SelectorEventLoop):
    """A selector loop that records the tasks created on it in the block's timeline."""

    def create_task(
        self,
        coro: Any,  # noqa: ANN401 - whatever the base class accepts
        **kwargs: Any,  # noqa: ANN401 - name, context, and 3.14's eager_start
    ) -> asyncio.Task[Any]:
        """Create the task as usual and note it in the timeline.

        A task given no name is numbered as in a fresh script (`Task-1` is the first of
        the block): asyncio's own counter runs on over the blocks of the article's process,
        and cannot be reset, since the C tasks keep their own.
        """
        task = super().create_task(coro, **kwargs)
        if kwargs.get("name") is None:
            task.set_name(f"Task-{next(_TASK_NUMBERS[0])}")
        if CURRENT.timeline is not None:
            CURRENT.timeline.record(task)
        return task


_TASK_NUMBERS = [itertools.count(1)]
"""The numbers of unnamed tasks since the block began (a list: no `global` statement)."""


def restart_task_names() -> None:
    """Number the next unnamed task `Task-1`, as a fresh script does: each block is one."""
    _TASK_NUMBERS[0] = itertools.count(1)


class VirtualLoop(RecordingLoop):
    """A selector loop on virtual time that skips idle waits under the jump rule."""

    # CPython internals this loop reads; present in 3.10-3.13 (and `_ssock`, see wakeable).
    _scheduled: list[asyncio.TimerHandle]
    _ready: collections.deque[asyncio.Handle]
    _clock_resolution: float

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        """Wrap `selector` (default: the platform's) so that idle waits come to us."""
        self._idle_selector = _IdleSelector(
            selector if selector is not None else selectors.DefaultSelector()
        )
        super().__init__(self._idle_selector)
        self._idle_selector.loop = self
        # Timers sit on the 1 ns grid, so a timer is due once the clock reaches it.
        self._clock_resolution = 1 / NS_PER_S
        self._timers_made = 0

    def time(self) -> float:
        """Virtual seconds (real monotonic seconds once the clock is uninstalled)."""
        coordinator = CURRENT.coordinator
        if coordinator is None:
            return CURRENT.real.monotonic()
        return coordinator.now_ns() / NS_PER_S

    def call_at(
        self,
        when: float,
        callback: Callable[[Unpack[_Ts]], object],
        *args: Unpack[_Ts],
        context: contextvars.Context | None = None,
    ) -> asyncio.TimerHandle:
        """Schedule as the base loop does, with a timer that keeps equal deadlines in order.

        On real time, two `sleep(1)`s started one after the other get deadlines a few
        microseconds apart, so they wake in the order they slept. On virtual time their
        deadlines are equal, and the timer heap, which compares deadlines only, wakes them
        in an order of its own (1, 3, 5, 2, 4 for five tasks): the clock would change what
        an example prints. The base `call_at`'s body, with `_Timer` for `TimerHandle`.
        """
        if when is None:
            msg = "when cannot be None"
            raise TypeError(msg)
        self._check_closed()  # type: ignore[attr-defined]  # CPython internal
        if self.get_debug():
            self._check_thread()  # type: ignore[attr-defined]  # CPython internal
            self._check_callback(callback, "call_at")  # type: ignore[attr-defined]
        self._timers_made += 1
        timer = _Timer(self._timers_made, when, callback, args, self, context)
        if timer._source_traceback:  # type: ignore[attr-defined]  # noqa: SLF001
            del timer._source_traceback[-1]  # type: ignore[attr-defined]  # noqa: SLF001
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True  # type: ignore[attr-defined]  # noqa: SLF001
        return timer

    def run_in_executor(
        self,
        executor: concurrent.futures.Executor | None,
        func: Callable[[Unpack[_Ts]], _T],
        *args: Unpack[_Ts],
    ) -> asyncio.Future[_T]:
        """Submit as usual; the job counts as busy until this loop has its result."""
        coordinator = CURRENT.coordinator
        if coordinator is None:
            return super().run_in_executor(executor, func, *args)
        jobs: list[ExecutorJob] = []
        submissions.jobs = jobs
        try:
            future = super().run_in_executor(executor, func, *args)
        finally:
            submissions.jobs = None
        for job in jobs:
            future.add_done_callback(functools.partial(_settle, coordinator, job))
        return future

    def next_deadline_ns(self) -> int | None:
        """The exact virtual time of the next timer; None without timers."""
        if not self._scheduled:
            return None
        return round(self._scheduled[0].when() * NS_PER_S)

    def has_pending_events(self) -> bool:
        """Whether a callback or I/O is ready (safe from any thread)."""
        return bool(self._ready) or self._idle_selector.poll()

    def has_external_peers(self) -> bool:
        """Whether a registered socket talks to a peer that is not in this loop."""
        return bool(external_peers(self._idle_selector.get_map()))

    def awaits_reply(self) -> bool:
        """Whether a socket to a peer known to answer sent data last and awaits the reply."""
        return reply_pending(self._idle_selector.get_map())

    def wakeable(self) -> bool:
        """Whether a registered descriptor could still bring an event (rule 5).

        Its own wake-up socket does not count, and nor do listening sockets.
        """
        return not only_listening(self._idle_selector.get_map(), self._own_fds())

    def serving(self) -> bool:
        """Whether it listens, and nothing else registered could bring an event (rule 5)."""
        keys, own = self._idle_selector.get_map(), self._own_fds()
        return only_listening(keys, own) and any(key.fd not in own for key in keys.values())

    def _own_fds(self) -> tuple[int, ...]:
        ssock = getattr(self, "_ssock", None)  # CPython's self-pipe; gone once closed
        return () if ssock is None else (ssock.fileno(),)

    def wake(self) -> None:
        """Make the loop leave `select` (safe from any thread)."""
        if not self.is_closed():
            with contextlib.suppress(RuntimeError):  # closed meanwhile: nobody to wake
                self.call_soon_threadsafe(_nothing)


class _Timer(asyncio.TimerHandle):
    """A timer ordered by deadline, then by when it was made: heapq compares with `<` only."""

    __slots__ = ("_made",)

    def __init__(
        self,
        made: int,
        when: float,
        callback: Callable[..., object],
        args: tuple[object, ...],
        loop: asyncio.AbstractEventLoop,
        context: contextvars.Context | None,
    ) -> None:
        super().__init__(when, callback, args, loop, context)
        self._made = made

    def __lt__(self, other: asyncio.TimerHandle) -> bool:
        if isinstance(other, _Timer) and self.when() == other.when():
            return self._made < other._made
        return super().__lt__(other)


def _nothing() -> None:
    """A callback whose only effect is to wake a loop."""


def _settle(coordinator: Coordinator, job: ExecutorJob, _future: asyncio.Future[Any]) -> None:
    coordinator.settle_job(job)


class _IdleSelector(selectors.BaseSelector):
    """The loop's selector: real I/O goes to `inner`, idle waits to the coordinator."""

    def __init__(self, inner: selectors.BaseSelector) -> None:
        self.inner = inner
        self.loop: VirtualLoop | None = None

    def register(
        self,
        fileobj: FileDescriptorLike,
        events: int,
        data: Any = None,  # noqa: ANN401 - the loop's handles
    ) -> selectors.SelectorKey:
        """Register with the real selector."""
        return self.inner.register(fileobj, events, data)

    def unregister(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        """Unregister from the real selector."""
        return self.inner.unregister(fileobj)

    def modify(
        self,
        fileobj: FileDescriptorLike,
        events: int,
        data: Any = None,  # noqa: ANN401 - the loop's handles
    ) -> selectors.SelectorKey:
        """Modify in the real selector."""
        return self.inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> Events:
        """Poll; when the loop has nothing to do, let the coordinator decide the wait."""
        coordinator, loop = CURRENT.coordinator, self.loop
        if coordinator is None or loop is None or (timeout is not None and timeout <= 0):
            return self.inner.select(timeout)
        if not coordinator.jumps_enabled:
            return coordinator.real.select(self.inner, timeout)  # time flows meanwhile
        # The loop computed `timeout` from virtual time: it has no callback ready and is
        # not stopping. Rule 1: I/O that is ready now comes first.
        return self.inner.select(0) or coordinator.idle(loop, self.inner)

    def poll(self) -> bool:
        """Whether I/O is ready; other threads may ask while the loop waits."""
        try:
            return bool(self.inner.select(0))
        except (OSError, ValueError):
            return False  # closed

    def close(self) -> None:
        """Close the real selector."""
        self.loop = None
        self.inner.close()

    def get_key(self, fileobj: FileDescriptorLike) -> selectors.SelectorKey:
        """Look up in the real selector."""
        return self.inner.get_key(fileobj)

    def get_map(self) -> Mapping[FileDescriptorLike, selectors.SelectorKey]:
        """The real selector's map."""
        return self.inner.get_map()


def patch_loop_creation(loop_class: type[asyncio.AbstractEventLoop]) -> None:
    """Make every way of creating a loop create a `loop_class`."""

    def new_event_loop() -> asyncio.AbstractEventLoop:
        """Make an event loop on the installed clock, or the one the example's policy makes.

        A policy of the example's own (`uvloop.EventLoopPolicy()`) makes the loop it asks
        for, as it would without mdverify; asyncio's default policy makes ours.
        """
        policy = asyncio.get_event_loop_policy()
        if not isinstance(policy, asyncio.DefaultEventLoopPolicy):
            return policy.new_event_loop()
        return loop_class()

    # asyncio.run and asyncio.Runner call events.new_event_loop() on 3.10-3.13; the
    # policy serves get_event_loop() and code that asks it directly.
    patch(asyncio.events, "new_event_loop", new_event_loop)
    patch(asyncio, "new_event_loop", new_event_loop)
    patch(asyncio.DefaultEventLoopPolicy, "_loop_factory", loop_class)
    unix_events = sys.modules.get("asyncio.unix_events")
    for module, name in (
        (asyncio, "SelectorEventLoop"),
        (unix_events, "SelectorEventLoop"),
        (asyncio, "EventLoop"),  # 3.13+, for asyncio.run(loop_factory=asyncio.EventLoop)
        (unix_events, "EventLoop"),
    ):
        patch(module, name, loop_class)
