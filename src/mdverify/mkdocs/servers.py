"""The build's servers, started when a page first asks for one and stopped with the build.

In pytest they are session fixtures (`mdverify.plugin.fixtures`); here the plugin holds
them for one build (or one `mkdocs serve`) and gives each scoped article the same
`services.provided.Servers` set-up, so that its blocks run as they do under pytest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.model import World
from mdverify.services.provided import Servers

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.model import Example
    from mdverify.services.postgres import Postgres
    from mdverify.services.web import LocalWeb

__all__ = ["SiteServers"]


class SiteServers:
    """The local web server and PostgreSQL, each made on first need; `close()` stops them."""

    def __init__(self, postgres_bin: str | None) -> None:
        self._postgres_bin = postgres_bin
        self._web: LocalWeb | None = None
        self._postgres: Postgres | None = None
        self._missing: dict[str, str] = {}

    def __call__(self, display: str, examples: Sequence[Example]) -> Servers:
        """The servers `examples` ask for; a server that cannot start breaks the article."""
        # Imported here, as the fixtures do: a site with no service costs no server code.
        from mdverify.services.postgres import (  # noqa: PLC0415
            Postgres,
            PostgresError,
            find_bindir,
            not_installed,
        )
        from mdverify.services.web import LocalWeb  # noqa: PLC0415

        wanted = World.union(e.world for e in examples)
        try:
            if wanted.hosts and self._web is None:
                self._web = LocalWeb().start()
            if "postgres" in wanted.services and self._postgres is None and not self._missing:
                bindir = find_bindir(self._postgres_bin)
                if bindir is None:
                    self._missing["postgres"] = not_installed(self._postgres_bin)
                else:
                    server = Postgres(bindir)
                    try:
                        self._postgres = server.start()
                    except BaseException:
                        server.stop()  # what a half-made cluster left behind
                        raise
        except (PostgresError, OSError) as err:
            return Servers(broken=f"{display}: a service could not start: {err}")
        return Servers(self._web, self._postgres, dict(self._missing))

    def close(self) -> None:
        """Stop whatever was started."""
        if self._web is not None:
            self._web.close()
            self._web = None
        if self._postgres is not None:
            self._postgres.stop()
            self._postgres = None
