"""Unordered matching and the declared lines a diff shows (`mdverify.check.matching`)."""

from mdverify.check.matching import as_matched, matches_unordered


def test_unordered_lines_match_in_any_order_as_a_multiset():
    assert matches_unordered("b\na\na", "a\nb\na\n")
    assert not matches_unordered("a\nb", "a\na\n")
    assert not matches_unordered("a\nb", "a\nb\nc\n")


def test_unordered_lines_keep_their_wildcards():
    assert matches_unordered("done\nworker ... started", "worker 2 started\ndone\n")
    assert matches_unordered("done\n...", "x\ndone\ny\n")
    assert not matches_unordered("done\n...", "x\ny\n")


def test_a_line_written_out_is_not_taken_by_an_inline_wildcard():
    assert matches_unordered("task ...\ntask 1", "task 1\ntask 2\n")


def test_a_wildcard_line_is_shown_as_the_lines_it_covers():
    assert as_matched(["start", "...", "end"], ["start", "x", "y", "stop"]) == [
        "start",
        "x",
        "y",
        "end",
    ]


def test_a_wildcard_line_that_covers_nothing_is_not_shown():
    assert as_matched(["a", "...", "b"], ["a", "c"]) == ["a", "b"]


def test_an_inline_wildcard_that_matches_is_shown_as_its_line():
    assert as_matched(["at 0x... ok", "2"], ["at 0x7f ok", "3"]) == ["at 0x7f ok", "2"]


def test_lines_without_wildcards_are_shown_as_written():
    assert as_matched(["a", "b"], ["c"]) == ["a", "b"]
