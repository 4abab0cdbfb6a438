"""The settings' one set of defaults, their precedence, and their parsing errors."""

from pathlib import Path

import pytest

from mdverify.article.fences import OUTPUT_WORDS
from mdverify.article.filters import DEFAULT_FILTERS, parse_filters
from mdverify.article.styles import CLAIM_STYLES
from mdverify.check.tolerance import DEFAULT_TOLERANCE, Tolerance
from mdverify.config import OPTIONS, Config, build
from mdverify.run.options import RunOptions
from mdverify.selection.shard import Shard


def test_with_nothing_given_every_setting_has_its_default():
    assert build({}, {}) == Config(
        run=RunOptions(),
        start="warm",
        tolerances=DEFAULT_TOLERANCE,
        timelines=None,
        update=False,
        changed_since=None,
        shard=None,
        postgres_bin=None,
        globs=("*.md",),
        output_words=OUTPUT_WORDS,
        claims=frozenset(CLAIM_STYLES),
        filters=parse_filters(list(DEFAULT_FILTERS)),
        baseline=None,
        baseline_write=False,
        job_summary=None,
        max_article_size=10 << 20,
    )


def test_the_help_quotes_the_defaults_in_force():
    defaults = {option.name: option.default for option in OPTIONS}
    run = RunOptions()
    assert defaults["timeout"] == f"{run.timeout:g}"
    assert (defaults["memory"], defaults["output_limit"], defaults["output_budget"]) == (
        "4G",
        "1M",
        "256M",
    )
    assert defaults["processes"] == str(run.processes)


def test_the_command_line_overrides_the_ini_file():
    config = build(
        {"mdverify_timeout": 5.0, "mdverify_clock": "real", "mdverify_memory": "1G"},
        {"mdverify_timeout": "7", "mdverify_clock": "virtual", "mdverify_start": "cold"},
    )
    assert (config.run.timeout, config.run.clock) == (5.0, "real")
    assert config.run.memory == 1 << 30
    assert config.start == "cold"  # the ini file's, where the command line says nothing


def test_unset_values_as_pytest_hands_them_over_are_not_given():
    config = build(
        {"mdverify_timeout": None, "mdverify_update": False, "mdverify_pass_env": []},
        {"mdverify_timeout": "", "mdverify_update": False, "mdverify_pass_env": []},
    )
    assert config == build({}, {})


def test_environment_names_add_up_from_the_older_ini_name_the_ini_and_the_command_line():
    config = build(
        {"mdverify_pass_env": ["C"]}, {"mdverify_env": ["A"], "mdverify_pass_env": ["B"]}
    )
    assert config.run.pass_env == ("A", "B", "C")


def test_a_size_of_zero_is_no_limit_and_keeping_all_output_means_the_budget():
    config = build(
        {}, {"mdverify_memory": "0", "mdverify_processes": "0", "mdverify_output_limit": "0"}
    )
    assert (config.run.memory, config.run.processes) == (None, None)
    assert config.run.output_limit == config.run.output_budget == 256 << 20


def test_a_tolerance_keeps_the_clocks_default_for_the_part_not_given():
    config = build({"mdverify_tolerance": "0.4s"}, {})
    assert config.tolerance("virtual") == Tolerance(relative=0.10, absolute=0.4)
    assert config.tolerance("real") == Tolerance(relative=0.25, absolute=0.4)


def test_the_other_settings_are_read_into_their_types():
    config = build(
        {"mdverify_shard": "2/3", "mdverify_timelines": "out", "mdverify_update": True},
        {
            "mdverify_changed_since": "main",
            "mdverify_globs": ["*.markdown"],
            "mdverify_postgres_bin": "/opt/pg",
        },
    )
    assert (config.shard, config.timelines, config.update) == (Shard(2, 3), Path("out"), True)
    assert (config.changed_since, config.globs) == ("main", ("*.markdown",))
    assert config.postgres_bin == "/opt/pg"
    assert build({}, {"mdverify_update": "true"}).update


