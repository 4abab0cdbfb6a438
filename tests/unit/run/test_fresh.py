"""What each block starts with: `mdverify.run.fresh`."""

import asyncio

from mdverify.run import fresh


def _state():
    local = asyncio.get_event_loop_policy()._local
    return local._loop, local._set_called


def test_a_closed_loop_left_current_is_not_what_the_next_block_finds():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.close()
    fresh.reset_asyncio()
    assert _state() == (None, False)


def test_after_asyncio_run_the_next_block_may_make_a_loop_again():
    asyncio.run(asyncio.sleep(0))
    assert _state() == (None, True)  # what 3.10 and 3.11 refuse get_event_loop() for
    fresh.reset_asyncio()
    assert _state() == (None, False)


def test_the_policy_itself_stays():
    policy = asyncio.get_event_loop_policy()
    fresh.reset_asyncio()
    assert asyncio.get_event_loop_policy() is policy
