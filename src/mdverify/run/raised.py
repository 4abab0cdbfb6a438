"""What the child tells of the exception a block stopped on: its traceback, and its data.

The traceback is what a writer reads; the same exception as data (`model.Raised`) is what
is checked against what the article declares.

The data is taken from the exception objects, never parsed back from the traceback's text:
the type's name as Python prints it, its message, and every exception the traceback shows
(the chain it was raised from or during, an ExceptionGroup's members) in printed order.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import traceback
from typing import TYPE_CHECKING

from mdverify.model import Raised

if TYPE_CHECKING:
    import doctest
    from collections.abc import Callable, Iterator, Mapping

__all__ = [
    "describe",
    "format_error",
    "last_article_line",
    "prompt_exception",
    "without_location",
]

# mdverify's own files: the clock's and netmap's wrappers stand between an example's call and
# the standard library's code, and a writer's traceback must show neither them nor us.
_OURS = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # noqa: PTH100, PTH120


# Python ends an ImportError's message with where it looked (` (/usr/lib/.../math.so)`);
# an article written on another machine shows another path, or none.
_LOCATION = re.compile(r" \((?:unknown location|[^()\n]*[/\\][^()\n]*)\)$")


def without_location(message: str) -> str:
    """An ImportError's message without the location Python adds to it."""
    return _LOCATION.sub("", message.rstrip())


def describe(exc: BaseException, statement: int | None) -> Raised:
    """`exc` as data; `statement` is the article line where the statement that raised ends."""
    printed: list[tuple[str, str]] = []
    _walk(exc, printed, set())
    name = exc.name if isinstance(exc, NameError) else None
    return Raised(_type_name(exc), _message(exc), statement, tuple(printed), name)


def _walk(exc: BaseException, printed: list[tuple[str, str]], seen: set[int]) -> None:
    """Append what a traceback of `exc` shows, in the order `traceback` prints it."""
    if id(exc) in seen:
        return
    seen.add(id(exc))
    if exc.__cause__ is not None:
        _walk(exc.__cause__, printed, seen)
    elif exc.__context__ is not None and not exc.__suppress_context__:
        _walk(exc.__context__, printed, seen)
    printed.append((_type_name(exc), _message(exc)))
    for member in getattr(exc, "exceptions", None) or ():
        if isinstance(member, BaseException):
            _walk(member, printed, seen)


def _type_name(exc: BaseException) -> str:
    """As `traceback` prints it: qualified by its module unless builtin or the script's own."""
    cls = type(exc)
    if cls.__module__ in ("builtins", "__main__"):
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _message(exc: BaseException) -> str:
    text = (exc.msg or "") if isinstance(exc, SyntaxError) else _text(exc)
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, list | tuple):
        text = "\n".join([text, *map(str, notes)]) if text else "\n".join(map(str, notes))
    return text


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 -- Python prints `<exception str() failed>`
        return "<exception str() failed>"


def format_error(
    exc: BaseException, path: str, display: str, also: Mapping[str, str] | None = None
) -> str:
    """The traceback from the article's first frame on, naming the article by `display`.

    `also`: the files the block includes (absolute path -> name), whose frames are the
    article's own too (`mdverify.run.included`).
    """
    names = {**(also or {}), path: display}
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename not in names:
        tb = tb.tb_next  # drop mdverify's own frames above the article's first
    report = traceback.TracebackException(type(exc), exc, tb)
    _drop_our_frames(report, set())
    text = "".join(report.format())
    for absolute, shown in names.items():
        text = text.replace(f'File "{absolute}"', f'File "{shown}"')
    return text


def _drop_our_frames(report: traceback.TracebackException, seen: set[int]) -> None:
    """Remove mdverify's frames from `report` and from the exceptions chained to it."""
    if id(report) in seen:
        return
    seen.add(id(report))
    report.stack = traceback.StackSummary.from_list(
        [frame for frame in report.stack if not frame.filename.startswith(_OURS)]
    )
    chained = [report.__cause__, report.__context__, *(getattr(report, "exceptions", None) or ())]
    for other in chained:
        if other is not None:
            _drop_our_frames(other, seen)


def last_article_line(exc: BaseException, path: str) -> int | None:
    """The deepest line of the article the traceback passes through (a SyntaxError's line)."""
    if isinstance(exc, SyntaxError) and exc.filename == path:
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


@contextlib.contextmanager
def prompt_exception(prompt: doctest.Example | None, flush: Callable[[], None]) -> Iterator[None]:
    """For a pycon prompt that expects a traceback, print it as doctest would compare it.

    As doctest does: the stack is the writer's to elide, and only the exception's last line
    is compared, so a SyntaxError's `File` and caret lines (which name our file) are not;
    nor is the location of an ImportError whose answer shows none.
    """
    try:
        yield
    except Exception as exc:
        shown = None if prompt is None else _shown_message(prompt, exc)
        if prompt is None or shown is None:
            raise
        flush()
        want = prompt.want
        stack = want[: len(want) - len(shown)]
        lines = traceback.format_exception_only(type(exc), exc)
        # A SyntaxError's lines show the code and the caret first; other exceptions' lines
        # are the exception line, then the notes added to it (3.11+).
        only = lines[-1] if isinstance(exc, SyntaxError) else "".join(lines)
        if isinstance(exc, ImportError) and not _LOCATION.search(shown.rstrip()):
            only = without_location(only) + "\n"  # the writer's machine had another path
        sys.stdout.write(stack + only)


def _shown_message(prompt: doctest.Example, exc: Exception) -> str | None:
    """The exception line the prompt's answer ends with, when the answer is a traceback.

    The REPL prints a SyntaxError without a `Traceback` line: its `File` and caret lines,
    then `SyntaxError: ...`, which doctest does not read as a traceback.
    """
    if prompt.exc_msg is not None:
        return prompt.exc_msg
    last = prompt.want.rstrip("\n").rsplit("\n", 1)[-1]
    if isinstance(exc, SyntaxError) and last.startswith(f"{type(exc).__name__}:"):
        return last + "\n"
    return None
