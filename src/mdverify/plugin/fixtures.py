"""The session's services as pytest fixtures, and how an article's run obtains them.

`mdverify_web` (the local HTTP server for declared hosts) and `mdverify_postgres` (a
PostgreSQL server) are session-scoped fixtures of the parent process, started on first
use and stopped at the end of the session, failed or interrupted (pytest tears session
fixtures down in either case). Both are plain threads and processes, not coroutines, so
they are ordinary fixtures: the parent waits on its child synchronously meanwhile, and an
event loop of pytest-asyncio would not get to run. Other test code may request them too.

An article's items are not functions, so, as pytest's own doctest items do, each gets a
fixture request of its own (`attach_request`) through which `servers_for` asks for what
the article's blocks need; `mdverify.services.provided` runs the article with them. A
service that cannot exist here (PostgreSQL not installed) skips the blocks that need it,
with the reason; the other blocks still run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from _pytest.fixtures import TopRequest

from mdverify.model import World
from mdverify.plugin.options import settings
from mdverify.services.provided import Servers

# The servers' modules are imported where a server is wanted: an article that declares no
# host and no service costs no http.server, ssl or PostgreSQL code at start-up.
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from mdverify.model import Example
    from mdverify.services.postgres import Postgres
    from mdverify.services.web import LocalWeb

__all__ = [
    "attach_request",
    "begin_postgres",
    "mdverify_postgres",
    "mdverify_web",
    "servers_for",
]

_BEGUN = pytest.StashKey["Postgres"]()


@pytest.fixture(scope="session")
def mdverify_web() -> Iterator[LocalWeb]:
    """A real HTTP server on 127.0.0.1 that serves the pages of declared hosts."""
    from mdverify.services.web import LocalWeb  # noqa: PLC0415

    web = LocalWeb().start()
    try:
        yield web
    finally:
        web.close()


@pytest.fixture(scope="session")
def mdverify_postgres(pytestconfig: pytest.Config) -> Iterator[Postgres]:
    """A PostgreSQL server on 127.0.0.1 in a temporary cluster; skips when not installed."""
    from mdverify.services.postgres import Postgres, find_bindir, not_installed  # noqa: PLC0415

    configured = settings(pytestconfig).postgres_bin
    bindir = find_bindir(configured)
    if bindir is None:
        pytest.skip(not_installed(configured))
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
    from mdverify.services.postgres import Postgres, PostgresError, find_bindir  # noqa: PLC0415

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
    """Give a non-function item the fixture request that `servers_for` uses."""
    fixtureinfo = item.session._fixturemanager.getfixtureinfo(  # noqa: SLF001 -- as doctest
        node=item, func=None, cls=None
    )
    item._fixtureinfo = fixtureinfo  # type: ignore[attr-defined]  # noqa: SLF001
    item.fixturenames = fixtureinfo.names_closure  # type: ignore[attr-defined]
    item.funcargs = {}  # type: ignore[attr-defined]
    item._request = TopRequest(item, _ispytest=True)  # type: ignore[arg-type,attr-defined]  # noqa: SLF001


def servers_for(item: pytest.Item, display: str, examples: Sequence[Example]) -> Servers:
    """The session's servers that `examples` ask for, from the fixtures of `item`."""
    request: TopRequest = item._request  # type: ignore[attr-defined]  # noqa: SLF001
    wanted = World.union(e.world for e in examples)
    if not wanted.hosts and "postgres" not in wanted.services:
        return Servers()
    from mdverify.services.postgres import PostgresError  # noqa: PLC0415

    missing: dict[str, str] = {}
    try:
        # The web server first: its certificates are made while `initdb` finishes.
        web = request.getfixturevalue("mdverify_web") if wanted.hosts else None
        postgres = None
        if "postgres" in wanted.services:
            try:
                postgres = request.getfixturevalue("mdverify_postgres")
            except pytest.skip.Exception as skip:
                missing["postgres"] = str(skip.msg)  # the fixture's own reason, for the blocks
    except (PostgresError, OSError) as err:
        return Servers(broken=f"{display}: a service could not start: {err}")
    return Servers(web, postgres, missing)
