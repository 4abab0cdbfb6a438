"""pytest-xdist: articles spread over workers, each article whole on one, same results."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("xdist")

FAILING = "# Failing\n\n```python\nx = 1\nprint(x + 1)  # 3\n```\n"

ARTICLES = {
    f"article{n}.md": "\n".join(
        f"## Step {k}\n\n```python\nvalue = {k} if {k} == 0 else value + {k}\nprint(value)\n```\n\n"
        f"```\n{k * (k + 1) // 2 + (1 if (n, k) == (2, 2) else 0)}\n```\n"
        for k in range(4)
    )
    for n in range(5)
}


_OUTCOMES = {"PASSED", "FAILED", "SKIPPED"}


def outcomes(result):
    """nodeid -> outcome, from -v lines with or without xdist's `[gwN] [ %]` prefix."""
    found = {}
    for line in result.outlines:
        match = re.search(r"(\S+\.md::.*?) (PASSED|FAILED|SKIPPED)\b", line)
        match = match or re.search(r"\b(PASSED|FAILED|SKIPPED) (\S+\.md::.*?)(?: - .*)?\s*$", line)
        if match:
            nodeid, outcome = sorted(match.groups(), key=lambda g: g in _OUTCOMES)
            found[nodeid] = outcome
    return found


def test_xdist_gives_the_same_results_with_each_article_on_one_worker(pytester):
    for name, text in ARTICLES.items():
        (pytester.path / name).write_text(text)
    (pytester.path / "article0.md").write_text(
        ARTICLES["article0.md"] + '\n<!-- mdverify: skip reason="later" -->\n\n```python\nx\n```\n'
    )
    alone = pytester.runpytest("-v", "-p", "no:xdist")
    spread = pytester.runpytest("-v", "-n", "2")
    assert outcomes(alone) == outcomes(spread)
    assert list(outcomes(alone).values()).count("FAILED") == 1
    workers: dict[str, set[str]] = {}
    for line in spread.outlines:
        match = re.match(r"\[(gw\d+)\].*? (\S+\.md)::", line)
        if match:
            workers.setdefault(match.group(2), set()).add(match.group(1))
    assert len(workers) == 5
    assert all(len(w) == 1 for w in workers.values()), workers
    assert set().union(*workers.values()) == {"gw0", "gw1"}


def test_loadfile_mode_chosen_by_the_user_gives_the_same_results(pytester):
    for name, text in ARTICLES.items():
        (pytester.path / name).write_text(text)
    result = pytester.runpytest("-v", "-n", "2", "--dist", "loadfile")
    result.assert_outcomes(passed=19, failed=1)


def test_update_under_xdist_rewrites_each_article_once(pytester):
    for name in ("a.md", "b.md", "c.md"):
        (pytester.path / name).write_text(FAILING + "\n```python\nprint(2)\n```\n\n```\nold\n```\n")
    result = pytester.runpytest("-n", "2", "--mdverify-update")
    result.stdout.fnmatch_lines(["mdverify: rewrote 6 declared outputs in 3 files"])
    expected = FAILING.replace("# 3", "# 2") + "\n```python\nprint(2)\n```\n\n```\n2\n```\n"
    for name in ("a.md", "b.md", "c.md"):
        assert (pytester.path / name).read_text() == expected
    # The rewritten articles pass: a serial run says so as well as two more workers would.
    pytester.runpytest("-p", "no:xdist").assert_outcomes(passed=6)


def test_an_xdist_worker_knows_several_articles_ahead(pytester):
    for name, text in ARTICLES.items():
        (pytester.path / name).write_text(text)
    seen = pytester.path / "upcoming.txt"
    pytester.makeconftest(
        f"""
        from mdverify.plugin import xdist as plugin_xdist

        def pytest_runtest_setup(item):
            articles = plugin_xdist.upcoming(item.session, 8)
            with open({str(seen)!r}, "a") as file:
                file.write(f"{{len(articles)}}\\n")
        """
    )
    result = pytester.runpytest("-n", "1", "-p", "xdist")
    result.assert_outcomes(passed=19, failed=1)
    # xdist alone sends the next article when two items are left: two articles at most.
    # The controller's sends arrive while the worker runs, so look at the whole run.
    most = max(int(n) for n in seen.read_text().split())
    assert most >= 3, most


def test_file_blocks_are_written_per_article_and_counted_across_workers(pytester):
    # Each article writes its own helpers.py, in its own working directory.
    for n in range(3):
        (pytester.path / f"files{n}.md").write_text(
            f'# Files\n\n```python title="helpers.py"\nN = {n}\n```\n\n'
            f"```python\nimport helpers\nprint(helpers.N)  # {n}\n```\n"
        )
    result = pytester.runpytest("-n", "2")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["mdverify: 3 blocks written to a file, not run"])


def _served(n: int, said: str) -> str:
    """An article whose transcript runs a server in the background and a client against it."""
    server = (
        "import asyncio\n\n\nasync def handle(reader, writer):\n"
        "    print('got', (await reader.read(10)).decode())\n"
        "    writer.write(b'ok')\n    await writer.drain()\n    writer.close()\n\n\n"
        "async def main():\n"
        f"    server = await asyncio.start_server(handle, '127.0.0.1', {9100 + n})\n"
        "    async with server:\n        await server.serve_forever()\n\n\nasyncio.run(main())\n"
    )
    client = (
        "import asyncio\n\n\nasync def main():\n"
        f"    reader, writer = await asyncio.open_connection('127.0.0.1', {9100 + n})\n"
        f"    writer.write(b'hi{n}')\n    print((await reader.read(10)).decode())\n"
        "    writer.close()\n\n\nasyncio.run(main())\n"
    )
    return (
        f'# Served\n\n```python title="server.py"\n{server}```\n\n'
        f'```python title="client.py"\n{client}```\n\n'
        f"```console\n$ python server.py &\n$ python client.py\ngot hi{n}\n{said}\n```\n"
    )


def test_console_transcripts_run_and_update_across_workers(pytester):
    for n in range(3):
        (pytester.path / f"served{n}.md").write_text(_served(n, "ok" if n else "fine"))
    result = pytester.runpytest("-n", "2", "--mdverify-update")
    result.assert_outcomes(passed=8, failed=1)
    result.stdout.fnmatch_lines(["mdverify: rewrote 1 declared output in 1 file"])
    assert (pytester.path / "served0.md").read_text() == _served(0, "ok")
    pytester.runpytest("-n", "2").assert_outcomes(passed=9)
