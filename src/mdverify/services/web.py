"""A real HTTP server on 127.0.0.1 that answers for the hosts articles declare.

One server serves the whole session, on a free port, from a thread of the parent
process; a second one speaks HTTPS, with a certificate per host from the session's
`tls.LocalCA` chosen by SNI (when the `openssl` command exists). Each article `mount`s
its hosts while its child runs: a request is answered from
`<article dir>/_pages/<host>/<path>` (`index.html` for a path ending in `/`) chosen by
its `Host` header, after the host's declared latency. The child reaches it because
`mdverify.run.netmap` resolves each declared host on port 80 to the first server and on
port 443 to the second.
"""

from __future__ import annotations

import contextlib
import mimetypes
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from mdverify.services.tls import LocalCA

if TYPE_CHECKING:
    import socket
    import ssl
    from collections.abc import Iterator, Mapping

__all__ = ["PAGES_DIR", "LocalWeb", "Site"]

PAGES_DIR = "_pages"
"""Folder next to an article holding one folder of pages per host."""
_SHUTDOWN_POLL = 0.05


@dataclass(frozen=True)
class Site:
    """One declared host: where its pages are and how long each answer takes."""

    root: Path
    latency: float = 0.0


class LocalWeb:
    """The session's HTTP server; `start()` it, `mount()` hosts, `close()` it."""

    def __init__(self) -> None:
        self._sites: dict[str, Site] = {}
        self._lock = threading.Lock()
        self._servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []
        self._tmp: Path | None = None
        self._ca: LocalCA | None = None

    @property
    def port(self) -> int:
        """The port on 127.0.0.1 of the plain HTTP server."""
        assert self._servers, "LocalWeb.start() first"
        return int(self._servers[0][0].server_address[1])

    @property
    def tls_port(self) -> int | None:
        """The port on 127.0.0.1 of the HTTPS server; None without `openssl`."""
        return int(self._servers[1][0].server_address[1]) if len(self._servers) > 1 else None

    @property
    def ca_file(self) -> Path | None:
        """The CA certificate a client must trust for HTTPS; None without `openssl`."""
        return self._ca.ca_file if self._ca is not None else None

    def start(self, *, tls: bool = True) -> LocalWeb:
        """Listen on free loopback ports and serve from daemon threads."""
        web = self

        class Handler(_Handler):
            def site(self, host: str) -> Site | None:
                with web._lock:
                    return web._sites.get(host)

        self._serve(_Server(("127.0.0.1", 0), Handler))
        if tls:
            self._tmp = Path(tempfile.mkdtemp(prefix="mdverify-tls-"))
            self._ca = LocalCA.create(self._tmp)
        if self._ca is not None:
            ca = self._ca
            context = ca.context("localhost")

            def choose(sslobj: ssl.SSLObject, name: str | None, _: ssl.SSLContext) -> None:
                with web._lock:
                    if name and name in web._sites:
                        sslobj.context = ca.context(name)

            context.sni_callback = choose
            self._serve(_TLSServer(("127.0.0.1", 0), Handler, context))
        return self

    def _serve(self, server: ThreadingHTTPServer) -> None:
        # shutdown() waits for the loop's next look at the flag: 0.5 s by default.
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _SHUTDOWN_POLL},
            name="mdverify-web",
            daemon=True,
        )
        thread.start()
        self._servers.append((server, thread))

    def close(self) -> None:
        """Stop serving, release the ports and delete the certificates."""
        while self._servers:
            server, thread = self._servers.pop()
            server.shutdown()
            server.server_close()
            thread.join()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = self._ca = None

    @contextlib.contextmanager
    def mount(self, sites: Mapping[str, Site]) -> Iterator[dict[str, int]]:
        """Serve `sites` (host name -> site) meanwhile; yields the child's host map."""
        if self._ca is not None:
            for host in sites:
                self._ca.context(host)  # made now, not during a handshake
        with self._lock:
            self._sites.update(sites)
        try:
            yield dict.fromkeys(sites, self.port)
        finally:
            with self._lock:
                for host in sites:
                    self._sites.pop(host, None)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (a timeout in an example) is no error of the server's."""
        del request, client_address


class _TLSServer(_Server):
    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(address, handler)
        self.context = context

    def get_request(self) -> tuple[socket.socket, Any]:
        """Wrap each connection; the handshake happens in the handler's thread."""
        sock, address = super().get_request()
        wrapped = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return wrapped, address


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mdverify-pages/1"

    def site(self, host: str) -> Site | None:
        raise NotImplementedError

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower().rstrip(".")
        site = self.site(host)
        if site is None:
            self._send(421, f"mdverify: {host or 'no host'} is not served here\n", "text/plain")
            return
        if site.latency:
            time.sleep(site.latency)
        page = _page(site.root, urlsplit(self.path).path)
        if page is None:
            self._send(404, "<!doctype html><title>404 Not Found</title>\n", "text/html", body)
            return
        kind = mimetypes.guess_type(page.name)[0] or "application/octet-stream"
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        self._send(200, page.read_bytes(), kind, body)

    def _send(self, status: int, data: str | bytes, kind: str, body: bool = True) -> None:
        payload = data.encode() if isinstance(data, str) else data
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 -- base's name
        """Keep the test run's output clean."""


def _page(root: Path, path: str) -> Path | None:
    relative = unquote(path).lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root.resolve()):
        return None
    if candidate.is_dir():
        candidate /= "index.html"
    return candidate if candidate.is_file() else None
