"""The virtual `time` module: readings that follow virtual time, and a sleep that jumps."""

from __future__ import annotations

import time

import pytest


def test_time_functions_and_their_ns_forms_follow_virtual_time(virtual, real):
    names = ["monotonic", "perf_counter", "time"]
    ns_names = ["monotonic_ns", "perf_counter_ns", "time_ns"]
    before = {name: getattr(time, name)() for name in names + ns_names}
    time.sleep(2)
    after = {name: getattr(time, name)() for name in names + ns_names}
    assert after["monotonic"] - before["monotonic"] == 2.0
    assert after["perf_counter"] - before["perf_counter"] == 2.0
    assert after["time"] - before["time"] == pytest.approx(2.0, abs=1e-6)
    assert all(after[name] - before[name] == 2_000_000_000 for name in ns_names)
    # The epoch is the real one at install; no real time has passed since.
    assert before["time_ns"] == real.time_ns()


def test_time_sleep_outside_a_loop_advances_at_once(virtual, real):
    start = time.monotonic()
    time.sleep(30)
    assert time.monotonic() - start == 30.0
    assert (real.waits, real.sleeps, real.elapsed_ns()) == ([], [], 0)


def test_time_sleep_rejects_what_the_real_one_rejects(virtual):
    with pytest.raises(ValueError, match="non-negative"):
        time.sleep(-1)
    with pytest.raises(TypeError):
        time.sleep("1")


def test_perf_counter_imported_by_name_after_install_is_virtual(virtual):
    from time import perf_counter  # noqa: PLC0415 - importing after install is the point

    start = perf_counter()
    time.sleep(3)
    assert perf_counter() - start == 3.0
