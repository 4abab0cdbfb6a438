"""The outside world an article's examples use, where it lives in the parent: hosts, a database.

The parent provides it; the child only receives data (`mdverify.run.request.Provision`):
environment variables, the host map and the servers that answer. (Files and server checks
need nothing of the parent: `mdverify.run` handles them on either start.) What an
article's blocks ask for is `model.World.union` of their worlds (the keys are read by
`mdverify.article.world`); `provide()` sets it up for one article's run with the session's
servers (`web.LocalWeb`, `postgres.Postgres`) and takes it down after;
`mdverify.services.provided.Servers` offers it to the run stage as the article's `Setup`.
This package never imports pytest: `mdverify.plugin.fixtures` wraps the servers as
fixtures.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from mdverify.run.request import Provision, SetupError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mdverify.model import World
    from mdverify.services.postgres import Postgres
    from mdverify.services.web import LocalWeb, Site

__all__ = ["ServiceError", "provide", "sql_file"]


class ServiceError(SetupError):
    """A service an article asks for cannot be set up; the message names the article."""


def sql_file(article: Path) -> Path:
    """Where an article's SQL lives: next to it, with the same stem (`x.md` -> `x.sql`)."""
    return article.with_suffix(".sql")


@contextlib.contextmanager
def provide(
    article: Path,
    display: str,
    wanted: World,
    web: LocalWeb | None = None,
    postgres: Postgres | None = None,
) -> Iterator[Provision]:
    """Set up what `wanted` asks for around one run of the article at `article`."""
    with contextlib.ExitStack() as stack:
        host_map: dict[str, int] = {}
        env: dict[str, str] = {}
        tls_port: int | None = None
        if wanted.hosts:
            if web is None:
                raise ServiceError(f"{display}: hosts are declared but no web server was given")
            sites = {name: _site(article, display, name, lat) for name, lat in wanted.hosts}
            host_map = stack.enter_context(web.mount(sites))
            if web.tls_port is not None and web.ca_file is not None:
                tls_port = web.tls_port
                env["SSL_CERT_FILE"] = str(web.ca_file)  # trust the session's CA only
        ports = {*host_map.values(), *([tls_port] if tls_port else [])}
        services = [("127.0.0.1", port) for port in sorted(ports)]
        if "postgres" in wanted.services:
            if postgres is None:
                raise ServiceError(f"{display}: services: postgres, but no server was given")
            env.update(postgres.env())
            services.append(("127.0.0.1", postgres.port))
            sql = sql_file(article)
            if sql.is_file():
                made = _apply(postgres, sql, display)
                stack.callback(postgres.drop, made)
        yield Provision(
            env=env,
            hosts=host_map,
            tls_port=tls_port,
            services=tuple(services),
        )


def _site(article: Path, display: str, host: str, latency: float) -> Site:
    # Only with hosts: http.server and its email parsing are most of a pytest start's
    # import of mdverify, and most articles declare none.
    from mdverify.services.web import PAGES_DIR, Site  # noqa: PLC0415

    root = article.parent / PAGES_DIR / host
    if not root.is_dir():
        where = Path(display).parent / PAGES_DIR / host / "index.html"
        raise ServiceError(f"{display}: hosts: no pages for {host}; create {where}")
    return Site(root, latency)


def _apply(postgres: Postgres, sql: Path, display: str) -> set[str]:
    from mdverify.services.postgres import PostgresError  # noqa: PLC0415 -- only with SQL

    try:
        return postgres.apply(sql)
    except PostgresError as err:
        raise ServiceError(f"{display}: the SQL next to it could not be applied: {err}") from None
