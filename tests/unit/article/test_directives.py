"""The directive language of `mdverify.article.directives`."""

import pytest

from mdverify.article.directives import DirectiveError, parse_comment, parse_mapping
from mdverify.model import (
    ArticleSettings,
    BlockSettings,
    DiagnosticKind,
    Skip,
    SkipKind,
    TimingClaim,
    World,
)


def block(text: str) -> BlockSettings:
    return parse_comment(text, 1).settings


def test_skip_with_quoted_reason():
    assert block(' skip reason="needs the network" ').skip == Skip(
        SkipKind.WRITER, "needs the network"
    )


def test_skip_with_value_form():
    assert block('skip="later"').skip == Skip(SkipKind.WRITER, "later")


def test_bare_skip_gets_a_default_reason():
    assert block("skip").skip


def test_xfail_timeout_requires_python_together():
    settings = block('xfail reason="bug 1" timeout=2.5 requires=json,os python>=3.11')
    assert settings == BlockSettings(
        xfail="bug 1", timeout=2.5, requires=("json", "os"), python=((">=", (3, 11)),)
    )


def test_a_directive_makes_its_timing_claim_at_its_line():
    directive = parse_comment("elapsed=~5s not=8s,9s", 7)
    assert directive.timing == TimingClaim(7, "~5s, not 8s, not 9s", 5.0, (8.0, 9.0))
    assert parse_comment("skip", 7).timing is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not=2s", "'not' needs an 'elapsed' claim beside it"),
        ("elapsed=soon", "'elapsed' needs a duration"),
        ("elapsed>1s", "'elapsed' takes '='"),
    ],
)
def test_bad_timing_directive_is_an_error(text, message):
    with pytest.raises(DirectiveError, match=message):
        parse_comment(text, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("clock=real", "'clock' applies to a whole article"),
        ('files="x"', "'files' is a mapping of names to contents: set it in the front matter"),
    ],
)
def test_article_key_in_a_block_comment_says_where_it_belongs(text, message):
    with pytest.raises(DirectiveError, match=message):
        parse_comment(text, 1)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"elapsed": "1s"}, "a timing claim .'elapsed', 'not'. belongs to one block"),
        ({"not": "1s"}, "belongs to one block"),
        ({"serve": True}, "'serve' belongs on the block it checks"),
        ({"request": "GET /"}, "'request' belongs on the block it checks"),
    ],
)
def test_block_key_in_front_matter_says_where_it_belongs(mapping, message):
    with pytest.raises(DirectiveError, match=message):
        parse_mapping(mapping)


def test_front_matter_gives_the_clock_the_world_and_the_block_defaults():
    settings = parse_mapping({"clock": "real", "services": ["postgres"], "skip": "later"})
    assert settings == ArticleSettings(
        clock="real",
        world=World(services=("postgres",)),
        defaults=BlockSettings(skip=Skip(SkipKind.WRITER, "later")),
    )


@pytest.mark.parametrize(
    "text",
    ["skp", "timeout=soon", "timeout=-1", "requires=", "python>=three", "clock=fast", 'reason="x"'],
)
def test_bad_directive_is_an_error(text):
    with pytest.raises(DirectiveError):
        parse_comment(text, 1)


def test_unknown_key_error_names_the_known_keys():
    with pytest.raises(DirectiveError, match="known: skip"):
        parse_comment("skp", 1)


def test_front_matter_clock_must_be_virtual_or_real():
    with pytest.raises(DirectiveError, match="'clock' is 'virtual' or 'real', not 'fast'"):
        parse_mapping({"clock": "fast"})


def test_front_matter_mapping_uses_the_same_keys():
    settings = parse_mapping(
        {"timeout": 5, "requires": ["aiohttp"], "python": ">=3.11", "xfail": True}
    ).defaults
    assert settings.timeout == 5
    assert settings.requires == ("aiohttp",)
    assert settings.python == ((">=", (3, 11)),)
    assert settings.xfail


def test_front_matter_value_must_be_a_mapping():
    with pytest.raises(DirectiveError):
        parse_mapping(["skip"])


def test_front_matter_unknown_key_is_an_error():
    with pytest.raises(DirectiveError, match="unknown directive 'timout'"):
        parse_mapping({"timout": 5})


def test_block_settings_override_article_defaults():
    merged = BlockSettings(timeout=5, requires=("a",)).merged(
        BlockSettings(timeout=1, requires=("b",))
    )
    assert merged.timeout == 1
    assert merged.requires == ("a", "b")


def test_a_block_lists_its_filters_in_order_and_may_be_unordered():
    settings = block('filter="id=\\d+ => id=N" filter=addresses unordered')
    assert [f.name for f in settings.filters] == [r"id=\d+ => id=N", "addresses"]
    assert settings.unordered is True
    assert block("unordered=false").unordered is False
    assert block("skip").unordered is None


