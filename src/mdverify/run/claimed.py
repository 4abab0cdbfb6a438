"""What the child records for claims on code: each named print call's output, each value.

**Print calls.**
A comment can declare the output of one `print` call that is not a top-level statement (in a
function, a loop, a `with`), or of one of two prints on a line. The statement ends the child
marks cannot tell that output apart, so while a block runs, `builtins.print` is wrapped: a
call made from the article's own code, at a position the parent asked about, flushes stdout
before and after the real print and records the capture file's growth.

The position is taken from the caller's current instruction (`co_positions`), so a print in
a function is attributed to its own line wherever the function is called from, and each of
its calls is recorded in order. The same idea as pytest-examples' print mock, which reads the
caller's frame; here the real `print` still runs, so the block's output is untouched.

**Values.** A bare expression with a comment that shows its value (`len(word)  # 5`) is
compiled as the REPL compiles it (mode "single"), which hands its value to
`sys.displayhook`. While the block runs, the hook records the `repr` (and the `str`, when
it differs) of the value at that line, and prints nothing: the block runs as a script.
"""

from __future__ import annotations

import builtins
import functools
import io
import itertools
import linecache
import sys
import tokenize
from typing import TYPE_CHECKING, Any

from mdverify.clock import harness_work

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import CodeType, TracebackType

    from typing_extensions import Self

__all__ = ["Recorder"]

Call = tuple[int, int, int, int]
"""(article line, column of the print call, stdout size before it, stdout size after it)."""
Value = tuple[int, "list[str] | None"]
"""(article line, [repr, str if it differs]; None for the value None, which shows nothing)."""
# A value's text is for comparing with a short comment; a huge one is cut.
_MAX_VALUE = 10_000


class Recorder:
    """Wraps `print` and `sys.displayhook` for a `with`; `calls` and `values` hold the record."""

    def __init__(
        self,
        path: str,
        watched: Iterable[tuple[int, int]],
        shown: Iterable[int],
        offset: Callable[[], int],
        flush: Callable[[], None],
    ) -> None:
        self.path = path
        self.watched = frozenset(watched)
        self.shown = frozenset(shown)
        self.offset = offset
        self.flush = flush
        self.calls: list[Call] = []
        self.values: list[Value] = []
        self._hook: Callable[[object], object] | None = None
        self._positions: dict[CodeType, list[tuple[int | None, int | None]]] = {}
        self._original: Callable[..., None] | None = None

    def __enter__(self) -> Self:
        """Wrap `print` and the hook when a claim needs them (other blocks pay nothing)."""
        if self.watched:
            self._original = builtins.print
            builtins.print = self._print
        if self.shown:  # a pycon block's answers go through the real hook
            self._hook = sys.displayhook
            sys.displayhook = self._show
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Put the real `print` back."""
        if self._original is not None and builtins.print == self._print:
            # `==`: each access makes a new bound method. An example that replaced print
            # keeps its own.
            builtins.print = self._original
        if self._hook is not None and sys.displayhook == self._show:
            sys.displayhook = self._hook

    def _show(self, value: object) -> None:
        frame = sys._getframe(1)  # noqa: SLF001 -- the statement that showed the value
        line = frame.f_lineno
        if frame.f_code.co_filename != self.path or line not in self.shown:
            assert self._hook is not None
            self._hook(value)  # the example's own use of the hook, or a nested REPL
            return
        if value is None:
            self.values.append((line, None))
            return
        texts = [_text(repr, value)]
        shown = _text(str, value)
        if shown != texts[0]:
            texts.append(shown)
        self.values.append((line, texts))

    def _print(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 -- print's own signature
        original = self._original
        assert original is not None
        with harness_work():  # finding the call is mdverify's work, not the example's
            where = self._caller(sys._getframe(1)) if kwargs.get("file") is None else None  # noqa: SLF001
        if where is None:
            original(*args, **kwargs)
            return
        self.flush()
        before = self.offset()
        try:
            original(*args, **kwargs)
        finally:
            self.flush()
            self.calls.append((*where, before, self.offset()))

    def _caller(self, frame: Any) -> tuple[int, int] | None:  # noqa: ANN401 -- a frame object
        code = frame.f_code
        if code.co_filename != self.path:
            return None
        positions = self._positions.get(code)
        if positions is None:
            positions = _positions(code)
            self._positions[code] = positions
        index = frame.f_lasti // 2
        line, col = positions[index] if index < len(positions) else (frame.f_lineno, None)
        if col is None and line is not None and not _shared(self.path, line):
            # Python 3.10 has no columns: a line with one print call names it. On a line
            # with two (`print(a); print(b)  # 7`) the call is unknown: not compared.
            cols = [c for watched_line, c in self.watched if watched_line == line]
            col = cols[0] if len(cols) == 1 else None
        if line is None or col is None or (line, col) not in self.watched:
            return None
        return line, col


def _text(render: Callable[[object], str], value: object) -> str:
    try:
        return render(value)[:_MAX_VALUE]
    except Exception as exc:  # noqa: BLE001 -- a broken __repr__ is the value's, not ours
        return f"<{render.__name__} failed: {type(exc).__name__}>"


def _positions(code: CodeType) -> list[tuple[int | None, int | None]]:
    """(line, column) of each instruction of `code`; empty before Python 3.11."""
    if not hasattr(code, "co_positions"):
        return []
    return [(line, col) for line, _, col, _ in code.co_positions()]


@functools.cache
def _shared(path: str, line: int) -> bool:
    """Whether the article's line calls `print` more than once (asked on Python 3.10 only).

    The line is read from the article: each top-level statement is compiled on its own, so
    no one code object holds both calls of `print(a); print(b)`.
    """
    text = linecache.getline(path, line)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # part of a longer statement: unknown, so not attributed
    calls = sum(
        1
        for token, after in itertools.pairwise(tokens)
        if token.type == tokenize.NAME and token.string == "print" and after.string == "("
    )
    return calls > 1
