"""Parent side of `serve`: talk to the server a block runs, then stop it with SIGINT.

A block such as `web.run_app(create_app())` serves until interrupted. The child reports a
`Listening` event when the example's server listens (see `mdverify.run.netmap`, which
moved it to a free loopback port). The watch (`mdverify.run.watch`) hands every event to
`ServerChecks.on_event`; on `Listening` it sends each declared request in turn, compares
each response body with what the article expects (`...` wildcards allowed), then sends
SIGINT to the child, as a reader pressing Ctrl+C would. The block must then end cleanly,
and its port must be closed.

Every socket here is non-blocking, and the watch's owner selects on them (`sockets`,
`step`, `expire`) with the child's report pipe: a server that is slow to answer holds up
nothing else, not even the warm worker's other children. Whatever went wrong is a
`model.ServeProblem` (data; `mdverify.check.report` words it), carried back in the
`Outcome` as `CheckResult`s, which `apply` turns into the block's SERVE failure.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import socket
from collections import deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mdverify.check.matching import matches
from mdverify.model import ServeFault, ServeProblem, Status
from mdverify.run import bridge
from mdverify.run.events import End, Listening, Start

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from mdverify.model import Observation, ServeCheck
    from mdverify.run.events import Event

__all__ = ["CheckResult", "ServerChecks", "apply"]

_REQUEST_TIMEOUT = 10.0
"""Real seconds one request may take, from connecting to the end of the response."""
_PROBE_TIMEOUT = 2.0
"""Real seconds a probe of the closed port may take; past them nothing accepts there."""
_INWARD_TIMEOUT = 5.0
"""Real seconds the article's doorman may take to connect to its server and answer."""


@dataclass(frozen=True)
class CheckResult:
    """What the checks of one block found, and whether they interrupted it with SIGINT."""

    index: int
    problems: tuple[ServeProblem, ...]
    interrupted: bool


class _Connection:
    """One non-blocking TCP exchange: connect, send `out`, then read to the end.

    With nothing to send it is a probe: done as soon as the connection is made.
    """

    def __init__(
        self, address: tuple[str, int], out: bytes, deadline: float, inward: str | None = None
    ) -> None:
        self.out = out
        self.probe = not out
        self.deadline = deadline
        self.connected = False
        self.received = bytearray()
        self.done = False
        self.error: str | None = None
        if inward is not None:
            # The server listens in the article's own namespace: its doorman connects.
            try:
                self.sock = bridge.connect_inward(inward, *address, _INWARD_TIMEOUT)
            except OSError as err:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # _fail closes it
                self._fail(str(OSError(err.errno, os.strerror(err.errno or errno.EIO))))
            return
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        code = self.sock.connect_ex(address)
        if code not in (0, errno.EINPROGRESS):
            self._fail(str(OSError(code, os.strerror(code))))

    @property
    def fd(self) -> int:
        """The socket's file descriptor, for the owner's select."""
        return self.sock.fileno()

    def wants_write(self) -> bool:
        """Whether it waits to be writable (connecting or sending) rather than readable."""
        return not self.connected or bool(self.out)

    def step(self, readable: Collection[int], writable: Collection[int]) -> None:
        """Go on as far as the socket allows now."""
        fd = self.fd
        try:
            if not self.connected and fd in writable:
                code = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code:
                    raise OSError(code, os.strerror(code))  # noqa: TRY301 -- one handler below
                self.connected = True
                if self.probe:
                    self._end()
                    return
            if self.connected and self.out and fd in writable:
                self.out = self.out[self.sock.send(self.out) :]
            elif self.connected and not self.out and fd in readable:
                chunk = self.sock.recv(1 << 16)
                if chunk:
                    self.received += chunk
                else:
                    self._end()
        except BlockingIOError:
            pass
        except OSError as err:
            self._fail(str(err) or type(err).__name__)

    def expire(self, now: float) -> None:
        """Give up at the deadline."""
        if not self.done and now >= self.deadline:
            self._fail("timed out")

    def close(self) -> None:
        """Release the socket."""
        self.sock.close()

    def _end(self) -> None:
        self.done = True
        self.close()

    def _fail(self, error: str) -> None:
        self.error = error
        self._end()


