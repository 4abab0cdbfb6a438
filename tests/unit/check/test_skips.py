"""Skips in words: one sentence per kind, and the summary's group for each."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mdverify.article.parse import parse_text
from mdverify.check.compare import judge
from mdverify.check.runskips import failed_names, skip_of, stale_names
from mdverify.check.skips import TEMPLATE, skip_group, skip_text
from mdverify.model import (
    BlockSettings,
    Example,
    Halt,
    Interruption,
    Observation,
    OutputClaim,
    Raised,
    Skip,
    SkipKind,
    Status,
)


def missing(name: str) -> Raised:
    """The NameError a block ends with when `name` is nowhere bound."""
    return Raised("NameError", f"name {name!r} is not defined", name=name)


@pytest.mark.parametrize(
    ("skip", "text"),
    [
        (Skip(SkipKind.WRITER, "waits for staging: see ops.md"), "waits for staging: see ops.md"),
        (Skip(SkipKind.WRITER), "mdverify: skip directive"),
        (Skip(SkipKind.PYTHON, ">=3.99"), "needs Python >=3.99"),
        (Skip(SkipKind.IMPORT, "numpy, scipy"), "needs numpy, scipy (not importable here)"),
        (
            Skip(SkipKind.SHELL, "$ pip install rich", 4),
            "shell commands, not Python (line 4: $ pip install rich)",
        ),
        (Skip(SkipKind.PLACEHOLDER, "<name>", 12), f"{TEMPLATE}: the placeholder <name> (line 12)"),
        (Skip(SkipKind.GUTTER, line=3), f"{TEMPLATE}: a listing with line numbers (line 3)"),
        (
            Skip(SkipKind.ELLIPSIS, "f(a, ..)", 3),
            f"{TEMPLATE}: '...' for the code left out: f(a, ..) (line 3)",
        ),
        (
            Skip(SkipKind.FRAGMENT, "item, port", 9),
            (
                "fragment, not a program: uses item, port, which no block of the article "
                "defines (line 9)"
            ),
        ),
        (
            Skip(SkipKind.NOT_REACHED, line=7, cause=Interruption(Halt.TIMEOUT, 5.0)),
            "not run: the block at line 7 timed out",
        ),
        (
            Skip(SkipKind.NOT_REACHED, line=7, cause=Interruption(Halt.EXITED, code=-9)),
            "not run: the block at line 7 crashed the interpreter (SIGKILL)",
        ),
        (Skip(SkipKind.NOT_REACHED), "not run: the article's process ended at an earlier block"),
        (
            Skip(SkipKind.UNBOUND, "reverse_list", 6),
            (
                "uses reverse_list, which no block of the article defines: an exercise or a"
                " template, not runnable as it stands (line 6)"
            ),
        ),
        (
            Skip(SkipKind.UNBOUND, "iterable", 6, unchecked=2),
            (
                "uses iterable, which no block of the article defines: an exercise or a"
                " template, not runnable as it stands (line 6); its 2 declared outputs were"
                " not compared"
            ),
        ),
        (Skip(SkipKind.STDIN, line=4), "reads standard input (line 4); examples get none"),
        (
            Skip(SkipKind.STDIN, line=4, unchecked=1),
            (
                "reads standard input (line 4); examples get none; its declared output was"
                " not compared"
            ),
        ),
    ],
)
def test_each_kind_has_its_sentence(skip, text):
    assert skip_text(skip) == text


def test_every_kind_has_words():
    for kind in SkipKind:
        assert skip_text(Skip(kind, "x", 1))
        assert skip_group(Skip(kind, "x", 1))


def test_the_summary_groups_mdverifys_reasons_by_kind_and_keeps_what_a_block_needs_whole():
    skips = [
        Skip(SkipKind.FRAGMENT, "item", 9),
        Skip(SkipKind.FRAGMENT, "port", 30),
        Skip(SkipKind.PLACEHOLDER, "<name>", 12),
        Skip(SkipKind.GUTTER, line=40),
        Skip(SkipKind.WRITER, "waits for the staging database: see ops.md"),
        Skip(SkipKind.WRITER, TEMPLATE),  # content/ writes it by hand: one group with ours
        Skip(SkipKind.IMPORT, "numpy"),
        Skip(SkipKind.UNBOUND, "reverse_list", 6),
        Skip(SkipKind.UNBOUND, "iterable", 20, unchecked=1),
        Skip(SkipKind.STDIN, line=4),
    ]
    assert [skip_group(s) for s in skips] == [
        "fragment, not a program",
        "fragment, not a program",
        TEMPLATE,
        TEMPLATE,
        "waits for the staging database: see ops.md",
        TEMPLATE,
        "needs numpy (not importable here)",
        "uses a name no block of the article defines",
        "uses a name no block of the article defines",
        "reads standard input; examples get none",
    ]


def after_run(
    raised, *, unbound=frozenset({"reverse_list"}), xfail=None, outputs=(), asked=False, out=""
):
    """What `skip_of` makes of a block at line 5 that raised at line 6 (None: ran cleanly)."""
    settings = BlockSettings(xfail=xfail)
    source = "print(reverse_list([1]))\n"
    example = Example(0, "python", source, 5, 6, "t", settings, outputs=outputs, unbound=unbound)
    if raised is None:
        obs = Observation(0, Status.OK, stdout=out, asked_input=asked)
    else:
        obs = Observation(
            0, Status.RAISED, error="Traceback", error_line=6, raised=raised, asked_input=asked
        )
    return skip_of(judge(example, obs, 0.1))


def test_a_nameerror_for_a_name_the_block_may_lack_is_a_skip_at_its_line():
    claim = OutputClaim("trailing", "[1]", 6, 6)
    assert after_run(missing("reverse_list")) == Skip(SkipKind.UNBOUND, "reverse_list", 6)
    skip = after_run(
        missing("reverse_list"),
        outputs=(claim,),
    )
    assert skip == Skip(SkipKind.UNBOUND, "reverse_list", 6, unchecked=1)


def test_any_other_exception_or_name_fails():
    # The parse decided which names a block may lack: a typo, a standard module or a name
    # bound elsewhere in the article is not among them (tests/unit/article/test_fragments.py).
    assert after_run(missing("reverse_lst")) is None
    assert after_run(missing("os"), unbound=frozenset()) is None
    assert after_run(Raised("UnboundLocalError", "", name="reverse_list")) is None
    assert after_run(Raised("ValueError", "")) is None
    no_data = Observation(0, Status.RAISED, error="NameError: name 'reverse_list' is not defined")
    example = Example(0, "python", "", 5, 6, "t", unbound=frozenset({"reverse_list"}))
    assert skip_of(judge(example, no_data, 0.1)) is None  # the traceback's text is not read


def test_input_without_stdin_is_an_environment_skip():
    assert after_run(Raised("EOFError", ""), asked=True) == Skip(SkipKind.STDIN, line=6)
    assert after_run(Raised("EOFError", "")) is None  # an EOFError of the example's own
    assert after_run(Raised("TypeError", ""), asked=True) is None  # a failure of its own


def test_a_block_that_asked_for_input_and_went_on_is_skipped_unless_its_output_matched():
    claim = OutputClaim("fence", "none", 8)
    assert after_run(None, asked=True) == Skip(SkipKind.STDIN)
    assert after_run(None, asked=True, outputs=(claim,), out="Name? none\n") == Skip(
        SkipKind.STDIN, unchecked=1
    )
    assert after_run(None, asked=True, outputs=(claim,), out="none\n") is None  # it matched


def test_a_block_marked_xfail_is_the_writers_to_judge():
    assert (
        after_run(
            missing("reverse_list"),
            xfail="an exercise",
        )
        is None
    )
    assert after_run(Raised("EOFError", ""), asked=True, xfail="asks for a name") is None


def test_a_declared_exception_that_was_raised_is_the_example_not_a_skip():
    line = "print(reverse_list([1]))  # NameError: name 'reverse_list' is not defined"
    (example,) = parse_text("a.md", f"```python\n{line}\n```\n").examples
    assert example.unbound  # the name is one the block may lack
    error = "NameError: name 'reverse_list' is not defined"
    raised = replace(missing("reverse_list"), statement=2)
    obs = Observation(0, Status.RAISED, error=error, error_line=2, raised=raised)
    verdict = judge(example, obs)
    assert verdict.raised_as is not None
    assert verdict.passed
    assert skip_of(verdict) is None


def test_a_name_only_a_failed_block_above_binds_is_a_skip_that_names_that_block():
    text = (
        "```python\nitems = load()\n```\n\n"  # line 1: fails (load is nowhere)
        "```python\nfor item in items:\n    print(item)\n```\n\n"  # line 5
        "```python\nitems = [1]\n```\n\n"  # line 10: binds items again, and runs
        "```python\nprint(items)\n```\n"  # line 14
    )
    examples = parse_text("a.md", text).examples
    observations = {
        0: Observation(0, Status.RAISED, raised=missing("load")),
        1: Observation(1, Status.RAISED, raised=missing("items")),
        2: Observation(2, Status.OK),
    }
    assert failed_names(examples, observations, 1) == {"items": 1}
    # A later block bound items again; the loop variable of the failed block is still its.
    assert failed_names(examples, observations, 3) == {"item": 5}
    verdict = judge(examples[1], observations[1])
    skip = skip_of(verdict, failed_names(examples, observations, 1))
    assert skip == Skip(SkipKind.AFTER_FAILURE, "items", 1)
    assert skip_text(skip) == (
        "uses items, which only the block at line 1 defines, and that block failed"
    )
    assert skip_of(verdict) is None  # without the failure above, a NameError of its own


def test_failed_and_stale_names_count_only_the_blocks_of_the_same_namespace():
    text = (
        "<!-- mdverify: session=a -->\n```python\nrows = load()\n```\n\n"  # line 2: fails
        "<!-- mdverify: session=b -->\n```python\nrows = []\n```\n\n"  # line 7: runs
        "<!-- mdverify: session=a -->\n```python\nprint(rows)\n```\n"  # line 12
    )
    examples = parse_text("a.md", text).examples
    observations = {
        0: Observation(0, Status.RAISED, raised=missing("load")),
        1: Observation(1, Status.OK),
    }
    # Session b's rows is no binding for session a, whose only binder failed.
    assert failed_names(examples, observations, 2) == {"rows": 2}
    assert stale_names(examples, observations, 2) == {"rows": 2}
    # And a failure in session a leaves session b's names alone.
    observations = {0: Observation(0, Status.OK), 1: Observation(1, Status.RAISED)}
    assert failed_names(examples, observations, 2) == {}
    assert stale_names(examples, observations, 2) == {}


def test_a_norun_block_is_never_skipped_after_it_compiled_only_when_not_reached():
    settings = BlockSettings(norun=True)
    example = Example(0, "python", "import x\n", 5, 6, "t", settings, unbound=frozenset({"x"}))
    failed = Observation(0, Status.RAISED, error="Traceback", error_line=6, raised=missing("x"))
    assert skip_of(judge(example, failed)) is None
    cut = Interruption(Halt.NOT_REACHED, line=2)
    unreached = Observation(0, Status.NOT_RUN, interruption=cut)
    assert skip_of(judge(example, unreached)) == Skip(SkipKind.NOT_REACHED, line=2)
