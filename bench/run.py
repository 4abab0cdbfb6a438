"""Time mdverify against the peer tools on a synthetic corpus, and its two clocks.

    python bench/run.py                       # 1000 articles x 10 blocks, every peer found
    python bench/run.py --articles 200 --blocks 5 --no-peers
    python bench/run.py --make-venvs          # first create the two venvs below (PyPI access)

Every figure is a whole-process wall time of a fresh `python -m pytest ...`, as a writer or
CI job would see it, and the peak RSS of that process (from wait4, so per run). mdverify runs
from bench/.venv-mdverify: the project and pytest-xdist only, no dev tools (hypothesis's
pytest plugin alone costs a second of start-up). The peers run from bench/.venv-peers, a
separate environment so that they never become dependencies of the project, nor plugins of
the mdverify runs.

Peers that do not check declared output (pytest-codeblocks without its markers, Sybil's
code-block parser, pytest-markdown-docs, pytest-examples' `run`) only run the blocks; the
ratio then flatters them, not mdverify.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

from corpus import write_corpus

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEERS_VENV = BENCH / ".venv-peers"
OURS_VENV = BENCH / ".venv-mdverify"
QUIET = ["-q", "-p", "no:cacheprovider"]

SYBIL_PLUGIN = """\
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser

pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser()], path={corpus!r}, patterns=["*.md"]
).pytest()
"""

EXAMPLES_TEST = """\
import pytest
from pytest_examples import CodeExample, EvalExample, find_examples


@pytest.mark.parametrize("example", find_examples({corpus!r}), ids=str)
def test_block(example: CodeExample, eval_example: EvalExample) -> None:
    eval_example.run(example)
