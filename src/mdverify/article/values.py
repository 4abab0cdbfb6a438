"""The values of the directive language's keys: flags, numbers, durations, versions, texts.

`mdverify.article.directives` reads which keys a directive or the front matter gives, and
at which scope; this module reads one key's value, and says what to write instead when it
cannot (`DirectiveError`).
"""

from __future__ import annotations

import re
from difflib import get_close_matches

from mdverify.article.timing import parse_duration

__all__ = [
    "DirectiveError",
    "did_you_mean",
    "duration",
    "equals",
    "flag",
    "positive_number",
    "python_constraint",
    "stdin_text",
]

_VERSION = re.compile(r"\d+(?:\.\d+){0,2}")
# The escapes of a `stdin` text: a line break and a tab can be written on the directive's
# one line; `\\` and `\"` as in every quoted value. Any other backslash stays as written.
_STDIN_ESCAPE = re.compile(r'\\([\\"nt])')
_STDIN_ESCAPES = {"n": "\n", "t": "\t"}


class DirectiveError(ValueError):
    """A directive that mdverify does not understand; the message says what to write instead.

    `key` names the key at fault when one is, so that front matter can point at its line.
    """

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def equals(key: str, op: str) -> None:
    """Refuse a comparison where the key takes a value (`timeout>2`)."""
    if op not in ("", "="):
        raise DirectiveError(f"{key!r} takes '=', not {op!r}")


def flag(key: str, op: str, value: str | None) -> bool:
    """A flag: bare (`unordered`), or `unordered=true` / `false` to undo the front matter's."""
    equals(key, op)
    text = (value or "true").lower()
    if text not in ("true", "false"):
        raise DirectiveError(f"{key!r} is a flag: write {key}, or {key}=false; not {value!r}")
    return text == "true"


def duration(key: str, value: str | None) -> float:
    """Seconds of `~1.5s`, `500ms`."""
    try:
        return parse_duration(value or "")
    except ValueError:
        raise DirectiveError(f"{key!r} needs a duration such as ~1.5s or 500ms") from None


def positive_number(key: str, value: str | None) -> float:
    """A number of seconds above zero."""
    try:
        number = float(value or "")
    except ValueError:
        raise DirectiveError(f"{key!r} needs a number of seconds, not {value!r}") from None
    if number <= 0:
        raise DirectiveError(f"{key!r} must be positive, not {value!r}")
    return number


def python_constraint(op: str, value: str | None) -> tuple[str, tuple[int, ...]]:
    """`python>=3.11` as (">=", (3, 11)); a bare `=` means `==`."""
    if op in ("", "="):
        op = "=="
    if value is None or not _VERSION.fullmatch(value):
        raise DirectiveError(f"'python' needs a version such as python>=3.11, not {value!r}")
    return op, tuple(int(part) for part in value.split("."))


def stdin_text(op: str, raw: str | None) -> str:
    r"""The text of `stdin="Ada\n42\n"` as the block reads it, `\n` a line break.

    `raw` is the value as written, its escapes not yet read: `\\n` is a backslash and an
    `n`, which reading `\\` first would turn into a line break.
    """
    equals("stdin", op)
    if raw is None:
        raise DirectiveError(
            "'stdin' needs the text the block reads, one line per \\n: stdin=\"Ada\\n42\\n\""
        )
    return _STDIN_ESCAPE.sub(lambda m: _STDIN_ESCAPES.get(m[1], m[1]), raw)


def did_you_mean(key: str, known: tuple[str, ...]) -> str:
    """A hint naming the known key an unknown one is a slip of (`skipp`, `Timeout`), or ''."""
    close = get_close_matches(key.lower(), known, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
