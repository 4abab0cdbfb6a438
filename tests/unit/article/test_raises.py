"""Which declared output is an expected exception: `mdverify.article.raises`."""

from __future__ import annotations

import pytest

from mdverify.article.parse import parse_text
from mdverify.article.raises import directive_raises, exception_line, parse_traceback
from mdverify.article.styles import only_styles
from mdverify.model import ArticleError, RaisesClaim


def test_a_traceback_splits_off_the_output_printed_before_it():
    text = "start\nTraceback (most recent call last):\n  ...\nValueError: bad"
    assert parse_traceback(text) == ("start", ("ValueError: bad",), 3)


def test_a_traceback_body_and_a_multiline_message_are_read_as_python_prints_them():
    text = (
        "Traceback (most recent call last):\n"
        '  File "demo.py", line 3, in <module>\n'
        "    items[5]\n"
        "    ~~~~~^^^\n"
        "IndexError: list index\n"
        "out of range"
    )
    assert parse_traceback(text) == ("", ("IndexError: list index\nout of range",), 4)


def test_a_chain_declares_each_exception_in_order():
    text = (
        "Traceback (most recent call last):\n  ...\nasyncio.exceptions.CancelledError\n\n"
        "The above exception was the direct cause of the following exception:\n\n"
        "Traceback (most recent call last):\n  ...\nTimeoutError"
    )
    parsed = parse_traceback(text)
    assert parsed is not None
    assert parsed[1] == ("asyncio.exceptions.CancelledError", "TimeoutError")
    assert parsed[2] == 8


def test_an_exception_group_box_declares_the_group_and_its_members():
    text = (
        "  + Exception Group Traceback (most recent call last):\n"
        '  |   File "demo.py", line 9, in <module>\n'
        "  | ExceptionGroup: errors (2 sub-exceptions)\n"
        "  +-+---------------- 1 ----------------\n"
        "    | Traceback (most recent call last):\n"
        "    | ValueError: one\n"
        "    +---------------- 2 ----------------\n"
        "    | Traceback (most recent call last):\n"
        "    | KeyError: 'two'\n"
        "    +------------------------------------"
    )
    parsed = parse_traceback(text)
    assert parsed is not None
    assert parsed[1] == (
        "ExceptionGroup: errors (2 sub-exceptions)",
        "ValueError: one",
        "KeyError: 'two'",
    )
    assert parsed[2] == 8


@pytest.mark.parametrize("text", ["no traceback here", "Traceback (most recent call last):\n  ..."])
def test_output_without_a_whole_traceback_is_no_declaration(text: str) -> None:
    assert parse_traceback(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IndexError: list index out of range", ("IndexError", "list index out of range")),
        ("TypeError", ("TypeError", None)),
        ("Error", ("Error", None)),
        ("asyncio.CancelledError", ("asyncio.CancelledError", None)),
        ("KeyboardInterrupt", ("KeyboardInterrupt", None)),
        ("note: the list is empty", None),
        ("ValueError is raised here", None),
        ("Result: 3", None),
    ],
)
def test_an_exception_line_names_an_exception(text: str, expected: object) -> None:
    assert exception_line(text) == expected


def test_the_directive_takes_a_type_or_a_type_and_message():
    assert directive_raises("TimeoutError", 4) == RaisesClaim(
        "directive", ("TimeoutError",), 4, exact=False
    )
    assert directive_raises("ValueError: bad", 4).exact
    with pytest.raises(ValueError, match="needs an exception"):
        directive_raises("not a name", 4)


def _raises(body: str) -> tuple[tuple[RaisesClaim, ...], int]:
    article = parse_text("a.md", body)
    return article.examples[0].raises, len(article.examples[0].outputs)


