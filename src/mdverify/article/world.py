"""The directive keys that ask for services: `files`, `hosts`, `services` and `serve`.

Kept apart from `mdverify.article.directives` (which calls in here) because these keys describe
the world an article's examples run in rather than how one block is judged:

* `files:` (front matter only): a mapping of file names to contents, written into the
  article's working directory before its first block.
* `hosts:` host names served by a local HTTP server: a list, or a mapping of names to
  `{latency: seconds}`; in a block comment, `hosts=example.com,python.org`.
* `services:` servers started for the session; `postgres` is the one there is.
* `serve` (block comment only) with `port=`, then `request=`/`expect=` pairs: the block
  runs a server; the harness sends each request, checks the body, then sends SIGINT.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, cast

from mdverify.model import ServeCheck

__all__ = ["NEED_KEYS", "SERVICES", "NeedError", "from_items", "from_mapping"]

NEED_KEYS = ("files", "hosts", "services", "serve", "port", "request", "expect")
SERVICES = ("postgres",)
_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_REQUEST = re.compile(r"(?P<method>[A-Z]+)\s+(?P<target>/\S*)")


class NeedError(ValueError):
    """A service key with a value mdverify cannot use; the message says what to write."""


def from_items(items: list[tuple[str, str, str | None]]) -> dict[str, Any]:
    """Settings fields from the service keys of a block comment, in the order written."""
    fields: dict[str, Any] = {}
    serve: list[tuple[str, str | None]] = []
    for key, op, value in items:
        if op not in ("", "="):
            raise NeedError(f"{key!r} takes '=', not {op!r}")
        if key == "files":
            raise NeedError("'files' is a mapping of names to contents: set it in the front matter")
        if key == "hosts":
            fields["hosts"] = _hosts([n.strip() for n in (value or "").split(",") if n.strip()])
        elif key == "services":
            fields["services"] = _services((value or "").split(","))
        else:
            serve.append((key, value))
    if serve:
        fields["serve"] = _serve(serve)
    return fields


def _serve(items: list[tuple[str, str | None]]) -> ServeCheck:
    """`serve port=N request=... expect=... ...`, in the order written."""
    port: int | None = None
    exchanges: list[tuple[str, str | None]] = []
    if ("serve", None) not in items:
        if any(key == "serve" for key, _ in items):
            raise NeedError("'serve' takes no value; write serve request=... expect=...")
        raise NeedError("'port' and 'request' belong to a 'serve' directive")
    for key, value in items:
        if key == "port":
            port = _port(value)
        elif key == "request":
            exchanges.append((_request(value), None))
        elif key == "expect":
            if not exchanges or exchanges[-1][1] is not None:
                raise NeedError("each 'expect' follows the 'request' it checks")
            exchanges[-1] = (exchanges[-1][0], value or "")
    if not exchanges:
        raise NeedError('\'serve\' needs at least one request="GET /" expect="..." pair')
    if any(expected is None for _, expected in exchanges):
        raise NeedError("each 'request' needs an 'expect' after it")
    return ServeCheck(port, tuple((request, expected or "") for request, expected in exchanges))


def from_mapping(name: str, value: object) -> dict[str, Any]:
    """Settings fields from one service key of the front matter's `mdverify:` mapping."""
    if name == "files":
        return {"files": _files(value)}
    if name == "hosts":
        if isinstance(value, Mapping):
            entries = cast("Mapping[object, object]", value)
            return {"hosts": _hosts([str(k) for k in entries], entries)}
        if isinstance(value, list):
            return {"hosts": _hosts([str(v) for v in cast("list[object]", value)])}
        return {"hosts": _hosts([str(value)])}
    if name == "services":
        names = cast("list[object]", value) if isinstance(value, list) else [value]
        return {"services": _services([str(v) for v in names])}
    raise NeedError(f"'{name}' belongs on the block it checks, in a directive comment")


def _files(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        raise NeedError("'files' must be a mapping of file names to their contents")
    files = []
    for raw_name, content in cast("Mapping[object, object]", value).items():
        name = str(raw_name)
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise NeedError(f"file name {name!r} must be relative, inside the working directory")
        if not isinstance(content, str):
            raise NeedError(f"the content of {name!r} must be text (quote it, or use '|')")
        files.append((str(path), content))
    return tuple(files)


def _hosts(
    names: list[str], options: Mapping[object, object] | None = None
) -> tuple[tuple[str, float], ...]:
    if not names:
        raise NeedError("'hosts' needs host names, e.g. hosts=example.com,python.org")
    hosts = []
    for name in names:
        host = name.lower().rstrip(".")
        if not _HOST.fullmatch(host) or host == "localhost" or host.replace(".", "").isdigit():
            raise NeedError(f"{name!r} is not a host name mdverify can serve")
        latency = 0.0
        extra = options.get(name) if options is not None else None
        if isinstance(extra, Mapping):
            settings = cast("Mapping[object, object]", extra)
            unknown = set(map(str, settings)) - {"latency"}
            if unknown:
                raise NeedError(f"host {name!r}: unknown option {min(unknown)!r}; known: latency")
            latency = _latency(name, settings.get("latency"))
        elif extra is not None:
            raise NeedError(f"host {name!r} takes a mapping such as {{latency: 0.2}}")
        hosts.append((host, latency))
    return tuple(hosts)


def _latency(host: str, value: object) -> float:
    try:
        seconds = float(cast("Any", value))
    except (TypeError, ValueError):
        raise NeedError(f"host {host!r}: latency is a number of seconds, not {value!r}") from None
    if not 0 <= seconds <= 60:
        raise NeedError(f"host {host!r}: latency must be between 0 and 60 seconds")
    return seconds


def _services(names: list[str]) -> tuple[str, ...]:
    cleaned = [n.strip().lower() for n in names if n.strip()]
    if not cleaned:
        raise NeedError(f"'services' needs a service name; known: {', '.join(SERVICES)}")
    for name in cleaned:
        if name not in SERVICES:
            raise NeedError(f"unknown service {name!r}; known: {', '.join(SERVICES)}")
    return tuple(cleaned)


def _port(value: str | None) -> int:
    if value is None or not value.isdigit() or not 0 < int(value) < 65536:
        raise NeedError(f"'port' needs a TCP port number, not {value!r}")
    return int(value)


def _request(value: str | None) -> str:
    match = _REQUEST.fullmatch((value or "").strip())
    if match is None:
        raise NeedError(
            f"'request' needs a method and a path such as \"GET /?name=Ada\", not {value!r}"
        )
    return f"{match['method']} {match['target']}"
