"""Python fences that hold no program: sessions, shell lines, templates, listings."""

from __future__ import annotations

import pytest

from mdverify.article.fences import OUTPUT_WORDS
from mdverify.article.notcode import is_session, not_runnable
from mdverify.article.parse import parse_text
from mdverify.check.skips import TEMPLATE, skip_text
from mdverify.model import Skip, SkipKind


def reason(source: str) -> Skip | None:
    return not_runnable(source, 10, OUTPUT_WORDS)


@pytest.mark.parametrize(
    "source",
    [
        ">>> 1 + 1\n2\n",
        "$ python\nPython 3.12.1 (main)\n[GCC 13] on linux\n>>> 1 + 1\n2\n",
        "ada@box:~$ python3\n>>> print('hi')\nhi\n>>>\n",
    ],
)
def test_a_prompt_session_is_a_session(source):
    assert is_session(source)


@pytest.mark.parametrize("source", ["print('>>> not a prompt')\n", "$ python demo.py\nhi\n", ""])
def test_other_blocks_are_no_session(source):
    assert not is_session(source)


def test_a_session_in_a_python_fence_runs_as_pycon():
    article = parse_text("a.md", "```python\n$ python3\n>>> 2 * 21\n42\n```\n")
    (example,) = article.examples
    assert example.kind == "pycon"
    assert [(c.kind, c.expected, c.line) for c in example.outputs] == [("prompt", "42", 4)]


# Numbers padded to one column: the code's indentation survives only when cut at it.
PADDED_GUTTER = "".join(
    f"{n:<4}{code}\n"
    for n, code in enumerate(
        ["async def main():", *(f"    x{i} = {i}" for i in range(9)), "    return x8", ""], 1
    )
)


@pytest.mark.parametrize(
    ("source", "kind", "detail", "line"),
    [
        ("pip install demo\n", SkipKind.SHELL, "pip install demo", 10),
        ("$ pip install demo\nimport demo\n", SkipKind.SHELL, "$ pip install demo", 10),
        ("ada@box:~$ pip --version\npip 24.0\n", SkipKind.SHELL, "ada@box:~$ pip --version", 10),
        ("async with <manager> as <name>:\n    ...\n", SkipKind.PLACEHOLDER, "<manager>", 10),
        ("for item in items:\n    do something\n", SkipKind.PROSE, "do something", 11),
        ("call(a, b, ..)\n", SkipKind.ELLIPSIS, "call(a, b, ..)", 10),
        ("# syntax\nif x:\ncode\n", SkipKind.SYNTAX_LABEL, "", 12),
        ("\n# Syntax:\nlist3 = list1 + list2\n", SkipKind.SYNTAX_LABEL, "", 10),  # it parses
        (
            "async def f():\n    await  # awaitable\n",
            SkipKind.COMMENT_FOR_CODE,
            "await  # awaitable",
            11,
        ),
        ("a = 4\nprint(a + 3)\n\n# output\n4 + 3 = 7\n", SkipKind.OUTPUT_IN_CODE, "", 14),
        ("print('hi', 'you')\n# Output:\nhi you\n", SkipKind.OUTPUT_IN_CODE, "", 12),
        ("1  import asyncio\n2  print(1)\n", SkipKind.GUTTER, "", 10),
        ("# Filename: demo.py\n1  import asyncio\n2  print(1)\n", SkipKind.GUTTER, "", 11),
        (
            "def double(x):\n    # your code here\n\nprint(double(2))\n",
            SkipKind.COMMENT_FOR_CODE,
            "# your code here",
            11,
        ),
        ("class Basket:\n", SkipKind.NO_BODY, "class Basket:", 10),
        ("x = 1\nfor n in range(\n    3,\n):\n\n", SkipKind.NO_BODY, "for n in range(", 11),
        (
            "try:\n    # it worked\nexcept OSError:\n    # it did not\n",
            SkipKind.COMMENT_FOR_CODE,
            "# it worked",
            11,
        ),
        (PADDED_GUTTER, SkipKind.GUTTER, "", 10),
        ("xs = [1, 2]\noutput:\n[1, 2]\n", SkipKind.OUTPUT_IN_CODE, "", 11),
        ("Enter a number: 3\nYou typed 3\n", SkipKind.NOT_PYTHON, "", 10),
    ],
)
def test_a_block_that_is_no_program_is_skipped_with_its_reason(source, kind, detail, line):
    assert reason(source) == Skip(kind, detail, line)


def test_every_template_kind_reads_as_the_directive_writers_use():
    found = reason("async with <manager> as m:\n    pass\n")
    assert found is not None
    assert found.kind.template
    assert skip_text(found).startswith(f"{TEMPLATE}: ")
    assert TEMPLATE == "syntax template, not runnable code"  # what content/ writes by hand


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio\n\nasync def hello():\nprint('Hello')\n",  # lost indentation
        "def f():\n\n# a comment at the header's own indentation\nreturn 1\n",  # lost too
        "def f():\n    # a stub\nprint(f()\n",  # a stub, broken elsewhere as well
        "print 'hello'\n",  # Python 2
        "print(f(a=1, 2))\n",
        "    x = 1\n  y = 2\n",  # mangled indentation
        "text = 'never closed\n",
        "x = 1\n",  # it parses: it runs
        "print('<b>...</b>'\n",  # markup inside a string is no template
        "improt asyncio\n",  # a misspelt keyword is broken code, not prose
        "x = 1\n# output\nprint(x +\n",  # broken code under an output comment
        'HELP = """\n$ pip install rich\n"""\ndef f(:\n    pass\n',  # shell text in a string
    ],
)
def test_real_code_with_a_syntax_error_still_runs_and_fails(source):
    assert reason(source) is None


def test_numbers_that_skip_after_a_filename_line_are_no_gutter():
    found = reason("# File: demo.py\n1  x = 1\n3  y = 2\n")
    assert found is None or found.kind is not SkipKind.GUTTER


def test_a_writers_own_directive_wins():
    text = '<!-- mdverify: xfail reason="shows the error" -->\n\n```python\n$ pip install x\n```\n'
    (example,) = parse_text("a.md", text).examples
    assert example.settings.skip is None
    assert example.settings.xfail == "shows the error"


def test_requires_wins_over_the_template_reading_as_it_does_over_the_fragment_one():
    text = '<!-- mdverify: requires="json" -->\n\n```python\nload(<path>)\n```\n'
    (example,) = parse_text("a.md", text).examples
    assert example.settings.skip is None


@pytest.mark.parametrize(
    "source",
    [
        "import re\n# syntax: re.match(pattern, text)\nprint(re.match('a', 'abc'))\n",
        "# syntactic sugar for a loop\nsquares = [n * n for n in range(3)]\n",
    ],
)
def test_code_that_parses_runs_unless_a_syntax_label_opens_it(source: str) -> None:
    assert not_runnable(source, 10, OUTPUT_WORDS) is None


def test_a_block_labelled_syntax_is_a_template_even_when_it_parses() -> None:
    article = parse_text("a.md", "# A\n\n```python\n# syntax\nlist3 = list1 + list2\n```\n")
    skip = article.examples[0].settings.skip
    assert isinstance(skip, Skip)
    assert skip.kind is SkipKind.SYNTAX_LABEL
