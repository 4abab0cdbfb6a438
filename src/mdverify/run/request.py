"""An article's run, decided but not started (`Prepared`): the child's request and limits.

`prepare` turns the examples to run and the session's `RunOptions` into what any start
needs: the request the child reads (`mdverify.run.child.ArticleRequest`), each block's real
time limit, the child's environment and the output limits. `Provision` is what the
article's services give the child (`mdverify.services.provide` makes it): plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mdverify.run.environment import options_env

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from mdverify.model import Article, ClockName, Example
    from mdverify.run.child import ArticleRequest, BlockRequest
    from mdverify.run.options import RunOptions

__all__ = ["Prepared", "Provision", "prepare"]


@dataclass(frozen=True)
class Provision:
    """What the article's services give the child: plain data."""

    env: Mapping[str, str] = field(default_factory=dict)
    """Variables added to the child's environment (e.g. the libpq ones)."""
    files: tuple[tuple[str, str], ...] = ()
    """(relative name, content) written into the working directory before the first block."""
    hosts: Mapping[str, int] = field(default_factory=dict)
    """Host name -> port of the local HTTP server on 127.0.0.1."""
    tls_port: int | None = None
    """Port of the local HTTPS server (for port 443 of the hosts); None: no HTTPS."""
    services: tuple[tuple[str, int], ...] = ()
    """(host, port) of every server the harness runs for the article: they answer."""


@dataclass(frozen=True)
class Prepared:
    """One article's run, decided but not started: what any way of starting a child needs."""

    request: ArticleRequest
    timeouts: Mapping[int, float]
    """Real-time limit of each block, by example index."""
    env: Mapping[str, str]
    """The child's environment."""
    chosen: tuple[Example, ...]
    clock: ClockName
    output_limit: int
    output_budget: int
    files: tuple[tuple[str, str], ...] = ()
    """Files to create in the child's working directory (from the `Provision`)."""

    @property
    def cold_only(self) -> bool:
        """Whether only a cold start can run it (files to write, or a server to check).

        The warm worker does neither: such a run handed to it would silently lose them.
        """
        return bool(self.files) or bool(self.request["net"]["serve_blocks"])


def prepare(
    article: Article,
    abspath: str,
    examples: Iterable[Example],
    options: RunOptions,
    provision: Provision | None = None,
    env: Mapping[str, str] | None = None,
) -> Prepared | None:
    """The request for running `examples` of `article`, or None when there is nothing to run.

    `env` is the child's environment when the caller has already computed `child_env`.
    """
    chosen = tuple(examples)
    if not chosen:
        return None
    clock: ClockName = article.settings.clock or options.clock
    serve = sorted(e.index for e in chosen if e.settings.serve is not None)
    request: ArticleRequest = {
        "path": abspath,
        "display": article.path,
        "clock": clock,
        "cap": options.cap,
        "limits": {
            "memory": options.memory,
            "processes": options.processes,
            "file_size": options.output_budget,
        },
        "blocks": [_block(e) for e in chosen],
        "net": {
            "hosts": dict(provision.hosts) if provision else {},
            "tls_port": provision.tls_port if provision else None,
            "serve_blocks": serve,
            "services": list(provision.services) if provision else [],
        },
    }
    timeouts = {e.index: e.settings.timeout or options.timeout for e in chosen}
    if env is None:
        env = options_env(options)
    if provision is not None:
        env = {**env, **provision.env}  # the article's services (libpq variables): always
    return Prepared(
        request,
        timeouts,
        env,
        chosen,
        clock,
        options.output_limit,
        options.output_budget,
        provision.files if provision else (),
    )


def _block(example: Example) -> BlockRequest:
    return {
        "index": example.index,
        "kind": example.kind,
        "source": example.source,
        "code_line": example.code_line,
        "ends": list(example.ends),
        "trace_awaits": bool(example.timings),
        "calls": [list(call) for call in sorted({c.call for c in example.outputs if c.call})],
        "values": sorted({c.line for c in example.outputs if c.kind == "value"}),
    }
