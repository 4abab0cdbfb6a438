"""Parent side of `serve`: talk to the server a block runs, then stop it with SIGINT.

A block such as `web.run_app(create_app())` serves until interrupted. The child reports a
`Listening` event when the example's server listens (see `mdverify.run.netmap`, which
moved it to a free loopback port). The watch (`mdverify.run.watch`) hands every event to
`ServerChecks.on_event`; on `Listening` it sends each declared request, compares each
response body with what the article expects (`...` wildcards allowed), then sends SIGINT to the
child, as a reader pressing Ctrl+C would. The block must then end cleanly, and its port
must be closed. Whatever went wrong becomes the block's `serve` failure.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.check.compare import matches
from mdverify.model import Status
from mdverify.run.events import End, Listening, Start

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.model import Observation, ServeCheck
    from mdverify.run.events import Event

__all__ = ["ServerChecks"]

_REQUEST_TIMEOUT = 10.0


class ServerChecks:
    """The server checks of one article's run; fed every event the child reports."""

    def __init__(self, checks: Mapping[int, ServeCheck], pid: int) -> None:
        self._checks = checks
        self._pid = pid
        self._running: int | None = None
        self._address: dict[int, tuple[str, int]] = {}
        self._problems: dict[int, list[str]] = {}
        self._interrupted: set[int] = set()

    def on_event(self, event: Event) -> None:
        """Act on one event of the child: a block starts, a server listens, a block ends."""
        if isinstance(event, Start):
            self._running = event.index
        elif isinstance(event, Listening):
            self._listening(event)
        elif isinstance(event, End):
            self._ended(event)
            self._running = None

    def _listening(self, event: Listening) -> None:
        index = self._running
        if index is None or index not in self._checks or index in self._address:
            return
        check = self._checks[index]
        if check.port is not None and event.asked != check.port:
            return
        address = (event.host, event.port)
        self._address[index] = address
        problems = self._problems.setdefault(index, [])
        for request, expected in check.exchanges:
            problem = _exchange(address, request, expected)
            if problem:
                problems.append(problem)
        self._interrupted.add(index)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGINT)

    def _ended(self, event: End) -> None:
        index = event.index
        if index not in self._checks:
            return
        problems = self._problems.setdefault(index, [])
        address = self._address.get(index)
        if address is None:
            port = self._checks[index].port
            where = f"on port {port}" if port is not None else "on any port"
            if event.status is Status.OK:
                problems.append(f"the block ended without listening {where}")
            return
        if event.status is Status.OK and _accepts(address):
            problems.append(
                f"the server still accepts connections on port {address[1]} after SIGINT"
            )

    def apply(self, observations: Mapping[int, Observation]) -> dict[int, Observation]:
        """The observations with each failed check turned into a `serve` failure."""
        results = dict(observations)
        for index in self._checks:
            obs = results.get(index)
            if obs is None:
                continue
            if (
                obs.status is Status.TIMEOUT
                and obs.interruption is not None
                and index in self._interrupted
            ):
                stopped = replace(obs.interruption, after_sigint=True)
                results[index] = replace(obs, status=Status.SERVE, interruption=stopped)
                continue
            if obs.status not in (Status.OK, Status.RAISED):
                continue
            problems = list(self._problems.get(index, ()))
            if obs.status is Status.RAISED:
                if index not in self._interrupted:
                    continue  # the example failed on its own: its traceback says it best
                problems.append(f"on SIGINT the server did not shut down cleanly:\n{obs.error}")
            if problems:
                results[index] = replace(obs, status=Status.SERVE, error="\n\n".join(problems))
        return results


def _exchange(address: tuple[str, int], request: str, expected: str) -> str | None:
    """Send one request; None when the body matches, else what went wrong."""
    method, target = request.split(" ", 1)
    connection = http.client.HTTPConnection(*address, timeout=_REQUEST_TIMEOUT)
    try:
        connection.request(method, target, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "backslashreplace")
    except (OSError, http.client.HTTPException) as err:
        return f"{request}: no response ({err or type(err).__name__})"
    finally:
        connection.close()
    if matches(expected, body):
        return None
    return (
        f"{request}: the response differs from what the article expects\n"
        f"--- expected\n{expected}\n+++ got (HTTP {response.status})\n{body}"
    )


def _accepts(address: tuple[str, int]) -> bool:
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(2.0)
        return probe.connect_ex(address) == 0
