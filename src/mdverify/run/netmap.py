"""The child's view of the network: declared hosts lead to the harness, the rest nowhere.

Installed once at child start-up from plain data (`NetSpec`), before any example runs:

* Name resolution (`socket.getaddrinfo`, which asyncio, aiohttp, asyncpg, urllib and
  `socket.create_connection` all use) maps each declared host on port 80 to the harness's
  local HTTP server, `127.0.0.1:<port>`, and on port 443 to its HTTPS server (whose
  certificate for the host the child trusts through `SSL_CERT_FILE`). The request still
  names the host (`Host` header, SNI), so the server answers with that host's pages.
* An event loop's `getaddrinfo` answers at once, on the loop's thread: every name but the
  machine's own is answered here without the network, and in asyncio's thread pool the
  lookup would only let virtual time flow meanwhile (an executor job runs real code), so
  that `open_connection("localhost", ...)` measured a few milliseconds more each run.
* Any other name that is not loopback fails with `socket.gaierror` naming the host, and a
  `connect` to a non-loopback address (an IP literal skips name resolution) fails with
  `OSError(ENETUNREACH)` naming it too: examples run offline, and say so. The parent hears
  of each such host too (an `Offline` event, once per block), so that an example that
  catches the error is not taken for one that reached the real host. A UDP `connect`
  fails the same way unreported: it sends nothing, and asks only for a route (Werkzeug's
  `get_interface_ip`, which then shows 127.0.0.1, as on a machine with no network).
* Each article has a port space of its own, so that articles running at once never
  collide on a fixed port. Where the child could make a network namespace for the article
  (`mdverify.run.netns`, `route(isolated=True)`), servers bind what they ask for. Elsewhere,
  and always while a block with a server check runs (`begin_block`), a server's `bind`
  goes to loopback on a free port instead of the port it asks for, and nothing listens
  beyond 127.0.0.1. The example keeps seeing the address it asked for: `getsockname` on
  that socket returns it (so aiohttp prints `Running on http://0.0.0.0:8080`), and a
  `connect` from the article itself to the port it asked for is sent to the real one.
* `listen` reports a `Listening` event to the parent (for a server check, it then sends
  the declared requests: see `mdverify.run.servecheck`), and a listener's first `accept`
  and its `close` report `Accepted` and `Closed`: a block that times out while it serves
  is reported as serving, naming the port, and whether anything connected.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import threading
from typing import TYPE_CHECKING, Any, TypedDict

from mdverify import clock
from mdverify.run import bridge
from mdverify.run.events import Accepted, Closed, Listening, Offline

if TYPE_CHECKING:
    from collections.abc import Callable

    from mdverify.run.events import Event

__all__ = ["NetSpec", "begin_block", "harness", "local_only", "route"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_HTTP_PORTS = frozenset({80, "80", "http", None})
_HTTPS_PORTS = frozenset({443, "443", "https"})

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_bind = socket.socket.bind
_real_listen = socket.socket.listen
_real_getsockname = socket.socket.getsockname
_real_accept = socket.socket.accept
_real_loop_getaddrinfo = asyncio.base_events.BaseEventLoop.getaddrinfo
_real_close = socket.socket.close


class NetSpec(TypedDict):
    """What the parent tells the child about the network; plain data for JSON."""

    hosts: dict[str, int]
    """Declared host name -> port of the harness's HTTP server on 127.0.0.1."""
    tls_port: int | None
    """Port of the harness's HTTPS server, where port 443 of the hosts leads."""
    serve_blocks: list[int]
    """Indexes of the blocks whose server the parent checks."""
    services: list[tuple[str, int]]
    """(host, port) of the harness's servers: they answer, so the clock waits for them."""


class _State:
    hosts: dict[str, int] = {}  # noqa: RUF012 -- one mutable registry per process
    tls_port: int | None = None
    serve_blocks: frozenset[int] = frozenset()
    remapping = False
    remap_all = True
    """No namespace of the article's own: every server moves to a free port."""
    listeners: dict[int, int] = {}  # noqa: RUF012 -- fd of a listening socket -> asked port
    accepted: set[int] = set()  # noqa: RUF012 -- fds of listeners that accepted a client
    ports: dict[int, int] = {}  # noqa: RUF012 -- port the example asked for -> real port
    asked: dict[int, int] = {}  # noqa: RUF012 -- real port -> port the example asked for
    shown: dict[int, tuple[Any, ...]] = {}  # noqa: RUF012 -- fd -> (real, shown address)
    bound: dict[int, tuple[int, int]] = {}  # noqa: RUF012 -- fd -> (real port, family)
    report: Callable[[Event], None] | None = None
    bridge: bridge.Bridge | None = None
    """The doorman to the harness's servers, when the article has a namespace of its own."""
    refused: set[tuple[int, str]] = set()  # noqa: RUF012 -- (block, host) reported refused
    block: int = -1  # the running block's index


def local_only(spec: NetSpec | None) -> bool:
    """Whether the article needs nothing of the parent's network (its own may replace it)."""
    return not spec or not (
        spec["hosts"] or spec["serve_blocks"] or spec["services"] or spec.get("tls_port")
    )


