"""A block that includes files, compiled in the child (`mdverify.run.included`)."""

from __future__ import annotations

import ast
import traceback

import pytest

from mdverify.run.included import Places
from mdverify.run.raised import format_error

ARTICLE = "/docs/a.md"
FILE = "/src/helpers.py"


def block(source: str, origins: list[int], runs: list[tuple[int, int, int, int]]) -> dict:
    """A BlockRequest at article line 10; runs: (article line, block line, file line, count)."""
    return {
        "code_line": 10,
        "source": source,
        "origins": origins,
        "included": [
            {"path": FILE, "name": "src/helpers.py", "line": line, "at": at, "first": first,
             "count": count}
            for line, at, first, count in runs
        ],
    }  # fmt: skip


# Article line 10 is `x = 1`, line 11 includes helpers.py's lines 3-4, line 12 calls it.
SOURCE = "x = 1\ndef boom():\n    raise ValueError(x)\nboom()\n"
BLOCK = block(SOURCE, [10, 11, 11, 12], [(11, 2, 3, 2)])


def run(places: Places, source: str) -> BaseException:
    tree = ast.parse("\n" * 9 + source)
    scope: dict[str, object] = {}
    for stmt in tree.body:
        own = places.place(stmt)
        code = compile(ast.Module(body=[stmt], type_ignores=[]), own, "exec")
        try:
            exec(code, scope)
        except ValueError as exc:
            return exc
    pytest.fail("nothing raised")


def test_an_included_statement_compiles_at_its_file_s_lines_the_others_at_the_article_s():
    places = Places(BLOCK, ARTICLE)
    exc = run(places, SOURCE)
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(exc.__traceback__)]
    assert frames[-2:] == [(ARTICLE, 12), (FILE, 4)]
    assert places.error_line(exc, 12) == 12


def test_an_error_only_included_frames_show_is_at_the_line_that_includes_them():
    source = "def boom():\n    raise ValueError(1)\nboom()\n"
    places = Places(block(source, [11, 11, 11], [(11, 1, 1, 3)]), ARTICLE)
    exc = run(places, source)
    assert traceback.extract_tb(exc.__traceback__)[-1].filename == FILE
    assert places.error_line(exc, None) == 11
    text = format_error(exc, ARTICLE, "docs/a.md", places.names)
    assert 'File "src/helpers.py", line 2, in boom' in text
    assert 'File "src/helpers.py", line 3, in <module>' in text


def test_a_statement_with_lines_of_both_is_the_article_s_at_the_including_line():
    source = "def f():\n    y = 2\n    return 1 / 0\n"
    places = Places(block(source, [10, 11, 12], [(12, 3, 7, 1)]), ARTICLE)
    (stmt,) = ast.parse("\n" * 9 + source).body
    assert places.place(stmt) == ARTICLE
    assert [n.lineno for n in ast.walk(stmt) if isinstance(n, ast.stmt)] == [10, 11, 12]


def test_a_function_whose_body_is_one_file_s_runs_as_that_file_s_at_the_include():
    source = "def f():\n    raise ValueError(1)\nf()\n"
    places = Places(block(source, [10, 11, 12], [(11, 2, 7, 1)]), ARTICLE)
    tree = ast.parse("\n" * 9 + source)
    scope: dict[str, object] = {}
    with pytest.raises(ValueError) as caught:  # noqa: PT012 -- the block's statements, in turn
        for stmt in tree.body:
            own = places.place(stmt)
            exec(places.refiled(compile(ast.Module([stmt], []), own, "exec")), scope)
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(caught.value.__traceback__)]
    assert frames[-2:] == [(ARTICLE, 12), (FILE, 7)]
    assert places.error_line(caught.value, 12) == 11


def test_a_syntax_error_in_an_included_line_names_the_file_and_its_text():
    source = "x = 1\ndef oops(:\n"
    places = Places(block(source, [10, 11], [(11, 2, 5, 1)]), ARTICLE)
    with pytest.raises(SyntaxError) as caught:
        ast.parse("\n" * 9 + source, filename=ARTICLE)
    err = places.syntax_error(caught.value)
    assert (err.filename, err.lineno, err.text) == (FILE, 5, "def oops(:\n")
    assert places.error_line(err, None) == 11


def test_a_block_that_includes_nothing_is_left_as_it_is():
    places = Places({"code_line": 10, "source": "x = 1\n"}, ARTICLE)
    (stmt,) = ast.parse("\n" * 9 + "x = 1\n").body
    assert places.place(stmt) == ARTICLE
    assert stmt.lineno == 10
