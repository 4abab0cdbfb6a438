"""Snippet includes (`mdverify.article.snippets`): pymdownx.snippets' rules, lines and errors."""

from __future__ import annotations

import textwrap

import pytest

from mdverify.article.parse import parse_text
from mdverify.article.snippets import Snippets, mentions, placeholders
from mdverify.model import ArticleError

GREET = """\
def greet(name):
    # --8<-- [start:body]
    return f"Hello, {name}!"
    # --8<-- [end:body]


# --8<-- [start:call]
print(greet("Ada"))
# --8<-- [end:call]
"""


@pytest.fixture
def snippets(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "greet.py").write_text(GREET)
    return Snippets((tmp_path,), tmp_path)


def expand(snippets: Snippets, code: str, first: int = 10):
    return snippets.expand("a.md", textwrap.dedent(code), first)


def test_a_whole_file_replaces_its_line_and_keeps_the_lines_around_it(snippets):
    got = expand(snippets, 'x = 1\n--8<-- "code/greet.py"\ny = 2\n')
    assert got is not None
    assert got.source == "x = 1\n" + GREET + "y = 2\n"
    # Every included line stands at the line that includes it; the article's keep theirs.
    assert got.origins == (10, *[11] * 9, 12)
    assert got.foreign == frozenset(range(2, 11))
    (run,) = got.included
    assert (run.name, run.line, run.at, run.first, run.count) == ("code/greet.py", 11, 2, 1, 9)


def test_a_block_with_no_include_is_left_alone(snippets):
    assert expand(snippets, "x = 1  # 8<- is only text here\n") is None


@pytest.mark.parametrize(
    ("spec", "lines"),
    [
        ("code/greet.py:1:3", [1, 2, 3]),
        ("code/greet.py:8", [8, 9]),
        ("code/greet.py::2", [1, 2]),
        ("code/greet.py:3:3", [3]),
    ],
)
def test_line_ranges_are_one_based_and_inclusive(snippets, spec, lines):
    got = expand(snippets, f'--8<-- "{spec}"\n')
    assert got is not None
    assert got.source.splitlines() == [GREET.splitlines()[n - 1] for n in lines]
    assert got.included[0].first == lines[0]


def test_a_section_is_the_lines_between_its_markers_at_their_own_lines(snippets):
    got = expand(snippets, '--8<-- "code/greet.py:body"\n')
    assert got is not None
    assert got.source == '    return f"Hello, {name}!"\n'
    assert got.included[0].first == 3


def test_the_marker_line_s_indent_goes_before_every_included_line(snippets):
    got = expand(snippets, 'def f():\n    --8<-- "code/greet.py:1:3"\n')
    assert got is not None
    assert got.source.splitlines()[1:] == [
        "    def greet(name):",
        "        # --8<-- [start:body]",
        '        return f"Hello, {name}!"',
    ]


def test_quotes_may_be_single_and_dashes_any_number(snippets):
    assert expand(snippets, "-8<- 'code/greet.py:3:3'\n") is not None
    assert expand(snippets, '----8<---- "code/greet.py:3:3"\n') is not None


@pytest.mark.parametrize(
    "line",
    [
        '--8<-- "code/greet.py" ',  # trailing blank: pymdownx leaves the line as it is
        '--8<--  "code/greet.py" x',
        'x = "--8<-- code/greet.py"',
    ],
)
def test_a_line_that_is_not_only_the_marker_is_code(snippets, line):
    assert expand(snippets, line + "\n") is None


def test_the_block_form_includes_each_path_line_blank_lines_and_not_commented_ones(snippets):
    code = """\
    --8<--
    code/greet.py:3:3

    ;code/nowhere.py
    code/greet.py:8:8
    --8<--
    """
    got = expand(snippets, code)
    assert got is not None
    assert got.source == '    return f"Hello, {name}!"\n\nprint(greet("Ada"))\n'
    assert got.origins == (11, 12, 14)
    assert [(r.line, r.first) for r in got.included] == [(11, 3), (14, 8)]


def test_an_escaped_marker_loses_one_semicolon_and_includes_nothing(snippets):
    got = expand(snippets, ';;--8<-- "code/greet.py"\n')
    assert got is not None
    assert got.source == ';--8<-- "code/greet.py"\n'
    assert not got.included