class ServerChecks:
    """The server checks of one article's run; fed every event the child reports."""

    def __init__(
        self,
        checks: Mapping[int, ServeCheck],
        pid: int,
        *,
        group: bool = False,
        folder: str | None = None,
    ) -> None:
        self._checks = checks
        self._folder = folder
        """The article's folder, where its inward doorman answers if it has a namespace."""
        self._pid = pid
        self._group = group
        """Signal `pid`'s process group, not `pid`: a sandboxed cold child is bwrap's."""
        self._running: int | None = None
        self._address: dict[int, tuple[str, int]] = {}
        self._problems: dict[int, list[ServeProblem]] = {}
        self._interrupted: set[int] = set()
        self._queue: deque[tuple[str, str]] = deque()
        self._checking: int | None = None
        """The block whose requests are being sent."""
        self._exchange: tuple[str, str, _Connection] | None = None
        """The request on the wire: (request, expected, connection)."""
        self._probe: tuple[int, _Connection] | None = None

    @property
    def busy(self) -> bool:
        """Whether a request or a probe is still on the wire."""
        return self._exchange is not None or self._probe is not None

    @property
    def deadline(self) -> float | None:
        """When the connection on the wire gives up; None when none is."""
        return min((c.deadline for c in self._connections()), default=None)

    def sockets(self) -> tuple[list[int], list[int]]:
        """The sockets to select on: (to read, to write)."""
        read: list[int] = []
        write: list[int] = []
        for connection in self._connections():
            (write if connection.wants_write() else read).append(connection.fd)
        return read, write

    def on_event(self, event: Event, now: float) -> None:
        """Act on one event of the child: a block starts, a server listens, a block ends."""
        if isinstance(event, Start):
            self._running = event.index
        elif isinstance(event, Listening):
            self._listening(event, now)
        elif isinstance(event, End):
            self._ended(event, now)
            self._running = None

    def step(self, readable: Collection[int], writable: Collection[int], now: float) -> None:
        """Go on with what the sockets that select found ready allow."""
        for connection in self._connections():
            connection.step(readable, writable)
        self._settle(now)

    def expire(self, now: float) -> None:
        """Give up on connections past their deadline."""
        for connection in self._connections():
            connection.expire(now)
        self._settle(now)

    def results(self) -> tuple[CheckResult, ...]:
        """What every check found; a connection still on the wire is dropped."""
        for connection in self._connections():
            connection.close()
        return tuple(
            CheckResult(index, tuple(self._problems.get(index, ())), index in self._interrupted)
            for index in self._checks
            if index in self._problems or index in self._interrupted
        )

    def _inward(self) -> str | None:
        """The folder whose doorman reaches the article's servers, if it has one."""
        folder = self._folder
        return folder if folder and os.path.exists(os.path.join(folder, bridge.INWARD)) else None  # noqa: PTH110, PTH118

    def _connections(self) -> list[_Connection]:
        wire = [self._exchange[2]] if self._exchange is not None else []
        return wire + ([self._probe[1]] if self._probe is not None else [])

    def _listening(self, event: Listening, now: float) -> None:
        index = self._running
        if index is None or index not in self._checks or index in self._address:
            return
        check = self._checks[index]
        if check.port is not None and event.asked != check.port:
            return
        self._address[index] = (event.host, event.port)
        self._problems.setdefault(index, [])
        self._checking = index
        self._queue = deque(check.exchanges)
        self._send_next(now)

    def _send_next(self, now: float) -> None:
        """Put the next request on the wire; after the last one, interrupt the block."""
        index = self._checking
        if index is None:
            return
        if self._queue:
            request, expected = self._queue.popleft()
            host, port = self._address[index]
            method, target = request.split(" ", 1)
            where = f"[{host}]" if ":" in host else host
            out = (
                f"{method} {target} HTTP/1.1\r\nHost: {where}:{port}\r\n"
                "Accept-Encoding: identity\r\nConnection: close\r\n\r\n"
            ).encode("latin-1")
            connection = _Connection((host, port), out, now + _REQUEST_TIMEOUT, self._inward())
            self._exchange = (request, expected, connection)
            return
        self._checking = None
        self._interrupted.add(index)
        with contextlib.suppress(ProcessLookupError):
            (os.killpg if self._group else os.kill)(self._pid, signal.SIGINT)

    def _settle(self, now: float) -> None:
        """Take what finished connections found."""
        if self._exchange is not None and self._exchange[2].done:
            request, expected, connection = self._exchange
            self._exchange = None
            problem = _judge(request, expected, connection)
            if problem is not None and self._checking is not None:
                self._problems[self._checking].append(problem)
            self._send_next(now)
        if self._probe is not None and self._probe[1].done:
            index, probe = self._probe
            self._probe = None
            if probe.error is None:
                port = self._address[index][1]
                self._problems[index].append(ServeProblem(ServeFault.STILL_ACCEPTS, port=port))

    def _ended(self, event: End, now: float) -> None:
        index = event.index
        if index not in self._checks:
            return
        address = self._address.get(index)
        if address is None:
            if event.status is Status.OK:
                problem = ServeProblem(ServeFault.NEVER_LISTENED, port=self._checks[index].port)
                self._problems.setdefault(index, []).append(problem)
            return
        if self._checking == index:
            # It ended before its requests were all answered: no SIGINT for the next block.
            self._queue.clear()
            self._checking = None
            return
        if event.status is Status.OK:
            probe = _Connection(address, b"", now + _PROBE_TIMEOUT, self._inward())
            self._probe = (index, probe)


