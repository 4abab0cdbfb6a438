"""Installing the clock in a process, and the `Clock` a child measures its examples with.

The child process (`mdverify.run.child`) calls `install("virtual")` or
`install("real")` once, after the fork and before any example code runs. The virtual
clock patches the `time` module (`mdverify.clock.timefuncs`), the wall clocks beside
`time.time` (`mdverify.clock.wallclock`), loop creation
(`mdverify.clock.loop`), threads, executors and spawn primitives
(`mdverify.clock.tracking`) and socket methods (`mdverify.clock.sockets`), all through
the one registry in `mdverify.clock.patches`. The real clock only makes loops record
their tasks. The warm worker never installs a clock: each child installs its own.

Threads that exist at install belong to the harness, not to the example. A process
forked later keeps the time it forked at and runs on real time from then on.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING

from mdverify.clock.accept import patch_accept
from mdverify.clock.alarms import patch_alarms
from mdverify.clock.coordinator import Coordinator
from mdverify.clock.current import CURRENT
from mdverify.clock.loop import RecordingLoop, VirtualLoop, patch_loop_creation
from mdverify.clock.patches import undo_all
from mdverify.clock.realtime import NS_PER_S, SYSTEM
from mdverify.clock.sockets import forget, patch_sockets
from mdverify.clock.tasks import Timeline
from mdverify.clock.timefuncs import patch_time
from mdverify.clock.tracking import patch_threads_and_children
from mdverify.clock.wallclock import patch_wall_clocks

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterator

    from mdverify.clock.realtime import RealTime
    from mdverify.model import ClockName, TaskSpan

__all__ = ["Clock", "harness_work", "install", "uninstall"]


class Clock:
    """The clock a child process measures its examples with; made by `install`."""

    __slots__ = ("_coordinator", "_now_ns", "_timeline", "name")

    def __init__(
        self,
        name: ClockName,
        now_ns: Callable[[], int],
        timeline: Timeline,
        coordinator: Coordinator | None,
    ) -> None:
        """Use `install` instead."""
        self.name: ClockName = name
        self._now_ns = now_ns
        self._timeline = timeline
        self._coordinator = coordinator

    def now(self) -> float:
        """Seconds on this clock: exact virtual time, or `time.perf_counter()` if real."""
        return self._now_ns() / NS_PER_S

    def begin_block(self, cap: float | None, stop: Callable[[], None] | None = None) -> None:
        """Start a block: reset the timeline; on the virtual clock, cap time at now + `cap`.

        On the virtual clock, this thread's CPU time counts from now on, and `stop` is
        called once if the block comes to wait for what can never come (the
        coordinator's rule 5). The real clock has neither: the parent's real timeout
        bounds a real block.
        """
        if cap is not None and cap < 0:
            msg = f"the cap must be at least 0 s, not {cap}"
            raise ValueError(msg)
        if self._coordinator is not None:
            # The harness's work before the block is not the block's.
            self._coordinator.restart_cpu()
        self._timeline.reset()
        if self._coordinator is not None:
            self._coordinator.set_cap(cap)
            self._coordinator.arm_forever(stop)

    @property
    def waited_forever(self) -> bool:
        """Whether this block's `stop` was called: it waited for what could never come."""
        return self._coordinator is not None and self._coordinator.waited_forever

    def timeline(self) -> tuple[TaskSpan, ...]:
        """Tasks created on any loop since `begin_block`, in creation order."""
        return self._timeline.spans()

    @contextlib.contextmanager
    def flowing(self) -> Iterator[None]:
        """Let virtual time run at real speed meanwhile, without jumps.

        For a block that serves real clients (`web.run_app`): its timers must not race
        ahead of requests that come from outside the process.
        """
        coordinator = self._coordinator
        if coordinator is None:
            yield
            return
        coordinator.set_flowing(flowing=True)
        try:
            yield
        finally:
            coordinator.set_flowing(flowing=False)


class _Installed:
    clock: Clock | None = None
    fork_handler_registered = False


def install(mode: ClockName, *, real_time: RealTime = SYSTEM) -> Clock:
    """Install the clock for this process, once, before any example code runs.

    Calling it again with the same mode returns the same clock. `real_time` is the real
    clock underneath; tests pass a fake one (see `mdverify.clock.realtime`).
    """
    if _Installed.clock is not None:
        if _Installed.clock.name != mode:
            msg = f"the {_Installed.clock.name} clock is already installed; cannot install {mode}"
            raise RuntimeError(msg)
        return _Installed.clock
    if mode == "virtual":
        here = threading.current_thread()
        # Threads that exist now are the harness's, not the example's.
        ignored = frozenset(t for t in threading.enumerate() if t is not here)
        virtual = Coordinator(ignored, real_time)
        coordinator: Coordinator | None = virtual
        CURRENT.coordinator = virtual
        CURRENT.epoch_ns = real_time.time_ns()
        now_ns: Callable[[], int] = virtual.now_ns
        loop_class: type[asyncio.AbstractEventLoop] = VirtualLoop
        patch_time()
        patch_wall_clocks()
        patch_threads_and_children()
        patch_sockets()
        patch_accept()
        patch_alarms()
    elif mode == "real":
        coordinator = None
        now_ns = real_time.perf_counter_ns
        loop_class = RecordingLoop
    else:
        msg = f"unknown clock {mode!r}; expected 'virtual' or 'real'"
        raise ValueError(msg)
    CURRENT.real = real_time
    CURRENT.timeline = Timeline(now_ns)
    patch_loop_creation(loop_class)
    if not _Installed.fork_handler_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _Installed.fork_handler_registered = True  # it cannot be unregistered; it checks state
    _Installed.clock = Clock(mode, now_ns, CURRENT.timeline, coordinator)
    return _Installed.clock


@contextlib.contextmanager
def harness_work() -> Iterator[None]:
    """Work of mdverify's own on the example's thread: its CPU time is not the example's.

    Virtual time moves on by the CPU of long stretches of the example's work
    (`mdverify.clock.cpu`); a hook of the harness that runs inside the example (the
    print recorder) does its work in here so that it does not count.
    """
    coordinator = CURRENT.coordinator
    if coordinator is None:
        yield
        return
    with coordinator.harness_work():
        yield


def _after_fork_in_child() -> None:
    if CURRENT.coordinator is not None:
        CURRENT.coordinator.after_fork_in_child()
    if CURRENT.timeline is not None:
        CURRENT.timeline.after_fork_in_child()


def uninstall() -> None:
    """Undo `install` (for tests): restore every patched name and forget the clock.

    Every patch in the registry goes, `mdverify.run.netmap`'s included, and so do the
    notes on sockets and the peers declared to answer.
    """
    undo_all()
    forget()
    CURRENT.clear()
    _Installed.clock = None
