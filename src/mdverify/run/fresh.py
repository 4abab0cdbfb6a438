r"""What a block finds when it starts, as a fresh script would: asyncio unset, its own stdin.

An article's blocks share one process and one namespace, but a writer tests each block as a
script of its own. Two pieces of process state would otherwise leak from one block into the
next and make a later script behave as it never does when run alone:

* asyncio's current event loop. `asyncio.run` leaves "no loop, and one was set" behind, so a
  later `asyncio.get_event_loop()` raises on 3.10 and 3.11 instead of making a loop; a block
  that closed its own loop leaves that closed loop current ("Event loop is closed"); an open
  loop left current hides the DeprecationWarning 3.12+ gives a fresh script. `reset_asyncio`
  gives the running policy a fresh per-thread state before each block. The policy itself
  stays (the virtual clock's loop factory lives on the default policy's class, and an
  example's own policy is its choice), and so does every loop the namespace still names:
  only what `get_event_loop` finds is reset.
* Standard input. Examples get none: fd 0 is `/dev/null` (`no_stdin`), and `input()` says so
  by name, at the example's line, instead of a bare `EOFError`. Whether the running block
  called it (`input_refused`, cleared by `reset_stdin` before each block) is data on the
  block's `End`: such a block is skipped, not failed (`mdverify.check.skips`).
  A block whose directive gives it a text (`stdin="Ada\n"`) reads that text instead, as a
  script run with a file piped in: fd 0 is an unnamed file holding it (which a process the
  block starts shares), `sys.stdin` a fresh reader of it, and `input()` Python's
  own, which returns it line by line and raises `EOFError` at its end. The next block
  gets its own text, or none again: nothing one block left unread reaches the next.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import asyncio
import builtins
import os
import sys
import tempfile
from typing import Any, ClassVar, TextIO

from mdverify.clock.loop import restart_task_names

__all__ = ["NO_STDIN", "input_refused", "no_stdin", "reset_asyncio", "reset_stdin"]

_INPUT = builtins.input
"""Python's own `input()`, before `no_stdin` replaces it: what a block given a text calls."""

NO_STDIN = (
    "mdverify: examples get no standard input, so input() has nothing to read; "
    "put the value in the code instead"
)


def reset_asyncio() -> None:
    """No current event loop in this thread, none ever set, and tasks numbered from 1."""
    # The private global, not get_event_loop_policy(): that would make a policy where a
    # fresh script has none yet, and deprecates on 3.14.
    policy = getattr(asyncio.events, "_event_loop_policy", None)
    if isinstance(policy, asyncio.events.BaseDefaultEventLoopPolicy):
        # `_local` holds the current loop and whether one was set: both as at start-up.
        # (set_event_loop(None) would mark it set, and 3.10 and 3.11 then refuse to make one.)
        private: Any = policy  # typeshed does not declare the per-thread state
        private._local = private._Local()  # noqa: SLF001 -- no public way to unset it
    restart_task_names()


def no_stdin() -> None:
    """Give the process an empty standard input, and `input()` a message that says why."""
    _on_fd0(os.open(os.devnull, os.O_RDONLY))  # input() gets EOF at once, not the parent's
    builtins.input = _no_input


def _no_input(prompt: object = "") -> str:
    sys.stdout.write(str(prompt))  # as input() does before it finds the end of input
    sys.stdout.flush()
    _REFUSED.add(True)
    raise EOFError(NO_STDIN)


def _on_fd0(fd: int) -> None:
    """Make `fd` the process's standard input."""
    os.dup2(fd, 0)
    os.close(fd)


class _Fed:
    """The `sys.stdin` a block given a text replaced, while one is in place."""

    original: ClassVar[list[TextIO]] = []


def _feed(text: str) -> None:
    """Make `text` the standard input: fd 0, `sys.stdin` and `input()` read it, then EOF."""
    # A file, not a pipe: a text longer than the pipe's buffer needs no writer beside it.
    with tempfile.TemporaryFile() as held:
        held.write(text.encode("utf-8"))
        held.flush()
        _on_fd0(os.dup(held.fileno()))  # the dup shares the file's offset, now at the end
    os.lseek(0, 0, os.SEEK_SET)
    if not _Fed.original:
        _Fed.original.append(sys.stdin)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 -- fd 0, kept open
    builtins.input = _INPUT


def _unfeed() -> None:
    """Back to no standard input, after a block that was given a text."""
    no_stdin()
    sys.stdin = _Fed.original.pop()


_REFUSED: set[bool] = set()
"""Holds True once the running block has called `input()` (a set: no `global` statement)."""


def reset_stdin(text: str | None = None) -> None:
    """Forget the last block's `input()` calls and stdin: each block starts as a fresh script.

    `text` is what the next block's standard input holds; None: none, as by default.
    """
    _REFUSED.clear()
    if _Fed.original:
        _unfeed()
    if text is not None:
        _feed(text)


def input_refused() -> bool:
    """Whether the running block called `input()`, which found no standard input."""
    return bool(_REFUSED)
