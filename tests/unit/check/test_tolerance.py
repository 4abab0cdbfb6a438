"""How far a measurement may be from a timing claim: `mdverify.check.tolerance`."""

from __future__ import annotations

import pytest

from mdverify.check.tolerance import DEFAULT_TOLERANCE, Tolerance, check
from mdverify.model import TimingClaim

VIRTUAL = DEFAULT_TOLERANCE["virtual"]


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
