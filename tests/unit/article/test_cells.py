"""Which last line a notebook cell shows the value of."""

from __future__ import annotations

import pytest

from mdverify.article.cells import display_line
from mdverify.article.syntax import read_block


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("x = 1\nx\n", 11),
        ("df.head()\n", 10),
        ("print(1)\nlen('ab')\n", 11),
        ("await fetch()\n", 10),  # top-level await: its value is shown like any other
        ("0.25\n", 10),  # pasted output that parses shows itself
        ("total = (\n    1 +\n    2\n)\ntotal * 2\n", 14),
        ("a = 1; a\n", 10),  # the last statement, though it shares its line
        ("café = 'é'\ncafé\n", 11),  # offsets are bytes: the test for `;` must still work
    ],
)
def test_a_bare_last_expression_is_shown(source, line):
    assert display_line(read_block(source, 10)) == line


@pytest.mark.parametrize(
    "source",
    [
        "x = 1\n",  # an assignment shows nothing
        "print(x)\n",  # a print's value is None
        "len('ab');\n",  # IPython hides a value after `;`
        "len('ab') ;  # hidden\n",
        "run()\n...\n",  # code left out
        "for i in range(2):\n    i\n",  # only a top-level statement is the cell's last line
        "def f(:\n",  # does not parse
        "",
    ],
)
def test_nothing_else_is(source):
    assert display_line(read_block(source, 10)) is None
