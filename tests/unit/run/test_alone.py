"""Tests for mdverify.run.alone: which blocks a fresh process runs together."""

from __future__ import annotations

from typing import Any

from mdverify.run.alone import Runs


def _block(index: int, namespace: str = "", *, alone: bool = False) -> Any:
    return {"index": index, "namespace": namespace, "alone": alone}


def test_an_isolated_block_runs_with_its_hidden_blocks_and_nothing_else():
    blocks = [
        _block(0),
        _block(1, "!2", alone=True),  # its hidden set-up
        _block(2, "!2", alone=True),
        _block(3, "!4", alone=True),  # the next isolated block, right below
        _block(4, "!4", alone=True),
        _block(5),
        _block(6),
    ]
    runs = list(Runs().groups(blocks, print))
    assert [[block["index"] for block in run] for run in runs] == [[0], [1, 2], [3, 4], [5], [6]]


def test_the_article_s_process_hands_isolated_blocks_to_its_template():
    asked = []

    class Template:
        def run(self, blocks: Any, report: Any) -> None:
            asked.append([block["index"] for block in blocks])

    blocks = [_block(0), _block(1, "!1", alone=True), _block(2)]
    here = list(Runs(Template()).groups(blocks, print))  # type: ignore[arg-type]
    assert [[block["index"] for block in run] for run in here] == [[0], [2]]
    assert asked == [[1]]
