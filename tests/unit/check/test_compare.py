"""Output matching and verdicts of `mdverify.check.compare`."""

from dataclasses import replace

from mdverify.article.filters import parse_filters
from mdverify.check.compare import judge, matches, normalise
from mdverify.model import BlockSettings, Example, Observation, OutputClaim, Status, Truncation


def test_exact_output_matches():
    assert matches("a\nb", "a\nb\n")


def test_different_output_does_not_match():
    assert not matches("a\nb", "a\nc\n")


def test_trailing_whitespace_and_crlf_are_ignored():
    assert matches("a  \nb", "a\r\nb   \r\n\n\n")


def test_leading_whitespace_matters():
    assert not matches("  a", "a")


def test_ellipsis_inside_a_line_matches_any_text():
    assert matches("<coroutine object f at 0x...>", "<coroutine object f at 0x7f3a2c1b>")


def test_ellipsis_inside_a_line_does_not_cross_lines():
    assert not matches("a...b", "a\nb")


def test_ellipsis_line_matches_any_number_of_lines():
    assert matches("start\n...\nend", "start\nx\ny\nz\nend")
    assert matches("start\n...\nend", "start\nend")


def test_ellipsis_line_still_needs_the_lines_around_it():
    assert not matches("start\n...\nend", "start\nx\nfinish")


def test_indented_ellipsis_line_is_a_wildcard_too():
    assert matches(
        "Traceback (most recent call last):\n  ...\nValueError: x",
        "Traceback (most recent call last):\n  File 'a', line 1\n  foo\nValueError: x",
    )


def test_many_ellipsis_lines_do_not_backtrack_exponentially():
    expected = "\n".join(["..."] * 30 + ["end"])
    got = "\n".join(["x"] * 300 + ["nope"])
    assert not matches(expected, got)


def test_normalise_drops_trailing_blank_lines_only():
    assert normalise("\na \n\n") == ["", "a"]


def _example(*claims):
    return Example(0, "python", "", 1, 2, "x", outputs=tuple(claims))


def test_comment_claims_cover_output_since_the_previous_claim():
    example = _example(
        OutputClaim("comment", "a", 3, 2),
        OutputClaim("comment", "b\nc", 6, 5),
    )
    observation = Observation(0, Status.OK, stdout="a\nb\nc\n", segments=((2, 2), (4, 4), (5, 6)))
    assert judge(example, observation).passed


def test_comment_claim_that_misses_a_line_fails():
    example = _example(OutputClaim("comment", "b", 6, 5))
    observation = Observation(0, Status.OK, stdout="a\nb\n", segments=((2, 2), (5, 4)))
    verdict = judge(example, observation)
    assert not verdict.passed
    assert verdict.mismatches[0].got == "a\nb\n"


def test_each_declaration_is_checked():
    example = _example(OutputClaim("trailing", "1", 2, 2), OutputClaim("fence", "1\n3", 9))
    observation = Observation(0, Status.OK, stdout="1\n2\n", segments=((2, 2), (3, 4)))
    verdict = judge(example, observation)
    assert [m.claim.kind for m in verdict.mismatches] == ["fence"]


def test_a_block_that_raised_does_not_pass():
    observation = Observation(0, Status.RAISED, error="ValueError")
    assert not judge(_example(), observation).passed


def test_a_block_without_claims_passes_when_it_ran():
    assert judge(_example(), Observation(0, Status.OK, stdout="anything")).passed


def test_a_claim_that_ends_before_the_cut_is_judged_on_what_was_kept():
    example = _example(OutputClaim("comment", "a", 3, 2))
    cut = Truncation(written=1000, kept=4, limit=4)
    observation = Observation(0, Status.OK, stdout="a\nb\n", segments=((2, 2),), stdout_cut=cut)
    assert judge(example, observation).passed


def test_a_claim_that_runs_past_the_cut_fails_even_when_the_kept_part_matches():
    example = _example(OutputClaim("comment", "a", 3, 2), OutputClaim("comment", "b", 6, 5))
    cut = Truncation(written=1000, kept=4, limit=4)
    # Line 5's statement ended past the cut: it has no segment.
    observation = Observation(0, Status.OK, stdout="a\nb\n", segments=((2, 2),), stdout_cut=cut)
    verdict = judge(example, observation)
    assert [(m.claim.line, m.got, m.cut) for m in verdict.mismatches] == [(6, "b\n", True)]


def test_a_prose_like_comment_past_the_cut_fails_as_cut_rather_than_passing_as_prose():
    example = _example(OutputClaim("trailing", "prints the rest of it", 3, 2))
    cut = Truncation(written=1000, kept=2, limit=2)
    observation = Observation(0, Status.OK, stdout="a\n", stdout_cut=cut)
    verdict = judge(example, observation)
    assert [m.cut for m in verdict.mismatches] == [True]


def test_the_sessions_filters_apply_before_the_blocks_and_none_drops_them():
    example = _example(OutputClaim("fence", "<A object at 0x7f00>", 9))
    observation = Observation(0, Status.OK, stdout="<A object at 0x55aa>\n")
    assert judge(example, observation, filters=parse_filters(["addresses"])).passed
    reset = replace(example, settings=BlockSettings(filters=parse_filters(["none"])))
    assert not judge(reset, observation, filters=parse_filters(["addresses"])).passed


def test_a_filtered_mismatch_keeps_what_was_printed_and_shows_what_was_compared():
    example = _example(OutputClaim("fence", "<A object at 0x7f00>\n1", 9))
    observation = Observation(0, Status.OK, stdout="<A object at 0x55aa>\n2\n")
    [mismatch] = judge(example, observation, filters=parse_filters(["addresses"])).mismatches
    assert mismatch.got == "<A object at 0x55aa>\n2\n"
    assert mismatch.shown == ("<A object at 0x…>\n1", "<A object at 0x…>\n2\n")


def test_filters_apply_to_comment_claims_and_values_too():
    observation = Observation(
        0, Status.OK, stdout="took 2.0 s\n", calls=((2, 0, 0, 11),), values=((3, ("2.0",)),)
    )
    example = _example(
        OutputClaim("trailing", "took 2.0031 s", 2, 2, call=(2, 0)),
        OutputClaim("value", "2.0031", 3, 3),
    )
    durations = BlockSettings(filters=parse_filters([r"2\.0031 => 2.0", "durations"]))
    assert judge(replace(example, settings=durations), observation).passed
    assert not judge(example, observation).passed


def test_unordered_compares_the_lines_as_a_multiset():
    example = _example(OutputClaim("fence", "b\na", 9))
    observation = Observation(0, Status.OK, stdout="a\nb\n")
    assert not judge(example, observation).passed
    assert judge(replace(example, settings=BlockSettings(unordered=True)), observation).passed


def test_a_norun_block_compares_nothing_it_declares():
    claims = (OutputClaim("fence", "Sunny", 7), OutputClaim("trailing", "3", 4))
    example = Example(
        0, "python", "x\n", 3, 4, "T", settings=BlockSettings(norun=True), outputs=claims
    )
    verdict = judge(example, Observation(0, Status.OK, elapsed=0.0))
    assert verdict.passed
    assert (verdict.mismatches, verdict.timing, verdict.raises) == ((), (), None)
    failed = judge(example, Observation(0, Status.RAISED, error="SyntaxError: bad"))
    assert not failed.passed
