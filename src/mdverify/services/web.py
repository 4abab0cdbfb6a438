"""A real HTTP server on 127.0.0.1 that answers for the hosts articles declare.

One server serves the whole session, on a free port, from a thread of the parent
process. Each article `mount`s its hosts while its child runs: a request is answered
from `<article dir>/_pages/<host>/<path>` (`index.html` for a path ending in `/`) chosen
by its `Host` header, after the host's declared latency. The child reaches it because
`mdverify.netmap` resolves each declared host to this server.
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

__all__ = ["PAGES_DIR", "LocalWeb", "Site"]

PAGES_DIR = "_pages"
"""Folder next to an article holding one folder of pages per host."""


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
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port on 127.0.0.1 the server listens on."""
        assert self._server is not None, "LocalWeb.start() first"
        return int(self._server.server_address[1])

    def start(self) -> LocalWeb:
        """Listen on a free loopback port and serve from a daemon thread."""
        web = self

        class Handler(_Handler):
            def site(self, host: str) -> Site | None:
                with web._lock:
                    return web._sites.get(host)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="mdverify-web", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @contextlib.contextmanager
    def mount(self, sites: Mapping[str, Site]) -> Iterator[dict[str, int]]:
        """Serve `sites` (host name -> site) meanwhile; yields the child's host map."""
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
