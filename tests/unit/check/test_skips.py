"""Skips in words: one sentence per kind, and the summary's group for each."""

from __future__ import annotations

import pytest

from mdverify.check.skips import TEMPLATE, skip_group, skip_text
from mdverify.model import Halt, Interruption, Skip, SkipKind


@pytest.mark.parametrize(
    ("skip", "text"),
    [
        (Skip(SkipKind.WRITER, "waits for staging: see ops.md"), "waits for staging: see ops.md"),
        (Skip(SkipKind.WRITER), "mdverify: skip directive"),
        (Skip(SkipKind.PYTHON, ">=3.99"), "needs Python >=3.99"),
        (Skip(SkipKind.IMPORT, "numpy, scipy"), "needs numpy, scipy (not importable here)"),
        (
            Skip(SkipKind.SHELL, "$ pip install rich", 4),
            "shell commands, not Python (line 4: $ pip install rich)",
        ),
        (Skip(SkipKind.PLACEHOLDER, "<name>", 12), f"{TEMPLATE}: the placeholder <name> (line 12)"),
        (Skip(SkipKind.GUTTER, line=3), f"{TEMPLATE}: a listing with line numbers (line 3)"),
        (
            Skip(SkipKind.ELLIPSIS, "f(a, ..)", 3),
            f"{TEMPLATE}: '...' for the code left out: f(a, ..) (line 3)",
        ),
        (
            Skip(SkipKind.FRAGMENT, "item, port", 9),
            (
                "fragment, not a program: uses item, port, which no block of the article "
                "defines (line 9)"
            ),
        ),
        (
            Skip(SkipKind.NOT_REACHED, line=7, cause=Interruption(Halt.TIMEOUT, 5.0)),
            "not run: the block at line 7 timed out",
        ),
        (
            Skip(SkipKind.NOT_REACHED, line=7, cause=Interruption(Halt.EXITED, code=-9)),
            "not run: the block at line 7 crashed the interpreter (SIGKILL)",
        ),
        (Skip(SkipKind.NOT_REACHED), "not run: the article's process ended at an earlier block"),
    ],
)
def test_each_kind_has_its_sentence(skip, text):
    assert skip_text(skip) == text


def test_every_kind_has_words():
    for kind in SkipKind:
        assert skip_text(Skip(kind, "x", 1))
        assert skip_group(Skip(kind, "x", 1))


def test_the_summary_groups_mdverifys_reasons_by_kind_and_keeps_what_a_block_needs_whole():
    skips = [
        Skip(SkipKind.FRAGMENT, "item", 9),
        Skip(SkipKind.FRAGMENT, "port", 30),
        Skip(SkipKind.PLACEHOLDER, "<name>", 12),
        Skip(SkipKind.GUTTER, line=40),
        Skip(SkipKind.WRITER, "waits for the staging database: see ops.md"),
        Skip(SkipKind.WRITER, TEMPLATE),  # content/ writes it by hand: one group with ours
        Skip(SkipKind.IMPORT, "numpy"),
    ]
    assert [skip_group(s) for s in skips] == [
        "fragment, not a program",
        "fragment, not a program",
        TEMPLATE,
        TEMPLATE,
        "waits for the staging database: see ops.md",
        TEMPLATE,
        "needs numpy (not importable here)",
    ]
