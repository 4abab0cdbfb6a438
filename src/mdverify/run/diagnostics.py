"""Which text is one of asyncio's diagnostics: the rules the child and a stderr fence share.

asyncio says that a program is broken in four ways, and a reader's `python script.py` prints
each of them to stderr:

* `RuntimeWarning: coroutine 'main' was never awaited`: a coroutine made and dropped;
* `Task was destroyed but it is pending!`: a task garbage-collected before it finished;
* `Task exception was never retrieved` (or `Future ...`): an exception nobody looked at;
* an event loop or a transport never closed (`ResourceWarning: unclosed event loop`,
  `unclosed transport`), and aiohttp's `Unclosed client session`.

The child (`mdverify.run.leaks`) classifies what a warning or the loop's exception handler
is given with `of_warning` and `of_context`; a stderr fence declares a diagnostic when one
of its lines reads as it (`declared`). This module never imports pytest: the child
imports it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mdverify.model import DiagnosticKind

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["declared", "of_context", "of_warning", "origin", "same"]

_NEVER_AWAITED = re.compile(r"coroutine '(?P<name>[^']+)' was never awaited")
_PENDING = re.compile(r"Task was destroyed but it is pending!")
_UNRETRIEVED = re.compile(r"(?:Task|Future) exception was never retrieved")
# Python's own ResourceWarnings: the loop's and a transport's. An unclosed file or socket
# is no asyncio diagnostic.
_UNCLOSED = re.compile(r"unclosed (?P<what>event loop|transport)\b")
_SESSION = re.compile(r"Unclosed client session\b")  # aiohttp, through the loop's handler


def of_warning(category: str, message: str) -> tuple[DiagnosticKind, str] | None:
    """The diagnostic a warning of `category` (its name) with `message` is, and its name.

    The name is the coroutine's (`main`), or what was left open (`event loop`).
    """
    if category == "RuntimeWarning":
        match = _NEVER_AWAITED.match(message)
        if match is not None:
            return DiagnosticKind.NEVER_AWAITED, match["name"]
    elif category == "ResourceWarning":
        found = _UNCLOSED.match(message)
        if found is not None:
            return DiagnosticKind.UNCLOSED, found["what"]
    return None


def of_context(message: str) -> DiagnosticKind | None:
    """The diagnostic an event loop's exception handler is called with, by its message."""
    if _PENDING.match(message):
        return DiagnosticKind.PENDING_TASK
    if _UNRETRIEVED.match(message):
        return DiagnosticKind.UNRETRIEVED
    if _SESSION.match(message):
        return DiagnosticKind.UNCLOSED
    return None


def declared(text: str) -> list[tuple[DiagnosticKind, str | None]]:
    """The diagnostics a stderr fence shows, each with the name its line gives, if any.

    A line shows one when it holds its message, wherever: as Python prints it (`demo.py:5:
    RuntimeWarning: coroutine 'main' was never awaited`, `sys:1: ResourceWarning: unclosed
    event loop <...>`), after a logger's prefix (`ERROR:asyncio:Task was destroyed but it
    is pending!`), or after `...`.
    """
    found: list[tuple[DiagnosticKind, str | None]] = []
    for line in text.splitlines():
        if (never := _NEVER_AWAITED.search(line)) is not None:
            found.append((DiagnosticKind.NEVER_AWAITED, never["name"]))
        elif (unclosed := _UNCLOSED.search(line)) is not None:
            found.append((DiagnosticKind.UNCLOSED, unclosed["what"]))
        elif _SESSION.search(line):
            found.append((DiagnosticKind.UNCLOSED, "aiohttp client session"))
        elif _PENDING.search(line):
            found.append((DiagnosticKind.PENDING_TASK, None))
        elif _UNRETRIEVED.search(line):
            found.append((DiagnosticKind.UNRETRIEVED, None))
    return found


def same(name: str, shown: str | None) -> bool:
    """Whether a fence's line that names `shown` names `name`: `...` stands for any text."""
    if shown is None:
        return True
    pattern = ".*".join(re.escape(part) for part in shown.split("..."))
    return re.fullmatch(pattern, name) is not None


def origin(frames: Iterable[tuple[str, int, str]] | None, path: str) -> int | None:
    """The article line a coroutine was made at, from its `cr_origin` frames.

    That is the innermost frame in the article: a library's own frames stand above it.
    """
    for filename, lineno, _ in frames or ():
        if filename == path:
            return lineno
    return None
