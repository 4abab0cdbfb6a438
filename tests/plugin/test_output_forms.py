"""Output declared the ways docs written elsewhere declare it: under a heading, in a nested
bullet, as a console transcript, by a fence's title. Each article has a block whose declared
output is right and one whose declared output is wrong, which must fail at its line."""

from __future__ import annotations

import pytest


def _check(result: pytest.RunResult, line: int, form: str) -> None:
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"article.md:{line}: output differs from what the block printed",
            f"declared by {form} (line {line})",
            "-wrong",
            "+b",
        ]
    )


@pytest.mark.parametrize("heading", ["#### Output", "### Result:"])
def test_a_fence_under_a_heading_that_names_output(pytester, article, heading):
    article(
        "article.md",
        f"""
        # Title

        ```python
        print("a")
        ```

        {heading}

        ```
        a
        ```

        ```python
        print("b")
        ```

        {heading}

        ```
        wrong
        ```
        """,
    )
    name = heading.lstrip("# ")
    _check(pytester.runpytest(), 20, f'the output fence under the heading "{name}"')


def test_a_fence_under_a_nested_bullet(pytester, article):
    article(
        "article.md",
        """
        - Run it:

          ```python
          print("a")
          ```

          - It prints:

            ```
            a
            ```

        - Then this:
          ```python
          print("b")
          ```
          - It prints:
            ```
            wrong
            ```
        """,
    )
    _check(pytester.runpytest(), 19, "the output fence")


@pytest.mark.parametrize("lang", ["console", "bash", "shell", "sh"])
def test_a_console_transcript_that_runs_the_block(pytester, article, lang):
    article(
        "article.md",
        f"""
        # Title

        ```python
        print("a")
        ```

        ```{lang}
        $ python3 demo.py
        a
        ```

        ```python
        print("b")
        ```

        Run it:

        ```{lang}
        ada@box:~$ python demo.py
        wrong
        ```
        """,
    )
    _check(pytester.runpytest(), 20, 'the console transcript of "python demo.py"')


def test_a_transcript_of_another_command_is_not_declared_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")
        ```

        ```console
        $ python3 demo.py --verbose
        not what the block printed
        ```
        """,
    )
    # The transcript is a block of its own, skipped: it runs a script no block writes.
    pytester.runpytest().assert_outcomes(passed=1, skipped=1)


def test_fences_whose_title_names_output(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")
        ```

        ```python title="Salida"
        a
        ```

        ```python
        print("b")
        ```

        ```text title="Output"
        wrong
        ```
        """,
    )
    _check(pytester.runpytest(), 16, 'the fence titled "Output"')


def test_the_words_for_output_are_an_ini_setting(pytester, article):
    pytester.makeini("[pytest]\nmdverify_output_words = Uitvoer\n")
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")
        ```

        #### Output

        ```
        not compared: Output is not one of the words now
        ```

        ```python
        print("b")
        ```

        #### Uitvoer

        ```
        wrong
        ```
        """,
    )
    _check(pytester.runpytest(), 20, 'the output fence under the heading "Uitvoer"')


def test_update_rewrites_a_heading_fence_and_leaves_a_transcript_to_the_writer(pytester, article):
    article(
        "article.md",
        """
        # Title

        ```python
        print("a")
        ```

        ### Output

        ```
        old
        ```

        ```python
        print("b")
        ```

        ```console
        $ python3 demo.py
        old
        ```
        """,
    )
    result = pytester.runpytest("--mdverify-update")
    result.stdout.fnmatch_lines(["*article.md:19: a console transcript is not rewritten*"])
    text = (pytester.path / "article.md").read_text()
    assert "```\na\n```" in text
    assert "$ python3 demo.py\nold\n" in text