def test_a_trailing_comment_on_any_statement_declares_a_hard_raise():
    raises, outputs = _raises(
        "```python\nitems = []\nitems[5]  # IndexError: list index out of range\n```\n"
    )
    assert raises == (
        RaisesClaim("trailing", ("IndexError: list index out of range",), 3, 3, style="trailing"),
    )
    assert outputs == 0


def test_a_bare_name_under_a_statement_is_soft_and_stays_a_comment_claim():
    raises, outputs = _raises("```python\nlen(5)\n# TypeError\n```\n")
    assert raises == (
        RaisesClaim("comment", ("TypeError",), 3, 2, exact=False, soft=True, style="comment"),
    )
    assert outputs == 1


def test_an_output_fence_keeps_the_output_before_its_traceback():
    article = parse_text(
        "a.md",
        "```python\nprint('a')\nraise KeyError('k')\n```\n\nOutput:\n\n"
        "```\na\nTraceback (most recent call last):\n  ...\nKeyError: 'k'\n```\n",
    )
    example = article.examples[0]
    assert [(c.expected, c.line, c.end_line) for c in example.outputs] == [("a", 9, 9)]
    assert example.raises == (
        RaisesClaim(
            "traceback", ("KeyError: 'k'",), 12, None, form_text="the output fence", style="fence"
        ),
    )


def test_a_misspelt_raises_directive_names_its_line():
    with pytest.raises(ArticleError, match=r"a.md:1: 'raises' needs an exception"):
        parse_text("a.md", '<!-- mdverify: raises="1 + 1" -->\n```python\n1\n```\n')


def test_raises_belongs_on_a_block():
    with pytest.raises(ArticleError, match="'raises' says which exception one block"):
        parse_text("a.md", "---\nmdverify:\n  raises: ValueError\n---\n```python\n1\n```\n")


def test_a_tree_that_reads_no_fences_reads_no_traceback_in_one():
    article = parse_text(
        "a.md",
        '<!-- mdverify: raises=KeyError -->\n```python\nraise KeyError("k")\n```\n\n'
        "Output:\n\n```\nTraceback (most recent call last):\n  ...\nKeyError: 'k'\n```\n",
    )
    kept = only_styles(article, {"comment"}).examples[0].raises
    assert [claim.form for claim in kept] == ["directive"]


def test_an_exception_line_after_prose_is_soft_and_keeps_its_message():
    raises, outputs = _raises(
        "```python\nx = 1\nprint(x)  # this should give: NameError: name 'x' is not defined\n```\n"
    )
    assert raises == (
        RaisesClaim(
            "trailing", ("NameError: name 'x' is not defined",), 3, 3, soft=True, style="trailing"
        ),
    )
    assert outputs == 1


def test_the_word_error_is_a_bare_name_only_as_the_whole_comment():
    raises, _ = _raises("```python\nprint([].index(1))  # error\nprint(2)  # an error\n```\n")
    assert [(r.exceptions, r.soft, r.exact) for r in raises] == [(("error",), True, False)]


def test_in_a_try_body_an_exception_comment_is_soft():
    raises, _ = _raises(
        "```python\ntry:\n    [][1]  # IndexError: list index out of range\n"
        "except IndexError as err:\n    print(err)\n```\n"
    )
    assert [(r.line, r.soft, r.exact) for r in raises] == [(3, True, True)]


def test_an_exception_comment_in_a_function_body_says_when_it_raises_not_that_the_block_does():
    text = (
        "```python\ndef check(n):\n    if n < 0:\n"
        '        raise ValueError("negative")  # ValueError: when n is negative\n'
        "    return n\n\nprint(check(3))  # 3\n```\n"
    )
    (example,) = parse_text("a.md", text).examples
    assert all(claim.soft for claim in example.raises)


def test_raises_given_twice_is_an_error_at_its_line():
    with pytest.raises(ArticleError, match=r"a.md:1: 'raises' is given twice"):
        parse_text(
            "a.md", "<!-- mdverify: raises=KeyError raises=ValueError -->\n```python\n1\n```\n"
        )
