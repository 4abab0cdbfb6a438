"""Which fence after a block declares its output (`mdverify.article.fences`), and the pairing."""

from pathlib import Path

import pytest

from mdverify.article.fences import OUTPUT_WORDS, declared_output, names_output, title
from mdverify.article.parse import parse_text


def claims(text: str, **kwargs):
    """(kind, expected, line, end_line) of each block's claims."""
    return [
        [(c.kind, c.expected, c.line, c.end_line) for c in e.outputs]
        for e in parse_text("a.md", text, **kwargs).examples
    ]


BLOCK = '```python\nprint("hi")\n```\n\n'


@pytest.mark.parametrize(
    "heading",
    [
        "Output",
        "Output:",
        "**Output:**",
        "Expected output",
        "📊 Résultat",
        "Salida",
        "Results",
        "Output (one line a second)",
        "AUSGABE",
        "输出",
    ],
)
def test_headings_that_name_output(heading):
    assert names_output(heading, OUTPUT_WORDS)


@pytest.mark.parametrize(
    "heading", ["Detailed code explanation", "Why output matters here", "result.py", "Printing"]
)
def test_headings_that_do_not(heading):
    assert not names_output(heading, OUTPUT_WORDS)


def test_a_python_title_must_be_the_word_itself():
    assert names_output("Salida:", OUTPUT_WORDS, exactly=True)
    assert not names_output("Print results", OUTPUT_WORDS, exactly=True)
    assert not names_output("result.py", OUTPUT_WORDS, exactly=True)


@pytest.mark.parametrize(
    ("info", "found"),
    [
        ('text title="Output"', "Output"),
        ("python title='Salida'", "Salida"),
        ('{.text title="Sortie"}', "Sortie"),
        ("text title=Output", "Output"),
        ("text", None),
    ],
)
def test_title_of_an_info_string(info, found):
    assert title(info) == found


@pytest.mark.parametrize(
    ("first", "command"),
    [
        ("$ python3 demo.py", "python3 demo.py"),
        ("$ python demo.py", "python demo.py"),
        ("ada@box:~/src$ python3.12 -u demo.py", "python3.12 -u demo.py"),
        ("% py demo.py", "py demo.py"),
        (" $ python demo.py", "python demo.py"),  # a space pasted before the prompt
        ("   $ python3 demo.py", "python3 demo.py"),
    ],
)
def test_a_transcript_that_runs_a_script_declares_the_lines_after_the_prompt(first, command):
    for lang in ("console", "bash", "shell", "sh"):
        declared = declared_output(lang, lang, f"{first}\nhi\nthere", OUTPUT_WORDS, python=False)
        assert declared is not None
        assert (declared.text, declared.first) == ("hi\nthere", 1)
        assert command in declared.form


@pytest.mark.parametrize(
    "body",
    [
        "python3 demo.py\nhi",  # no prompt: the command itself could be output
        "$ python3 demo.py Ada\nhi",  # arguments the block never saw
        "$ python3 -m demo\nhi",  # a module, not the block as a script
        "$ pip install demo\nok",
        "$ python3 demo.py\nhi\n$ python3 other.py\nho",  # several commands
        " $ python3 demo.py\nhi\n $ python3 other.py\nho",  # several, spaced
        "    $ python3 demo.py\nhi",  # four spaces: indented text, not a pasted prompt
    ],
)
def test_other_shell_fences_declare_nothing(body):
    for lang in ("bash", "sh", "console"):
        if lang == "console" and not body.startswith("$"):
            continue  # a console fence without a prompt is plain output (below)
        assert declared_output(lang, lang, body, OUTPUT_WORDS, python=False) is None


def test_a_console_fence_without_a_prompt_is_plain_output_and_the_final_prompt_is_dropped():
    plain = declared_output("console", "console", "hi", OUTPUT_WORDS, python=False)
    assert plain is not None
    assert (plain.text, plain.first) == ("hi", 0)
    ended = declared_output(
        "console", "console", "$ python x.py\nhi\n$", OUTPUT_WORDS, python=False
    )
    assert ended is not None
    assert ended.text == "hi"


@pytest.mark.parametrize("heading", ["#### Output", "### Result:", "## **Output:**"])
def test_a_heading_that_names_output_introduces_the_fence(heading):
    text = f"{BLOCK}{heading}\n\n```\nhi\n```\n"
    assert claims(text) == [[("fence", "hi", 8, 8)]]


def test_a_heading_that_names_output_may_have_one_paragraph_under_it():
    text = f"{BLOCK}### Output\n\nIt prints:\n\n```\nhi\n```\n"
    assert claims(text) == [[("fence", "hi", 10, 10)]]


