"""Output filters as a writer names them (`mdverify.article.filters`)."""

import re

import pytest

from mdverify.article.filters import PRESETS, FilterError, parse_filter, parse_filters
from mdverify.model import OutputFilter


def test_a_regex_filter_keeps_its_pattern_and_replacement():
    assert parse_filter(r"id=\d+ => id=N") == (OutputFilter(r"id=\d+ => id=N", r"id=\d+", "id=N"),)


def test_a_preset_is_its_patterns_under_its_name():
    found = parse_filter("timestamps")
    assert {f.name for f in found} == {"timestamps"}
    assert [(f.pattern, f.replacement) for f in found] == list(PRESETS["timestamps"])


def test_every_preset_pattern_compiles():
    for patterns in PRESETS.values():
        for pattern, _ in patterns:
            re.compile(pattern)


def test_durations_may_state_their_tolerance():
    assert parse_filter("durations") == (OutputFilter("durations"),)
    assert parse_filter("durations(20%, 0.1s)") == (
        OutputFilter("durations", tolerance="20%,0.1s"),
    )


def test_none_is_the_reset():
    assert parse_filter("none") == (OutputFilter("none"),)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("(unclosed => x", r"the filter '\(unclosed => x' is not a regular expression"),
        (r"a => \2", r"is not a regular expression: invalid group reference"),
        ("adresses", r"unknown filter 'adresses'.*addresses, timestamps"),
        ("durations(fast)", r"durations\(fast\): write a tolerance such as"),
    ],
)
def test_a_filter_mdverify_cannot_use_says_what_to_write(spec, message):
    with pytest.raises(FilterError, match=message):
        parse_filter(spec)


def test_a_list_of_filters_is_read_in_order():
    assert [f.name for f in parse_filters(["uuids", "none", "task_names"])] == [
        "uuids",
        "none",
        "task_names",
    ]


def test_a_filter_that_is_not_text_is_an_error():
    with pytest.raises(FilterError, match="a filter is text"):
        parse_filters([{"addresses": True}])
