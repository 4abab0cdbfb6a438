"""Which console fences run, and what each command declares (`mdverify.article.console`)."""

from __future__ import annotations

import pytest

from mdverify.article.console import read_transcript
from mdverify.article.parse import parse_text
from mdverify.model import SkipKind

WRITTEN = frozenset({"server.py", "app/main.py", "tools/nap.py"})


def read(body: str, lang: str = "console", written: frozenset[str] = WRITTEN):
    return read_transcript(lang, body, 10, written)


def test_each_command_declares_the_lines_under_it_up_to_the_next_prompt():
    found = read("$ python server.py &\nServing\n$ python -c 'print(1)'\n1\n2\n$")
    assert found is not None
    assert found.skip is None
    assert [(c.line, c.text, c.background) for c in found.commands] == [
        (10, "python server.py", True),
        (12, "python -c 'print(1)'", False),
    ]
    assert [(c.kind, c.expected, c.line, c.upto_line, c.end_line) for c in found.claims] == [
        ("command", "Serving", 11, 10, 11),
        ("command", "1\n2", 13, 12, 14),  # the last bare prompt is no output
    ]


def test_a_continued_command_ends_at_its_last_line():
    found = read("$ python -c \\\n> 'print(1)'\n1")
    assert found is not None
    assert [(c.line, c.text) for c in found.commands] == [(11, "python -c  'print(1)'")]
    assert found.claims[0].line == 12


@pytest.mark.parametrize(
    ("body", "status", "shown"),
    [
        ("$ python server.py\n[3]", 3, False),
        ("$ python server.py\nTraceback (most recent call last):\nValueError: x", None, True),
        ("$ python server.py\nusage: server.py [-h]\nserver.py: error: bad", None, True),
        ("$ python server.py\nall fine", None, False),
    ],
)
def test_the_transcript_may_show_an_exit_status_or_an_error(body, status, shown):
    found = read(body)
    assert found is not None
    assert (found.commands[0].status, found.commands[0].shows_error) == (status, shown)


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ("$ pip install aiohttp\n$ python server.py", "pip install aiohttp"),
        ("$ curl localhost:8080", "curl localhost:8080"),
        ("$ python manage.py runserver", "python manage.py runserver"),
        ("$ python", "python"),
        ("$ python -m pip install x", "python -m pip install x"),
        ("$ python -m http.server", "python -m http.server"),
        ("$ python server.py | grep x", "python server.py | grep x"),
        ("$ python server.py && echo ok", "python server.py && echo ok"),
        ("$ python $(which x).py", "python $(which x).py"),
        ("$ cd /tmp\n$ python server.py", "cd /tmp"),
        ("$ cd ..\n$ python server.py", "cd .."),
        ("$ python nap.py", "python nap.py"),  # it is tools/nap.py
    ],
)
def test_a_fence_with_a_command_it_does_not_run_is_skipped_at_that_command(body, refused):
    found = read(body)
    assert found is not None
    assert found.skip is not None
    assert found.skip.kind is SkipKind.COMMAND
    assert found.skip.detail == refused


@pytest.mark.parametrize(
    "body",
    [
        "$ python server.py",
        "$ python3 -u ./server.py --port 80",
        "$ python3.11 -W ignore -m app.main",
        "$ PORT=80 python server.py > out.txt 2>&1",
        "$ python -c 'import sys; print(sys.argv)' a b",
        "$ cd tools\n$ python nap.py\n$ cd ..\n$ python server.py",
        "$ export PORT=80\n$ python server.py",
    ],
)
def test_python_on_what_the_article_shows_runs(body):
    found = read(body)
    assert found is not None
    assert found.skip is None


@pytest.mark.parametrize(("body", "prompt"), [("PS> python x.py", "PS>"), ("% ls", "%")])
def test_another_shells_prompt_is_skipped_and_named(body, prompt):
    found = read(f"\n{body}\nout")
    assert found is not None
    assert found.skip is not None
    assert (found.skip.kind, found.skip.detail, found.skip.line) == (
        SkipKind.OTHER_SHELL,
        prompt,
        11,
    )


@pytest.mark.parametrize(
    ("lang", "body"),
    [
        ("console", "Serving on port 80"),  # output, no prompt
        ("console", "$ export A=1\n$ cd app"),  # sets up the shell only
        ("bash", "$ python server.py"),  # only console and shell fences run
        ("console", ""),
    ],
)
def test_what_is_no_transcript(lang, body):
    assert read(body, lang) is None


def test_the_asyncio_repl_is_a_pycon_session_from_its_first_prompt():
    text = (
        "```console\n$ python -m asyncio\nasyncio REPL 3.11\n>>> await asyncio.sleep(0, 1)\n"
        "1\n>>> exit()\n```\n"
    )
    (example,) = parse_text("a.md", text).examples
    assert (example.kind, example.repl, example.code_line) == ("pycon", True, 4)
    assert example.source == ">>> await asyncio.sleep(0, 1)\n1\n"
    assert [(c.kind, c.expected, c.line) for c in example.outputs] == [("prompt", "1", 5)]


def test_a_transcript_is_a_block_of_its_own_that_knows_the_files_above_it():
    text = (
        '# Run\n\n```python title="server.py"\nprint(1)\n```\n\n'
        "```console\n$ python server.py &\n$ python server.py\n1\n```\n"
    )
    file, console = parse_text("a.md", text).examples
    assert file.writes == "server.py"
    assert not file.script  # two commands: the transcript is no output of the file
    assert (console.kind, console.line, console.name) == ("console", 7, "Run #2")
    assert console.settings.skip is None
    assert console.ends == (8, 9)


def test_a_directive_above_a_transcript_applies_to_it():
    text = "<!-- mdverify: skip -->\n```console\n$ python -c 'print(1)'\n1\n```\n"
    (example,) = parse_text("a.md", text).examples
    assert example.kind == "console"
    assert example.settings.skip is not None
    assert example.settings.skip.kind is SkipKind.WRITER


def test_a_front_matter_file_may_be_run():
    text = "---\nmdverify:\n  files:\n    data.py: print(1)\n---\n"
    text += "```console\n$ python data.py\n1\n```\n"
    (example,) = parse_text("a.md", text).examples
    assert example.settings.skip is None