"""

PHMDOCTEST_CFG = """\
[tool.phmdoctest]
markdown_globs = {corpus}/*.md
exclude_globs =
output_directory = {out}
print =
"""


@dataclass(frozen=True)
class Timing:
    """One measured process."""

    wall: float
    rss_mb: float
    ok: bool
    tail: str


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Timing:
    """Run `cmd` to the end; its wall time and its own peak RSS (wait4, not the sum)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    tail = output.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return Timing(wall, usage.ru_maxrss / 1024, proc.returncode == 0, tail[0])


class Trials:
    """Commands to time, run round-robin, each command's best run kept.

    On a shared VM the machine's speed drifts over minutes; running every command once per
    round, rather than one tool's runs back to back, makes a slow spell hit all tools alike.
    """

    def __init__(self) -> None:
        self._commands: list[tuple[list[str], Path, dict[str, str] | None]] = []
        self._results: list[list[Timing]] = []

    def add(self, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> int:
        self._commands.append((cmd, cwd, env))
        self._results.append([])
        return len(self._commands) - 1

    def run(self, runs: int) -> None:
        for round_ in range(runs):
            print(f"  round {round_ + 1} of {runs}: {len(self._commands)} commands", flush=True)
            for (cmd, cwd, env), results in zip(self._commands, self._results, strict=True):
                results.append(measure(cmd, cwd, env))

    def best(self, index: int) -> Timing:
        """The fastest run: the noise on a shared machine only ever adds time."""
        return min(self._results[index], key=lambda t: t.wall)


@dataclass(frozen=True)
class Row:
    """One tool's line in the table: indices into `Trials`."""

    tool: str
    collect: int | None
    full: int
    extra: float = 0.0
    """Seconds of a separate step the tool needs first (phmdoctest's generation)."""


def mdverify_rows(python: str, work: Path, corpus: Path, trials: Trials) -> list[Row]:
    base = [python, "-m", "pytest", *QUIET]
    rows = [
        Row(
            "mdverify",
            trials.add([*base, "--collect-only", str(corpus)], work),
            trials.add([*base, str(corpus)], work),
        )
    ]
    # With pytest's cache on (the default), unchanged articles are not parsed again.
    cached = [python, "-m", "pytest", "-q"]
    measure([*cached, "--collect-only", str(corpus)], work)  # fills the cache
    rows.append(
        Row(
            "mdverify, parse cache warm",
            trials.add([*cached, "--collect-only", str(corpus)], work),
            trials.add([*cached, str(corpus)], work),
        )
    )
    probe = [python, "-c", "import xdist"]
    if subprocess.run(probe, check=False, capture_output=True).returncode == 0:
        rows.extend(
            Row(f"mdverify -n {n}", None, trials.add([*base, "-n", n, str(corpus)], work))
            for n in ("0", "2")
        )
    return rows


def peer_rows(python: str, work: Path, corpus: Path, trials: Trials) -> list[Row]:
    def has(module: str) -> bool:
        code = f"import importlib.util, sys; sys.exit(not importlib.util.find_spec({module!r}))"
        return subprocess.run([python, "-c", code], check=False).returncode == 0

    base = [python, "-m", "pytest", *QUIET]
    rows: list[Row] = []

    def add(tool: str, args: list[str], env: dict[str, str] | None = None) -> None:
        collect = trials.add([*base, "--collect-only", *args], work, env)
        rows.append(Row(tool, collect, trials.add([*base, *args], work, env)))

    if has("pytest_codeblocks"):
        add("pytest-codeblocks", ["--codeblocks", str(corpus)])
    if has("sybil"):
        plugins = work / "sybil_plugin"
        plugins.mkdir(exist_ok=True)
        (plugins / "bench_sybil.py").write_text(SYBIL_PLUGIN.format(corpus=str(corpus)))
        env = {**os.environ, "PYTHONPATH": str(plugins)}
        add("sybil", ["-p", "bench_sybil", str(corpus)], env)
    if has("pytest_markdown_docs"):
        add("pytest-markdown-docs", ["--markdown-docs", str(corpus)])
    if has("phmdoctest"):
        out = work / "phmdoctest_tests"
        cfg = work / "phmdoctest.cfg"
        # phmdoctest takes globs relative to where it runs.
        cfg.write_text(PHMDOCTEST_CFG.format(corpus=corpus.relative_to(work), out=out.name))
        generate = measure([python, "-m", "phmdoctest", str(cfg)], work)
        if generate.ok:
            collect = trials.add([*base, "--collect-only", str(out)], work)
            rows.append(
                Row("phmdoctest", collect, trials.add([*base, str(out)], work), generate.wall)
            )
        else:
            print(f"  phmdoctest failed to generate its tests: {generate.tail}")
    if has("pytest_examples"):
        tests = work / "examples_tests"
        tests.mkdir(exist_ok=True)
        (tests / "test_blocks.py").write_text(EXAMPLES_TEST.format(corpus=str(corpus)))
        add("pytest-examples", [str(tests)])
    return rows


def clock_rows(python: str, targets: list[tuple[str, Path, Path]], runs: int) -> str:
    trials = Trials()
    ids = {
        (label, clock): trials.add(
            [python, "-m", "pytest", *QUIET, f"--mdverify-clock={clock}", str(path)], cwd
        )
        for label, cwd, path in targets
        for clock in ("virtual", "real")
    }
    trials.run(runs)
    lines = [
        "| articles | virtual clock | real clock | real / virtual |",
        "|---|---|---|---|",
    ]
    for label, _, _ in targets:
        virtual, real = (trials.best(ids[label, clock]) for clock in ("virtual", "real"))
        flags = "" if virtual.ok and real.ok else " (some failed)"
        lines.append(
            f"| {label}{flags} | {virtual.wall:.2f} s | {real.wall:.2f} s "
            f"| {real.wall / virtual.wall:.1f}x |"
        )
    return "\n".join(lines)


def table(rows: list[Row], trials: Trials, blocks: int) -> str:
    ours = trials.best(rows[0].full).wall
    first = rows[0].collect
    ours_collect = trials.best(first).wall if first is not None else None
    lines = [
        "| tool | collect only | full run | blocks/s | peak RSS | full run / mdverify's |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        full = trials.best(row.full)
        collect = "-"
        if row.collect is not None:
            wall = trials.best(row.collect).wall
            collect = f"{wall:.2f} s"
            if ours_collect and row is not rows[0]:
                collect += f" ({wall / ours_collect:.1f}x)"
        extra = f" + {row.extra:.2f} s generate" if row.extra else ""
        failed = "" if full.ok else f" FAILED: {full.tail}"
        total = full.wall + row.extra
        lines.append(
            f"| {row.tool} | {collect} | {full.wall:.2f} s{extra}{failed} "
            f"| {blocks / total:,.0f} | {full.rss_mb:.0f} MB | {total / ours:.2f}x |"
        )
    return "\n".join(lines)


def make_venv(path: Path, *requirements: str) -> None:
    if not path.exists():
        venv.create(path, with_pip=True)
    pip = [str(path / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, *requirements], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--sleepy-articles", type=int, default=20)
    parser.add_argument("--sleepy-blocks", type=int, default=5)
    parser.add_argument("--sleep", type=float, default=0.5, help="seconds per sleepy block")
    parser.add_argument("--runs", type=int, default=1, help="keep the best of this many runs")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-clocks", action="store_true")
    parser.add_argument("--make-venvs", action="store_true")
    parser.add_argument("--python", default=str(OURS_VENV / "bin" / "python"), help="mdverify's")
    parser.add_argument("--peers-python", default=str(PEERS_VENV / "bin" / "python"))
    args = parser.parse_args()
    # Timed as a writer's machine or a CI job runs: bytecode caches are written once, then
    # used. Some sandboxes set this variable, and every module would be compiled on every
    # start of every tool (about 0.5 s of mdverify's collection).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.make_venvs:
        make_venv(OURS_VENV, "-e", f"{REPO}[content]", "pytest-xdist")
        make_venv(PEERS_VENV, "-r", str(BENCH / "requirements-peers.txt"))
    python = args.python
    if not Path(python).exists():
        print(f"{python} missing (see --make-venvs); mdverify runs with {sys.executable}")
        python = sys.executable

    work = Path(tempfile.mkdtemp(prefix="mdverify-bench-"))
    try:
        # An empty ini pins the rootdir here, away from any project configuration.
        (work / "pytest.ini").write_text("[pytest]\n")
        corpus = write_corpus(work / "corpus", args.articles, args.blocks)
        blocks = args.articles * args.blocks
        print(f"corpus: {args.articles} articles x {args.blocks} blocks = {blocks} blocks")
        trials = Trials()
        rows = mdverify_rows(python, work, corpus, trials)
        if not args.no_peers and Path(args.peers_python).exists():
            rows += peer_rows(args.peers_python, work, corpus, trials)
        elif not args.no_peers:
            print(f"no peers: {args.peers_python} missing (see --make-venvs)")
        trials.run(args.runs)
        print()
        print(table(rows, trials, blocks))
        print()
        isolation = [python, str(BENCH / "isolation.py"), "--articles", "300"]
        print(subprocess.run(isolation, check=True, capture_output=True, text=True).stdout)
        if not args.no_clocks:
            sleepy = write_corpus(
                work / "sleepy", args.sleepy_articles, args.sleepy_blocks, args.sleep
            )
            total = args.sleepy_articles * args.sleepy_blocks * args.sleep
            label = (
                f"synthetic: {args.sleepy_articles} x {args.sleepy_blocks} blocks, "
                f"{total:g} s of sleeps"
            )
            print()
            print(
                clock_rows(
                    python,
                    [("content/", REPO, REPO / "content"), (label, work, sleepy)],
                    args.runs,
                )
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
