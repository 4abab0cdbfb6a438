"""One child's supervision: `mdverify.run.watch`, fed through a real pipe."""

import os
import time

from mdverify.model import Halt, Status
from mdverify.run.events import Done, End, Start, encode_event
from mdverify.run.watch import Watch, cut_at_budget


def end(index: int, out: int, err: int = 0) -> End:
    return End(index, Status.OK, None, None, 0.0, (), (), out, err)


def watch_of(data: bytes, written: int = 0, timeouts=None) -> Watch:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, data)
    os.close(write_fd)
    return Watch(read_fd, timeouts or {}, budget=100, written=lambda: written)


def test_cut_at_budget_drops_the_end_of_the_block_that_crossed_it_and_what_follows():
    events = [Start(0, 0, 0), end(0, 10), Start(1, 10, 0)]
    unread = encode_event(end(1, 98, 2)) + encode_event(Start(2, 100, 2)) + encode_event(Done())
    cut_at_budget(events, unread, budget=100)
    assert events == [Start(0, 0, 0), end(0, 10), Start(1, 10, 0)]


def test_cut_at_budget_keeps_an_unread_start_and_ignores_what_is_not_an_event():
    events: list = []
    unread = b'not json\n[1, 2]\n{"event": "start", "index": 0}\n' + encode_event(Start(0, 0, 0))
    cut_at_budget(events, unread + b'{"partial', 100)
    assert events == [Start(0, 0, 0)]


def test_done_finishes_the_child_and_lines_that_are_not_events_are_ignored():
    watch = watch_of(
        encode_event(Start(0, 0, 0)) + b"noise\n" + encode_event(end(0, 5)) + encode_event(Done())
    )
    assert watch.read()
    assert watch.outcome(0).events == (Start(0, 0, 0), end(0, 5), Done())
    assert watch.stop is None


def test_a_flood_that_ended_by_itself_is_still_stopped_at_the_budget():
    watch = watch_of(
        encode_event(Start(0, 0, 0)) + encode_event(end(0, 100)) + encode_event(Done()), written=100
    )
    assert watch.read()
    assert watch.stop is Halt.BUDGET
    assert watch.events == [Start(0, 0, 0)]


def test_a_running_block_times_out_at_its_own_limit_and_idle_time_at_the_idle_limit():
    watch = watch_of(encode_event(Start(3, 0, 0)), timeouts={3: 2.0})
    assert not watch.read()
    assert not watch.expire(time.monotonic() + 1.0)
    assert watch.expire(time.monotonic() + 2.5)
    assert watch.stop is Halt.TIMEOUT
    idle = watch_of(b"")
    assert not idle.expire(time.monotonic() + 30)
    assert idle.expire(time.monotonic() + 61)
    assert idle.stop is Halt.IDLE
