"""Fixtures for the clock's tests: a fake real clock, the clock installed on it, and
programs run under a freshly installed clock in a new interpreter.

Tests that need a pristine process (children, fork, sockets to other processes) run the
clock in a fresh interpreter; the others install it here and uninstall it afterwards.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from mdverify import clock
from mdverify.clock.installer import uninstall

HERE = Path(__file__).resolve().parent
SRC = Path(clock.__file__).resolve().parents[1]


def _load_fake():
    spec = importlib.util.spec_from_file_location("fake_real_time", HERE / "fake_real_time.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FAKE = _load_fake()

# Everything install() may patch, to prove that uninstall() puts it all back.
PATCHABLE = [
    *((time, name) for name in ("monotonic", "monotonic_ns", "perf_counter")),
    *((time, name) for name in ("perf_counter_ns", "time", "time_ns", "sleep")),
    *((time, name) for name in ("localtime", "gmtime", "ctime", "asctime", "strftime")),
    *((time, name) for name in ("clock_gettime", "clock_gettime_ns")),
    *((signal, name) for name in ("alarm", "setitimer", "getitimer")),
    (dt.datetime, "now"),
    (dt.datetime, "utcnow"),
    (asyncio, "new_event_loop"),
    (asyncio.events, "new_event_loop"),
    (asyncio, "SelectorEventLoop"),
    (asyncio, "EventLoop"),
    (asyncio.DefaultEventLoopPolicy, "_loop_factory"),
    (asyncio.BaseEventLoop, "time"),
    (concurrent.futures.ThreadPoolExecutor, "submit"),
    (threading.Thread, "start"),
    (os, "fork"),
    (os, "posix_spawn"),
    (subprocess, "_fork_exec"),
    *((socket.socket, name) for name in ("send", "sendall", "recv", "recv_into", "close")),
    (socket.socket, "accept"),
    # mdverify.run.netmap's, which register in the same registry
    (socket, "getaddrinfo"),
    *((socket.socket, name) for name in ("connect", "connect_ex", "bind", "listen")),
    (socket.socket, "getsockname"),
]


def patchable_state() -> dict[tuple[int, str], tuple[object, bool]]:
    return {
        (id(target), name): (getattr(target, name, None), name in vars(target))
        for target, name in PATCHABLE
    }


@pytest.fixture
def patched_names():
    """The state of every name install() may patch, as a function to call."""
    return patchable_state


@pytest.fixture
def real():
    """The fake real clock the `virtual` fixture installs the clock on."""
    return FAKE.FakeRealTime()


@pytest.fixture
def virtual(real):
    before = patchable_state()
    installed = clock.install("virtual", real_time=real)
    installed.begin_block(None)
    try:
        yield installed
    finally:
        uninstall()
    assert patchable_state() == before


@pytest.fixture
def virtual_on_real_time():
    """The clock on this machine's real time, for what real threads alone can show."""
    installed = clock.install("virtual")
    installed.begin_block(None)
    try:
        yield installed
    finally:
        uninstall()


class Clocked:
    """Runs a program under a freshly installed virtual clock in a new interpreter.

    The program finds `clock` (installed and begun), `report(**values)` (its result, as
    JSON on the last line of stdout) and, with `fake=True`, `real`: the clock's
    `FakeRealTime`.
    """

    def run(self, body: str, *, fake: bool = False) -> dict:
        proc = subprocess.run(
            [sys.executable, "-c", self.program(body, fake=fake)],
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env(),
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    async def run_async(self, body: str) -> dict:
        """`run`, for a test whose own loop must keep serving meanwhile."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            self.program(body, fake=False),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env(),
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        return json.loads(out.decode().strip().splitlines()[-1])

    @staticmethod
    def program(body: str, *, fake: bool) -> str:
        real = "FakeRealTime()" if fake else "SYSTEM"
        prelude = f"""
import asyncio, json, os, subprocess, sys, time
from fake_real_time import FakeRealTime
from mdverify.clock import install
from mdverify.clock.realtime import SYSTEM
real = {real}
clock = install("virtual", real_time=real)
clock.begin_block(None)
def report(**values):
    print(json.dumps(values), flush=True)
"""
        return prelude + textwrap.dedent(body)

    @staticmethod
    def env() -> dict[str, str]:
        path = os.pathsep.join(filter(None, [str(SRC), str(HERE), os.environ.get("PYTHONPATH")]))
        return {**os.environ, "PYTHONPATH": path}


@pytest.fixture
def clocked():
    return Clocked()
