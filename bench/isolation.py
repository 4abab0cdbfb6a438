"""Per-article isolation overhead: the wall time to run an article whose one block is `pass`.

Everything such an article costs is isolation: a process (forked warm, or a fresh
interpreter with --cold), its session and temporary directory, the request and events,
the kill and the reaping. Articles run one at a time, so the figure is latency, not
throughput.

    python bench/isolation.py --articles 300 --repeat 3
    python bench/isolation.py --sandbox off require    # the sandbox's cost, row by row
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from mdverify.article.parse import parse_text
from mdverify.run.options import MODES, Mode, RunOptions
from mdverify.run.request import prepare
from mdverify.run.runner import Runner

TEXT = "# Empty\n\n```python\npass\n```\n"


def measure(articles: int, *, warm: bool, sandbox: Mode = "off") -> tuple[float, float]:
    """Milliseconds per article: wall, and CPU of the processes it started."""
    options = RunOptions(sandbox=sandbox)
    runner = Runner(options, warm=warm, ahead=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "empty.md"
        path.write_text(TEXT)
        article = parse_text("empty.md", TEXT)
        prepared = prepare(article, str(path), article.examples, options, env=runner.env)
        runner.observations(-1, prepared)  # start the worker outside the timing
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        for key in range(articles):
            observation = runner.observations(key, prepared)[0]
            assert observation.status == "ok", observation
        wall = time.perf_counter() - start
        runner.close()  # the worker's children are counted once it is reaped
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall / articles * 1000, cpu / articles * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="keep the best of this many")
    parser.add_argument("--sandbox", nargs="+", choices=MODES, default=["off"])
    args = parser.parse_args()
    print("| start | sandbox | wall per article | CPU per article (children) |")
    print("|---|---|---|---|")
    for label, warm, count in (("warm", True, args.articles), ("cold", False, args.articles // 10)):
        for sandbox in args.sandbox:
            runs = [
                measure(max(count, 1), warm=warm, sandbox=sandbox)
                for _ in range(max(args.repeat, 1))
            ]
            wall, cpu = min(runs)  # noise on a shared machine only ever adds time
            print(f"| {label} | {sandbox} | {wall:.2f} ms | {cpu:.2f} ms |")


if __name__ == "__main__":
    main()
