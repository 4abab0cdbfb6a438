"""Every `--mdverify-x` option has its ini twin `mdverify_x`, and the command line wins."""

from __future__ import annotations

import pytest

from mdverify.config import OPTIONS
from mdverify.plugin.options import settings

# For each option: its ini value, the command line given on top of it, and what the
# session's settings hold with the ini value alone and with both.
SAMPLES = {
    "timeout": ("7", ["--mdverify-timeout=5"], lambda s: s.run.timeout, 7.0, 5.0),
    "clock": ("real", ["--mdverify-clock=virtual"], lambda s: s.run.clock, "real", "virtual"),
    "cap": ("60", ["--mdverify-cap=30"], lambda s: s.run.cap, 60.0, 30.0),
    "tolerance": (
        "1s",
        ["--mdverify-tolerance=2s"],
        lambda s: s.tolerance("virtual").absolute,
        1.0,
        2.0,
    ),
    "timelines": ("a", ["--mdverify-timelines=b"], lambda s: str(s.timelines), "a", "b"),
    "pass_env": ("A", ["--mdverify-pass-env=B"], lambda s: s.run.pass_env, ("A",), ("A", "B")),
    "memory": ("1G", ["--mdverify-memory=2G"], lambda s: s.run.memory, 1 << 30, 2 << 30),
    "processes": ("9", ["--mdverify-processes=8"], lambda s: s.run.processes, 9, 8),
    "output_limit": (
        "2K",
        ["--mdverify-output-limit=1K"],
        lambda s: s.run.output_limit,
        2048,
        1024,
    ),
    "output_budget": (
        "2M",
        ["--mdverify-output-budget=1M"],
        lambda s: s.run.output_budget,
        2 << 20,
        1 << 20,
    ),
    "max_article_size": (
        "1M",
        ["--mdverify-max-article-size=2K"],
        lambda s: s.max_article_size,
        1 << 20,
        2048,
    ),
    "snippet_base": (
        "docs lib",
        ["--mdverify-snippet-base=src"],
        lambda s: s.snippet_base,
        ("docs", "lib"),
        ("docs", "lib", "src"),
    ),
    "update": ("false", ["--mdverify-update"], lambda s: s.update, False, True),
    "sandbox": ("off", ["--mdverify-sandbox=auto"], lambda s: s.run.sandbox, "off", "auto"),
    "changed_since": (
        "HEAD",
        ["--mdverify-changed-since=HEAD~0"],
        lambda s: s.changed_since,
        "HEAD",
        "HEAD~0",
    ),
    "claims": (
        "fence,prompt",
        ["--mdverify-claims=arrow"],
        lambda s: s.claims,
        {"fence", "prompt"},
        {"arrow"},
    ),
    "filters": (
        "none 'id=\\d+ => id=N'",
        ["--mdverify-filters=uuids"],
        lambda s: [f.name for f in s.filters],
        ["none", r"id=\d+ => id=N"],
        ["none", r"id=\d+ => id=N", "uuids"],
    ),
    "baseline": (
        "a.json",
        ["--mdverify-baseline=b.json"],
        lambda s: str(s.baseline),
        "a.json",
        "b.json",
    ),
    "baseline_write": (
        "false",
        ["--mdverify-baseline=b.json", "--mdverify-baseline-write"],
        lambda s: s.baseline_write,
        False,
        True,
    ),
    "job_summary": (
        "a.md",
        ["--mdverify-job-summary=none"],
        lambda s: s.job_summary,
        "a.md",
        "none",
    ),
    "start": ("cold", ["--mdverify-start=warm"], lambda s: s.start, "cold", "warm"),
    "shard": ("1/2", ["--mdverify-shard=2/2"], lambda s: s.shard.index, 1, 2),
    "output_words": (
        "Salida Ausgabe",
        ["--mdverify-output-words=Uitvoer"],
        lambda s: s.output_words,
        ("Salida", "Ausgabe"),
        ("Salida", "Ausgabe", "Uitvoer"),
    ),
}


def _registered(config: pytest.Config) -> list[tuple[str, str]]:
    """(flag, argparse destination) of every `--mdverify-` option pytest knows."""
    parser = config._parser
    options = [*parser._anonymous.options]
    for group in parser._groups:
        options.extend(group.options)
    return [
        (name, option.dest)
        for option in options
        for name in option.names()
        if name.startswith("--mdverify")
    ]


def test_every_command_line_option_has_its_ini_twin_with_the_same_name(pytestconfig):
    registered = _registered(pytestconfig)
    assert registered, "no --mdverify option is registered"
    inis = pytestconfig._parser._inidict
    for flag, dest in registered:
        twin = flag.removeprefix("--").replace("-", "_")
        assert dest == twin, flag
        assert twin in inis, f"{flag} has no ini key {twin}"


def test_every_command_line_option_is_a_setting_of_the_core(pytestconfig):
    flags = {flag for flag, _ in _registered(pytestconfig)}
    assert flags == {option.flag for option in OPTIONS if option.command_line}
    assert set(SAMPLES) == {option.name for option in OPTIONS if option.command_line}


def test_every_ini_value_reaches_the_settings_and_the_command_line_overrides_it(pytester, git):
    # Every key at once: two configurations rather than two per key (each costs a plugin
    # load), and a value that lands in another key's setting shows here too.
    (pytester.path / "a.md").write_text("# A\n")  # changed_since needs a repository
    git(pytester.path, "init", "-q")
    git(pytester.path, "add", ".")
    git(pytester.path, "commit", "-q", "-m", "a")
    pytester.makeini(
        "[pytest]\n"
        + "".join(f"mdverify_{name} = {sample[0]}\n" for name, sample in SAMPLES.items())
    )
    from_ini = settings(pytester.parseconfigure())
    cli = [arg for sample in SAMPLES.values() for arg in sample[1]]
    from_both = settings(pytester.parseconfigure(*cli))
    read = {name: sample[2] for name, sample in SAMPLES.items()}
    assert {name: read[name](from_ini) for name in SAMPLES} == {
        name: sample[3] for name, sample in SAMPLES.items()
    }
    assert {name: read[name](from_both) for name in SAMPLES} == {
        name: sample[4] for name, sample in SAMPLES.items()
    }


def test_a_bad_value_is_a_usage_error_and_a_good_command_line_overrides_it(pytester):
    pytester.makeini("[pytest]\nmdverify_timeout = 10s\n")
    with pytest.raises(pytest.UsageError, match="mdverify_timeout must be a number of seconds"):
        pytester.parseconfigure()
    assert settings(pytester.parseconfigure("--mdverify-timeout=5")).run.timeout == 5.0


def test_the_older_ini_name_of_pass_env_still_counts(pytester):
    pytester.makeini("[pytest]\nmdverify_env = OLD\nmdverify_pass_env = NEW\n")
    assert settings(pytester.parseconfigure()).run.pass_env == ("OLD", "NEW")
