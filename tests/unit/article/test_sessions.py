"""Which namespace each block runs in: `mdverify.article.sessions`."""

import pytest

from mdverify.article.directives import DirectiveError, parse_comment, parse_mapping
from mdverify.article.parse import parse_text
from mdverify.model import ArticleError

ISOLATED = "---\nmdverify:\n  isolate: blocks\n---\n\n"


def namespaces(text: str) -> list[str]:
    return [example.namespace for example in parse_text("a.md", text).examples]


def fence(directive: str = "", code: str = "x = 1") -> str:
    comment = f"<!-- mdverify: {directive} -->\n" if directive else ""
    return f"{comment}```python\n{code}\n```\n\n"


def test_blocks_with_no_session_share_the_default_namespace():
    assert namespaces(fence() + fence()) == ["", ""]


def test_a_session_is_shared_by_its_blocks_and_no_other():
    text = fence("session=server") + fence() + fence("session=client") + fence("session=server")
    assert namespaces(text) == ["server", "", "client", "server"]


def test_reset_starts_a_new_namespace_for_its_session_only():
    text = (
        fence()
        + fence("session=s")
        + fence("reset")
        + fence()
        + fence("session=s")
        + fence("session=s reset")
        + fence("reset")
    )
    assert namespaces(text) == ["", "s", "~1", "~1", "s", "s~1", "~2"]


def test_isolate_gives_a_block_a_namespace_no_other_block_has():
    found = namespaces(fence() + fence("isolate") + fence() + fence("isolate"))
    assert found[0] == found[2] == ""
    assert len({found[1], found[3], ""}) == 3


def test_front_matter_isolate_blocks_isolates_all_but_sessions_and_isolate_false():
    text = (
        ISOLATED
        + fence()
        + fence()
        + fence("session=pair")
        + fence("session=pair")
        + fence("isolate=false")
        + fence("isolate=false")
    )
    found = namespaces(text)
    assert found[2:] == ["pair", "pair", "", ""]
    assert len(set(found[:2]) | {"pair", ""}) == 4


def test_hidden_code_joins_the_block_below_it_or_else_above_it():
    hidden = "<!-- mdverify: hidden\n\n```python\nh = 1\n```\n\n-->\n\n"
    text = ISOLATED + hidden + fence() + fence() + hidden
    first, first_block, second, teardown = namespaces(text)
    assert first == first_block != second == teardown


def test_a_file_block_takes_a_neighbours_namespace():
    text = fence("session=s") + '```python title="m.py"\nx = 1\n```\n\n' + fence("session=t")
    assert namespaces(text) == ["s", "t", "t"]


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ('session=""', "'session' needs a name: session=server"),
        ("session=", "'session' needs a name: session=server"),
        ('session="a b"', "'session' names a namespace in letters"),
        ("session=a session=b", "'session' is given twice"),
        ("isolate session=a", "'isolate' runs the block alone and 'session' shares"),
        ("isolate reset", "'isolate' already gives the block a new namespace"),
        ("reset=maybe", "'reset' is a flag"),
        ("isolate=blocks", "'isolate' is a flag"),
    ],
)
def test_a_bad_directive_says_what_to_write(directive, message):
    with pytest.raises(DirectiveError, match=message):
        parse_comment(directive, 1)


def test_an_empty_value_of_any_key_says_it_has_none():
    with pytest.raises(DirectiveError, match="'timeout' has '=' and no value after it"):
        parse_comment("timeout=", 1)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"session": "a"}, "'session' says which namespace one block runs in"),
        ({"reset": True}, "'reset' says which namespace one block runs in"),
        ({"isolate": True}, "the front matter's 'isolate' is 'isolate: blocks'.*not 'true'"),
        ({"isolate": "each"}, "not 'each'"),
        ({"isolate": "blocks", "setup": "fakes.py"}, "'setup' runs once"),
    ],
)
def test_a_bad_front_matter_says_what_to_write(mapping, message):
    with pytest.raises(DirectiveError, match=message):
        parse_mapping(mapping)


def test_front_matter_isolate_false_is_as_if_absent():
    assert parse_mapping({"isolate": False}).defaults.isolate is None


def test_reset_under_isolate_blocks_is_an_error_at_the_directive():
    text = ISOLATED + fence() + fence("reset")
    with pytest.raises(ArticleError, match=r"a\.md:10: 'reset' starts a new namespace"):
        parse_text("a.md", text)


def test_reset_with_a_session_under_isolate_blocks_is_fine():
    text = ISOLATED + fence("session=s") + fence("session=s reset")
    assert namespaces(text) == ["s", "s~1"]


@pytest.mark.parametrize("directive", ["session=s", "reset", "isolate", "isolate=false"])
def test_a_file_block_given_a_namespace_key_is_an_error_at_the_directive(directive):
    text = f'<!-- mdverify: {directive} -->\n```python title="m.py"\nx = 1\n```\n'
    key = directive.split("=")[0]
    with pytest.raises(ArticleError, match=rf"a\.md:1: '{key}' says which namespace.*is a file"):
        parse_text("a.md", text)
