"""`mdverify.run.claimed`: what a named print call wrote, and the value a line showed."""

import builtins
import io
import sys

from mdverify.run.claimed import Recorder

PATH = "/docs/article.md"
SOURCE = "def f():\n    for i in range(2):\n        print(i)\n    print('x')\nf()\n"


def run(watched, shown):
    out = io.StringIO()
    recorder = Recorder(PATH, watched, shown, lambda: len(out.getvalue()), lambda: None)
    code = compile(SOURCE, PATH, "exec")
    saved = sys.stdout
    sys.stdout = out
    try:
        with recorder:
            exec(code, {})
            exec(compile("len('ab')", PATH, "single"), {})
    finally:
        sys.stdout = saved
    return recorder, out.getvalue()


def test_each_call_of_a_watched_print_is_recorded_at_its_own_line():
    recorder, out = run({(3, 8)}, ())
    assert out == "0\n1\nx\n2\n"  # the REPL-style line shows its value: nothing watches it
    assert recorder.calls == [(3, 8, 0, 2), (3, 8, 2, 4)]


def test_print_and_the_hook_are_themselves_again_after_the_block():
    before = (print, sys.displayhook)
    run({(3, 8)}, {1})
    assert builtins.print is before[0]
    assert sys.displayhook is before[1]


def test_an_unwatched_block_leaves_print_and_the_hook_alone():
    before = (print, sys.displayhook)
    recorder, _ = run(set(), ())
    assert recorder.calls == []
    assert (print, sys.displayhook) == before


def test_a_shown_value_is_recorded_not_printed():
    recorder, out = run(set(), {1})
    assert out == "0\n1\nx\n"
    assert recorder.values == [(1, ["2"])]
