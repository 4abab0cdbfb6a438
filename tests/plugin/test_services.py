"""Services an article declares: files, local web hosts, PostgreSQL and server checks."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import textwrap
from pathlib import Path

import pytest

from mdverify.services.postgres import find_bindir

CONTENT = Path(__file__).parents[2] / "content"
needs_postgres = pytest.mark.skipif(
    find_bindir() is None, reason="needs the Debian package postgresql"
)


def parts(*texts):
    """Join article parts, each dedented on its own (`article` dedents the whole)."""
    return "".join(textwrap.dedent(text) for text in texts)


def pages(pytester, host, body, name="index.html"):
    folder = pytester.path / "_pages" / host
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")


def test_files_are_in_the_working_directory_before_the_first_block(pytester, article):
    article(
        "article.md",
        """
        ---
        mdverify:
          files:
            file1.txt: "first\\n"
            data/file2.txt: |
              second
        ---
        # Files

        ```python
        import os
        print(sorted(os.listdir(".")), os.listdir("data"))
        print(open("file1.txt").read() + open("data/file2.txt").read(), end="")
        ```

        ```
        ['data', 'file1.txt'] ['file2.txt']
        first
        second
        ```
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_file_name_outside_the_working_directory_is_an_error(pytester, article):
    article(
        "article.md",
        """
        ---
        mdverify:
          files:
            ../escape.txt: "x"
        ---
        # Files

        ```python
        pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*article.md:2: *'../escape.txt' must be relative*"])


FETCH = """
```python
import asyncio
import aiohttp

async def fetch(url):
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            return response.status, (await response.text()).strip()
```
"""


def test_a_declared_host_is_served_from_its_pages_by_host_header(pytester, article):
    pages(pytester, "example.com", "<h1>Example Domain</h1>\n")
    pages(pytester, "python.org", "<h1>Python</h1>\n")
    pages(pytester, "python.org", "<p>about</p>\n", "about.html")
    article(
        "article.md",
        parts(
            """
            <!-- mdverify: hosts=example.com,python.org -->
            """,
            FETCH,
            """
        ```python
        print(asyncio.run(fetch("http://example.com")))
        print(asyncio.run(fetch("http://python.org/")))
        print(asyncio.run(fetch("http://python.org/about.html")))
        print(asyncio.run(fetch("http://python.org/missing"))[0])
        ```

        ```
        (200, '<h1>Example Domain</h1>')
        (200, '<h1>Python</h1>')
        (200, '<p>about</p>')
        404
        ```
        """,
        ),
    )
    pytester.runpytest().assert_outcomes(passed=2)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_to_a_declared_host_is_verified_against_the_sessions_ca(pytester, article):
    pages(pytester, "example.com", "<h1>Example Domain</h1>\n")
    article(
        "article.md",
        parts(
            """
            <!-- mdverify: hosts=example.com -->
            """,
            FETCH,
            """
            ```python
            import urllib.request
            print(asyncio.run(fetch("https://example.com/")))
            print(urllib.request.urlopen("https://example.com/").read().decode().strip())
            ```

            ```
            (200, '<h1>Example Domain</h1>')
            <h1>Example Domain</h1>
            ```
            """,
        ),
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_host_not_in_the_map_fails_with_a_message_naming_it(pytester, article):
    pages(pytester, "example.com", "<h1>Example Domain</h1>\n")
    article(
        "article.md",
        parts(
            """
            ---
            mdverify:
              hosts: [example.com]
            ---
            """,
            FETCH,
            """
        ```python
        try:
            asyncio.run(fetch("http://elsewhere.test/"))
        except aiohttp.ClientError as err:
            print(err)
        ```

        ```
        Cannot connect to host elsewhere.test:80 ... elsewhere.test is not reachable (...)]
        ```
        """,
        ),
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_an_address_that_is_not_loopback_is_unreachable(pytester, article):
    article(
        "article.md",
        """
        # Offline

        ```python
        import socket
        try:
            socket.create_connection(("93.184.216.34", 80), timeout=1)
        except OSError as err:
            print(err)
        ```

        ```
        [Errno ...] mdverify: examples run offline; 93.184.216.34 is not reachable (...)
        ```
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_host_without_pages_fails_the_article_saying_where_to_put_them(pytester, article):
    article(
        "article.md",
        """
        <!-- mdverify: hosts=example.com -->

        ```python
        pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*not run: article.md: hosts: no pages for example.com; create _pages/example.com/*"]
    )


TIMEOUTS = """
---
mdverify:
  hosts:
    slow.test: {latency: 0.5}
---
# Timeouts

```python
import asyncio
import aiohttp

async def fetch(seconds):
    timeout = aiohttp.ClientTimeout(total=seconds)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get("http://slow.test/") as response:
                return (await response.text()).strip()
    except asyncio.TimeoutError:
        return "timed out"

print(asyncio.run(fetch(5)))
print(asyncio.run(fetch(0.2)))
```

```
slow page
timed out
```
"""


@pytest.mark.parametrize("clock", ["virtual", "real"])
def test_a_client_timeout_against_a_slow_local_host_is_the_same_on_both_clocks(
    pytester, article, clock
):
    pages(pytester, "slow.test", "slow page\n")
    article("article.md", TIMEOUTS)
    pytester.runpytest(f"--mdverify-clock={clock}").assert_outcomes(passed=1)


SERVER = """
# Server

<!-- mdverify: serve port=8080 {checks} -->

```python
from aiohttp import web

async def hello(request):
    return web.Response(text=f"Hello, {{request.query.get('name', 'World')}}!")

app = web.Application()
app.router.add_get("/", hello)
web.run_app(app, port=8080)
```

The example still sees the port it asked for, and says so:

```
======== Running on http://0.0.0.0:8080 ========
(Press CTRL+C to quit)
```

```python
print("after the server")  # after the server
```
"""


def test_a_server_block_answers_the_declared_requests_then_stops_on_sigint(pytester, article):
    checks = 'request="GET /?name=Ada" expect="Hello, Ada!" request="GET /" expect="Hello, ..."'
    article("article.md", SERVER.format(checks=checks))
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_server_answer_that_differs_fails_the_block_with_both_texts(pytester, article):
    article("article.md", SERVER.format(checks='request="GET /?name=Ada" expect="Hi, Ada!"'))
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "article.md:5: server check failed: GET /?name=Ada: the response differs*",
            "--- expected",
            "Hi, Ada!",
            "+++ got (HTTP 200)",
            "Hello, Ada!",
        ]
    )


def test_a_server_block_that_never_listens_fails(pytester, article):
    article(
        "article.md",
        """
        <!-- mdverify: serve request="GET /" expect="Hello" -->

        ```python
        print("no server here")
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*server check failed: the block ended without listening*"])


def test_a_server_that_dies_on_sigint_did_not_shut_down_cleanly(pytester, article):
    article(
        "article.md",
        """
        <!-- mdverify: serve request="GET /" expect="..." -->

        ```python
        from http.server import HTTPServer, SimpleHTTPRequestHandler
        HTTPServer(("", 8000), SimpleHTTPRequestHandler).serve_forever()
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*on SIGINT the server did not shut down cleanly:*", "*KeyboardInterrupt*"]
    )


def test_a_server_that_ignores_sigint_fails_at_its_timeout_saying_so(pytester, article):
    article(
        "article.md",
        """
        <!-- mdverify: serve request="GET /" expect="..." timeout=3 -->

        ```python
        from http.server import HTTPServer, BaseHTTPRequestHandler
        server = HTTPServer(("", 8000), BaseHTTPRequestHandler)
        while True:
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*server check failed: the server did not stop on SIGINT; it ran until the timeout*"]
    )


QUERY = """
<!-- mdverify: services=postgres -->

```python
import asyncio
import asyncpg

async def names():
    conn = await asyncpg.connect(host="localhost", database="{db}")
    try:
        return [row["name"] for row in await conn.fetch("SELECT name FROM users ORDER BY id")]
    finally:
        await conn.close()

print(asyncio.run(names()))  # {out}
```
"""

SQL = """
CREATE DATABASE {db};
\\connect {db}
CREATE TABLE users (id serial PRIMARY KEY, name text);
INSERT INTO users (name) VALUES {rows};
"""


@needs_postgres
def test_postgres_runs_each_articles_sql_and_drops_its_databases_after(pytester, article):
    # Two articles create the same database with different rows: each sees its own.
    article("a.md", QUERY.format(db="mydb", out="['Ada', 'Grace']"))
    (pytester.path / "a.sql").write_text(SQL.format(db="mydb", rows="('Ada'), ('Grace')"))
    article("b.md", QUERY.format(db="mydb", out="['Linus']"))
    (pytester.path / "b.sql").write_text(SQL.format(db="mydb", rows="('Linus')"))
    pytester.runpytest().assert_outcomes(passed=2)


@needs_postgres
def test_bad_sql_fails_the_article_with_psqls_message(pytester, article):
    article("a.md", QUERY.format(db="mydb", out="[]"))
    (pytester.path / "a.sql").write_text("CREATE TABLE broken (;\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*a.md: the SQL next to it could not be applied*", "*a.sql:1*"])


def test_missing_postgres_skips_the_blocks_that_need_it_naming_the_package(pytester, article):
    empty = pytester.mkdir("no-postgres-here")
    pytester.makeini(f"[pytest]\nmdverify_postgres_bin = {empty}\n")
    article(
        "a.md",
        parts(
            """
            # Title

            ```python
            print("runs")  # runs
            ```
            """,
            QUERY.format(db="mydb", out="[]"),
        ),
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED*needs a PostgreSQL server*install the Debian package 'postgresql'*"]
    )


@needs_postgres
def test_an_interrupted_session_leaves_no_postgres_running(pytester, article):
    port_file = pytester.path / "port.txt"
    article(
        "a.md",
        f"""
        <!-- mdverify: services=postgres -->

        ```python
        import os, signal, time
        with open({str(port_file)!r}, "w") as f:
            f.write(os.environ["PGPORT"])
        os.kill(os.getppid(), signal.SIGINT)  # the reader presses Ctrl+C
        time.sleep(30)
        ```
        """,
    )
    # pytest ignores SIGINT if it starts with SIGINT ignored, as under a backgrounded CI job;
    # a writer's terminal gives it the default, which an exec'd child gets back from here.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = pytester.runpytest_subprocess(timeout=60)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    port = int(port_file.read_text())
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    leftovers = subprocess.run(
        ["pgrep", "-f", f"postgres.*-p {port}"], capture_output=True, check=False
    )
    assert leftovers.stdout == b""


@needs_postgres
def test_content_runs_every_service_example_and_skips_only_syntax_templates(pytester):
    shutil.copytree(CONTENT, pytester.path, dirs_exist_ok=True)
    result = pytester.runpytest("-rs", "-v")
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes
    result.stdout.fnmatch_lines_random(
        [
            f"async-await.md::{name} (line *) PASSED*"
            for name in ("HTTP Requests", "Database Operations", "File I/O*", "Web Servers")
        ]
    )
    skipped = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    assert len(skipped) == outcomes["skipped"]
    # Syntax templates cannot run by nature; TaskGroup needs 3.11 when this runs on 3.10.
    assert all("syntax template" in line or "needs Python >=" in line for line in skipped)