class _Received:
    """The bytes of a whole response, as `http.client.HTTPResponse` reads a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, _mode: str) -> io.BytesIO:
        return io.BytesIO(self._data)


def _judge(request: str, expected: str, connection: _Connection) -> ServeProblem | None:
    """None when the response's body is what the article expects, else the problem."""
    # Imported here, in the process that checks, on its first response: http.client (and
    # the email parser it brings) is a sixth of the warm worker's start-up otherwise.
    import http.client  # noqa: PLC0415

    if connection.error is None:
        response = http.client.HTTPResponse(_Received(bytes(connection.received)))  # type: ignore[arg-type]  # it reads only makefile()
        try:
            response.begin()
            body = response.read().decode("utf-8", "backslashreplace")
        except (OSError, http.client.HTTPException) as err:
            connection.error = str(err) or type(err).__name__
        else:
            if matches(expected, body):
                return None
            return ServeProblem(ServeFault.DIFFERS, request, expected, body, response.status)
    return ServeProblem(ServeFault.NO_RESPONSE, request, got=connection.error or "")


def apply(
    observations: Mapping[int, Observation], results: Collection[CheckResult]
) -> dict[int, Observation]:
    """The observations with each failed check turned into a SERVE failure."""
    changed = dict(observations)
    for result in results:
        obs = changed.get(result.index)
        if obs is None:
            continue
        if obs.status is Status.TIMEOUT and obs.interruption is not None and result.interrupted:
            stopped = replace(obs.interruption, after_sigint=True)
            changed[result.index] = replace(obs, status=Status.SERVE, interruption=stopped)
            continue
        if obs.status not in (Status.OK, Status.RAISED):
            continue
        problems = result.problems
        if obs.status is Status.RAISED:
            if not result.interrupted:
                continue  # the example failed on its own: its traceback says it best
            problems += (ServeProblem(ServeFault.UNCLEAN_SHUTDOWN),)
        if problems:
            changed[result.index] = replace(obs, status=Status.SERVE, serve_problems=problems)
    return changed
