"""What ties an article's processes to the harness: they die with it, and cannot stop it.

* `die_with_parent`: every process mdverify starts (the warm worker, a cold child, each
  forked child, the article itself) asks Linux to SIGKILL it when its parent ends
  (`PR_SET_PDEATHSIG`, through ctypes' `prctl`, right after the fork or at start-up), so
  that a pytest killed with SIGKILL (a cancelled CI job, `timeout -s KILL`) leaves no
  article running on. Where the parent died before the call, the process exits at once.
  Elsewhere (macOS) it does nothing: the process group kill at the end of each article
  still applies.
* `stand_in`: the article runs in a process of its own below a stand-in parent that only
  waits for it. `os.kill(os.getppid(), SIGKILL)` or `SIGSTOP` in an example then reaches
  the stand-in, not the warm worker or pytest: a killed stand-in takes the article with it
  (the block is reported as killed), a stopped one holds nothing the harness waits for.
  The stand-in passes on SIGINT (the serve check's Ctrl+C) and ends as the article ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import signal
import sys
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType

__all__ = ["die_with_parent", "parent_argument", "stand_in"]

_PR_SET_PDEATHSIG = 1
_SANDBOX_PARENT = 1
"""The pid, inside bwrap's PID namespace, of the parent of what bwrap runs: its own init."""
_NOT_OURS = (
    b"mdverify: Python was started again with the command line mdverify started it with "
    b"(sys.orig_argv, as a reloader restarts a script); a block of a Markdown article "
    b"cannot be restarted that way, so this process exits at once\n"
)


def parent_argument(*, sandboxed: bool) -> str:
    """Our pid, for a process we start to die with (`die_with_parent`).

    Under the sandbox its pid namespace hides our pid, and bwrap's --die-with-parent ties
    the process to us: its parent there is bwrap's init, pid 1, which is what it checks
    (so that a process started again with its command line, by an example's reloader,
    still sees that it is not the one we started).
    """
    return str(_SANDBOX_PARENT if sandboxed else os.getpid())


def die_with_parent(parent: int) -> None:
    """Be killed when the process `parent` (ours now, if it still runs) ends.

    `parent` 0: a parent this process cannot see; the death signal is asked for all the
    same, with no check that the parent still runs.
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent and os.getppid() != parent:
        # The parent ended before the call, and nobody waits for us any more; or an example
        # ran our own command line again (Werkzeug's reloader runs sys.orig_argv), and then
        # the process it waits for should end as a script that has nothing to do would.
        with contextlib.suppress(OSError):
            os.write(2, _NOT_OURS)
        os._exit(0)


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """The C library's `prctl`, from the symbols the interpreter has loaded (`dlopen(NULL)`).

    Looked up once, in the parent before its forks: `ctypes.util.find_library` runs
    `ldconfig` in a subprocess on every call, which every forked child would pay.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        return cast("Callable[..., int]", ctypes.CDLL(None, use_errno=True).prctl)
    except (OSError, AttributeError):
        return None


def stand_in(report_fd: int, *, forward: bool = True) -> None:
    """Fork; return in the child, which runs the article; the parent waits and mirrors it.

    `report_fd` is the article's event pipe: the stand-in closes its copy, so the harness
    sees the pipe end when the article ends, even if the stand-in was stopped. `forward`:
    pass SIGINT on to the article; not when it comes to the whole group, the article
    included, or the article would get two.
    """
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        die_with_parent(parent)
        return
    os.close(report_fd)

    def pass_on(signum: int, frame: FrameType | None) -> None:
        del frame
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    signal.signal(signal.SIGINT, pass_on if forward else signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:  # pragma: no cover -- only we reap it
            os._exit(0)
    if os.WIFSIGNALED(status):
        # End as it ended (SIGSEGV, SIGABRT, ...): the harness reports the signal.
        signum = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):  # SIGKILL has no handler to reset
            signal.signal(signum, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
        os.kill(os.getpid(), signum)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)