def harness(spec: NetSpec | None) -> frozenset[tuple[str, int]]:
    """The harness's servers the doorman may reach (`mdverify.run.bridge`)."""
    if not spec:
        return frozenset()
    servers = {(host, int(port)) for host, port in spec["services"]}
    servers |= {("127.0.0.1", int(port)) for port in spec["hosts"].values()}
    if spec.get("tls_port"):
        servers.add(("127.0.0.1", int(spec["tls_port"] or 0)))
    return frozenset(servers)


def route(
    spec: NetSpec | None,
    report: Callable[[Event], None],
    *,
    isolated: bool = False,
    door: bridge.Bridge | None = None,
) -> None:
    """Route the child's network as `spec` says; `report` writes an event for the parent.

    `isolated`: the article has a network namespace of its own, so its servers keep the
    ports they ask for. `door`: the way to the harness's servers from that namespace.
    """
    _State.remap_all = not isolated
    _State.bridge = door
    _State.hosts = dict(spec["hosts"]) if spec else {}
    _State.tls_port = spec.get("tls_port") if spec else None
    _State.serve_blocks = frozenset(spec["serve_blocks"]) if spec else frozenset()
    _State.report = report
    clock.expect_replies_from(spec["services"] if spec else ())
    # Through the clock's registry of patches, so that one uninstall undoes them too.
    clock.patch(socket, "getaddrinfo", _getaddrinfo)
    clock.patch(asyncio.base_events.BaseEventLoop, "getaddrinfo", _loop_getaddrinfo)
    # The methods of the Python subclass, so every socket the stdlib makes is covered.
    for name, method in (
        ("connect", _connect),
        ("connect_ex", _connect_ex),
        ("bind", _bind),
        ("listen", _listen),
        ("getsockname", _getsockname),
        ("accept", _accept),
        ("close", _close),
    ):
        clock.patch(socket.socket, name, method)
    clock.patch(threading.Thread, "start", _noting_start(threading.Thread.start))


def begin_block(index: int) -> bool:
    """A block starts: servers move to free loopback ports only if it is checked (True)."""
    _State.remapping = index in _State.serve_blocks
    _State.refused = set()
    _State.block = index
    return _State.remapping


# A thread's attribute: the block that started it (or started the thread that started it).
_ORIGIN = "_mdverify_block"


def _noting_start(start: Callable[[threading.Thread], None]) -> Callable[[threading.Thread], None]:
    """`Thread.start` that notes which block started the thread.

    A block that starts threads and a later one that joins them: whichever block runs when a
    thread tries a host, the attempt is the starting block's, or the verdicts would depend on
    the threads' timing.
    """

    def noting(self: threading.Thread) -> None:
        # A pool's worker idles between jobs, so that the block that submits the next job
        # may be a later one: its attempts are the running block's.
        if not clock.is_pool_worker(self):
            setattr(self, _ORIGIN, getattr(threading.current_thread(), _ORIGIN, _State.block))
        start(self)

    return noting


def _refuse(host: str) -> None:
    """Tell the parent, once per block, that the block tried `host`, which is undeclared."""
    block = getattr(threading.current_thread(), _ORIGIN, _State.block)
    if (block, host) not in _State.refused and _State.report is not None:
        _State.refused.add((block, host))
        _State.report(Offline(host, block))


def _declared() -> str:
    names = ", ".join(sorted(_State.hosts))
    return f"this article declares hosts: {names}" if names else "this article declares no hosts"


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in _LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%", maxsplit=1)[0]).is_loopback
    except ValueError:
        return False


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", maxsplit=1)[0])
    except ValueError:
        return False
    return True


def _getaddrinfo(
    host: bytes | str | None,
    port: bytes | str | int | None,
    family: int = 0,
    type: int = 0,  # noqa: A002 -- the stdlib's own parameter name
    proto: int = 0,
    flags: int = 0,
) -> list[tuple[Any, Any, int, str, Any]]:
    name = host.decode() if isinstance(host, bytes) else host
    if name is None or name == "" or _is_loopback(name) or name == socket.gethostname():
        port = _mapped_port(port) if name is not None and _is_loopback(name) else port
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    key = name.lower().rstrip(".")
    if key in _State.hosts:
        if port in _HTTPS_PORTS and _State.tls_port is None:
            raise socket.gaierror(
                socket.EAI_SERVICE,
                f"mdverify: {name} is served over plain HTTP only (port 80; HTTPS needs the "
                f"openssl command); use http://{name}/ in the example",
            )
        if port not in _HTTP_PORTS and port not in _HTTPS_PORTS:
            raise socket.gaierror(
                socket.EAI_SERVICE,
                f"mdverify: {name} is served on ports 80 and 443 only, not {port!r}",
            )
        if family not in (0, socket.AF_INET):
            raise socket.gaierror(socket.EAI_FAMILY, f"mdverify: {name} is served over IPv4")
        return [
            (
                socket.AF_INET,
                type or socket.SOCK_STREAM,
                proto or socket.IPPROTO_TCP,
                "",
                ("127.0.0.1", _State.tls_port if port in _HTTPS_PORTS else _State.hosts[key]),
            )
        ]
    if _is_address(name):
        return _real_getaddrinfo(host, port, family, type, proto, flags)  # connect decides
    _refuse(name)
    raise socket.gaierror(
        socket.EAI_NONAME,
        f"mdverify: examples run offline; {name} is not reachable ({_declared()}; "
        "add it under hosts: in the front matter to serve local pages)",
    )


