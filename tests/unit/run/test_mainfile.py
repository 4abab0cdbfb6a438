"""`__main__`'s file: each statement at its article line, as one script."""

from __future__ import annotations

import ast

from mdverify.run.mainfile import Piece, Script, piece, render


def _pieces(source: str) -> list[Piece]:
    lines = source.split("\n")
    return [piece(lines, stmt) for stmt in ast.parse(source).body]


def test_each_statement_keeps_its_line_and_its_decorators():
    source = "\n\nimport os\n\n@staticmethod\n@property\ndef f():\n    return 1\n"
    assert render(_pieces(source)) == source.rstrip("\n") + "\n"


def test_two_statements_on_one_line_are_each_written_once():
    assert _pieces("a = 1; b = 2  # two") == [Piece(1, "a = 1"), Piece(1, "b = 2")]
    assert render(_pieces("a = 1; b = 2")) == "a = 1\nb = 2\n"


def test_a_piece_that_would_overlap_comes_on_the_next_free_line():
    assert render([Piece(1, "x = 1\ny = 2"), Piece(2, "z = 3"), Piece(5, "w = 4")]) == (
        "x = 1\ny = 2\nz = 3\n\nw = 4\n"
    )


def test_the_file_holds_what_ran_then_the_block_running(tmp_path):
    script = Script.under(str(tmp_path), 0, "/docs/guide.md")
    assert script.path == str(tmp_path / "scripts" / "0" / "guide.py")
    script.begin([Piece(2, "a = 1"), Piece(3, "raise ValueError")])
    assert (tmp_path / "scripts/0/guide.py").read_text() == "\na = 1\nraise ValueError\n"
    script.ran(Piece(2, "a = 1"))  # the raise never ran to its end
    script.begin([Piece(8, "b = 2")])
    assert (tmp_path / "scripts/0/guide.py").read_text() == "\na = 1\n" + "\n" * 5 + "b = 2\n"


def test_a_piece_that_did_not_run_is_gone_from_the_next_version(tmp_path):
    script = Script(str(tmp_path / "s.py"))
    first, failed, last = Piece(1, "a = 1"), Piece(2, "b = 1 / 0"), Piece(3, "c = 3")
    script.begin([first, failed, last])
    script.ran(first)
    script.ran(last)  # as after a pycon prompt whose exception its answer shows
    script.begin([Piece(9, "d = 4")])
    assert (tmp_path / "s.py").read_text() == "a = 1\n\nc = 3\n" + "\n" * 5 + "d = 4\n"


def test_a_removed_file_is_written_whole_again(tmp_path):
    script = Script(str(tmp_path / "s.py"))
    script.begin([Piece(1, "a = 1")])
    script.ran(Piece(1, "a = 1"))
    (tmp_path / "s.py").unlink()
    script.begin([Piece(2, "b = 2")])
    assert (tmp_path / "s.py").read_text() == "a = 1\nb = 2\n"
