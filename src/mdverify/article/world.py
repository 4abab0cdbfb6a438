"""The world keys of directives: `files`, `hosts`, `services`, and the server check `serve`.

Kept apart from `mdverify.article.directives` (which calls in here) because these keys describe
the world an article's examples run in rather than how one block is judged. They are read into
a `World` (what `mdverify.services` provides) and a `ServeCheck` (what the run checks):

* `files:` (front matter only): a mapping of file names to contents, written into the
  article's working directory before its first block.
* `hosts:` host names served by a local HTTP server: a list, or a mapping of names to
  `{latency: seconds}`; in a block comment, `hosts=example.com,python.org` (that block's).
* `services:` servers started for the session; `postgres` is the one there is. In a block
  comment, the block's own: where a service cannot exist, only the blocks needing it skip.
* `serve` (block comment only) with `port=`, then `request=`/`expect=` pairs: the block
  runs a server; the harness sends each request, checks the body, then sends SIGINT.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any, cast

from mdverify.model import ServeCheck, World

__all__ = [
    "SERVE_KEYS",
    "SERVICES",
    "WORLD_KEYS",
    "WorldError",
    "read_comment_serve",
    "read_comment_world",
    "read_front_matter_world",
]

WORLD_KEYS = ("files", "hosts", "services")
SERVE_KEYS = ("serve", "port", "request", "expect")
SERVICES = ("postgres",)
_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_REQUEST = re.compile(r"(?P<method>[A-Z]+)\s+(?P<target>/\S*)")


class WorldError(ValueError):
    """A world or serve key with a value mdverify cannot use; the message says what to write."""


Items = list[tuple[str, str, str | None]]
"""A directive comment's (key, operator, value) items, in the order written (`directives`
reads them, and uses this alias too)."""


def read_comment_world(items: Items) -> World:
    """The hosts and services a block comment's `hosts=` / `services=` keys ask for."""
    world = World()
    # `files` never reaches here: directives refuses it in a comment, as an article key.
    for key, _, value in _with_equals(items, ("hosts", "services")):
        if key == "hosts":
            hosts = _hosts([n.strip() for n in (value or "").split(",") if n.strip()])
            world = world.merged(World(hosts=hosts))
        else:
            world = world.merged(World(services=_services((value or "").split(","))))
    return world


def read_comment_serve(items: Items) -> ServeCheck | None:
    """`serve port=N request=... expect=... ...` in a block comment; None without them."""
    serve = [(key, value) for key, _, value in _with_equals(items, SERVE_KEYS)]
    return _serve(serve) if serve else None


def _with_equals(items: Items, keys: tuple[str, ...]) -> Items:
    chosen = [item for item in items if item[0] in keys]
    for key, op, _ in chosen:
        if op not in ("", "="):
            raise WorldError(f"{key!r} takes '=', not {op!r}")
    return chosen


def _serve(items: list[tuple[str, str | None]]) -> ServeCheck:
    port: int | None = None
    exchanges: list[tuple[str, str | None]] = []
    if ("serve", None) not in items:
        if any(key == "serve" for key, _ in items):
            raise WorldError("'serve' takes no value; write serve request=... expect=...")
        raise WorldError("'port' and 'request' belong to a 'serve' directive")
    for key, value in items:
        if key == "port":
            port = _port(value)
        elif key == "request":
            exchanges.append((_request(value), None))
        elif key == "expect":
            if not exchanges or exchanges[-1][1] is not None:
                raise WorldError("each 'expect' follows the 'request' it checks")
            exchanges[-1] = (exchanges[-1][0], value or "")
    if not exchanges:
        raise WorldError('\'serve\' needs at least one request="GET /" expect="..." pair')
    if any(expected is None for _, expected in exchanges):
        raise WorldError("each 'request' needs an 'expect' after it")
    return ServeCheck(port, tuple((request, expected or "") for request, expected in exchanges))


def read_front_matter_world(name: str, value: object) -> World:
    """What one world key (`files`, `hosts`, `services`) of the front matter asks for."""
    if name == "files":
        return World(files=_files(value))
    if name == "hosts":
        if isinstance(value, Mapping):
            entries = cast("Mapping[object, object]", value)
            return World(hosts=_hosts([str(k) for k in entries], entries))
        if isinstance(value, list):
            return World(hosts=_hosts([str(v) for v in cast("list[object]", value)]))
        return World(hosts=_hosts([str(value)]))
    names = cast("list[object]", value) if isinstance(value, list) else [value]
    return World(services=_services([str(v) for v in names]))


def _files(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        raise WorldError("'files' must be a mapping of file names to their contents")
    files = []
    for raw_name, content in cast("Mapping[object, object]", value).items():
        name = str(raw_name)
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise WorldError(f"file name {name!r} must be relative, inside the working directory")
        if not isinstance(content, str):
            raise WorldError(f"the content of {name!r} must be text (quote it, or use '|')")
        files.append((str(path), content))
    return tuple(files)


def _hosts(
    names: list[str], options: Mapping[object, object] | None = None
) -> tuple[tuple[str, float], ...]:
    if not names:
        raise WorldError("'hosts' needs host names, e.g. hosts=example.com,python.org")
    hosts = []
    for name in names:
        host = name.lower().rstrip(".")
        if not _HOST.fullmatch(host) or host == "localhost" or host.replace(".", "").isdigit():
            raise WorldError(f"{name!r} is not a host name mdverify can serve")
        latency = 0.0
        extra = options.get(name) if options is not None else None
        if isinstance(extra, Mapping):
            settings = cast("Mapping[object, object]", extra)
            unknown = set(map(str, settings)) - {"latency"}
            if unknown:
                raise WorldError(f"host {name!r}: unknown option {min(unknown)!r}; known: latency")
            latency = _latency(name, settings.get("latency"))
        elif extra is not None:
            raise WorldError(f"host {name!r} takes a mapping such as {{latency: 0.2}}")
        hosts.append((host, latency))
    return tuple(hosts)


def _latency(host: str, value: object) -> float:
    try:
        seconds = float(cast("Any", value))
    except (TypeError, ValueError):
        raise WorldError(f"host {host!r}: latency is a number of seconds, not {value!r}") from None
    if not 0 <= seconds <= 60:
        raise WorldError(f"host {host!r}: latency must be between 0 and 60 seconds")
    return seconds


def _services(names: list[str]) -> tuple[str, ...]:
    cleaned = [n.strip().lower() for n in names if n.strip()]
    if not cleaned:
        raise WorldError(f"'services' needs a service name; known: {', '.join(SERVICES)}")
    for name in cleaned:
        if name not in SERVICES:
            raise WorldError(f"unknown service {name!r}; known: {', '.join(SERVICES)}")
    return tuple(cleaned)


def _port(value: str | None) -> int:
    if value is None or not value.isdigit() or not 0 < int(value) < 65536:
        raise WorldError(f"'port' needs a TCP port number, not {value!r}")
    return int(value)


def _request(value: str | None) -> str:
    match = _REQUEST.fullmatch((value or "").strip())
    if match is None:
        raise WorldError(
            f"'request' needs a method and a path such as \"GET /?name=Ada\", not {value!r}"
        )
    return f"{match['method']} {match['target']}"
