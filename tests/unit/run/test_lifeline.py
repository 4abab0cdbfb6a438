"""`mdverify.run.lifeline`: the stand-in parent ends as its article ended, and a process
whose parent is already gone does not run on."""

from __future__ import annotations

import faulthandler
import os
import signal
import sys

import pytest

from mdverify.run import lifeline

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="forks"),
]


def _stand_in_ending(article) -> int:
    """The wait status of a stand-in whose article does `article()`."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the stand-in, then its article
        try:
            faulthandler.disable()  # pytest's, inherited: its report of the SIGSEGV is noise
            read, write = os.pipe()
            os.close(read)
            lifeline.stand_in(write)
            article()
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return status


def test_the_stand_in_exits_with_the_articles_status():
    status = _stand_in_ending(lambda: os._exit(3))
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 3


@pytest.mark.parametrize("signum", [signal.SIGSEGV, signal.SIGKILL])
def test_the_stand_in_ends_by_the_signal_that_ended_the_article(signum):
    status = _stand_in_ending(lambda: os.kill(os.getpid(), signum))
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signum


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG")
def test_killing_the_stand_in_kills_the_article():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover -- the stand-in, then its article
        try:
            os.close(read)
            lifeline.stand_in(os.dup(write))
            os.kill(os.getppid(), signal.SIGKILL)  # as an example would
            while True:
                pass  # until the kernel kills it with its parent
        finally:
            os._exit(99)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b""  # every writer gone: the article is dead too
    os.close(read)


def test_a_process_whose_parent_is_gone_exits_at_once():
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # its note, not the test's output
            lifeline.die_with_parent(os.getppid() + 1_000_000)  # not our parent
        finally:
            os._exit(99)  # reached only if it ran on
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
