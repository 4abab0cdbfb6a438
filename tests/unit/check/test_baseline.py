"""Block keys, failure kinds, the file's text and a refresh in `mdverify.check.baseline`."""

from __future__ import annotations

import json

import pytest

from mdverify.check.baseline import (
    BaselineError,
    BlockKey,
    Entry,
    block_keys,
    code_hint,
    dumps,
    failure_kind,
    loads,
    refreshed,
    retired,
)
from mdverify.model import (
    Example,
    Mismatch,
    Observation,
    OutputClaim,
    Status,
    TimingClaim,
    TimingMismatch,
    Verdict,
)

EXAMPLE = Example(0, "python", "print(1)\n", 3, 4, "T (line 3)")


def verdict(status=Status.OK, error=None, *, mismatch=False, timing=False):
    claim = OutputClaim("fence", "2", 7)
    return Verdict(
        EXAMPLE,
        Observation(0, status, error=error),
        (Mismatch(claim, "1\n"),) if mismatch else (),
        (TimingMismatch(TimingClaim(4, "~1s", 1.0), 2.0, "too slow"),) if timing else (),
    )


def test_a_key_survives_lines_added_elsewhere_and_counts_repeated_blocks():
    keys = block_keys("a.md", ["x = 1\n", "print(x)\n", "x = 1\n"])
    assert [k.occurrence for k in keys] == [1, 1, 2]
    assert keys[0].block == keys[2].block != keys[1].block
    # Another block before them shifts every line, and no key.
    assert block_keys("a.md", ["import os\n", "x = 1\n", "print(x)\n", "x = 1\n"])[1:] == keys


def test_an_edit_of_the_block_itself_changes_its_key():
    assert block_keys("a.md", ["x = 1\n"]) != block_keys("a.md", ["x = 2\n"])


@pytest.mark.parametrize(
    ("made", "kind"),
    [
        (
            verdict(Status.RAISED, "Traceback ...\n  File x\nNameError: name 'y' is not defined\n"),
            "raised NameError",
        ),
        (
            verdict(Status.RAISED, "socket.gaierror: [Errno -2] mdverify: offline"),
            "raised gaierror",
        ),
        (verdict(Status.RAISED, "???"), "raised an error"),
        (verdict(Status.TIMEOUT), "timeout"),
        (verdict(mismatch=True), "output differs"),
        (verdict(mismatch=True, timing=True), "output differs, timing claim not met"),
        (verdict(timing=True), "timing claim not met"),
    ],
)
def test_a_failure_kind_keeps_no_volatile_detail(made, kind):
    assert failure_kind(made) == kind


def test_the_code_hint_is_the_first_line_of_code_shortened():
    assert code_hint("\n\n    async def main():\n        pass\n") == "async def main():"
    assert len(code_hint("x = " + "1" * 100)) == 60


def entry(article="a.md", block="aaa", occurrence=1, kind="raised NameError"):
    return Entry(BlockKey(article, block, occurrence), kind, "print(x)")


def test_the_file_is_one_entry_a_line_sorted_and_reads_back():
    entries = [entry("b.md"), entry("a.md", "bbb"), entry("a.md", "aaa", 2, "timeout")]
    text = dumps(entries)
    lines = text.splitlines()
    assert lines[4].lstrip().startswith('{"article": "a.md", "block": "aaa", "occurrence": 2')
    assert [json.loads(line.strip().rstrip(","))["article"] for line in lines[4:7]] == [
        "a.md",
        "a.md",
        "b.md",
    ]
    assert loads("known.json", text) == {e.key: e for e in entries}
    assert dumps(reversed(entries)) == text
    assert loads("known.json", dumps([])) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", r"known.json:1: not a baseline file"),
        ("[]", r"known.json: not a baseline file of format 1"),
        ('{"mdverify-baseline": 1, "failures": [{"article": "a.md"}]}', r"failure 1 needs"),
    ],
)
def test_a_bad_file_is_an_error_naming_it(text, message):
    with pytest.raises(BaselineError, match=message):
        loads("known.json", text)


def test_a_refresh_keeps_what_did_not_run_and_drops_what_passes_or_is_gone():
    passing, gone, elsewhere, other_article = (
        entry(block="p"),
        entry(block="g"),
        entry(block="e"),
        entry("b.md"),
    )
    old = {e.key: e for e in (passing, gone, elsewhere, other_article)}
    new = entry(block="n", kind="timeout")
    collected = {"a.md": frozenset({passing.key, elsewhere.key, new.key})}
    results = {passing.key: None, new.key: new}
    assert set(refreshed(old, collected, results)) == {elsewhere, other_article, new}
    assert retired(old, collected, results) == ((passing,), (gone,))


def test_a_refresh_takes_the_new_kind_of_a_known_block():
    old = entry()
    now = entry(kind="output differs")
    assert refreshed({old.key: old}, {"a.md": frozenset({old.key})}, {old.key: now}) == (now,)
