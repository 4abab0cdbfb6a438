"""Markdown -> Article (`mdverify.article.parse`): where examples are, what they claim, errors."""

from pathlib import Path

import pytest

from mdverify.article.parse import decode, parse_article, parse_text
from mdverify.model import ArticleError, Skip, SkipKind

FIXTURES = Path(__file__).parents[2] / "fixtures" / "parse"


def parse_fixture(name: str):
    path = FIXTURES / name
    return parse_article(name, path.read_bytes()), path.read_text().split("\n")


def test_fences_in_every_container_are_found():
    article, _ = parse_fixture("containers.md")
    assert [e.source.strip() for e in article.examples] == [
        'print("list")',
        'print("quote")',
        'print("admonition")',
        'print("collapsible")',
        'print("tab")',
        '>>> print("pycon")\npycon',
    ]


def test_example_line_is_the_fence_line_in_the_file():
    article, lines = parse_fixture("containers.md")
    for example in article.examples:
        fence = lines[example.line - 1].lstrip(" >")
        assert fence.startswith("```"), (example.line, fence)
        assert lines[example.code_line - 1].endswith(example.source.split("\n")[0])


def test_pycon_blocks_are_pycon_examples_with_prompt_claims():
    article, _ = parse_fixture("containers.md")
    pycon = article.examples[-1]
    assert pycon.kind == "pycon"
    assert [(c.kind, c.expected) for c in pycon.outputs] == [("prompt", "pycon")]


def test_names_carry_the_nearest_heading():
    article, _ = parse_fixture("containers.md")
    assert article.examples[0].name == "Containers"


TWO_HEADINGS = (
    "# A\n\n```python\nx = 1\n```\n\n```python\ny = 2\n```\n\n## B\n\n```python\nz = 3\n```\n"
)


def names(text):
    return [e.name for e in parse_text("a.md", text).examples]


def test_a_name_is_the_heading_and_from_the_second_block_under_it_an_ordinal():
    assert names(TWO_HEADINGS) == ["A", "A #2", "B"]


def test_prose_added_above_a_block_keeps_every_name():
    edited = TWO_HEADINGS.replace("# A\n", "# A\n\nMore prose.\n\nAnd more.\n").replace(
        "## B\n", "## B\n\nA new paragraph.\n"
    )
    assert names(edited) == names(TWO_HEADINGS)


def test_names_stay_unique_when_headings_repeat():
    block = "```python\nx = 1\n```\n\n"
    found = names(f"# A\n\n{block}# A\n\n{block}# A #2\n\n{block}")
    # A heading's own words win: the ordinal gives way.
    assert found == ["A", "A #2'", "A #2"]


def test_a_block_above_every_heading_is_named_top():
    assert names("```python\nx = 1\n```\n\n```python\ny = 2\n```\n") == ["top", "top #2"]


def test_output_fence_after_prose_belongs_to_the_block():
    article, _ = parse_fixture("outputs.md")
    fences = [[c.expected for c in e.outputs] for e in article.examples]
    assert fences == [["a"], ["b"], [], []]


def test_output_fence_claim_line_is_its_first_body_line():
    article, lines = parse_fixture("outputs.md")
    claim = article.examples[0].outputs[0]
    assert lines[claim.line - 1] == "a"


def test_front_matter_settings_apply_to_every_block():
    text = "---\nmdverify:\n  timeout: 3\n---\n\n```python\npass\n```\n"
    assert parse_text("a.md", text).examples[0].settings.timeout == 3


def test_directive_before_a_block_applies_to_it_only():
    text = (
        '<!-- mdverify: skip reason="later" -->\n\n```python\npass\n```\n\n```python\npass\n```\n'
    )
    first, second = parse_text("a.md", text).examples
    assert first.settings.skip == Skip(SkipKind.WRITER, "later")
    assert second.settings.skip is None


def error(text: str) -> ArticleError:
    with pytest.raises(ArticleError) as err:
        parse_text("a.md", text)
    return err.value


def test_an_unclosed_quote_in_the_front_matter_is_an_error_at_its_line():
    # PyYAML notices at the end of the front matter; the line where the quote opened is
    # where the writer looks.
    err = error('---\ntitle: "never closed\nmdverify:\n  clock: real\n---\n# T\n')
    assert (err.line, err.message) == (
        2,
        "invalid YAML front matter: while scanning a quoted scalar, found unexpected end of stream",
    )


def test_unclosed_fence_is_an_error_at_its_line():
    err = error("# t\n\n```python\nprint(1)\n")
    assert (err.line, "never closed" in err.message) == (3, True)


def test_fence_closed_by_a_longer_fence_is_fine():
    assert parse_text("a.md", "````python\nprint(1)\n``````\n").examples


def test_tilde_fence_is_fine():
    assert parse_text("a.md", "~~~python\nprint(1)\n~~~\n").examples


def test_invalid_yaml_front_matter_names_its_line():
    err = error("---\ntitle: ok\nbad: [unclosed\n---\n")
    assert err.line in (3, 4)
    assert "invalid YAML front matter" in err.message


def test_front_matter_that_is_not_a_mapping_is_an_error():
    assert "mapping" in error("---\n- a\n- b\n---\n").message


