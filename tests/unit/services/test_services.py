"""The parent's servers: `mdverify.services` (web pages by Host header, PostgreSQL, runs)."""

import http.client
import os
import shutil
import socket
import ssl
import subprocess

import pytest

from mdverify.article.parse import parse_text
from mdverify.model import Skip, SkipKind
from mdverify.run.options import RunOptions
from mdverify.run.runner import Runner
from mdverify.services.postgres import Postgres, PostgresError, find_bindir
from mdverify.services.provided import Servers
from mdverify.services.web import LocalWeb, Site


@pytest.fixture
def web():
    server = LocalWeb().start()
    yield server
    server.close()


def get(port, host, path="/"):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_pages_are_chosen_by_host_header(web, tmp_path):
    for host in ("a.test", "b.test"):
        (tmp_path / host).mkdir()
        (tmp_path / host / "index.html").write_text(f"page of {host}")
    sites = {host: Site(tmp_path / host) for host in ("a.test", "b.test")}
    with web.mount(sites) as host_map:
        assert host_map == {"a.test": web.port, "b.test": web.port}
        assert get(web.port, "a.test") == (200, "page of a.test")
        assert get(web.port, "b.test:80", "/index.html") == (200, "page of b.test")
        assert get(web.port, "a.test", "/missing")[0] == 404
        assert get(web.port, "a.test", "/../b.test/index.html")[0] == 404


def get_tls(web, host, cafile):
    context = ssl.create_default_context(cafile=str(cafile))
    connection = http.client.HTTPConnection("127.0.0.1", web.tls_port, timeout=5)
    sock = socket.create_connection(("127.0.0.1", web.tls_port), timeout=5)
    try:
        # By address, as a resolved name would be; the certificate must name `host`.
        connection.sock = context.wrap_socket(sock, server_hostname=host)
        connection.request("GET", "/", headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        sock.close()
        connection.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_certificates_name_each_mounted_host_and_verify_with_the_session_ca(web, tmp_path):
    (tmp_path / "index.html").write_text("secure page")
    with web.mount({"a.test": Site(tmp_path)}):
        assert get_tls(web, "a.test", web.ca_file) == (200, "secure page")
        with pytest.raises(ssl.SSLCertVerificationError):
            get_tls(web, "unmounted.test", web.ca_file)


def test_a_host_is_served_only_while_mounted(web, tmp_path):
    (tmp_path / "index.html").write_text("x")
    with web.mount({"a.test": Site(tmp_path)}):
        assert get(web.port, "a.test")[0] == 200
    assert get(web.port, "a.test")[0] == 421


def test_close_releases_the_port(tmp_path):
    server = LocalWeb().start()
    port = server.port
    server.close()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_find_bindir_is_none_for_a_directory_without_the_binaries(tmp_path):
    assert find_bindir(str(tmp_path)) is None


@pytest.mark.skipif(find_bindir() is None, reason="needs the Debian package postgresql")
def test_postgres_starts_applies_sql_drops_and_stops_without_leftovers(tmp_path):
    server = Postgres(find_bindir()).start()
    try:
        pid = server._proc.pid
        sql = tmp_path / "a.sql"
        sql.write_text("CREATE DATABASE shop;\n\\connect shop\nCREATE TABLE t (x int);\n")
        assert server.apply(sql) == {"shop"}
        server.drop({"shop"})
        assert "shop" not in server.databases()
        sql.write_text("SELEC 1;\n")
        with pytest.raises(PostgresError, match="syntax error"):
            server.apply(sql)
    finally:
        server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the server process is gone


def _service_article(tmp_path):
    text = (
        "```python\nprint(1)\n```\n\n"
        "<!-- mdverify: services=postgres -->\n```python\nprint(2)\n```\n\n"
        "```python\nprint(3)\n```\n"
    )
    path = tmp_path / "a.md"
    path.write_text(text)
    return parse_text("a.md", text), path


def _run(article, path, servers):
    runner = Runner(RunOptions())
    try:
        return runner.run("a", article, path, article.examples, servers)
    finally:
        runner.close()


def test_blocks_whose_service_is_missing_are_skipped_and_the_others_run(tmp_path):
    article, path = _service_article(tmp_path)
    servers = Servers(missing={"postgres": "needs a PostgreSQL server"})
    ran = _run(article, path, servers)
    assert ran.skips == {1: Skip(SkipKind.SERVICE, "needs a PostgreSQL server")}
    assert {i: o.stdout for i, o in ran.observations.items()} == {0: "1\n", 2: "3\n"}


def test_a_server_that_failed_to_start_leaves_every_block_not_run(tmp_path):
    article, path = _service_article(tmp_path)
    servers = Servers(broken="a.md: a service could not start: boom")
    ran = _run(article, path, servers)
    assert ran.skips == {}
    assert {o.status for o in ran.observations.values()} == {"not-run"}
    assert ran.observations[1].error == "a.md: a service could not start: boom"


def test_psql_that_gets_no_answer_is_an_error_not_a_wait_for_good(tmp_path, monkeypatch):
    # A server an article stopped with SIGSTOP answers nothing: psql's wait has a deadline.
    def hangs(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", hangs)
    server = Postgres(tmp_path)
    with pytest.raises(PostgresError, match="got no answer in 60 s"):
        server.psql("-c", "SELECT 1")
