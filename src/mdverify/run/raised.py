"""The exception a block ended with, as the child reports it: words and data.

* `traceback_text`: the traceback a writer reads, from the article's first frame, without
  mdverify's own frames (the clock's and netmap's wrappers stand between an example's call
  and the standard library's code), the article named as reports name it;
* `article_line`: the last article line the traceback passes through;
* `describe`: the exception as data (`mdverify.model.Raised`): its class name and
  NameError's missing name. A run-time skip is decided from this, never from the
  traceback's text.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import os
import traceback

from mdverify.model import Raised

__all__ = ["article_line", "describe", "traceback_text"]

# mdverify's own files: a writer's traceback must show none of them.
_OURS = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # noqa: PTH100, PTH120


def describe(exc: BaseException) -> Raised:
    """`exc` as data."""
    name = exc.name if isinstance(exc, NameError) else None
    return Raised(type(exc).__name__, name)


def traceback_text(exc: BaseException, path: str, display: str) -> str:
    """The traceback of `exc` from the first frame in `path`, which it names `display`."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next  # drop mdverify's own frames above the article's first
    report = traceback.TracebackException(type(exc), exc, tb)
    _drop_our_frames(report, set())
    text = "".join(report.format())
    return text.replace(f'File "{path}"', f'File "{display}"')


def article_line(exc: BaseException, path: str) -> int | None:
    """The last line of the article at `path` that the traceback of `exc` passes through."""
    if isinstance(exc, SyntaxError) and exc.filename == path:
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


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
