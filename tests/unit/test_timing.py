"""The timing-claim grammar, the tolerance and the rule that checks a claim."""

from __future__ import annotations

import pytest

from mdverify.article.timing import (
    DEFAULT_TOLERANCE,
    Tolerance,
    check,
    parse_duration,
    timing_claims,
)
from mdverify.model import TimingClaim

VIRTUAL = DEFAULT_TOLERANCE["virtual"]


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


def test_measurement_inside_tolerance_honours_the_claim():
    assert check(TimingClaim(1, "~1s", 1.0), 1.05, VIRTUAL) is None


def test_measurement_outside_tolerance_breaks_the_claim_and_says_by_how_much():
    reason = check(TimingClaim(1, "~1s", 1.0), 2.0, VIRTUAL)
    assert reason == "2.000s is more than 0.1s away from the claimed 1s (tolerance 10%,0.05s)"


def test_not_clause_fails_when_the_measurement_is_near_the_ruled_out_value():
    claim = TimingClaim(1, "~1s, not 1.1s", 1.0, (1.1,))
    reason = check(claim, 1.08, VIRTUAL)
    assert reason is not None
    assert "1.1s, which the claim rules out" in reason


def test_not_clause_passes_when_the_measurement_is_far_from_the_ruled_out_value():
    assert check(TimingClaim(1, "~1s, not 2s", 1.0, (2.0,)), 1.0, VIRTUAL) is None


def test_tolerance_boundary_is_inclusive():
    assert Tolerance(0.10, 0.05).allows(1.0, 1.1)
    assert not Tolerance(0.10, 0.05).allows(1.0, 1.1001)


def test_absolute_tolerance_wins_for_short_claims():
    assert Tolerance(0.10, 0.05).margin(0.1) == 0.05


def test_real_clock_tolerance_is_wider_than_virtual():
    real = DEFAULT_TOLERANCE["real"]
    assert real.margin(1.0) > VIRTUAL.margin(1.0)
    assert real.absolute > VIRTUAL.absolute


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20%", Tolerance(0.2, 0.05)),
        ("0.5s", Tolerance(0.1, 0.5)),
        ("5%,200ms", Tolerance(0.05, 0.2)),
        ("0.3s, 15%", Tolerance(0.15, 0.3)),
    ],
)
def test_tolerance_parse_keeps_the_default_for_a_missing_part(text, expected):
    assert Tolerance.parse(text, VIRTUAL) == expected


@pytest.mark.parametrize("text", ["", "ten percent", "x%", "1s,2s,3s", "-5%"])
def test_tolerance_parse_rejects_nonsense(text):
    with pytest.raises(ValueError, match=r"tolerance|percentage|duration|negative"):
        Tolerance.parse(text, VIRTUAL)


def test_tolerance_describe_round_trips_through_parse():
    tolerance = Tolerance(0.25, 0.25)
    assert Tolerance.parse(tolerance.describe(), VIRTUAL) == tolerance
