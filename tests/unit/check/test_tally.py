"""What a block's verdict checked, the session's sums, and their words in the summary."""

from __future__ import annotations

import pytest

from mdverify.check.report import baseline_lines, outcome_line, tally_lines
from mdverify.check.tally import Checked, Tally, checked, environment
from mdverify.model import Example, Observation, OutputClaim, Status, TimingClaim, Verdict

CLAIMS = (OutputClaim("fence", "1", 7), OutputClaim("trailing", "1", 4))
EXAMPLE = Example(0, "python", "print(1)\n", 3, 4, "T", outputs=CLAIMS)


def test_the_claims_of_a_block_that_ran_to_its_end_are_compared():
    timed = Example(
        0, "python", "x\n", 3, 4, "T", outputs=CLAIMS, timings=(TimingClaim(4, "~1s", 1),)
    )
    ran = Verdict(timed, Observation(0, Status.OK, elapsed=1.0))
    assert checked(ran) == Checked(outputs=2, timings=1)
    stopped = Verdict(timed, Observation(0, Status.TIMEOUT))
    assert checked(stopped) == Checked()


@pytest.mark.parametrize(
    ("error", "missing"),
    [
        ("ModuleNotFoundError: No module named 'numpy'", "missing package"),
        (
            "socket.gaierror: [Errno -2] mdverify: examples run offline; x.org is not",
            "undeclared host",
        ),
        ("ConnectionRefusedError: [Errno 111] Connection refused", "missing service"),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'data.csv'", "missing file"),
        ("NameError: name 'x' is not defined", ""),
    ],
)
def test_an_environment_failure_says_what_is_missing(error, missing):
    assert environment(Verdict(EXAMPLE, Observation(0, Status.RAISED, error=error))) == missing


def test_a_failure_after_a_refused_host_is_the_environments_whatever_it_raised():
    raised = Observation(0, Status.RAISED, error="KeyError: 'data'", offline=("api.example.org",))
    assert environment(Verdict(EXAMPLE, raised)) == "undeclared host"


def test_prose_and_claims_on_prints_that_never_ran_are_not_counted_as_compared():
    prose, never = OutputClaim("trailing", "adds the unit", 4), OutputClaim("trailing", "2", 5)
    example = Example(0, "python", "x\n", 3, 4, "T", outputs=(*CLAIMS, prose, never))
    verdict = Verdict(example, Observation(0, Status.OK), prose=(prose,), not_run=(never,))
    assert checked(verdict).outputs == 2


def test_the_wire_form_round_trips():
    facts = Checked(2, 1, "missing package")
    assert Checked.from_wire(facts.to_wire()) == facts


def test_the_summary_counts_what_was_compared_and_groups_the_reasons():
    tally = Tally()
    tally.add_run(Checked(outputs=2), passed=True)
    tally.add_run(Checked(timings=1), passed=True)
    tally.add_run(Checked(), passed=True)
    tally.add_run(Checked(environment="missing package"), passed=False, baselined=True)
    for reason in ("draft", "requires module numpy", "draft"):
        tally.add_skip(reason)
    assert tally_lines(tally) == [
        (
            "mdverify: 4 blocks ran: 1 with output compared (2 outputs), "
            "1 with timing checked (1 claim), 1 passed with nothing compared"
        ),
        "mdverify: 3 blocks skipped:",
        "  2 x draft",
        "  1 x requires module numpy",
        "mdverify: 1 environment failure:",
        "  1 x missing package",
        "mdverify: 1 known failure, from the baseline",
    ]


def test_no_block_no_summary():
    assert tally_lines(Tally()) == []


def test_the_baseline_lines_say_what_a_refresh_prunes():
    figures = {"entries": 3, "added": 1, "passing": 2, "gone": 1}
    assert baseline_lines("k.json", **figures, write=False, written=False) == [
        "mdverify: 2 baselined blocks now pass: --mdverify-baseline-write prunes them from k.json",
        (
            "mdverify: 1 entry of the baseline k.json names a block no longer there (edited or "
            "removed): --mdverify-baseline-write prunes them"
        ),
    ]
    assert baseline_lines("k.json", **figures, write=True, written=True) == [
        (
            "mdverify: baseline k.json written: 3 known failures (1 new or changed, "
            "2 now passing and 1 vanished pruned)"
        )
    ]


def test_the_outcome_line_counts_blocks_by_outcome_in_the_order_given():
    assert outcome_line({}) is None
    assert outcome_line({"passed": 1}) == "mdverify: 1 block passed"
    assert outcome_line({"failed": 2, "skipped": 1}) == (
        "mdverify: 0 blocks passed, 2 failed, 1 skipped"
    )
