"""Time the differential corpus on both clocks: each block's measured time, side by side.

    python bench/differential.py              # tests/differential/corpus
    python bench/differential.py --runs 3     # best whole-run wall time of three per clock

Each clock runs the whole corpus in one fresh `python -m pytest` (as the test does). The
table shows, per block, the time mdverify measured from its first statement to its last
on each clock (`mdverify_elapsed`, read from --junitxml), then the whole-process wall time
of each run and the ratio real / virtual. tests/differential/test_differential.py checks
what the blocks print; this only times them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "differential" / "corpus"
CLOCKS = ("virtual", "real")
_ELAPSED = re.compile(r"(?P<seconds>[\d.]+)s")


def run(clock: str, corpus: Path, work: Path) -> tuple[float, dict[str, float]]:
    """Wall time of one run on `clock`, and each block's measured time by its name."""
    root = work / clock
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(corpus, root)
    junit = work / f"{clock}.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += [f"--mdverify-clock={clock}", f"--junitxml={junit}", "."]
    start = time.perf_counter()
    subprocess.run(command, cwd=root, capture_output=True, check=False)
    wall = time.perf_counter() - start
    measured = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        for prop in case.iter("property"):
            match = _ELAPSED.match(prop.get("value", ""))
            if prop.get("name") == "mdverify_elapsed" and match:
                measured[f"{case.get('classname')}::{case.get('name')}"] = float(match["seconds"])
    return wall, measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--runs", type=int, default=1, help="runs per clock; the best is kept")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mdverify-bench-differential-"))
    try:
        walls: dict[str, float] = {}
        measured: dict[str, dict[str, float]] = {}
        for _ in range(args.runs):
            for clock in CLOCKS:  # interleaved: a slow spell of the machine hits both
                wall, blocks = run(clock, args.corpus, work)
                if wall < walls.get(clock, float("inf")):
                    walls[clock], measured[clock] = wall, blocks
    finally:
        shutil.rmtree(work, ignore_errors=True)
    names = sorted(set(measured["virtual"]) | set(measured["real"]))
    width = max(map(len, names), default=5)
    print(f"| {'block':<{width}} | virtual | real |")
    print(f"|{'-' * (width + 2)}|---------|------|")
    for name in names:
        cells = [measured[c].get(name) for c in CLOCKS]
        virtual, real = (f"{cell:.3f}s" if cell is not None else "-" for cell in cells)
        print(f"| {name:<{width}} | {virtual:>7} | {real:>6} |")
    print()
    print(f"blocks: {len(names)}; articles: {len(list(args.corpus.glob('*.md')))}")
    print(f"wall time, virtual clock: {walls['virtual']:.2f}s")
    print(f"wall time, real clock:    {walls['real']:.2f}s")
    print(f"real / virtual:           {walls['real'] / walls['virtual']:.2f}x")


if __name__ == "__main__":
    main()
