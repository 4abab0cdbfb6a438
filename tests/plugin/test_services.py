"""Services an article declares, where the check needs more than one article's outcomes.

HTTPS (it needs the openssl command) and PostgreSQL (the Debian package). Files, hosts,
a slow host on both clocks, the offline network and server checks are told by the case
articles under tests/cases/services and real-clock-option, checked by test_cases.py.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import textwrap
import time
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


def test_a_console_commands_python_reaches_a_declared_host(pytester, article):
    # The command's process shares the article's namespace, and its way to the harness
    # (`mdverify.run.bridge`): without it, its connect would find only that loopback.
    pages(pytester, "example.com", "<h1>Example Domain</h1>\n")
    article(
        "article.md",
        """
        <!-- mdverify: hosts=example.com -->

        ```python title="client.py"
        import urllib.request
        print(urllib.request.urlopen("http://example.com/", timeout=5).read().decode().strip())
        ```

        Run it:

        ```console
        $ python -c "print('first')"
        first
        $ python client.py
        <h1>Example Domain</h1>
        ```
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)  # the file block and the transcript


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
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])  # Ctrl+C; CI's cancel, `timeout`
def test_an_interrupted_session_leaves_no_postgres_running(pytester, article, signame):
    port_file = pytester.path / "port.txt"
    article(
        "a.md",
        f"""
        <!-- mdverify: services=postgres -->

        ```python
        import os, signal, time
        with open({str(port_file)!r}, "w") as f:
            f.write(os.environ["PGPORT"])
        with open(f"/proc/{{os.getppid()}}/stat") as stat:  # the stand-in's parent
            pytest_pid = int(stat.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{{pytest_pid}}/cmdline", "rb") as cmdline:
            warm = b"mdverify.run.worker" in cmdline.read()
        if warm:  # forked by the warm worker, whose parent is pytest
            with open(f"/proc/{{pytest_pid}}/stat") as stat:
                pytest_pid = int(stat.read().rsplit(")", 1)[1].split()[1])
        os.kill(pytest_pid, signal.{signame})
        time.sleep(30)
        ```
        """,
    )
    # pytest ignores SIGINT if it starts with SIGINT ignored, as under a backgrounded CI job;
    # a writer's terminal gives it the default, which an exec'd child gets back from here.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        # Off: the article plays the interruption by killing pytest, which the sandbox
        # exists to prevent, and writes the port into the tree.
        result = pytester.runpytest_subprocess("--mdverify-sandbox=off", timeout=60)
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
@needs_postgres
def test_a_pytest_killed_by_sigkill_leaves_no_postgres_and_no_cluster_folder(pytester, article):
    # Nothing of ours runs after SIGKILL: the server dies with pytest (PR_SET_PDEATHSIG),
    # and the janitor (`mdverify.run.janitor`) removes its cluster's folder after it.
    found = pytester.path / "found.txt"
    article(
        "a.md",
        f"""
        <!-- mdverify: services=postgres -->

        ```python
        import os, signal, subprocess, time
        port = os.environ["PGPORT"]
        line = subprocess.run(["pgrep", "-a", "-f", f"postgres.*-p {{port}}"],
                              capture_output=True, text=True).stdout.split()
        data = line[line.index("-D") + 1]
        with open({str(found)!r}, "w") as f:
            f.write(port + " " + os.path.dirname(data))
        with open(f"/proc/{{os.getppid()}}/stat") as stat:  # the stand-in's parent
            pytest_pid = int(stat.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{{pytest_pid}}/cmdline", "rb") as cmdline:
            warm = b"mdverify.run.worker" in cmdline.read()
        if warm:
            with open(f"/proc/{{pytest_pid}}/stat") as stat:
                pytest_pid = int(stat.read().rsplit(")", 1)[1].split()[1])
        os.kill(pytest_pid, signal.SIGKILL)
        time.sleep(30)
        ```
        """,
    )
    # Off: the article plays the kill, which the sandbox exists to prevent.
    result = pytester.runpytest_subprocess("--mdverify-sandbox=off", timeout=60)
    assert result.ret == -signal.SIGKILL
    port, folder = found.read_text().split(" ", 1)
    deadline = time.monotonic() + 60
    while Path(folder).exists() or _serving(int(port)):
        assert time.monotonic() < deadline, f"{folder} or the server on {port} stayed"
        time.sleep(0.1)


def _serving(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_content_runs_every_service_example_and_skips_only_syntax_templates(pytester):
    shutil.copytree(CONTENT, pytester.path, dirs_exist_ok=True)
    result = pytester.runpytest("-rs", "-v")
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes
    result.stdout.fnmatch_lines_random(
        [
            f"async-await.md::{name}* PASSED*"
            for name in ("HTTP Requests", "Database Operations", "File I/O*", "Web Servers")
        ]
    )
    skipped = [line for line in result.stdout.lines if line.startswith("SKIPPED")]
    assert len(skipped) == outcomes["skipped"]
    # Syntax templates cannot run by nature; TaskGroup needs 3.11 when this runs on 3.10.
    assert all("syntax template" in line or "needs Python >=" in line for line in skipped)
