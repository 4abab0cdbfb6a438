"""A `norun` block: compiled and its imports looked up, never run (`mdverify.run.compiled`)."""

import ast
import sys
import traceback

import pytest

from mdverify.run.compiled import check_block, imported

TOP_LEVEL_AWAIT = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def test_imports_at_any_depth_by_their_top_level_name_and_line():
    tree = ast.parse(
        "import os.path, json\n"
        "from email.message import Message\n"
        "from . import sibling\n"
        "def f():\n"
        "    import boto3.s3\n"
    )
    assert imported(tree) == [("os", 1), ("json", 1), ("email", 2), ("boto3", 5)]


def test_guarded_imports_are_optional_and_not_looked_up():
    tree = ast.parse(
        "try:\n    import ujson\nexcept (ValueError, ImportError):\n    import json\n"
        "try:\n    import orjson\nexcept:\n    pass\n"
        "try:\n    import needed\nexcept KeyError:\n    pass\nfinally:\n    import after\n"
        "if TYPE_CHECKING:\n    import stubs\nelse:\n    import real\n"
        "if typing.TYPE_CHECKING:\n    import more_stubs\n"
        "with contextlib.suppress(ModuleNotFoundError):\n    import extra\n"
        "with open('f'):\n    import opened\n"
    )
    assert [name for name, _ in imported(tree)] == ["json", "needed", "after", "real", "opened"]


def test_a_block_whose_imports_are_there_passes_without_running(capsys):
    check_block("python", 'import json\nprint("ran")\nraise SystemExit(1)\n', 5, "a.md", 0)
    check_block("pycon", ">>> import json\n>>> raise SystemExit(1)\n", 5, "a.md", 0)
    assert capsys.readouterr().out == ""


def test_a_syntax_error_is_raised_at_its_article_line():
    with pytest.raises(SyntaxError) as caught:
        check_block("python", "x = 1\nif x print(x)\n", 10, "a.md", 0)
    assert (caught.value.filename, caught.value.lineno) == ("a.md", 11)


def test_what_only_the_compiler_refuses_is_a_syntax_error_too():
    with pytest.raises(SyntaxError, match="'return' outside function") as caught:
        check_block("python", "x = 1\nreturn x\n", 3, "a.md", 0)
    assert caught.value.lineno == 4


def test_top_level_await_compiles_with_the_runs_flags():
    source = "import asyncio\nawait asyncio.sleep(1)\n"
    check_block("python", source, 1, "a.md", TOP_LEVEL_AWAIT)
    with pytest.raises(SyntaxError):
        check_block("python", source, 1, "a.md", 0)


def test_a_session_is_compiled_one_prompt_at_a_time():
    with pytest.raises(SyntaxError) as caught:
        check_block("pycon", ">>> x = 1\n>>> x +* 2\n", 20, "a.md", 0)
    assert caught.value.lineno == 21


def test_a_missing_module_is_raised_as_its_import_would_be_at_its_line():
    source = "import json\n\ndef f():\n    from mdverify_no_such_sdk.client import C\n"
    with pytest.raises(ModuleNotFoundError) as caught:
        check_block("python", source, 7, "a.md", 0)
    assert str(caught.value) == "No module named 'mdverify_no_such_sdk'"
    assert caught.value.name == "mdverify_no_such_sdk"
    last = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (last.filename, last.lineno) == ("a.md", 10)


def test_a_module_on_the_path_is_found_without_being_imported(tmp_path, monkeypatch):
    (tmp_path / "mdverify_explodes.py").write_text('raise RuntimeError("imported")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    check_block("python", "from mdverify_explodes import thing\n", 1, "a.md", 0)
    assert "mdverify_explodes" not in sys.modules
