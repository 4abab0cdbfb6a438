"""The directive language of `mdverify.article.directives`."""

import pytest

from mdverify.article.directives import DirectiveError, parse_comment, parse_mapping, skip_reason
from mdverify.model import Settings


def test_skip_with_quoted_reason():
    assert parse_comment(' skip reason="needs the network" ').skip == "needs the network"


def test_skip_with_value_form():
    assert parse_comment('skip="later"').skip == "later"


def test_bare_skip_gets_a_default_reason():
    assert parse_comment("skip").skip


def test_xfail_timeout_requires_python_clock_together():
    settings = parse_comment(
        'xfail reason="bug 1" timeout=2.5 requires=json,os python>=3.11 clock=real'
    )
    assert settings == Settings(
        xfail="bug 1", timeout=2.5, requires=("json", "os"), python=((">=", (3, 11)),), clock="real"
    )


@pytest.mark.parametrize(
    "text",
    ["skp", "timeout=soon", "timeout=-1", "requires=", "python>=three", "clock=fast", 'reason="x"'],
)
def test_bad_directive_is_an_error(text):
    with pytest.raises(DirectiveError):
        parse_comment(text)


def test_unknown_key_error_names_the_known_keys():
    with pytest.raises(DirectiveError, match="known: skip"):
        parse_comment("skp")


def test_front_matter_mapping_uses_the_same_keys():
    settings = parse_mapping(
        {"timeout": 5, "requires": ["aiohttp"], "python": ">=3.11", "xfail": True}
    )
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
    merged = Settings(timeout=5, requires=("a",)).merged(Settings(timeout=1, requires=("b",)))
    assert merged.timeout == 1
    assert merged.requires == ("a", "b")


def test_skip_reason_for_unmet_python():
    assert skip_reason(Settings(python=((">=", (3, 99)),))) == "needs Python >=3.99"


def test_skip_reason_for_missing_module():
    assert "no_such_module_xyz" in skip_reason(Settings(requires=("no_such_module_xyz",)))


def test_no_skip_reason_when_everything_is_there():
    assert skip_reason(Settings(requires=("json",), python=((">=", (3, 8)),))) is None