async def _loop_getaddrinfo(
    self: asyncio.BaseEventLoop,
    host: bytes | str | None,
    port: bytes | str | int | None,
    *,
    family: int = 0,
    type: int = 0,  # noqa: A002 -- the stdlib's own parameter name
    proto: int = 0,
    flags: int = 0,
) -> list[tuple[Any, Any, int, str, Any]]:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name == socket.gethostname():
        # The machine's own name may need a resolver: that one goes to the thread pool.
        return await _real_loop_getaddrinfo(
            self, host, port, family=family, type=type, proto=proto, flags=flags
        )
    return socket.getaddrinfo(host, port, family, type, proto, flags)


def _mapped_port(port: bytes | str | int | None) -> bytes | str | int | None:
    try:
        number = int(port) if port is not None else None
    except ValueError:
        return port
    if number is not None and number in _State.ports:
        return _State.ports[number]
    return port


def _checked_address(sock: socket.socket, address: Any) -> Any:  # noqa: ANN401 -- any family
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple):
        return address
    host = str(address[0])
    if not _is_loopback(host):
        if sock.type != socket.SOCK_DGRAM:
            # A UDP connect sends nothing: it asks for a route (Werkzeug's probe for the
            # machine's own address), and fails here as on a machine with none, unreported.
            _refuse(host)
        raise OSError(
            errno.ENETUNREACH,
            f"mdverify: examples run offline; {host} is not reachable ({_declared()})",
        )
    port = address[1]
    if port in _State.ports:
        return (host, _State.ports[port], *address[2:])
    return address


def _connect(self: socket.socket, address: Any) -> None:  # noqa: ANN401 -- any family
    address = _checked_address(self, address)
    if not bridge.take(_State.bridge, self, address):
        _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:  # noqa: ANN401 -- any family
    address = _checked_address(self, address)
    try:
        if bridge.take(_State.bridge, self, address):
            return 0
    except OSError as err:
        return err.errno or errno.ECONNREFUSED
    return _real_connect_ex(self, address)


def _bind(self: socket.socket, address: Any) -> None:  # noqa: ANN401 -- any family
    if (
        not (_State.remapping or _State.remap_all)
        or self.family not in (socket.AF_INET, socket.AF_INET6)
        or not isinstance(address, tuple)
        or self.type != socket.SOCK_STREAM
    ):
        _real_bind(self, address)
        return
    loopback = "127.0.0.1" if self.family == socket.AF_INET else "::1"
    asked = int(address[1])
    # The port the same server holds in the other family (asyncio binds 0.0.0.0 and ::),
    # so that a client of either family reaches it at the one port the map names. A later
    # server that asks for the same port gets a fresh one: a check that probes the
    # earlier server after SIGINT must not reach its successor.
    previous = _State.ports.get(asked) if asked else None
    shared = any(port == previous and fam != self.family for port, fam in _State.bound.values())
    try:
        _real_bind(self, (loopback, previous if shared else 0, *address[2:]))
    except OSError:
        _real_bind(self, (loopback, 0, *address[2:]))
    bound = _real_getsockname(self)
    real = bound[1]
    _State.asked[real] = asked or real
    _State.bound[self.fileno()] = (real, self.family)
    if asked:
        _State.ports[asked] = real
        unspecified = "0.0.0.0" if self.family == socket.AF_INET else "::"  # noqa: S104
        shown = (address[0] or unspecified, asked, *bound[2:])
        _State.shown[self.fileno()] = (bound, shown)


def _getsockname(self: socket.socket) -> Any:  # noqa: ANN401 -- any family
    bound = _real_getsockname(self)
    moved = _State.shown.get(self.fileno())
    # The descriptor may have been reused by another socket since: compare addresses.
    return moved[1] if moved is not None and moved[0] == bound else bound


def _listen(self: socket.socket, *args: int) -> None:
    _real_listen(self, *args)
    if self.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host, port = _real_getsockname(self)[:2]
    asked = _State.asked.get(port, port)
    _State.listeners[self.fileno()] = asked
    _State.accepted.discard(self.fileno())
    if _State.report is not None:
        _State.report(Listening(host, port, asked))


def _accept(self: socket.socket) -> tuple[socket.socket, Any]:
    accepted = _real_accept(self)
    fd = self.fileno()
    if fd in _State.listeners and fd not in _State.accepted:
        _State.accepted.add(fd)
        if _State.report is not None:
            _State.report(Accepted(_State.listeners[fd]))
    return accepted


def _close(self: socket.socket) -> None:
    _State.bound.pop(self.fileno(), None)
    asked = _State.listeners.pop(self.fileno(), None)
    if asked is not None:
        _State.accepted.discard(self.fileno())
        if _State.report is not None:
            _State.report(Closed(asked))
    _real_close(self)
