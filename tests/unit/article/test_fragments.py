"""API fragments: short blocks that use names no block of the article defines."""

from __future__ import annotations

from mdverify.article.parse import parse_text
from mdverify.model import Skip, SkipKind


def skips(*blocks: str) -> list[Skip | None]:
    text = "".join(f"```python\n{block}```\n\n" for block in blocks)
    return [e.settings.skip for e in parse_text("a.md", text).examples]


def test_a_short_block_that_uses_a_name_nothing_defines_is_a_fragment():
    (reason,) = skips("queue = make_queue()\nawait queue.put(item)\n")
    assert reason == Skip(SkipKind.FRAGMENT, "make_queue, item", 2)


def test_a_name_another_block_defines_is_a_dependency_not_a_fragment():
    # The import may fail (a missing package): the NameError after it is worth reading.
    assert skips("import numpy as np\n", "print(np.ones(2))\n") == [None, None]
    assert skips("print(later)\n", "later = 1\n") == [None, None]
    assert skips("    import numpy as np\n", "np.ones(2)\n") == [None, None]  # it does not parse


def test_what_a_fragment_is_not():
    assert skips("item = 1\nprint(item)\n") == [None]  # bound above its use
    assert skips("def f():\n    return undefined\n") == [None]  # only looked up when called
    assert skips("print(undefined)  # 1\n") == [None]  # declares output: meant to run
    assert skips("from os import *\nprint(getcwd)\n") == [None]  # a star import binds anything
    assert skips("a = 1\nb = 2\nc = 3\nprint(undefined)\n") == [None]  # four lines: a program


def test_typos_and_missing_imports_are_mistakes_that_run_and_fail():
    assert skips('pritn("hello")\n') == [None]  # a near-miss of a builtin
    assert skips("total = 3\nprint(totl)\n") == [None]  # a near-miss of a bound name
    # A standard module's name is no sign of a missing import: an asyncio.Queue called queue.
    assert skips("await queue.put(item)\n") != [None]


def test_a_block_that_claims_a_timing_is_meant_to_run():
    assert skips("await wait_for_it()  # takes ~1s\n") == [None]


def unbound(*blocks: str, pycon: str = "") -> list[frozenset[str]]:
    text = "".join(f"```python\n{block}```\n\n" for block in blocks)
    if pycon:
        text += f"```pycon\n{pycon}```\n"
    return [e.unbound for e in parse_text("a.md", text).examples]


def test_an_exercise_or_a_template_may_lack_the_names_nothing_binds():
    # Declared output and any length: what a block may lack is for its run to tell.
    stub = "numbers = [1, 2, 3]\nprint(numbers)\nprint(reverse_list(numbers))  # [3, 2, 1]\n"
    assert unbound(stub + "print(len(numbers))\n") == [{"reverse_list"}]
    template = "for item in iterable:\n    do_this(item)\n    do_that(item)\n    print(item)\n"
    assert unbound(template) == [{"iterable", "do_this", "do_that"}]
    assert unbound("def f():\n    return make_report()\n\n\nprint(f())\n") == [{"make_report"}]
    # A function from a block above may be what looks the name up.
    assert unbound("def f():\n    return make_report()\n", "print(f())\n") == [{"make_report"}] * 2
    assert unbound("print(1)\n", "print(make_report())\n") == [frozenset(), {"make_report"}]


def test_a_block_that_does_not_parse_binds_what_its_lines_bind_alone():
    # It never runs: its SyntaxError, or its skip as a template, comes first.
    template = "if condition:\n    code\nelse\n"
    assert unbound(template, "print(condition)\n") == [frozenset(), {"condition"}]
    indented = "    import numpy as np\n    for row in table:\n    print(np)\n"
    assert unbound(indented, "print(np, row, table)\n") == [frozenset(), {"table"}]


def test_a_name_bound_anywhere_in_the_article_is_never_lacking():
    assert unbound("print(later)\n", "later = 1\n") == [frozenset(), frozenset()]
    assert unbound("print(x)\n", "def f():\n    x = 1\n") == [frozenset(), frozenset()]
    assert unbound("print(x)\n", pycon=">>> x = 1\n") == [frozenset(), frozenset()]
    assert unbound("print(x)\nx = 1\n") == [frozenset()]  # bound below its use
    assert unbound("print(getcwd())\n", "from os import *\n") == [frozenset(), frozenset()]
    # A star import of a module of ours may bind anything: the article lacks nothing.
    assert unbound("print(f(1))\n", "from mymodule import *\n") == [frozenset(), frozenset()]
    # One of a common standard module binds what it exports, and no more.
    assert unbound("from math import *\nprint(sqrt(rgb_color_gen()))\n") == [{"rgb_color_gen"}]


def test_typos_and_missing_imports_are_never_lacking():
    assert unbound('pritn("hello")\nprint(1)\nprint(2)\nprint(3)\n') == [frozenset()]
    assert unbound("total = 3\nprint(totl)\nprint(1)\nprint(2)\n") == [frozenset()]
    assert unbound("print(os.getcwd())\nprint(1)\nprint(2)\nprint(3)\n") == [frozenset()]
    assert unbound("print(json.dumps(data))\n") == [{"data"}]  # json is missing its import
    # A name a standard module exports: a missing `from functools import reduce`.
    assert unbound("print(reduce(plus, [1, 2]))\n") == [{"plus"}]


def test_a_short_block_that_declares_its_exception_is_meant_to_run():
    text = (
        "```python\nundefined_here()\n```\n\n```text\nTraceback (most recent call last):\n"
        "  ...\nNameError: name 'undefined_here' is not defined\n```\n"
    )
    (example,) = parse_text("a.md", text).examples
    assert example.raises
    assert example.settings.skip is None


def examples(*blocks: str):
    text = "".join(f"```python\n{block}```\n\n" for block in blocks)
    return parse_text("a.md", text).examples


def test_a_name_only_a_function_binds_is_a_fragment_naming_that_block():
    drain = "def drain(xs):\n    kept = [x for x in xs if x]\n    return kept\n"
    assert skips(drain, "print(kept)\n")[1] == Skip(SkipKind.LOCAL, "kept", 1)
    # Used before the block binds it at its top level: a listing of lines, not a program.
    assert skips(drain, "await q.put(kept)\nkept = await q.get()\n")[1] == Skip(
        SkipKind.LOCAL, "kept", 1
    )
    # A longer block learns it when it runs: the name, and the block that binds it.
    longer = "n = 0\nfor x in kept:\n    n += 1\nprint(n)\n"
    assert examples(drain, longer)[1].local == (("kept", 1),)


def test_a_global_name_or_one_a_block_binds_at_its_top_level_is_no_local():
    setter = "def setup():\n    global kept\n    kept = [1]\n"
    assert skips(setter, "print(kept)\n") == [None, None]
    assert examples(setter, "n = 0\nfor x in kept:\n    n += 1\nprint(n)\n")[1].local == ()
    both = "def drain():\n    kept = 1\nkept = 2\n"
    assert examples(both, "n = 0\nfor x in [kept]:\n    n += 1\nprint(n)\n")[1].local == ()
    # Used only inside a function of its own: a local of another function is a real bug.
    reader = "def report():\n    return kept\nx = 1\ny = 2\nprint(report())\n"
    assert examples("def drain():\n    kept = 1\n", reader)[1].local == ()
