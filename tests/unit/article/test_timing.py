"""The timing-claim grammar of `mdverify.article.timing`."""

from __future__ import annotations

import pytest

from mdverify.article.syntax import read_block
from mdverify.article.timing import directive_claim, parse_duration, timing_claims


def claims_in(source: str, first_line: int = 1, output_lines=()):
    return timing_claims(read_block(source, first_line), output_lines)


def claims_of(comment: str) -> list[tuple[float, tuple[float, ...]]]:
    return [(c.seconds, c.not_seconds) for c in claims_in(f"x = 1  # {comment}\n")]


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
    (claim,) = claims_in(source, 40)
    assert claim.line == 42


def test_claims_are_read_from_comments_only_not_strings():
    assert claims_in('print("takes ~1s")\n') == ()


def test_a_block_that_does_not_tokenize_has_no_claims():
    assert claims_in('x = """\n# takes ~1s\n') == ()


def test_claim_text_is_normalised_for_reports():
    (claim,) = claims_in("# Run both (takes about 1 second, not 2 seconds)\n")
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


def test_a_comment_on_declared_output_lines_is_not_a_claim():
    source = 'print("took 3.0s")  # took 3.0s\nx = 1  # takes ~1s\n'
    assert [c.line for c in claims_in(source, 10, output_lines={10})] == [11]


def test_a_block_with_a_syntax_error_still_has_its_claims():
    assert [c.seconds for c in claims_in("x = = 1  # takes ~2s\n")] == [2.0]


def test_directive_claim_is_spelt_like_a_comment_claim():
    claim = directive_claim(3, 1.0, (2.0,))
    assert (claim.line, claim.text, claim.seconds, claim.not_seconds) == (3, "~1s, not 2s", 1, (2,))
