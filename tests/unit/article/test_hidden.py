"""Hidden code (`mdverify.article.hidden`): the comment's fences, their lines, names, errors."""

import textwrap

import pytest

from mdverify.article.parse import parse_text
from mdverify.model import ArticleError, SetupFile


def parse(text: str, setup: str = ""):
    return parse_text("a.md", textwrap.dedent(text).lstrip("\n"), setup=setup)


def error(text: str) -> ArticleError:
    with pytest.raises(ArticleError) as caught:
        parse(text)
    return caught.value


ARTICLE = """
    # Title

    <!-- mdverify: hidden
    ```python
    import asyncio
    db = {"alice": 3}
    ```

    ```python
    db["bob"] = 1
    ```
    -->

    ```python
    print(db["alice"])  # 3
    ```

    <!-- mdverify: hidden
    ```python
    print(len(db))
    ```

    ```text
    2
    ```
    -->
"""


def test_the_fences_inside_run_in_order_among_the_others_at_the_article_lines():
    examples = parse(ARTICLE).examples
    assert [(e.index, e.hidden, e.line, e.code_line) for e in examples] == [
        (0, True, 4, 5),
        (1, True, 9, 10),
        (2, False, 14, 15),
        (3, True, 19, 20),
    ]
    assert examples[0].source == 'import asyncio\ndb = {"alice": 3}\n'
    assert examples[3].ends == (20,)


def test_the_output_a_hidden_block_declares_is_read_at_its_lines():
    examples = parse(ARTICLE).examples
    (fence,) = examples[3].outputs
    assert (fence.kind, fence.expected, fence.line, fence.end_line) == ("fence", "2", 24, 24)
    assert examples[2].outputs[0].line == 15


def test_hidden_blocks_are_named_for_where_they_stand():
    names = [e.name for e in parse(ARTICLE).examples]
    assert names == [
        "hidden setup",
        "hidden setup #2",
        "Title",
        "hidden teardown",
    ]
    between = parse("""
        ```python
        x = 1
        ```

        <!-- mdverify: hidden
        ```python
        x += 1
        ```
        -->

        ```python
        print(x)  # 2
        ```
    """).examples
    assert between[1].name == "hidden code"


def test_names_only_hidden_code_binds_make_no_fragment():
    visible = parse(ARTICLE).examples[2]
    assert visible.settings.skip is None
    assert "db" not in visible.unbound


def test_no_guess_skips_hidden_code():
    examples = parse("""
        <!-- mdverify: hidden
        ```python
        await queue.put(item)
        ```

        ```python
        for item in iterable:
        ```
        -->

        ```python
        print(1)  # 1
        ```
    """).examples
    assert [e.settings.skip for e in examples[:2]] == [None, None]
    assert examples[0].unbound == frozenset()


def test_the_front_matter_skips_hidden_code_too():
    examples = parse("""
        ---
        mdverify:
          skip: true
        ---
        <!-- mdverify: hidden
        ```python
        x = 1
        ```
        -->
    """).examples
    assert examples[0].settings.skip is not None


def test_a_directive_beside_a_hidden_comment_keeps_working():
    examples = parse("""
        <!-- mdverify: hidden
        ```python
        x = 1
        ```
        -->
        <!-- mdverify: timeout=3 -->
        ```python
        print(x)  # 1
        ```
    """).examples
    assert [(e.hidden, e.settings.timeout) for e in examples] == [(True, None), (False, 3.0)]


def test_a_hidden_comment_in_a_list_item_has_the_article_lines():
    (example, visible) = parse("""
        1. Set up:

           <!-- mdverify: hidden
           ```python
           x = 1
           ```
           -->

        2. Use it:

           ```python
           print(x)  # 1
           ```
    """).examples
    assert (example.hidden, example.line, example.source) == (True, 4, "x = 1\n")
    assert visible.line == 11


def test_shell_exports_above_the_comment_reach_its_first_block():
    (example,) = parse("""
        ```console
        $ export TOKEN=abc
        ```

        <!-- mdverify: hidden
        ```python
        import os
        ```
        -->
    """).examples
    assert example.environ == (("TOKEN", "abc"),)


def test_a_fence_after_the_comment_is_no_output_of_the_block_above():
    visible, _ = parse("""
        ```python
        print(1)
        ```
        <!-- mdverify: hidden
        ```python
        x = 1
        ```
        -->
        ```text
        1
        ```
    """).examples
    assert visible.outputs == ()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("<!-- mdverify: hidden\n```python\nx = 1\n```\n", 1, "never closed with '-->'"),
        ("# T\n\n<!-- mdverify: hidden\n```python\nx = '-->'\n```\n-->\n", 5, "alone on its line"),
        ("<!-- mdverify: hidden\n```python\nx = 1\n``` -->\n", 4, "alone on its line"),
        ("<!-- mdverify: hidden timeout=3\n```python\nx = 1\n```\n-->\n", 1, "nothing may follow"),
        ("<!-- mdverify: hidden -->\n", 1, "nothing may follow"),
        ("<!-- mdverify: hidden\nimports go here\n-->\n", 1, "holds no fence"),
        (
            "<!-- mdverify: skip -->\n<!-- mdverify: hidden\n```python\nx = 1\n```\n-->\n",
            1,
            "cannot apply to hidden code",
        ),
        ("<!-- mdverify: hidden\n```python\nx = 1\n-->\n", 2, "never closed"),
    ],
)
def test_a_hidden_comment_written_wrong_is_an_error_at_its_line(text, line, words):
    err = error(text)
    assert err.line == line
    assert words in err.message


def test_a_key_named_like_hidden_is_still_an_unknown_directive():
    err = error("<!-- mdverify: hiddenly -->\n```python\nx = 1\n```\n")
    assert "unknown directive 'hiddenly'" in err.message


SETUP = """
    ---
    title: Orders
    mdverify:
      timeout: 5
      setup: fakes.py
    ---
    # Orders

    ```python
    print(orders["tea"])  # 2
    ```
"""


def test_a_setup_file_is_the_first_block_at_its_own_lines():
    setup, visible = parse(SETUP, setup='orders = {"tea": 2}\n# 3\nprint(1)\n').examples
    assert parse(SETUP).settings.setup == SetupFile("fakes.py", 5)
    assert (setup.index, setup.hidden, setup.file, setup.line, setup.code_line) == (
        0,
        True,
        "fakes.py",
        5,
        1,
    )
    assert setup.name == "setup file fakes.py"
    assert setup.settings.timeout == 5.0
    assert setup.outputs == ()  # a module's comments are comments
    assert setup.ends == (1, 3)
    assert (visible.index, visible.settings.skip) == (1, None)


def test_without_its_code_the_setup_block_keeps_the_indexes():
    setup, visible = parse(SETUP).examples
    assert (setup.source, visible.index) == ("", 1)


def test_a_setup_mapping_written_inline_points_at_the_mdverify_key():
    article = parse("---\nmdverify: {setup: fakes.py}\n---\n")
    assert article.settings.setup == SetupFile("fakes.py", 2)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("/etc/fakes.py", "relative to the article's folder"),
        ("[a.py, b.py]", "names one Python file"),
        ("true", "names one Python file"),
    ],
)
def test_a_setup_value_that_names_no_one_relative_file_is_an_error(value, words):
    err = error(f"---\nmdverify:\n  setup: {value}\n---\n")
    assert (err.line, words in err.message) == (2, True)


def test_setup_in_a_directive_says_where_it_belongs():
    err = error("<!-- mdverify: setup=fakes.py -->\n```python\nx = 1\n```\n")
    assert "front matter" in err.message
    assert "mdverify: hidden" in err.message
