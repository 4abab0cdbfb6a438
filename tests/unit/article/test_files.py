"""Which Python blocks are files (`mdverify.article.files`), where they go, what they declare."""

import pytest

from mdverify.article.files import file_name, written_to
from mdverify.article.parse import parse_text
from mdverify.model import ArticleError


@pytest.mark.parametrize(
    ("info", "name"),
    [
        ('python title="server.py"', "server.py"),
        ("python title='server.py'", "server.py"),
        ("python title=server.py", "server.py"),
        ('py title="app/main.py"', "app/main.py"),
        ('{.python title="app/main.py"}', "app/main.py"),
        ("python file=server.py", "server.py"),
        ('python file="data/settings.toml"', "data/settings.toml"),
        ('python {file="x.py"}', "x.py"),
        ('python file=x.py title="A caption"', "x.py"),
    ],
)
def test_info_strings_that_name_a_file(info, name):
    assert file_name(info) == name


@pytest.mark.parametrize(
    "info",
    [
        "python",
        'python title="Output"',
        'python title="A server"',
        'python title="The server.py file"',
        'python title="server.pyc"',
        'python title="notes.txt"',
        "python profile=x.py",
        'python linenums="1"',
    ],
)
def test_info_strings_that_name_none(info):
    assert file_name(info) is None


@pytest.mark.parametrize(
    ("name", "path"),
    [("server.py", "server.py"), ("./app/main.py", "app/main.py"), ("a//b.py", "a/b.py")],
)
def test_a_name_is_kept_relative_and_plain(name, path):
    assert written_to("a.md", 3, f'python title="{name}"') == path


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("../x.py", "leaves the working directory"),
        ("app/../../x.py", "leaves the working directory"),
        ("/etc/x.py", "is not relative"),
        ("~/x.py", "is not relative"),
        ("C:/x.py", "is not relative"),
        ("\\\\server\\share\\x.py", "is not relative"),
        ("app/", "names a folder"),
        (".", "names a folder"),
    ],
)
def test_a_name_that_leaves_the_working_directory_is_an_error_at_the_fence(name, says):
    with pytest.raises(ArticleError) as err:
        written_to("a.md", 7, f'python file="{name}"')
    assert err.value.line == 7
    assert says in err.value.message


FILE = '```python title="helpers.py"\nprint(1)  # 2\nx = 3\n# 3\n```\n\n'


def test_a_file_block_declares_nothing_in_its_own_comments():
    (example,) = parse_text("a.md", FILE).examples
    assert example.writes == "helpers.py"
    assert not example.script
    assert example.outputs == ()
    assert example.timings == ()
    assert example.display is None


@pytest.mark.parametrize(
    "command", ["python helpers.py", "python3 ./helpers.py", "py -u helpers.py"]
)
def test_a_transcript_that_runs_the_file_declares_its_output(command):
    text = FILE + f"```console\n$ {command}\n1\n```\n"
    (example,) = parse_text("a.md", text).examples
    assert example.script
    assert [(c.kind, c.expected, c.line) for c in example.outputs] == [("transcript", "1", 9)]


@pytest.mark.parametrize(
    "after",
    [
        "```console\n$ python other.py\n1\n```\n",  # another script
        "```text\n1\n```\n",  # a file prints nothing until something runs it
        "```sh\n# output\n1\n```\n",
    ],
)
def test_other_output_after_a_file_is_not_its_output(after):
    # A transcript of another script is a console block of its own, skipped as it runs a
    # script the article does not write.
    example, *others = parse_text("a.md", FILE + after).examples
    assert [e.kind for e in others] in ([], ["console"])
    assert not example.script
    assert example.outputs == ()


def test_a_file_in_a_folder_pairs_with_the_transcript_that_names_its_path():
    text = '```py title="app/main.py"\nprint(1)\n```\n\n```console\n$ python app/main.py\n1\n```\n'
    (example,) = parse_text("a.md", text).examples
    assert example.writes == "app/main.py"
    assert example.script


def test_a_python_fence_titled_output_is_still_output():
    text = '```python\nprint("hi")\n```\n\n```python title="Output"\nhi\n```\n'
    (example,) = parse_text("a.md", text).examples
    assert example.writes is None
    assert [c.expected for c in example.outputs] == ["hi"]


def test_a_file_block_is_never_guessed_a_fragment_or_a_template():
    text = (
        '```python title="stub.py"\nhandle(request)\n```\n\n```python title="t.py"\ndef f():\n```\n'
    )
    examples = parse_text("a.md", text).examples
    assert [e.settings.skip for e in examples] == [None, None]
    assert [e.writes for e in examples] == ["stub.py", "t.py"]


def test_the_names_a_file_binds_are_not_the_articles():
    text = FILE + "```python\nimport helpers\nprint(helpers.x)  # 3\n```\n"
    file, user = parse_text("a.md", text).examples
    assert file.binds == frozenset()
    assert "helpers" in user.binds


def test_a_directive_claim_holds_only_for_a_file_that_a_transcript_runs():
    directive = "<!-- mdverify: raises=ValueError elapsed=~1s -->\n"
    (written,) = parse_text("a.md", directive + FILE).examples
    assert (written.raises, written.timings) == ((), ())
    run = directive + FILE + "```console\n$ python helpers.py\n```\n"
    (script,) = parse_text("a.md", run).examples
    assert [r.exceptions for r in script.raises] == [("ValueError",)]
    assert [t.text for t in script.timings] == ["~1s"]
