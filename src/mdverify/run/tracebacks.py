"""How an example's exception reads in a report: the article's frames, none of mdverify's.

The child compiles each block with the article's absolute path as its filename, so a
traceback already names the article's lines. What stands between them is ours: the
child's own frames above the example's first, and the clock's and netmap's wrappers
between an example's call and the standard library's code. A writer must see neither.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import os
import traceback

__all__ = ["error_line", "format_error"]

# mdverify's own files: the clock's and netmap's wrappers stand between an example's call and
# the standard library's code, and a writer's traceback must show neither them nor us.
_OURS = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # noqa: PTH100, PTH120


def format_error(exc: BaseException, path: str, display: str) -> str:
    """The traceback of `exc` from the article's first frame, with the article as `display`."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next  # drop mdverify's own frames above the article's first
    report = traceback.TracebackException(type(exc), exc, tb)
    _drop_our_frames(report, set())
    text = "".join(report.format())
    return text.replace(f'File "{path}"', f'File "{display}"')


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


def error_line(exc: BaseException, path: str) -> int | None:
    """The article line `exc` points at: its syntax error's, or its last frame's there."""
    if isinstance(exc, SyntaxError) and exc.filename == path:
        return exc.lineno
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line
