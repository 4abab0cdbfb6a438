"""The values of the directive language's keys: flags, numbers, durations, versions, texts.

Also the diagnostics `allow` names, and the reasons of `skip` and `xfail`.

`mdverify.article.directives` reads which keys a directive or the front matter gives, and
at which scope; this module reads one key's value, and says what to write instead when it
cannot (`DirectiveError`).
"""

from __future__ import annotations

import math
import re
from difflib import get_close_matches
from typing import TYPE_CHECKING

from mdverify.article.timing import parse_duration
from mdverify.model import DiagnosticKind

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "DirectiveError",
    "allowed",
    "did_you_mean",
    "duration",
    "equals",
    "flag",
    "no_value",
    "positive_number",
    "python_constraint",
    "reasons",
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


# What to write for a key given with '=' and nothing after it, where a general hint is vague.
_EXAMPLES = {"session": "'session' needs a name: session=server"}


def no_value(key: str) -> str:
    """What to write instead of `key=` with nothing after the `=`."""
    return _EXAMPLES.get(
        key, f"{key!r} has '=' and no value after it: write {key}=VALUE, in quotes if it has spaces"
    )


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
        seconds = parse_duration(value or "")
    except ValueError:
        raise DirectiveError(f"{key!r} needs a duration such as ~1.5s or 500ms", key) from None
    if not math.isfinite(seconds):
        raise DirectiveError(f"{key!r} must be a finite duration, not {value!r}", key)
    return seconds


def positive_number(key: str, value: str | None) -> float:
    """A finite number of seconds above zero (`nan`, `inf` and `1e309` are none)."""
    try:
        number = float(value or "")
    except ValueError:
        raise DirectiveError(f"{key!r} needs a number of seconds, not {value!r}", key) from None
    if not math.isfinite(number):
        raise DirectiveError(f"{key!r} must be a finite number of seconds, not {value!r}", key)
    if number <= 0:
        raise DirectiveError(f"{key!r} must be positive, not {value!r}", key)
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


def allowed(value: str | None) -> list[DiagnosticKind]:
    """`allow=never-awaited,unclosed`: asyncio's diagnostics the block may give."""
    known = {kind.value: kind for kind in DiagnosticKind}
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    wrong = [name for name in names if name not in known]
    words = ", ".join(list(known)[:-1]) + f" or {list(known)[-1]}"
    if not names:
        raise DirectiveError(f"'allow' needs {words} (several: allow=never-awaited,unclosed)")
    if wrong:
        raise DirectiveError(f"'allow' takes {words}, not {wrong[0]!r}")
    return [known[name] for name in names]


def reasons(items: Sequence[tuple[str, str, str | None]]) -> tuple[str | None, str | None]:
    """The skip and xfail reasons; `reason=` sets the one of the flag just before it."""
    reasons: dict[str, str] = {}
    last_flag: str | None = None
    for key, _, value in items:
        if key == "skip":
            reasons[key] = value or ""  # the report words a bare skip
            last_flag = key
        elif key == "xfail":
            reasons[key] = value or f"mdverify: {key} directive"
            last_flag = key
        elif key == "reason":
            if last_flag is None or not value:
                raise DirectiveError("'reason' must follow 'skip' or 'xfail' and have a value")
            reasons[last_flag] = value
    return reasons.get("skip"), reasons.get("xfail")


def did_you_mean(key: str, known: tuple[str, ...]) -> str:
    """A hint naming the known key an unknown one is a slip of (`skipp`, `Timeout`), or ''."""
    close = get_close_matches(key.lower(), known, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
