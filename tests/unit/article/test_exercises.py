"""Exercises: which functions the prose above a block asks the reader to write."""

from __future__ import annotations

import pytest

from mdverify.article.parse import parse_text
from mdverify.model import SkipKind


def asked_after(prose: str, code: str) -> tuple[tuple[str, int], ...]:
    # An earlier example defines a function of the same name: a call still runs into it.
    text = f"```python\ndef greet(name, place):\n    pass\n```\n\n{prose}\n\n```python\n{code}```\n"
    _, example = parse_text("a.md", text).examples
    return example.asked


@pytest.mark.parametrize(
    "prose",
    [
        "Write a function called `greet` that takes a name.",
        "1. Create a function named _greet_, with a default argument.",
        "Declare a function named **greet**. It prints a greeting.",
        "Call your function greet, it takes a name",
        "Escribe una función llamada `greet` que salude.",
    ],
)
def test_prose_that_asks_for_the_function_makes_a_call_of_it_an_exercise(prose: str):
    assert asked_after(prose, "greet()  # Hello\n") == (("greet", 6),)


@pytest.mark.parametrize(
    ("prose", "code"),
    [
        ("Now call the function named `greet`:", "greet()\n"),  # names it, asks nothing
        ("Write a function called `greet`:", "def greet():\n    print('hi')\n\ngreet()\n"),
        ("Write a function called `greet`:", "greet = print\ngreet('hi')\n"),  # an answer
        ("Write a function called `greet`:", "print(greeting())\n"),  # another name
        ("Write a function called `greet`:", "obj.greet()\n"),  # a method, not the function
    ],
)
def test_what_is_no_exercise(prose: str, code: str):
    assert asked_after(prose, code) == ()


def test_only_the_prose_since_the_previous_fence_counts():
    text = (
        "Write a function called `greet`.\n\n```python\nprint(1)\n```\n\n"
        "Then:\n\n```python\ngreet()\n```\n"
    )
    examples = parse_text("a.md", text).examples
    assert [e.asked for e in examples] == [(), ()]
    assert examples[1].settings.skip is not None  # a fragment: greet is bound nowhere
    assert examples[1].settings.skip.kind is SkipKind.FRAGMENT
