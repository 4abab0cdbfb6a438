"""Output pasted under a label in a Python fence: the code runs, the lines are output."""

from __future__ import annotations

import pytest

from mdverify.article.fences import OUTPUT_WORDS
from mdverify.article.parse import parse_text
from mdverify.article.pasted import FORM, pasted_output


def pasted(source: str) -> tuple[str, int, int] | None:
    return pasted_output(source, OUTPUT_WORDS)


def test_the_lines_under_the_label_become_output_lines_at_their_own_lines():
    source = "a = 4\nprint(a + 3)\n\n# output\n4 + 3 = 7\n"
    assert pasted(source) == ("a = 4\nprint(a + 3)\n\n# output\n#> 4 + 3 = 7\n", 4, 5)


def test_code_after_a_blank_line_runs_after_the_output():
    source = "print(1, 2)\n# Output:\n1 2\n3 4\n\n# more\nx = 2\nprint(x)\n"
    found = pasted(source)
    assert found is not None
    assert found[0] == "print(1, 2)\n# Output:\n#> 1 2\n#> 3 4\n\n# more\nx = 2\nprint(x)\n"
    assert found[1:] == (2, 4)


def test_a_bare_label_becomes_a_comment():
    found = pasted("print('hi', 'you')\noutput:\nhi you\n")
    assert found is not None
    assert found[0] == "print('hi', 'you')\n# output:\n#> hi you\n"


@pytest.mark.parametrize(
    "source",
    [
        "xs = [1, 2]\noutput:\n[2, 4]\n",  # an exercise: the code above prints nothing
        "print(1)\n# output\n1\n",  # it parses as it stands: code, run as it is
        "    print(1)\n    # output\n    one two\n",  # an indented label is not at the top
        "print(1)\n# what the loop prints below\n1 2 3\n",  # prose, not a label
        "print(1\n# output\n1\n",  # the code above the label is broken: it fails
        "print(1)\n# output\n1 2\n\nfor x in:\n    pass\n",  # the code below is broken
    ],
)
def test_blocks_that_are_not_code_and_its_output_stay_as_they_were(source):
    assert pasted(source) is None


def test_the_article_runs_the_code_and_declares_the_output_with_its_form():
    text = "# T\n\n```python\nprint('a b')\nprint('c d')\n\n# output\na b\nc d\n```\n"
    (example,) = parse_text("t.md", text).examples
    assert example.settings.skip is None
    (claim,) = example.outputs
    assert (claim.expected, claim.line, claim.form) == ("a b\nc d", 8, FORM)
    assert example.source.splitlines()[-2:] == ["#> a b", "#> c d"]


def test_the_pasted_output_replaces_the_comments_on_the_prints_above_it():
    text = (
        "# T\n\n```python\nprint('a b')  # a line break\nprint('c d')\n\n# output\na b\nc d\n\n"
        "x = 1\nprint(x)  # 1\n```\n"
    )
    (example,) = parse_text("t.md", text).examples
    assert [(c.expected, c.line, c.form) for c in example.outputs] == [
        ("a b\nc d", 8, FORM),
        ("1", 12, ""),
    ]
