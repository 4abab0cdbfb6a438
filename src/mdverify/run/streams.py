"""The child's standard streams: a terminal's buffering, and whole again for each block.

stdout and stderr are the article's capture files (`mdverify.run.capture`); how far they
have grown says which output is whose. An example may close, replace or redirect them: the
next block still gets working ones.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

__all__ = ["flush", "line_buffered", "offsets", "restore", "save"]


def save() -> None:
    """Keep copies of the capture files' descriptors, before any example runs."""
    _SAVED.extend((os.dup(1), os.dup(2)))


def offsets() -> tuple[int, int]:
    """How far the capture files (stdout, stderr) have grown."""
    return _size(1), _size(2)


def _size(fd: int) -> int:
    try:
        return os.fstat(fd).st_size
    except OSError:
        return 0


def flush() -> None:
    """Write out what the example's streams hold, as its block ends or its output is read."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass  # closed or broken by the example; the next block gets fresh streams


def line_buffered() -> None:
    """Write stdout a line at a time, as Python does to a terminal, a reader's view.

    To a file Python buffers stdout in blocks, so a line printed before a process or thread
    that prints is started would land after that one's: `print(os.getpid())` in a parent
    and in its `multiprocessing` child come out in a reader's order only like this.
    """
    for stream in (sys.stdout, sys.__stdout__):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]


def restore() -> None:
    """Give the next block working stdout and stderr, whatever this one did to them."""
    for fd, saved in enumerate(_SAVED, start=1):
        try:
            same = os.path.samestat(os.fstat(fd), os.fstat(saved))
        except OSError:
            same = False  # closed by the example
        if not same:
            os.dup2(saved, fd)
    for name in ("stdout", "stderr"):
        original = getattr(sys, f"__{name}__")
        if original is None or original.closed:
            original = io.TextIOWrapper(
                open(1 if name == "stdout" else 2, "wb", closefd=False),  # noqa: SIM115
                encoding="utf-8",
                errors="backslashreplace",
                line_buffering=True,  # as `line_buffered` makes them
            )
            setattr(sys, f"__{name}__", original)
        setattr(sys, name, original)


_SAVED: list[int] = []
"""Copies of the capture files' descriptors, to put back if an example closes 1 or 2."""
