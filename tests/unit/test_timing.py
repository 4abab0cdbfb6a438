"""The timing-claim grammar of `mdverify.article.timing`."""

from __future__ import annotations

import pytest

from mdverify.article.timing import parse_duration, timing_claims


def claims_of(comment: str) -> list[tuple[float, tuple[float, ...]]]:
    return [(c.seconds, c.not_seconds) for c in timing_claims(f"x = 1  # {comment}\n", 1)]


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("takes ~1s", [(1.0, ())]),
        ("Sequential execution (takes ~1.5s total)", [(1.5, ())]),
        ("Run both concurrently (takes ~1s, not 2s)", [(1.0, (2.0,))]),
        ("takes about 2 seconds", [(2.0, ())]),
        ("took roughly 500ms", [(0.5, ())]),
        ("~250 milliseconds", [(0.25, ())]),
        ("around 3 secs", [(3.0, ())]),
        ("approximately 0.75 second", [(0.75, ())]),
        ("takes 2s", [(2.0, ())]),
        ("TAKES ~1S", [(1.0, ())]),
        ("~1s, not 2s, not 3 seconds", [(1.0, (2.0, 3.0))]),
    ],
)
def test_recognised_claim_forms(comment, expected):
    assert claims_of(comment) == expected


@pytest.mark.parametrize(
    "comment",
    [
        "Pauses for 3 seconds",  # one call's duration, not the block's
        "Run every minute",
        "sleep 5",  # no unit
        "retries 3 times",
        "takes a while",
        "~1 minute",  # minutes are not a unit of the grammar
    ],
)
def test_comments_that_are_not_claims(comment):
    assert claims_of(comment) == []


def test_claim_line_is_the_article_line_of_its_comment():
    source = "import asyncio\n\n# takes ~2s\nx = 1\n"
    (claim,) = timing_claims(source, 40)
    assert claim.line == 42


def test_claims_are_read_from_comments_only_not_strings():
    assert timing_claims('print("takes ~1s")\n', 1) == ()


def test_a_block_that_does_not_tokenize_has_no_claims():
    assert timing_claims('x = """\n# takes ~1s\n', 1) == ()


def test_claim_text_is_normalised_for_reports():
    (claim,) = timing_claims("# Run both (takes about 1 second, not 2 seconds)\n", 1)
    assert claim.text == "~1s, not 2s"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1.5s", 1.5), ("~500ms", 0.5), ("2 seconds", 2.0), (" 3 s ", 3.0), ("10sec", 10.0)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "s", "1.5 minutes", "-1s", "1e3s", "about"])
def test_parse_duration_rejects_what_is_not_a_duration(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)
