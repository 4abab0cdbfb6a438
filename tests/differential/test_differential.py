"""The virtual clock changes nothing but the waiting: the corpus on both clocks.

Each article under corpus/ is a small asyncio example whose output fence declares what the
real clock prints (durations rounded to 0.1 s). The corpus runs twice, once per clock, in
one inner pytest each (both at once, so their real waits overlap), and every block must
print the same on both (the articles that differ get a second real run, see `printed`).
No test here bounds a wall time: bench/differential.py times them.

A difference the virtual clock still has is not hidden: its article is listed in `KNOWN`
with the way of issue 15 it shows, as a strict xfail, so that fixing it makes the test
fail until the entry goes. `FLAKY` lists those that differ in some runs only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.process, pytest.mark.xdist_group("differential")]

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ARTICLES = sorted(CORPUS.glob("*.md"))
CLOCKS = ("virtual", "real")

# The differences the virtual clock still shows, by article: (way of issue 15, why).
KNOWN: dict[str, tuple[int, str]] = {
    "way4-threading-event-wait-times-out": (4, "threading.Event.wait(0.2) measures 0.0s"),
    "way4-threading-condition-wait": (4, "threading.Condition.wait(timeout=0.2) measures 0.0s"),
    "way4-queue-get-with-a-timeout": (4, "queue.Queue.get(timeout=0.2) measures 0.0s"),
    "way4-select-with-a-timeout": (4, "select.select(..., 0.2) measures 0.0s"),
    "way4-selectors-with-a-timeout": (4, "selectors' select(timeout=0.2) measures 0.0s"),
    "way4-os-system-sleep": (4, 'os.system("sleep 0.2") measures 0.0s'),
    "way4-blocking-wait-inside-a-coroutine": (4, "Event.wait(0.2) on the loop's thread: 0.0s"),
    "way7-polling-for-a-file": (7, "time.sleep polling for a grandchild's file jumps ahead"),
    "way7-socket-peer-that-is-not-our-child": (7, "a peer outside our children: timed out"),
}
# Differences seen in some runs only: listed, but not strict, since they pass now and then.
FLAKY: dict[str, tuple[int, str]] = {
    "way4-subprocess-run-waits-for-its-child": (4, "subprocess.run of 0.1 s: 0.0s in some runs"),
    "way7-start-new-thread": (7, "a _thread.start_new_thread thread: 6-12 s in some runs"),
    "way7-pipe-fed-by-a-grandchild": (7, "a grandchild's late line: timed out in some runs"),
}


def _start(clock: str, root: Path, articles: list[Path]) -> tuple[subprocess.Popen[str], Path]:
    """One inner pytest over copies of `articles` on `clock`, with the `_printed` recorder."""
    root.mkdir(parents=True)
    for article in articles:
        shutil.copy(article, root)
    record = root.parent / f"{root.name}.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env["MDVERIFY_PRINTED"] = str(record)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "pytest", "-p", "_printed", "-p", "no:hypothesispytest"]
    command += ["-p", "no:cacheprovider", "-q", f"--mdverify-clock={clock}", "."]
    process = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return process, record


def _finish(started: tuple[subprocess.Popen[str], Path]) -> dict[str, dict[str, str]]:
    process, record = started
    output, _ = process.communicate(timeout=600)
    assert record.exists(), output
    return json.loads(record.read_text(encoding="utf-8"))


def _seen(reading: dict[str, str]) -> tuple[str, str]:
    return reading["status"], reading["stdout"]


@pytest.fixture(scope="module")
def printed():
    """{"virtual": {node id: reading}, "real": [{node id: reading}, ...]}.

    One inner run per clock over the whole corpus, both at once. The real clock is the noisy
    one (a loaded machine can push a 0.1 s wait past 0.15 s), so the articles where the two
    differ run once more on it, and a block differs only if no real run printed what the
    virtual one did.
    """
    base = Path(tempfile.mkdtemp(prefix="mdverify-differential-"))
    try:
        started = {clock: _start(clock, base / clock, ARTICLES) for clock in CLOCKS}
        virtual, real = (_finish(started[clock]) for clock in CLOCKS)
        differ = {
            node.split("::")[0]
            for node, reading in real.items()
            if node in virtual and _seen(virtual[node]) != _seen(reading)
        }
        again = [article for article in ARTICLES if article.name in differ]
        readings = [real]
        if again:
            readings.append(_finish(_start("real", base / "real-again", again)))
        yield {"virtual": virtual, "real": readings}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _blocks(run: dict[str, dict[str, str]], article: Path) -> dict[str, dict[str, str]]:
    prefix = f"{article.name}::"
    return {node: seen for node, seen in run.items() if node.startswith(prefix)}


def _param(article: Path) -> object:
    strict = article.stem in KNOWN
    known = KNOWN.get(article.stem) or FLAKY.get(article.stem)
    if known is None:
        return pytest.param(article, id=article.stem)
    way, reason = known
    mark = pytest.mark.xfail(strict=strict, reason=f"way {way}: {reason}")
    return pytest.param(article, id=article.stem, marks=mark)


def test_the_corpus_covers_the_surface():
    assert len(ARTICLES) >= 80
    assert set(KNOWN) | set(FLAKY) <= {article.stem for article in ARTICLES}
    assert not set(KNOWN) & set(FLAKY)
    # Every way of issue 15 has articles of its own.
    assert {f"way{n}" for n in range(1, 10)} <= {a.stem.split("-")[0] for a in ARTICLES}


@pytest.mark.parametrize("article", [_param(article) for article in ARTICLES])
def test_both_clocks_print_the_same(printed, article):
    virtual, real = _blocks(printed["virtual"], article), _blocks(printed["real"][0], article)
    assert set(virtual) == set(real)
    if not real:
        pytest.skip("no block of the article runs on this Python")
    for node in real:
        on_real = [_seen(run[node]) for run in printed["real"] if node in run]
        if _seen(virtual[node]) not in on_real:
            assert _seen(virtual[node]) == on_real[0], node


def test_the_articles_declare_what_the_real_clock_prints(printed):
    first = printed["real"][0]
    failed = [
        node
        for node in first
        if all(run[node]["outcome"] != "passed" for run in printed["real"] if node in run)
    ]
    assert failed == []
    assert {node.split("::")[0] for node in first} <= {a.name for a in ARTICLES}