def test_unclosed_front_matter_is_an_error():
    assert error("---\ntitle: x\n\n# never closed\n").line == 1


def test_unknown_directive_is_an_error_at_its_line():
    err = error("text\n\n<!-- mdverify: skp -->\n```python\npass\n```\n")
    assert err.line == 3
    assert "unknown directive 'skp'" in err.message


def test_directive_not_followed_by_python_is_an_error():
    assert error("<!-- mdverify: skip -->\n```bash\nls\n```\n").line == 1


def test_directive_followed_by_prose_is_an_error():
    assert error("<!-- mdverify: skip -->\n\nSome prose.\n\n```python\npass\n```\n").line == 1


def test_directive_inside_a_paragraph_is_an_error():
    assert "own line" in error("Text <!-- mdverify: skip --> more.\n").message


def test_directive_syntax_shown_in_inline_code_is_not_a_directive():
    assert parse_text("a.md", "Write `<!-- mdverify: skip -->` above a block.\n").examples == ()


def test_bom_is_stripped_so_front_matter_and_first_fence_are_read():
    text = decode("a.md", b"\xef\xbb\xbf```python\nprint(1)\n```\n")
    assert parse_text("a.md", text).examples[0].line == 1


def test_crlf_and_lone_cr_become_newlines_with_the_same_line_numbers():
    text = decode("a.md", b"# t\r\n\r\n```python\rprint(1)\r```\r\n")
    assert parse_text("a.md", text).examples[0].line == 3


def test_invalid_utf8_names_the_line():
    with pytest.raises(ArticleError) as err:
        decode("a.md", b"ok\nstill ok\nbad \xff byte\n")
    assert err.value.line == 3


def test_binary_file_is_an_error():
    with pytest.raises(ArticleError, match="binary"):
        decode("a.md", b"\x89PNG\r\n\x1a\n\x00\x00")


def test_empty_file_has_no_examples():
    assert parse_text("a.md", "").examples == ()


def test_never_run_coroutine_is_a_warning_on_its_block():
    text = "```python\nasync def hello():\n    print('hi')\n```\n"
    assert parse_text("a.md", text).examples[0].warnings == (
        "coroutine function hello() defined at line 2 is never run or awaited",
    )


def test_a_comment_is_a_timing_claim_or_declared_output_never_both():
    text = (
        "```python\nimport asyncio\nasyncio.run(asyncio.sleep(1))\n# takes ~1s\n"
        'print("x")  # took 3.0s\n```\n'
    )
    (example,) = parse_text("a.md", text).examples
    assert [(c.line, c.text) for c in example.timings] == [(4, "~1s")]
    assert [(c.kind, c.line) for c in example.outputs] == [("trailing", 5)]


def test_a_blocks_world_is_the_articles_and_what_its_directive_adds():
    text = (
        "---\nmdverify:\n  hosts: [a.test]\n  timeout: 3\n---\n\n"
        "<!-- mdverify: hosts=b.test services=postgres timeout=1 -->\n\n"
        "```python\npass\n```\n\n```python\npass\n```\n"
    )
    article = parse_text("a.md", text)
    first, second = article.examples
    assert article.settings.world.hosts == (("a.test", 0.0),)
    assert first.world.hosts == (("a.test", 0.0), ("b.test", 0.0))
    assert first.world.services == ("postgres",)
    assert (first.settings.timeout, second.settings.timeout) == (1, 3)
    assert second.world == article.settings.world


def test_statement_ends_are_article_lines_for_python_and_pycon():
    text = (
        "```python\nx = 1\nif x:\n    print(x)\n# 1\ny = 2; z = 3\n```\n\n"
        "```pycon\n>>> print(\n...     1)\n1\n>>> 2\n2\n```\n"
    )
    python, pycon = parse_text("a.md", text).examples
    assert python.ends == (2, 4, 6, 6)
    assert pycon.ends == (11, 13)
    assert parse_text("a.md", "```python\nx = (\n```\n").examples[0].ends == ()


def test_the_front_matters_norun_beside_a_key_that_needs_a_run_is_an_error_at_the_directive():
    text = (
        "---\nmdverify:\n  norun: true\n---\n\n"
        "<!-- mdverify: raises=ValueError -->\n```python\nraise ValueError\n```\n"
    )
    err = error(text)
    assert err.line == 6
    assert "'raises' needs the block to run, and the front matter's 'norun'" in err.message
    again = text.replace("raises=ValueError", "norun=false raises=ValueError")
    assert parse_text("a.md", again).examples[0].settings.norun is False


def test_norun_compiles_fragments_and_a_directives_norun_templates_too():
    fragment = "```python\nclient.models.list()\n```\n"
    template = "```python\nclient.<method>(<arguments>)\n```\n"
    front = "---\nmdverify:\n  norun: true\n---\n\n"
    assert parse_text("a.md", fragment).examples[0].settings.skip is not None
    assert parse_text("a.md", front + fragment).examples[0].settings.skip is None
    assert parse_text("a.md", front + template).examples[0].settings.skip is not None
    own = "<!-- mdverify: norun -->\n" + template
    assert parse_text("a.md", own).examples[0].settings.skip is None
