"""Write a synthetic corpus of Markdown articles for the benchmarks.

Each plain article holds M blocks of `x = k; print(x)`, each followed by an output fence,
the shape every peer tool can collect. A sleepy article's blocks sleep with asyncio, so the
virtual clock has something to save.

    python bench/corpus.py OUT_DIR --articles 1000 --blocks 10
    python bench/corpus.py OUT_DIR --articles 20 --blocks 5 --sleep 0.5
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

FENCE = "```"


def plain_article(number: int, blocks: int) -> str:
    """An article of `blocks` print blocks, each with the output it declares."""
    parts = [f"# Article {number}\n"]
    for k in range(blocks):
        value = number * blocks + k
        parts.append(
            f"Block {k}:\n\n{FENCE}python\nx = {value}; print(x)\n{FENCE}\n\n"
            f"{FENCE}text\n{value}\n{FENCE}\n"
        )
    return "\n".join(parts)


def sleepy_article(number: int, blocks: int, sleep: float) -> str:
    """An article whose every block awaits `sleep` seconds before printing."""
    parts = [f"# Sleepy article {number}\n", f"{FENCE}python\nimport asyncio\n{FENCE}\n"]
    parts.extend(
        f"{FENCE}python\nasync def step():\n    await asyncio.sleep({sleep!r})\n"
        f"    return {k}\n\nprint(asyncio.run(step()))\n{FENCE}\n\n{FENCE}text\n{k}\n{FENCE}\n"
        for k in range(blocks)
    )
    return "\n".join(parts)


def write_corpus(out: Path, articles: int, blocks: int, sleep: float | None = None) -> Path:
    """Replace `out` with a fresh corpus and return it."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for number in range(articles):
        if sleep is None:
            text = plain_article(number, blocks)
        else:
            text = sleepy_article(number, blocks, sleep)
        (out / f"article_{number:05d}.md").write_text(text, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to (re)create")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--sleep", type=float, help="seconds each block awaits (sleepy set)")
    args = parser.parse_args()
    write_corpus(args.out, args.articles, args.blocks, args.sleep)
    kind = f"sleepy ({args.sleep} s per block)" if args.sleep is not None else "plain"
    print(f"{args.out}: {args.articles} {kind} articles x {args.blocks} blocks")


if __name__ == "__main__":
    main()
