"""How `mdverify.check.report.render` shows output that was cut at the output limit."""

from mdverify.article.filters import parse_filters
from mdverify.check.compare import judge
from mdverify.check.report import render
from mdverify.model import BlockSettings, Example, Observation, OutputClaim, Status, Truncation

NOTE = (
    "[mdverify: output truncated: the block wrote 2 KiB; the first 4 bytes are shown"
    " (the limit is 1 KiB)]"
)
LINES = ["```python", "print('a')", "```", "", "```", "a", "```"]


def _example() -> Example:
    return Example(0, "python", "print('a')\n", 1, 2, "x", outputs=(OutputClaim("fence", "a", 6),))


def test_the_note_ends_the_got_side_of_the_diff_of_a_cut_output():
    cut = Truncation(written=2048, kept=4, limit=1024)
    verdict = judge(_example(), Observation(0, Status.OK, stdout="a\nb\n", stdout_cut=cut))
    text = render(verdict, "a.md", LINES)
    assert text.splitlines()[-1] == "+" + NOTE
    assert "+b" in text.splitlines()


def test_the_note_ends_the_stdout_and_stderr_sections_of_a_failed_block():
    cut = Truncation(written=2048, kept=4, limit=1024)
    obs = Observation(
        0, Status.CRASHED, stdout="a\nb\n", stderr="", stdout_cut=cut, stderr_cut=cut, error="x"
    )
    text = render(judge(_example(), obs), "a.md", LINES)
    assert f"--- stdout ---\na\nb\n{NOTE}" in text
    assert text.endswith(f"--- stderr ---\n{NOTE}")


def test_a_diff_marks_no_line_a_wildcard_matched():
    claim = OutputClaim("fence", "start\n...\nid ...\nend", 6)
    example = Example(0, "python", "print('a')\n", 1, 2, "x", outputs=(claim,))
    observation = Observation(0, Status.OK, stdout="start\nx\nid 7\nstop\n")
    diff = render(judge(example, observation), "a.md", LINES).splitlines()
    assert [line for line in diff if line[:1] in ("+", "-") and line[:3] not in ("---", "+++")] == [
        "-end",
        "+stop",
    ]


def test_a_diff_shows_the_filtered_text():
    claim = OutputClaim("fence", "<A object at 0x7f00>\n1", 6)
    example = Example(0, "python", "print('a')\n", 1, 2, "x", outputs=(claim,))
    observation = Observation(0, Status.OK, stdout="<A object at 0x55aa>\n2\n")
    verdict = judge(example, observation, filters=parse_filters(["addresses"]))
    diff = render(verdict, "a.md", LINES).splitlines()
    assert "declared by the output fence (line 6), compared after the output filters" in diff
    assert " <A object at 0x…>" in diff
    assert (diff[-2], diff[-1]) == ("-1", "+2")


def test_an_unordered_diff_shows_both_sides_sorted():
    claim = OutputClaim("fence", "c\na", 6)
    settings = BlockSettings(unordered=True)
    example = Example(0, "python", "print('a')\n", 1, 2, "x", settings, outputs=(claim,))
    diff = render(judge(example, Observation(0, Status.OK, stdout="b\na\n")), "a.md", LINES)
    lines = diff.splitlines()
    assert "declared by the output fence (line 6), compared its lines in any order" in lines
    assert lines[-3:] == [" a", "-c", "+b"]


def test_the_report_of_a_norun_block_says_it_only_compiled():
    example = Example(0, "python", "import x\n", 3, 4, "T", settings=BlockSettings(norun=True))
    error = "ModuleNotFoundError: No module named 'x'"
    obs = Observation(0, Status.RAISED, error=error, error_line=4)
    text = render(judge(example, obs), "a.md", ["", "", "```python", "import x", "```"])
    assert text.startswith("a.md:4: ModuleNotFoundError: No module named 'x'")
    assert text.endswith(
        "note: the block is norun: it was compiled and its imports looked up, not run"
    )
