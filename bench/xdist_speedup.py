"""Wall time of `pytest` on Markdown articles, alone and with pytest-xdist `-n 2`.

    .venv/bin/python bench/xdist_speedup.py [--articles 200] [--repeat 3]

Measures content/ and a synthetic site of N articles (four blocks each: an import, an
async function, a loop that prints, a pycon check), best of `--repeat` runs each.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ARTICLE = """---
title: Article {n}
---

# Article {n}

```python
import asyncio
```

Some prose about the example.

```python
async def work(i):
    await asyncio.sleep(0.1 * i)
    return i * {n}
```

```python
async def main():
    results = await asyncio.gather(*(work(i) for i in range(3)))
    print(results)

asyncio.run(main())
```

**Output:**

```text
[0, {n}, {twice}]
```

```pycon
>>> sum(range({n}))
{total}
```
"""


def make_site(directory: Path, count: int) -> None:
    for n in range(count):
        text = ARTICLE.format(n=n, twice=2 * n, total=sum(range(n)))
        (directory / f"article-{n:03d}.md").write_text(text, encoding="utf-8")


def best_time(args: list[str], cwd: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        best = min(best, time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(done.stdout + done.stderr)
    return best


def report(name: str, args: list[str], cwd: Path, repeat: int) -> None:
    alone = best_time([*args, "-p", "no:xdist"], cwd, repeat)
    spread = best_time([*args, "-n", "2"], cwd, repeat)
    print(f"{name}: {alone:.2f} s alone, {spread:.2f} s with -n 2 ({alone / spread:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    report("content/", ["content/"], ROOT, options.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        make_site(Path(tmp), options.articles)
        report(f"{options.articles} synthetic articles", ["."], Path(tmp), options.repeat)


if __name__ == "__main__":
    main()