@pytest.mark.parametrize(
    ("cli", "ini", "message"),
    [
        (
            {},
            {"mdverify_timeout": "10s"},
            "mdverify_timeout must be a number of seconds, not '10s'",
        ),
        ({"mdverify_cap": 0.0}, {}, "mdverify_cap must be more than 0 seconds, not 0.0"),
        ({"mdverify_timeout": "nan"}, {}, "mdverify_timeout must be more than 0 seconds"),
        ({}, {"mdverify_timeout": "inf"}, "mdverify_timeout must be a finite number of seconds"),
        ({"mdverify_cap": 1e309}, {}, "mdverify_cap must be a finite number of seconds"),
        ({}, {"mdverify_tolerance": "inf%"}, "mdverify tolerance: a tolerance must be finite"),
        (
            {"mdverify_max_article_size": "9" * 400},
            {},
            "mdverify_max_article_size: expected a size such as 512M or 4G",
        ),
        (
            {},
            {"mdverify_clock": "sundial"},
            "mdverify_clock must be virtual or real, not 'sundial'",
        ),
        ({}, {"mdverify_start": "lukewarm"}, "mdverify_start must be warm or cold, not 'lukewarm'"),
        ({"mdverify_memory": "lots"}, {}, "mdverify_memory: expected a size such as 512M or 4G"),
        ({}, {"mdverify_tolerance": "soon"}, "mdverify tolerance: not a duration: 'soon'"),
        ({"mdverify_shard": "4/3"}, {}, "--mdverify-shard: shard '4/3': K must be between"),
        (
            {},
            {"mdverify_update": "perhaps"},
            "mdverify_update must be true or false, not 'perhaps'",
        ),
    ],
)
def test_a_bad_value_is_a_value_error_that_names_the_setting(cli, ini, message):
    with pytest.raises(ValueError) as raised:
        build(cli, ini)
    assert str(raised.value).startswith(message)


def test_the_article_size_limit_is_read_from_the_ini_file_and_the_command_line_overrides_it():
    assert build({}, {"mdverify_max_article_size": "1K"}).max_article_size == 1024
    both = build({"mdverify_max_article_size": "2M"}, {"mdverify_max_article_size": "1K"})
    assert both.max_article_size == 2 << 20
    assert build({}, {"mdverify_max_article_size": "0"}).max_article_size is None


def test_words_from_the_command_line_add_to_the_default_list_when_the_ini_sets_none():
    words = build({"mdverify_output_words": ["Konsole"]}, {}).output_words
    assert words == (*OUTPUT_WORDS, "Konsole")
    words = build({"mdverify_output_words": ["Konsole"]}, {"mdverify_output_words": ["out"]})
    assert words.output_words == ("out", "Konsole")


def test_claim_styles_are_read_from_the_ini_file_and_the_command_line_replaces_them():
    ini = {"mdverify_claims": "fence, transcript prompt"}
    assert build({}, ini).claims == {"fence", "transcript", "prompt"}
    assert build({"mdverify_claims": "arrow"}, ini).claims == {"arrow"}


def test_an_unknown_claim_style_is_an_error_that_lists_the_styles():
    with pytest.raises(ValueError, match=r"mdverify_claims: unknown claim style 'comments' \(the"):
        build({}, {"mdverify_claims": "fence comments"})


def test_writing_the_baseline_needs_its_file():
    assert build({"mdverify_baseline": "known.json"}, {}).baseline == Path("known.json")
    with pytest.raises(ValueError, match="--mdverify-baseline-write needs the file"):
        build({"mdverify_baseline_write": True}, {})


def test_filters_from_the_command_line_add_to_the_ini_files_and_none_drops_the_defaults():
    chosen = build({"mdverify_filters": [r"id=\d+ => id=N"]}, {"mdverify_filters": ["none"]})
    assert [f.name for f in chosen.filters] == ["none", r"id=\d+ => id=N"]
    assert [f.name for f in build({}, {}).filters] == [
        "addresses",
        "durations",
        "wall_clock",
        "pids",
        "versions",
    ]


def test_a_filter_that_is_not_a_regex_is_an_error_that_names_the_setting():
    with pytest.raises(ValueError, match=r"mdverify_filters: the filter '\(unclosed => x'"):
        build({"mdverify_filters": ["(unclosed => x"]}, {})
