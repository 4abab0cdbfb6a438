"""How `mdverify.check.reading` tells a comment's value from its prose."""

import pytest

from mdverify.check.reading import read_claim


@pytest.mark.parametrize(
    ("declared", "got"),
    [
        ("True, since n is 3", "True\n"),
        ("3", "sum:  3\n"),
        ("[1,2,3]", "[1, 2, 3]\n"),
        ("{'b', 'a', 'c'}", "{'a', 'c', 'b'}\n"),
        ("'hello'", "hello\n"),
        ("\"['asyncio','trio']\"", "['asyncio', 'trio']\n"),  # a quoted text's spacing
        ("2", "2.0\n"),
        ("0 1 2", "0\n1\n2\n"),
        ("0, 1, 2", "0\n1\n2\n"),
        ("int", "<class 'int'>\n"),
        ("Dictionary", "<class 'dict'>\n"),
        ("   7", "7\n"),
        ("Hello, world", "Hello, world\n"),
    ],
)
def test_value_and_text_that_match(declared, got):
    reading = read_claim(declared, got)
    assert reading.matched, reading


@pytest.mark.parametrize(
    ("declared", "got", "compared"),
    [
        ("23", "22\n", "23"),
        ("True, since n is 3", "False\n", "True"),
        ("15, the sum", "total: 14\n", "15"),  # the last word of a labelled line
        ("9.81", "Weight: 981.0 N\n", "9.81"),  # a value alone is a claim
        ("True", "1\n", "True"),
        ("Hello, world", "Hello, there\n", "Hello, world"),
        ("b", "a\nb\n", "b"),
        ("0 1", "0\n1\n2\n", "0 1"),
        ("'ab c'", "abc\n", "'ab c'"),  # a space between words still counts
    ],
)
def test_claims_that_fail(declared, got, compared):
    reading = read_claim(declared, got)
    assert reading.style != "prose"
    assert not reading.matched
    assert reading.compared == compared


@pytest.mark.parametrize(
    ("declared", "got"),
    [
        ("adds the unit to the weight", "9.81 N\n"),
        ("9.81 - average gravity on Earth", "Weight: 981.0 N\n"),  # no value to show
        ("or, shorter: a | b", ""),
        ("python & dragon", ""),
        ("prints 0 to 4", "0\n1\n2\n3\n4\n"),
    ],
)
def test_prose_is_not_compared(declared, got):
    assert read_claim(declared, got).style == "prose"


@pytest.mark.parametrize(
    ("declared", "got"),
    [
        ("alice", "ALICE\n"),
        ("str", "<class 'int'>\n"),
        ("yes", "no\n"),
        ("2", "0\n1\n2\n"),
    ],
)
def test_a_single_word_or_a_value_is_a_claim_that_can_fail(declared, got):
    reading = read_claim(declared, got)
    assert reading.style != "prose"
    assert not reading.matched, reading


def test_a_word_that_labels_output_is_prose():
    assert read_claim("Output:", "3\n").style == "prose"


@pytest.mark.parametrize(
    ("declared", "got"),
    [("addition(+)", "5\n"), ("addition", "5\n"), ("Output", "3\n")],
)
def test_a_word_that_names_the_operation_or_labels_the_output_is_prose(declared, got):
    assert read_claim(declared, got).style == "prose"
