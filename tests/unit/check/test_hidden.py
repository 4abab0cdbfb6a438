"""The hidden code a failed block's report shows (`mdverify.check.hidden`)."""

from mdverify.check.compare import judge
from mdverify.check.hidden import MAX_HIDDEN_LINES, hidden_section
from mdverify.check.report import render
from mdverify.model import Example, Observation, OutputClaim, Status


def hidden(line: int, source: str, file: str | None = None) -> Example:
    return Example(0, "python", source, line, line + 1, "h", hidden=True, file=file)


def test_each_hidden_block_is_shown_at_its_lines():
    text = hidden_section([hidden(4, "import asyncio\nx = 1\n"), hidden(9, "y = 2\n")], "d/a.md")
    assert text == (
        "hidden code this block ran after (d/a.md:5-6):\n"
        "5 | import asyncio\n"
        "6 | x = 1\n"
        "\n"
        "hidden code this block ran after (d/a.md:10-10):\n"
        "10 | y = 2"
    )


def test_a_setup_file_is_named_beside_the_article_at_its_own_lines():
    setup = Example(0, "python", "import os\n", 3, 1, "s", hidden=True, file="../fakes.py")
    assert hidden_section([setup], "docs/guide/a.md") == (
        "setup file this block ran after (docs/fakes.py:1-1):\n1 | import os"
    )


def test_long_hidden_code_is_cut_and_says_how_much():
    long = "".join(f"x{n} = {n}\n" for n in range(20))
    text = hidden_section([hidden(1, long), hidden(30, "y = 1\nz = 2\n")], "a.md").splitlines()
    assert text[MAX_HIDDEN_LINES] == f"{MAX_HIDDEN_LINES + 1:>2} | x11 = 11"
    assert text[MAX_HIDDEN_LINES + 1] == "[... 8 more lines cut]"
    # The budget is spent: a later block is named, its lines are cut.
    assert text[-2:] == ["hidden code this block ran after (a.md:31-32):", "[... 2 more lines cut]"]


def test_no_hidden_code_no_section():
    assert hidden_section([], "a.md") == ""


LINES = [
    "<!-- mdverify: hidden",
    "```python",
    "x = 1",
    "```",
    "-->",
    "```python",
    "print(x)",
    "```",
]


def test_a_failed_block_s_report_ends_with_the_hidden_code_it_ran_after():
    claim = OutputClaim("trailing", "2", 7, upto_line=7, end_line=7)
    example = Example(1, "python", "print(x)\n", 6, 7, "x", outputs=(claim,))
    verdict = judge(example, Observation(1, Status.OK, stdout="1\n"))
    text = render(verdict, "a.md", LINES, [hidden(2, "x = 1\n")])
    assert text.endswith("\n\nhidden code this block ran after (a.md:3-3):\n3 | x = 1")
    assert "hidden code" not in render(verdict, "a.md", LINES)


def test_a_setup_file_that_raised_is_reported_at_its_own_line():
    setup = Example(0, "python", "a = 1\nb = 1 / 0\n", 3, 1, "s", hidden=True, file="fakes.py")
    error = "ZeroDivisionError: division by zero\n"
    obs = Observation(0, Status.RAISED, error=error, error_line=2)
    lines = render(judge(setup, obs), "docs/a.md", ["---", "mdverify:", "  setup: fakes.py"])
    assert lines.splitlines()[:4] == [
        "docs/fakes.py:2: ZeroDivisionError: division by zero",
        "",
        "1 | a = 1",
        "2 | b = 1 / 0",
    ]


def test_a_setup_file_stopped_elsewhere_is_reported_at_its_key():
    setup = Example(0, "python", "import time\n", 3, 1, "s", hidden=True, file="fakes.py")
    obs = Observation(0, Status.CRASHED, error="the article's process died")
    text = render(judge(setup, obs), "docs/a.md", ["---", "mdverify:", "  setup: fakes.py"])
    assert text.startswith("docs/a.md:3: ")
