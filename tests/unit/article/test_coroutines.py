"""Finding coroutine functions that an article defines but never runs."""

from mdverify.article.coroutines import never_run
from mdverify.article.syntax import read_block


def unused(blocks):
    """never_run over blocks given as (source, first line) or None."""
    return never_run([read_block(*b) if b is not None else None for b in blocks])


def test_coroutine_never_run_is_reported_at_its_article_line():
    warnings = unused([("import asyncio\nasync def hello():\n    pass\n", 10)])
    assert warnings == {
        0: ["coroutine function hello() defined at line 11 is never run or awaited"]
    }


def test_coroutine_run_in_the_same_block_is_fine():
    assert unused([("async def main():\n    pass\nasyncio.run(main())\n", 1)]) == {}


def test_coroutine_run_in_a_later_block_is_fine():
    assert unused([("async def f():\n    pass\n", 1), ("asyncio.run(f())\n", 5)]) == {}


def test_coroutine_called_by_another_coroutine_is_fine():
    source = (
        "async def main():\n    await helper()\n"
        "async def helper():\n    pass\n"
        "asyncio.run(main())\n"
    )
    assert unused([(source, 1)]) == {}


def test_redefinition_in_a_later_block_does_not_count_as_use():
    first = "async def main():\n    pass\n"
    second = "async def main():\n    pass\nasyncio.run(main())\n"
    assert list(unused([(first, 1), (second, 10)])) == [0]


def test_skipped_blocks_are_ignored():
    assert unused([None, ("async def f():\n    pass\nasyncio.run(f())\n", 1)]) == {}


def test_block_with_syntax_error_is_ignored():
    assert unused([("async def f(:\n", 1)]) == {}
