r"""A real PostgreSQL server for the session, from Debian's `postgresql` package.

`Postgres.start()` makes a cluster in a temporary directory (`initdb`, which `begin()` may
have started earlier, in the background), runs `postgres`
on a free port of 127.0.0.1 as a child of this process (its own session, so a Ctrl+C
reaches pytest first, and pytest stops it), and waits until it answers. PostgreSQL
refuses to run as root: as root, the cluster belongs to the `postgres` user (or `nobody`)
and the server runs as that user. Password authentication, with a random password.

Per article, `apply(sql_file)` runs the article's SQL with `psql` (so `CREATE DATABASE`
and `\connect` work as a reader would use them) and `drop()` removes the databases it
made afterwards: each article starts from its own SQL. `env()` is what the child needs
so that `asyncpg.connect(host="localhost", database="mydb")` or `psql` reach the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mdverify.run import janitor
from mdverify.run.environment import scratch_dir

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["PACKAGE", "Postgres", "PostgresError", "find_bindir", "not_installed"]

PACKAGE = "postgresql"
"""The Debian package that provides the server binaries."""
_SEARCH = "/usr/lib/postgresql"
_TOOLS = ("initdb", "postgres", "psql")
_USER = "mdverify"
_READY_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0
_PSQL_TIMEOUT = 60.0


class PostgresError(RuntimeError):
    """The server could not be set up; the message says what failed and why."""


def not_installed(configured: str | None) -> str:
    """Why the blocks that need PostgreSQL are skipped when `find_bindir` found nothing."""
    where = configured or f"{_SEARCH}/*/bin or PATH"
    return (
        f"needs a PostgreSQL server: initdb, postgres and psql not found in {where}; "
        f"install the Debian package '{PACKAGE}' (apt-get install {PACKAGE})"
    )


def find_bindir(configured: str | None = None) -> Path | None:
    """The directory holding initdb, postgres and psql, or None when not installed.

    `configured` (the ini option `mdverify_postgres_bin`) wins; otherwise the newest
    `/usr/lib/postgresql/*/bin`, then the directory of `initdb` on PATH.
    """
    candidates: list[Path] = []
    if configured:
        candidates.append(Path(configured))
    else:
        versions = sorted(
            Path(_SEARCH).glob("*/bin"),
            key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)],
            reverse=True,
        )
        candidates.extend(versions)
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(Path(on_path).parent)
    for directory in candidates:
        if all(os.access(directory / tool, os.X_OK) for tool in _TOOLS):
            return directory
    return None


class Postgres:
    """One PostgreSQL server on 127.0.0.1; `start()`, then `stop()` (always)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = 0
        self.password = secrets.token_hex(16)
        self._tmp: Path | None = None
        self._init: subprocess.Popen[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._owner: pwd.struct_passwd | None = None

    # -- life cycle

    def begin(self) -> Postgres:
        """Start making the cluster (`initdb`, most of the start-up) in the background.

        The plugin calls it when it collects an article that needs the server, so that
        the cluster is made while other work goes on; `start` waits for it.
        """
        if self._tmp is not None:
            return self
        self._tmp = Path(tempfile.mkdtemp(prefix="mdverify-pg-", dir=scratch_dir()))
        janitor.keep(self._tmp)  # the server dies with pytest; this goes after it
        self._owner = _unprivileged_user() if os.geteuid() == 0 else None
        data, pwfile = self._tmp / "data", self._tmp / "pwfile"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self._owner is not None:
            for path in (self._tmp, pwfile):
                os.chown(path, self._owner.pw_uid, self._owner.pw_gid)
        with (self._tmp / "initdb.log").open("wb") as log:
            self._init = subprocess.Popen(  # noqa: S603 -- the server's own tool, no shell
                [
                    *(str(self.bindir / "initdb"), "-D", str(data), "-U", _USER),
                    *(f"--pwfile={pwfile}", "--auth=scram-sha-256", "--no-sync"),
                    *("--no-instructions", "-E", "UTF8", "--locale=C"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                **_as_user(self._owner),
            )
        return self

    def start(self) -> Postgres:
        """Make the cluster (unless `begin` did) and run the server; raises `PostgresError`."""
        self.begin()
        assert self._tmp is not None
        init, self._init = self._init, None
        if init is not None and _waited(init, _READY_TIMEOUT * 4) != 0:
            log = (self._tmp / "initdb.log").read_text("utf-8", "replace").strip()
            raise PostgresError(f"initdb failed:\n{log}")
        self.port = _free_port()
        self._log = (self._tmp / "postgres.log").open("wb")
        self._proc = subprocess.Popen(  # noqa: S603 -- the server binary, no shell
            [
                *(str(self.bindir / "postgres"), "-D", str(self._tmp / "data")),
                *("-p", str(self.port), "-c", "listen_addresses=127.0.0.1"),
                *("-c", f"unix_socket_directories={self._tmp}"),
                *("-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(),  # noqa: PLW1509 -- one prctl call, nothing else
            **_as_user(self._owner),
        )
        self._wait_ready()
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown, then SIGKILL) and delete the cluster."""
        init, self._init = self._init, None
        if init is not None:  # begun, never started (its article was not run)
            init.kill()
            init.wait()
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- per article

    def env(self) -> dict[str, str]:
        """The libpq variables that lead a client (asyncpg, psql) to this server."""
        return {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": _USER,
            "PGPASSWORD": self.password,
        }

    def databases(self) -> set[str]:
        """The names of the databases that exist now."""
        out = self.psql("-Atc", "SELECT datname FROM pg_database")
        return set(out.split())

    def apply(self, sql: Path) -> set[str]:
        """Run `sql` with psql; returns the databases it created."""
        before = self.databases()
        self.psql("-f", str(sql), what=str(sql))
        return self.databases() - before

    def drop(self, names: set[str]) -> None:
        """Drop these databases, closing any connection an example left open."""
        for name in sorted(names):
            quoted = '"' + name.replace('"', '""') + '"'
            self.psql("-c", f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")

    def psql(self, *args: str, what: str = "psql") -> str:
        """Run psql as the superuser against the `postgres` database; returns stdout."""
        try:
            result = self._psql(args)
        except subprocess.TimeoutExpired:
            # A server an article stopped (SIGSTOP) or wedged: never wait on it for good.
            raise PostgresError(f"{what} got no answer in {_PSQL_TIMEOUT:g} s") from None
        if result.returncode != 0:
            raise PostgresError(f"{what} failed:\n{result.stderr.strip()}")
        return result.stdout

    def _psql(self, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 -- the client binary, no shell
            [
                str(self.bindir / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                "postgres",
                *args,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **self.env(), "PGDATABASE": "postgres"},
            check=False,
            timeout=_PSQL_TIMEOUT,
        )

    # -- helpers

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + _READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PostgresError(f"postgres exited at start-up:\n{self._log_tail()}")
            try:
                self.psql("-c", "SELECT 1")
            except PostgresError:
                time.sleep(0.1)
                continue
            return
        raise PostgresError(
            f"postgres did not answer within {_READY_TIMEOUT:g} s:\n{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        if self._tmp is None:
            return ""
        text = (self._tmp / "postgres.log").read_text("utf-8", "replace")
        return "\n".join(text.splitlines()[-20:])


def _as_user(owner: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that run a server tool as `owner` (None: as ourselves), from /."""
    if owner is None:
        return {"cwd": "/"}
    return {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": [], "cwd": "/"}


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresError("running as root, and there is no 'postgres' or 'nobody' user to run as")


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, have the kernel stop the server if pytest itself is killed (SIGKILL).

    An orderly end (even Ctrl+C) stops it through `stop()`; this covers the rest. The
    signal comes when the thread that started the server ends: pytest's main thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def arm() -> None:
        # SIGQUIT: PostgreSQL's immediate shutdown; the cluster is temporary anyway.
        prctl(pr_set_pdeathsig, int(signal.SIGQUIT), 0, 0, 0)

    return arm


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _waited(proc: subprocess.Popen[bytes], timeout: float) -> int:
    """`proc`'s exit status, killing it if it has not ended within `timeout` seconds."""
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
