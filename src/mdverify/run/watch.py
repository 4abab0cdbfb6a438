"""One child's supervision, the same for a cold start and for each child of the warm worker.

`Watch` is a state machine over one child's report pipe and its server checks' sockets.
Its owner selects on what `waits` names (the cold start on this child alone, the warm
worker on many children at once), calls `ready` with what select found ready, `expire`
when `deadline` may have passed, and `check_budget` now and then; each says whether the
child is finished. The rules, written once:

* Block deadline: from a `Start` the block has its timeout; outside a block the child has
  `IDLE_LIMIT` (it only compiles there). Past it the stop is TIMEOUT or IDLE.
* Output budget: once the capture files hold `budget` bytes the article is stopped
  (BUDGET). The block that crossed it hit the file size limit, which ends it with an error
  of its own: it is reported as stopped, so the first `End` whose offsets reach the budget,
  and everything after it, are dropped (`cut_at_budget`).
* A `Done` or the end of the pipe finishes the child once no server check is still on the
  wire; the budget is looked at once more, so a flood that ended by itself between two
  looks is still caught.
* Server checks (`mdverify.run.servecheck`) see every event as it arrives, and their
  non-blocking sockets are selected on with the pipe, so a slow server delays no deadline.

`end_group` then kills, reaps and releases the child, for both starts.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mdverify.model import Halt
from mdverify.run import limits
from mdverify.run.events import Done, End, Start, decode_event
from mdverify.run.options import IDLE_LIMIT

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

    from mdverify.run.events import Event
    from mdverify.run.servecheck import CheckResult, ServerChecks

__all__ = ["CHUNK", "GRACE", "POLL", "Outcome", "Watch", "cut_at_budget", "end_group"]

POLL = 0.05
GRACE = 0.5
"""Seconds a child whose pipe ended early has to exit by itself before it is killed."""
"""Longest real wait between two looks at a child that says nothing (its output grows)."""
CHUNK = 1 << 16
"""Bytes read from (or written to) a pipe at once, by the watch, the worker and its handle."""


@dataclass(frozen=True)
class Outcome:
    """What a child reported and how it ended: the input of `mdverify.run.observe`."""

    events: tuple[Event, ...]
    stop: Halt | None
    """Why the parent stopped it (TIMEOUT, IDLE or BUDGET); None when it ended by itself."""
    code: int | None
    """Its exit code (negative: the signal that ended it)."""
    checks: tuple[CheckResult, ...] = ()
    """What the server checks found, for `mdverify.run.servecheck.apply`."""


class Watch:
    """Reads one child's events while enforcing its deadlines and its output budget.

    It drives the article's server checks, if any, from the same events and selects.
    """

    def __init__(
        self,
        fd: int,
        timeouts: Mapping[int, float],
        budget: int,
        written: Callable[[], int],
        checks: ServerChecks | None = None,
    ) -> None:
        self.fd = fd
        self.timeouts = timeouts
        self.budget = budget
        self.written = written
        """Bytes in the capture files now."""
        self.checks = checks
        self.events: list[Event] = []
        self.running: int | None = None
        self._deadline = time.monotonic() + IDLE_LIMIT
        self.stop: Halt | None = None
        self.finished = False
        self._ended = False
        """A `Done` or the end of the pipe was seen: the pipe is read no more."""
        self.cut_short = False
        """The pipe ended with no `Done`: the child died, and its exit status says how."""
        self._buffer = b""

    @property
    def deadline(self) -> float:
        """The next moment something must happen: a block's limit or a check's."""
        checks = self.checks.deadline if self.checks is not None else None
        return self._deadline if checks is None else min(self._deadline, checks)

    def waits(self) -> tuple[list[int], list[int]]:
        """The fds to select on: (to read, to write)."""
        read, write = self.checks.sockets() if self.checks is not None else ([], [])
        return ([] if self._ended else [self.fd]) + read, write

    def ready(self, readable: Collection[int], writable: Collection[int]) -> bool:
        """Act on what select found ready; whether the child is finished."""
        if self.checks is not None:
            self.checks.step(readable, writable, time.monotonic())
        if self.fd in readable and not self._ended:
            return self.read()
        return self._settle()

    def read(self) -> bool:
        """Take what the pipe holds (it is readable); whether the child is finished."""
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self._ended = True  # EOF: the child ended; how, its exit code says
            self.cut_short = not any(isinstance(event, Done) for event in self.events)
            return self._settle()
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            event = decode_event(line)
            if event is None:
                continue  # not ours: an example that found our channel and wrote to it
            self.events.append(event)
            now = time.monotonic()
            if self.checks is not None:
                self.checks.on_event(event, now)
            if isinstance(event, Start):
                self.running = event.index
                self._deadline = now + self.timeouts.get(event.index, IDLE_LIMIT)
            elif isinstance(event, End):
                self.running = None
                self._deadline = now + IDLE_LIMIT
            elif isinstance(event, Done):
                self._ended = True
                break
        return self._settle()

    def expire(self, now: float) -> bool:
        """Stop the child if `now` is past its deadline; whether it is finished."""
        if not self.finished and now >= self._deadline:
            self.stop = Halt.IDLE if self.running is None else Halt.TIMEOUT
            self.finished = True
        elif self.checks is not None:
            self.checks.expire(now)
        return self._settle()

    def check_budget(self) -> bool:
        """Stop the child if it wrote its budget; whether it is finished."""
        if not self.finished and self.written() >= self.budget:
            unread = self._buffer + _read_available(self.fd)
            self._buffer = b""
            cut_at_budget(self.events, unread, self.budget)
            self.stop = Halt.BUDGET
            self.finished = True
        return self.finished

    def outcome(self, code: int | None) -> Outcome:
        """What the finished child reported, with the exit code its reaper saw."""
        checks = self.checks.results() if self.checks is not None else ()
        return Outcome(tuple(self.events), self.stop, code, checks)

    def _settle(self) -> bool:
        """Finish once the child has ended and no server check is on the wire."""
        if not self.finished and self._ended and not (self.checks is not None and self.checks.busy):
            self.check_budget()
            self.finished = True
        return self.finished


def cut_at_budget(events: list[Event], unread: bytes, budget: int) -> None:
    """Complete `events` of a stopped child with what was `unread`, then cut at `budget`.

    The first `End` whose offsets reach the budget, and everything after it, are dropped.
    """
    events.extend(
        event for line in unread.split(b"\n") if (event := decode_event(line)) is not None
    )
    for n, event in enumerate(events):
        if isinstance(event, End) and event.out + event.err >= budget:
            del events[n:]
            return


def end_group(pid: int, *, wait: bool = True, grace: float = 0.0) -> tuple[int, bool]:
    """Kill the child's process group, reap the child and release its limits.

    An example's leftovers must not outlive it. Returns the exit code and whether the
    cgroup (`mdverify.run.limits.release`) is gone; with `wait=False` a caller that has
    other children to watch tries again later instead of waiting here. A child whose pipe
    ended early (`Watch.cut_short`) is given `grace` seconds to exit by itself first: the
    article's stand-in parent (`mdverify.run.lifeline`) then ends with the signal that
    killed the article, which the report names.
    """
    status = _exited(pid, grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    if status is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)  # in case it died before its setsid()
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), limits.release(pid, wait=wait)


def _exited(pid: int, grace: float) -> int | None:
    """The wait status of `pid` if it exits within `grace` seconds, else None."""
    deadline = time.monotonic() + grace
    while grace > 0:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.001)
    return None


def _read_available(fd: int) -> bytes:
    """What can be read from `fd` now, without waiting."""
    data = b""
    while select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, CHUNK)
        if not chunk:
            break
        data += chunk
    return data