def test_an_included_file_s_own_includes_are_expanded_at_its_article_line(snippets, tmp_path):
    (tmp_path / "code" / "outer.py").write_text('A = 1\n--8<-- "code/greet.py:3:3"\nB = 2\n')
    got = expand(snippets, '--8<-- "code/outer.py"\n')
    assert got is not None
    assert got.source == 'A = 1\n    return f"Hello, {name}!"\nB = 2\n'
    assert [(r.name, r.first, r.at) for r in got.included] == [
        ("code/outer.py", 1, 1),
        ("code/greet.py", 3, 2),
        ("code/outer.py", 3, 3),
    ]
    assert got.origins == (10, 10, 10)


@pytest.mark.parametrize(
    ("code", "line", "message"),
    [
        ('x = 1\n--8<-- "code/nowhere.py"\n', 11, "snippet file 'code/nowhere.py' not found"),
        ('--8<-- "code/greet.py:nope"\n', 10, "no section 'nope' in the file"),
        ('--8<-- "code/greet.py:40:41"\n', 10, r"starts past the file's end \(9 lines\)"),
        ('--8<-- "https://example.com/a.py"\n', 10, "is a URL"),
        ('--8<-- ":3"\n', 10, "names no file"),
        ('--8<-- "../outside.py"\n', 10, "not found in the base path"),
        ("x = 1\n--8<--\ncode/greet.py\n", 11, "never closed"),
    ],
)
def test_what_cannot_be_included_is_an_error_at_the_article_line(snippets, code, line, message):
    with pytest.raises(ArticleError, match=message) as caught:
        expand(snippets, code)
    assert caught.value.line == line


def test_a_file_that_includes_itself_is_an_error(snippets, tmp_path):
    (tmp_path / "code" / "loop.py").write_text('--8<-- "code/loop.py"\n')
    with pytest.raises(ArticleError, match="includes itself"):
        expand(snippets, '--8<-- "code/loop.py"\n')


def test_base_paths_are_searched_in_order_and_a_file_base_allows_only_itself(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "a.py").write_text("A = 1\n")
    (tmp_path / "two" / "a.py").write_text("A = 2\n")
    (tmp_path / "two" / "b.py").write_text("B = 2\n")
    both = Snippets((tmp_path / "one", tmp_path / "two"), tmp_path)
    assert both.find("a.py") == tmp_path / "one" / "a.py"
    assert both.find("b.py") == tmp_path / "two" / "b.py"
    only = Snippets((tmp_path / "two" / "b.py",), tmp_path)
    assert only.find("b.py") == tmp_path / "two" / "b.py"
    assert only.find("a.py") is None


def test_an_article_s_claims_stay_on_its_lines_and_a_file_s_comments_declare_nothing(snippets):
    text = textwrap.dedent(
        """\
        # Title

        ```python
        --8<-- "code/greet.py"
        print(greet("Bob"))  # Hello, Bob!
        ```
        """
    )
    (example,) = parse_text("a.md", text, snippets=snippets).examples
    (claim,) = example.outputs  # the file's own `# --8<--` comments are no output
    assert (claim.line, claim.upto_line, claim.call) == (5, 5, (5, 0))
    assert example.ends == (4, 4, 5)  # the file's two statements end where it is included
    assert example.included[0].line == 4


def test_without_base_paths_each_include_reads_as_a_pass_on_the_same_lines():
    code = 'def f():\n    --8<-- "a.py"\n--8<--\nb.py\n--8<--\n;--8<-- "c.py"\nx = 1\n'
    assert placeholders(code) == 'def f():\n    pass\npass\npass\npass\n--8<-- "c.py"\nx = 1\n'
    article = parse_text("a.md", f"```python\n{code}```\n")
    assert article.examples[0].ends == (3, 4, 5, 6, 7, 8)


def test_only_python_fences_are_expanded(snippets):
    text = '```text\n--8<-- "code/greet.py"\n```\n'
    assert parse_text("a.md", text, snippets=snippets).examples == ()
    assert mentions(text)
    assert not mentions("```python\nprint(1)\n```\n")


def test_files_lists_what_an_article_includes_at_any_depth(snippets, tmp_path):
    (tmp_path / "code" / "outer.py").write_text('--8<-- "code/greet.py:3:3"\n')
    text = '```python\n--8<-- "code/outer.py"\n--8<-- "code/nowhere.py"\n```\n'
    assert snippets.files("a.md", text) == {
        tmp_path / "code" / "outer.py",
        tmp_path / "code" / "greet.py",
    }
