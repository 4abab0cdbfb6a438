"""The session's services as pytest fixtures, and how an article's run obtains them.

`mdverify_web` (the local HTTP server for declared hosts) and `mdverify_postgres` (a
PostgreSQL server) are session-scoped fixtures of the parent process, started on first
use and stopped at the end of the session, failed or interrupted (pytest tears session
fixtures down in either case). Both are plain threads and processes, not coroutines, so
they are ordinary fixtures: the parent waits on its child synchronously meanwhile, and an
event loop of pytest-asyncio would not get to run. Other test code may request them too.

An article's items are not functions, so, as pytest's own doctest items do, each gets a
fixture request of its own (`attach_request`) through which `run_with_services` asks for
what the article's blocks need. A service that cannot exist here (PostgreSQL not
installed) skips the blocks that need it, with the reason; the other blocks still run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from _pytest.fixtures import TopRequest

from mdverify.model import Observation
from mdverify.plugin.options import settings
from mdverify.run.sandbox import run_article
from mdverify.services import ServiceError, needs, prepare
from mdverify.services.postgres import PACKAGE, Postgres, PostgresError, find_bindir
from mdverify.services.web import LocalWeb

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from mdverify.model import Article, Example
    from mdverify.run.sandbox import RunOptions

__all__ = [
    "attach_request",
    "begin_postgres",
    "mdverify_postgres",
    "mdverify_web",
    "run_with_services",
]

_BEGUN = pytest.StashKey[Postgres]()


@pytest.fixture(scope="session")
def mdverify_web() -> Iterator[LocalWeb]:
    """A real HTTP server on 127.0.0.1 that serves the pages of declared hosts."""
    web = LocalWeb().start()
    try:
        yield web
    finally:
        web.close()


@pytest.fixture(scope="session")
def mdverify_postgres(pytestconfig: pytest.Config) -> Iterator[Postgres]:
    """A PostgreSQL server on 127.0.0.1 in a temporary cluster; skips when not installed."""
    configured = settings(pytestconfig).postgres_bin
    bindir = find_bindir(configured)
    if bindir is None:
        where = configured or "/usr/lib/postgresql/*/bin or PATH"
        pytest.skip(
            f"needs a PostgreSQL server: initdb, postgres and psql not found in {where}; "
            f"install the Debian package '{PACKAGE}' (apt-get install {PACKAGE})"
        )
    server = pytestconfig.stash.get(_BEGUN, None) or Postgres(bindir)
    try:
        yield server.start()
    finally:
        server.stop()


def begin_postgres(config: pytest.Config) -> None:
    """Start making the cluster now, for the `mdverify_postgres` fixture to finish.

    Called when an article that needs PostgreSQL is collected: `initdb` is most of the
    server's start-up, and it then runs while pytest goes on. Any failure is left for
    the fixture to meet again and report.
    """
    if _BEGUN in config.stash:
        return
    bindir = find_bindir(settings(config).postgres_bin)
    if bindir is None:
        return
    server = Postgres(bindir)
    try:
        server.begin()
    except (PostgresError, OSError):
        server.stop()
        return
    config.stash[_BEGUN] = server
    config.add_cleanup(server.stop)  # when no article that needed it was run after all


def attach_request(item: pytest.Item) -> None:
    """Give a non-function item the fixture request that `run_with_services` uses."""
    fixtureinfo = item.session._fixturemanager.getfixtureinfo(  # noqa: SLF001 -- as doctest
        node=item, func=None, cls=None
    )
    item._fixtureinfo = fixtureinfo  # type: ignore[attr-defined]  # noqa: SLF001
    item.fixturenames = fixtureinfo.names_closure  # type: ignore[attr-defined]
    item.funcargs = {}  # type: ignore[attr-defined]
    item._request = TopRequest(item, _ispytest=True)  # type: ignore[arg-type,attr-defined]  # noqa: SLF001


def run_with_services(
    item: pytest.Item,
    article: Article,
    path: Path,
    examples: Sequence[Example],
    options: RunOptions,
) -> tuple[dict[int, Observation], dict[int, str]]:
    """Run the article with the services its blocks need.

    Returns the observations and, for blocks whose service cannot exist here, the reason
    to skip them.
    """
    request: TopRequest = item._request  # type: ignore[attr-defined]  # noqa: SLF001
    wanted = needs(examples)
    servers: dict[str, Any] = {}
    missing: dict[str, str] = {}
    try:
        # The web server first: its certificates are made while `initdb` finishes.
        web = request.getfixturevalue("mdverify_web") if wanted.hosts else None
        for name in wanted.services:
            try:
                servers[name] = request.getfixturevalue(f"mdverify_{name}")
            except pytest.skip.Exception as skip:
                missing[name] = str(skip.msg)
    except (PostgresError, OSError) as err:
        return _not_run(examples, f"{article.path}: a service could not start: {err}"), {}
    skips = {
        e.index: missing[name] for e in examples for name in e.world.services if name in missing
    }
    runnable = [e for e in examples if e.index not in skips]
    try:
        with prepare(path, article.path, needs(runnable), web, servers.get("postgres")) as given:
            return run_article(article, str(path), runnable, options, given), skips
    except ServiceError as err:
        return _not_run(runnable, str(err)), skips


def _not_run(examples: Sequence[Example], reason: str) -> dict[int, Observation]:
    return {e.index: Observation(e.index, "not-run", error=reason) for e in examples}
