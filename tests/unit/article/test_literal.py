"""`mdverify.article.literal`: where a comment's value ends and its prose begins."""

import pytest

from mdverify.article.literal import value_part


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("True, since n is 3", "True"),
        ("9 - rounded down", "9"),
        ("2.0  the quotient", "2.0"),
        ("[1, 2] - the list", "[1, 2]"),
        ("{'a', 'b'} : the union", "{'a', 'b'}"),
        ("'abc'", "'abc'"),
        ("1,", "1"),
        ("3`", "3"),
        ("set() : empty", "set()"),
        ("adds the unit", None),
        ("2026-12-02", None),
        ("~22.9", None),
        ("int", None),
        ("0 1 2", None),
    ],
)
def test_value_part(text, value):
    assert value_part(text) == value