def test_an_output_heading_after_a_list_of_fragments_is_not_the_last_fragments_output():
    text = "- Step one:\n\n  ```python\n  print('hi')\n  ```\n\n#### Output\n\n```\nhi\n```\n"
    assert claims(text) == [[]]


def test_another_heading_still_ends_the_pairing():
    assert claims(f"{BLOCK}### Next steps\n\n```\nhi\n```\n") == [[]]


def test_an_output_heading_after_a_fence_pairs_nothing():
    text = f"{BLOCK}```\nhi\n```\n\n### Output\n\n```\nagain\n```\n"
    assert claims(text) == [[("fence", "hi", 6, 6)]]


def test_the_heading_is_named_in_the_claims_form():
    (claim,) = parse_text("a.md", f"{BLOCK}#### Output\n\n```\nhi\n```\n").examples[0].outputs
    assert claim.form == 'the output fence under the heading "Output"'


@pytest.mark.parametrize("tight", [True, False])
def test_a_fence_under_a_nested_bullet_is_the_output_of_the_block_above(tight):
    gap = "" if tight else "\n"
    text = (
        f"- Run it:\n{gap}  ```python\n  print('hi')\n  ```\n{gap}"
        f"  - It prints:\n{gap}    ```\n    hi\n    ```\n"
    )
    assert [[c.expected for c in e.outputs] for e in parse_text("a.md", text).examples] == [["hi"]]


@pytest.mark.parametrize("tight", [True, False])
def test_the_next_list_items_fence_is_output_only_under_words_that_say_so(tight):
    gap = "" if tight else "\n"
    step = (
        "1. Make it:\n{gap}   ```python\n   x = 21\n   ```\n{gap}"
        "2. {intro}\n{gap}   ```\n   {body}\n   ```\n"
    )
    code = step.format(gap=gap, intro="Then call it with a keyword:", body="print(x * 2)")
    shown = step.format(gap=gap, intro="It prints:", body="42")
    assert claims(code) == [[]]
    assert [[c[1] for c in block] for block in claims(shown)] == [["42"]]


def test_a_titled_python_fence_is_output_not_code():
    text = f'{BLOCK}```python title="Salida"\nhi\n```\n'
    article = parse_text("a.md", text)
    assert len(article.examples) == 1
    assert claims(text) == [[("fence", "hi", 6, 6)]]


def test_a_python_fence_with_another_title_is_code():
    text = f'{BLOCK}```python title="demo.py"\nprint(1)\n```\n'
    assert len(parse_text("a.md", text).examples) == 2


def test_a_text_fence_titled_output_after_prose_is_paired():
    text = f'{BLOCK}Run it:\n\n```text title="Output"\nhi\n```\n'
    assert claims(text) == [[("fence", "hi", 8, 8)]]


def test_the_words_are_a_setting():
    text = f"{BLOCK}#### Uitvoer\n\n```\nhi\n```\n"
    assert claims(text) == [[("fence", "hi", 8, 8)]]
    assert claims(text, output_words=("Salida",)) == [[]]
    assert claims(f"{BLOCK}#### Output\n\n```\nhi\n```\n", output_words=("Salida",)) == [[]]


def test_a_transcript_claim_starts_after_its_prompt_line():
    text = f"{BLOCK}```console\n$ python3 demo.py\nhi\n```\n"
    assert claims(text) == [[("transcript", "hi", 7, 7)]]


def test_an_empty_transcript_declares_no_output_at_its_place():
    text = f"{BLOCK}```console\n$ python3 demo.py\n```\n"
    assert claims(text) == [[("transcript", "", 7, 6)]]


def test_a_shell_fence_that_runs_something_else_is_not_output():
    # The console transcript is a block of its own (`mdverify.article.console`), skipped.
    assert claims(f"{BLOCK}```console\n$ pip install demo\nok\n```\n")[0] == []
    assert claims(f"{BLOCK}```sh\npip install demo\n```\n") == [[]]


@pytest.mark.parametrize("lang", ["sh", "bash", "shell"])
def test_a_shell_fence_without_a_prompt_right_after_the_block_is_its_output(lang):
    assert claims(f"{BLOCK}```{lang}\nhi\n```\n") == [[("fence", "hi", 6, 6)]]


