"""Which articles leave the virtual clock for their event loop (mdverify.article.loops)."""

from __future__ import annotations

import pytest

from mdverify.article.loops import foreign_loop, warning
from mdverify.article.syntax import read_block


def _blocks(*sources: str):
    return [read_block(source, 1) for source in sources]


@pytest.mark.parametrize(
    ("sources", "found"),
    [
        (("import asyncio\nasyncio.run(main())",), None),
        (("x = 1", "import trio"), (1, "trio")),
        (("from trio import sleep",), (0, "trio")),
        (("import uvloop.loop",), (0, "uvloop")),
        (("def f():\n    import curio\n",), (0, "curio")),
        (("import anyio\nanyio.run(main)",), None),  # anyio on asyncio: virtual
        (("import anyio", "anyio.run(main, backend='trio')"), (0, "anyio")),
        (("print('trio')",), None),  # the word alone, with no import
        (("import trio(",), None),  # a block that does not parse imports nothing
    ],
)
def test_the_first_block_that_imports_a_foreign_loop_is_found(sources, found):
    assert foreign_loop(_blocks(*sources)) == found


def test_blocks_that_do_not_run_are_left_out():
    assert foreign_loop([None, *_blocks("x = 1")]) is None


def test_the_warning_names_what_runs_the_loop_and_how_to_silence_it():
    assert warning("trio").startswith("trio runs its own event loop")
    assert warning("anyio").startswith("anyio's trio backend runs its own event loop")
    assert "clock: real" in warning("uvloop")
