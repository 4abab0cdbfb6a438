"""What a block's verdict checked, the session's sums, and their words in the summary."""

from __future__ import annotations

import pytest

from mdverify.check.report import file_note, forever, render
from mdverify.check.summary import baseline_lines, outcome_line, tally_lines
from mdverify.check.tally import Checked, Tally, checked, environment, stopped
from mdverify.model import (
    BlockSettings,
    Example,
    Halt,
    Interruption,
    Mismatch,
    Observation,
    OutputClaim,
    Status,
    TimingClaim,
    Verdict,
)

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
    facts = Checked(2, 1, "missing package", "waited forever", "helpers.py")
    assert Checked.from_wire(facts.to_wire()) == facts


FOREVER = Interruption(Halt.FOREVER, serving=("127.0.0.1:8888",))


def test_a_block_stopped_because_it_waited_forever_ran_and_says_why_it_was_stopped():
    serving = Verdict(EXAMPLE, Observation(0, Status.OK, interruption=FOREVER))
    assert checked(serving) == Checked(outputs=2, stopped="waited forever while serving")
    idle = Interruption(Halt.FOREVER)
    assert stopped(Verdict(EXAMPLE, Observation(0, Status.OK, interruption=idle))) == (
        "waited forever"
    )
    assert stopped(Verdict(EXAMPLE, Observation(0, Status.TIMEOUT))) == ""


def test_the_failure_of_a_block_stopped_forever_says_it_was_stopped():
    obs = Observation(0, Status.OK, stdout="2\n", interruption=FOREVER)
    verdict = Verdict(EXAMPLE, obs, mismatches=(Mismatch(CLAIMS[0], "2\n"),))
    text = render(verdict, "a.md", ["", "", "```python", "print(1)", "```", "", "", "1"])
    assert text.endswith(f"note: {forever(FOREVER)}")
    assert forever(FOREVER) == (
        "the block waited forever (serving on 127.0.0.1:8888); it was stopped with Ctrl-C "
        "(SIGINT), as a reader stops it, and its output up to then was compared"
    )


def test_the_summary_counts_what_was_compared_and_groups_the_reasons():
    tally = Tally()
    tally.add_run(Checked(outputs=2), passed=True)
    tally.add_run(Checked(timings=1), passed=True)
    tally.add_run(Checked(), passed=True)
    tally.add_run(Checked(environment="missing package"), passed=False, baselined=True)
    tally.add_run(Checked(stopped="waited forever"), passed=True)
    tally.add_run(Checked(outputs=1, stopped="waited forever while serving"), passed=True)
    tally.add_run(Checked(stopped="waited forever"), passed=False)
    for reason in ("draft", "requires module numpy", "draft"):
        tally.add_skip(reason)
    assert tally_lines(tally) == [
        (
            "mdverify: 7 blocks ran: 2 with output compared (3 outputs), "
            "1 with timing checked (1 claim), 2 passed with nothing compared"
        ),
        "mdverify: 3 blocks stopped with Ctrl-C, as a reader would:",
        "  2 x waited forever",
        "  1 x waited forever while serving",
        "mdverify: 3 blocks skipped:",
        "  2 x draft",
        "  1 x requires module numpy",
        "mdverify: 1 environment failure:",
        "  1 x missing package",
        "mdverify: 1 known failure, from the baseline",
    ]


def test_a_file_written_and_not_run_is_counted_apart_from_the_blocks_that_ran():
    file = Example(0, "python", "x = 1\n", 3, 4, "T", writes="app/main.py")
    facts = checked(Verdict(file, Observation(0, Status.OK)))
    assert facts == Checked(written="app/main.py")
    assert file_note(file) == "written to app/main.py, not run"
    tally = Tally()
    tally.add_run(facts, passed=True)
    tally.add_run(Checked(outputs=1), passed=True)
    assert tally_lines(tally) == [
        (
            "mdverify: 1 block ran: 1 with output compared (1 output), "
            "0 with timing checked (0 claims), 0 passed with nothing compared"
        ),
        "mdverify: 1 block written to a file, not run",
    ]
    # One that could not be written failed: it ran, and counts so.
    tally.add_run(facts, passed=False)
    assert tally.ran == 2


def test_a_file_run_as_a_script_ran():
    script = Example(0, "python", "print(1)\n", 3, 4, "T", writes="s.py", script=True)
    assert checked(Verdict(script, Observation(0, Status.OK))).written == ""
    assert file_note(script) == "written to s.py, then run as a script"
    assert file_note(EXAMPLE) is None


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


NORUN = Example(
    0,
    "python",
    "print(1)\n",
    3,
    4,
    "T",
    settings=BlockSettings(norun=True),
    outputs=CLAIMS,
    timings=(TimingClaim(4, "~1s", 1),),
)


def test_a_norun_block_compared_nothing_and_says_what_it_left():
    compiled = Verdict(NORUN, Observation(0, Status.OK, elapsed=0.0))
    assert checked(compiled) == Checked(compiled=True, unrun_outputs=2, unrun_timings=1)
    missing = Observation(0, Status.RAISED, error="ModuleNotFoundError: No module named 'x'")
    assert checked(Verdict(NORUN, missing)).environment == "missing package"


def test_the_wire_form_carries_a_norun_blocks_facts():
    facts = Checked(compiled=True, unrun_outputs=2, unrun_timings=1)
    assert Checked.from_wire(facts.to_wire()) == facts


def test_the_summary_counts_norun_blocks_apart_from_those_that_ran():
    tally = Tally()
    tally.add_run(Checked(outputs=1), passed=True)
    tally.add_run(Checked(compiled=True, unrun_outputs=2, unrun_timings=1), passed=True)
    tally.add_run(Checked(compiled=True, unrun_outputs=1), passed=True)
    tally.add_run(Checked(compiled=True, environment="missing package"), passed=False)
    assert tally_lines(tally) == [
        (
            "mdverify: 1 block ran: 1 with output compared (1 output), "
            "0 with timing checked (0 claims), 0 passed with nothing compared"
        ),
        (
            "mdverify: 3 blocks compiled, not run (norun): 3 declared outputs and "
            "1 timing claim not compared"
        ),
        "mdverify: 1 environment failure:",
        "  1 x missing package",
    ]


def test_the_norun_line_names_only_what_was_left_uncompared():
    alone = Tally()
    alone.add_run(Checked(compiled=True), passed=True)
    assert tally_lines(alone)[1] == "mdverify: 1 block compiled, not run (norun)"
    timed = Tally()
    timed.add_run(Checked(compiled=True, unrun_timings=2), passed=True)
    assert tally_lines(timed)[1].endswith("(norun): 2 timing claims not compared")
