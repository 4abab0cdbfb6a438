"""How a cut-short block is put into words: `mdverify.check.report.message`."""

import signal

import pytest

from mdverify.check.report import message
from mdverify.model import Halt, Interruption, Observation, Status


@pytest.mark.parametrize(
    ("interruption", "text"),
    [
        (
            Interruption(Halt.TIMEOUT, limit=0.5),
            "timeout: the block ran longer than 0.5 s (real time)",
        ),
        (Interruption(Halt.IDLE, limit=60.0), "the child process stopped answering for 60 s"),
        (
            Interruption(Halt.BUDGET, limit=4 << 20),
            (
                "output limit: the article wrote 4 MiB or more to stdout and stderr (the budget);"
                " the rest of the article was stopped"
            ),
        ),
        (Interruption(Halt.EXITED, code=0), "the child process exited during the block"),
        (
            Interruption(Halt.EXITED, code=3),
            "the process exited with status 3 during the block (os._exit?)",
        ),
        (
            Interruption(Halt.EXITED, code=-signal.SIGSEGV),
            "the interpreter crashed (SIGSEGV) during the block",
        ),
        (
            Interruption(Halt.EXITED, code=-signal.SIGXFSZ),
            "a file the block wrote passed the size limit (SIGXFSZ) during the block",
        ),
        (
            Interruption(Halt.NOT_REACHED, line=7),
            "not run: the block at line 7 ended the article's process",
        ),
        (
            Interruption(Halt.NOT_REACHED),
            "not run: the article's process ended at an earlier block",
        ),
        (
            Interruption(Halt.NOT_REACHED, line=7, cause=Interruption(Halt.TIMEOUT, limit=5)),
            "not run: the block at line 7 timed out",
        ),
        (
            Interruption(Halt.NOT_REACHED, line=7, cause=Interruption(Halt.EXITED, code=-9)),
            "not run: the block at line 7 crashed the interpreter (SIGKILL)",
        ),
        (
            Interruption(Halt.NOT_REACHED, line=7, cause=Interruption(Halt.EXITED, code=2)),
            "not run: the block at line 7 ended the article's process with status 2",
        ),
        (
            Interruption(Halt.NOT_REACHED, line=7, cause=Interruption(Halt.BUDGET, limit=9)),
            "not run: the block at line 7 passed the article's output budget",
        ),
        (
            Interruption(Halt.NOT_REACHED, line=7, cause=Interruption(Halt.IDLE, limit=9)),
            "not run: the article's process stopped answering after the block at line 7",
        ),
        (
            Interruption(Halt.TIMEOUT, limit=2, after_sigint=True),
            (
                "the server did not stop on SIGINT; it ran until the timeout: the block ran"
                " longer than 2 s (real time)"
            ),
        ),
    ],
)
def test_each_interruption_has_its_words(interruption, text):
    assert message(Observation(0, Status.CRASHED, interruption=interruption)) == text


def test_an_error_of_its_own_is_shown_as_it_is():
    observation = Observation(0, Status.NOT_RUN, error="a.md: a service could not start: x")
    assert message(observation) == "a.md: a service could not start: x"