def test_the_front_matter_lists_the_articles_filters():
    settings = parse_mapping({"filters": ["task_names", r"\d+ms => Nms"], "unordered": True})
    assert [f.name for f in settings.defaults.filters] == ["task_names", r"\d+ms => Nms"]
    assert settings.defaults.unordered is True
    assert [f.name for f in parse_mapping({"filters": "uuids"}).defaults.filters] == ["uuids"]


def test_a_blocks_filters_come_after_the_articles():
    merged = parse_mapping({"filters": ["uuids"]}).defaults.merged(block("filter=none"))
    assert [f.name for f in merged.filters] == ["uuids", "none"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('filter="(a => b"', r"the filter '\(a => b' is not a regular expression"),
        ("filter=adresses", "unknown filter 'adresses'"),
        ("filter", "'filter' needs a value"),
        ("filters=addresses", "'filters:' is the front matter's list"),
        ("unordered=maybe", "'unordered' is a flag"),
    ],
)
def test_a_filter_directive_mdverify_cannot_use_is_an_error(text, message):
    with pytest.raises(DirectiveError, match=message):
        parse_comment(text, 1)


def test_a_front_matter_filter_mdverify_cannot_use_is_an_error():
    with pytest.raises(DirectiveError, match="unknown filter 'uuid'"):
        parse_mapping({"filters": ["uuid"]})
    with pytest.raises(DirectiveError, match="lists its filters under 'filters:'"):
        parse_mapping({"filter": "uuids"})


def test_allow_names_the_diagnostics_a_block_may_give():
    assert block("allow=never-awaited").allow == {DiagnosticKind.NEVER_AWAITED}
    assert block("allow=pending-task,unretrieved-exception allow=unclosed").allow == {
        DiagnosticKind.PENDING_TASK,
        DiagnosticKind.UNRETRIEVED,
        DiagnosticKind.UNCLOSED,
    }


@pytest.mark.parametrize(
    "text", ["allow", "allow=never-waited", "allow=unclosed,typo", "allow>=unclosed"]
)
def test_allow_takes_the_diagnostics_words_and_names_them_when_wrong(text):
    with pytest.raises(DirectiveError, match="'allow'"):
        parse_comment(text, 1)


def test_a_blocks_allow_adds_to_the_front_matters():
    article = parse_mapping({"allow": ["unclosed"]}).defaults
    assert article.allow == {DiagnosticKind.UNCLOSED}
    merged = article.merged(block("allow=never-awaited"))
    assert merged.allow == {DiagnosticKind.UNCLOSED, DiagnosticKind.NEVER_AWAITED}


def test_norun_is_a_flag_at_either_scope():
    assert block("norun").norun is True
    assert block("norun=false").norun is False
    assert block("skip").norun is None
    assert parse_mapping({"norun": True}).defaults.norun is True
    assert parse_mapping({"norun": False}).defaults.norun is None  # false is as if absent
    assert parse_mapping({"norun": True}).defaults.merged(block("norun=false")).norun is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("norun=maybe", "'norun' is a flag: write norun, or norun=false; not 'maybe'"),
        ("norun>1", "'norun' takes '=', not '>'"),
        ("norun raises=ValueError", "'raises' needs the block to run, and 'norun' only compiles"),
        ("elapsed=1s norun", "'elapsed' needs the block to run"),
        ('norun stdin="x"', "'stdin' needs the block to run"),
        ('norun serve request="GET /" expect=ok', "'serve' needs the block to run"),
    ],
)
def test_a_norun_directive_mdverify_cannot_use_is_an_error(text, message):
    with pytest.raises(DirectiveError, match=message):
        parse_comment(text, 1)


def test_norun_false_beside_a_key_that_needs_a_run_is_fine():
    directive = parse_comment('norun=false stdin="x"', 1)
    assert (directive.settings.norun, directive.runs) == (False, ("stdin",))


@pytest.mark.parametrize(
    ("text", "stdin"),
    [
        (r'stdin="Ada\n42\n"', "Ada\n42\n"),
        (r'stdin="a\tb \"quoted\" c:\\n"', 'a\tb "quoted" c:\\n'),
        (r"stdin='Ada\nLovelace'", "Ada\nLovelace"),
        (r"stdin=Ada\n", "Ada\n"),
        (r'stdin="\d stays"', r"\d stays"),
        ('stdin=""', ""),
    ],
)
def test_stdin_reads_its_escapes(text, stdin):
    assert block(text).stdin == stdin


def test_no_stdin_is_none():
    assert block("skip").stdin is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("stdin", "'stdin' needs the text the block reads, one line per"),
        ("stdin>x", "'stdin' takes '=', not '>'"),
        ("stdin=a stdin=b", "'stdin' is given twice; a block has one standard input"),
    ],
)
def test_a_stdin_directive_mdverify_cannot_use_is_an_error(text, message):
    with pytest.raises(DirectiveError, match=message):
        parse_comment(text, 1)


def test_stdin_in_the_front_matter_says_where_it_belongs():
    with pytest.raises(DirectiveError, match="'stdin' is what one block reads: put it in a direct"):
        parse_mapping({"stdin": "Ada"})