@pytest.mark.parametrize(
    ("body", "text", "first"),
    [
        ("# output\nhi", "hi", 1),  # a label line, not output
        ("Output:\nhi\nthere", "hi\nthere", 1),
        ("\n\nhi", "hi", 2),  # leading blank lines
        ("time: 01:05\nset = {1}", "time: 01:05\nset = {1}", 0),  # a command's name, then ':'
        ("# # #\n# # #", "# # #\n# # #", 0),  # only comment-like lines: printed
        ("# output\n# it is a str, not a dict\n{'a': 1}", "{'a': 1}", 2),  # the writer's note
        ("    [[1 2]\n     [3 4]]", "[[1 2]\n [3 4]]", 0),  # a notebook export's indentation
    ],
)
def test_what_a_shell_fence_without_a_prompt_declares(body, text, first):
    declared = declared_output("sh", "sh", body, OUTPUT_WORDS, python=False, introduced=True)
    assert declared is not None
    assert (declared.text, declared.first) == (text, first)
    assert declared.kind == ("transcript" if first else "fence")


@pytest.mark.parametrize(
    "body",
    [
        "pip install demo",
        "python app.py",
        "cd project\nls",
        "sudo apt-get install python3",
        "# install it first\npip install demo",
        "./run.sh --fast",
        "demo.py Ada",
        "# output",  # a label and nothing under it
        "",
    ],
)
def test_a_shell_fence_without_a_prompt_that_runs_something_is_no_output(body):
    assert declared_output("sh", "sh", body, OUTPUT_WORDS, python=False, introduced=True) is None


def test_a_shell_fence_without_a_prompt_after_prose_is_output_only_if_introduced():
    assert claims(f"{BLOCK}Then install it:\n\n```sh\nrequests\n```\n") == [[]]
    assert claims(f"{BLOCK}**Output:**\n\n```sh\nhi\n```\n") == [[("fence", "hi", 8, 8)]]
    assert claims(f"{BLOCK}#### Output\n\n```sh\nhi\n```\n") == [[("fence", "hi", 8, 8)]]


def test_the_options_page_quotes_the_default_words():
    page = (Path(__file__).parents[3] / "docs" / "options.md").read_text(encoding="utf-8")
    assert f"| {' '.join(OUTPUT_WORDS)} |" in page


def test_an_introduction_that_names_output_may_follow_an_explanation():
    explained = f"{BLOCK}It adds.\n\n- and prints\n- the sum\n\n"
    assert claims(f"{explained}**Expected output:**\n\n```\nhi\n```\n") == [
        [("fence", "hi", 13, 13)]
    ]
    assert claims(f"{explained}### Output\n\n```\nhi\n```\n") == [[("fence", "hi", 13, 13)]]
    # Without the introduction, or with one that does not end in a colon, it is prose.
    assert claims(f"{explained}Then:\n\n```\nhi\n```\n") == [[]]
    assert claims(f"{explained}Output is below\n\n```\nhi\n```\n") == [[]]


def test_an_introduction_outside_the_blocks_list_does_not_excuse_the_explanation():
    text = (
        "- Step:\n\n  ```python\n  print('hi')\n  ```\n\n  It adds.\n\n"
        "**Output:**\n\n```\nhi\n```\n"
    )
    assert claims(text) == [[]]


def test_an_introduction_outside_the_blocks_blockquote_does_not_excuse_the_explanation():
    text = "> ```python\n> print('hi')\n> ```\n>\n> It adds.\n\n**Output:**\n\n```\nhi\n```\n"
    assert claims(text) == [[]]


def streams(text: str):
    """(stream, expected, line) of each block's claims."""
    return [
        [(c.stream, c.expected, c.line) for c in e.outputs]
        for e in parse_text("a.md", text).examples
    ]


def test_a_stderr_fence_declares_stderr_alone_or_under_the_stdout_fence():
    assert streams(f"{BLOCK}```stderr\noops\n```\n") == [[("stderr", "oops", 6)]]
    under = f"{BLOCK}```\nhi\n```\n\nAnd on stderr:\n\n```stderr\noops\n```\n"
    assert streams(under) == [[("stdout", "hi", 6), ("stderr", "oops", 12)]]
    titled = f'{BLOCK}```text title="stderr"\noops\n```\n'
    assert streams(titled) == [[("stderr", "oops", 6)]]
    assert declared_output("text", 'text title="Stderr"', "x", OUTPUT_WORDS, python=False)


def test_nothing_pairs_after_a_stderr_fence_nor_a_second_stdout_fence():
    assert streams(f"{BLOCK}```stderr\noops\n```\n\n```\nhi\n```\n") == [[("stderr", "oops", 6)]]
    two = f"{BLOCK}```\nhi\n```\n\n```\nagain\n```\n\n```stderr\noops\n```\n"
    assert streams(two) == [[("stdout", "hi", 6)]]


def test_a_python_fence_titled_stderr_is_stderr_not_code():
    text = f'{BLOCK}```python title="stderr"\noops\n```\n'
    assert len(parse_text("a.md", text).examples) == 1
    assert streams(text) == [[("stderr", "oops", 6)]]
