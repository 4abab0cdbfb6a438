"""The directive language: `<!-- mdverify: ... -->` comments and the front matter's `mdverify:` key.

Both spellings produce the same `Settings`, so a key means the same thing whether it sets
an article's default or one block's. Unknown keys are errors: a misspelt `skp` that was
silently ignored would run a block the writer meant to skip.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any, cast

from mdverify.article.timing import parse_duration
from mdverify.article.world import NEED_KEYS, NeedError, from_items, from_mapping
from mdverify.model import ClockName, Settings

__all__ = ["DirectiveError", "parse_comment", "parse_mapping", "skip_reason"]

KEYS = ("skip", "xfail", "reason", "timeout", "requires", "python", "clock", "elapsed", "not")
_ALL_KEYS = KEYS + NEED_KEYS  # NEED_KEYS: the services an article uses (mdverify.article.world)

# key, optional operator, optional value (quoted or bare); `python>=3.11` uses the operator.
_ITEM = re.compile(
    r"""\s*(?P<key>[A-Za-z_][\w-]*)
        (?:\s*(?P<op>>=|<=|==|!=|=|<|>)\s*
           (?:"(?P<quoted>(?:[^"\\]|\\.)*)"|'(?P<squoted>[^']*)'|(?P<bare>[^\s"']+)))?""",
    re.VERBOSE,
)
_VERSION = re.compile(r"\d+(?:\.\d+){0,2}")
_COMPARATORS = (">=", "<=", "==", "!=", "<", ">")


class DirectiveError(ValueError):
    """A directive that mdverify does not understand; the message says what to write instead."""


def parse_comment(body: str) -> Settings:
    """Parse the text after `mdverify:` in an HTML comment."""
    items: list[tuple[str, str, str | None]] = []
    pos = 0
    body = body.strip()
    while pos < len(body):
        match = _ITEM.match(body, pos)
        if match is None or match.end() == pos:
            raise DirectiveError(f"cannot read directive text {body[pos:].strip()!r}")
        value = match["quoted"]
        if value is not None:
            value = re.sub(r"\\(.)", r"\1", value)
        else:
            value = match["squoted"] if match["squoted"] is not None else match["bare"]
        items.append((match["key"], match["op"] or "", value))
        pos = match.end()
        while pos < len(body) and body[pos] in " \t\n,;":
            pos += 1
    return _settings_from_items(items)


def parse_mapping(data: object) -> Settings:
    """Parse the front matter's `mdverify:` value (a mapping of the same keys)."""
    if not isinstance(data, Mapping):
        raise DirectiveError("the front matter key 'mdverify' must be a mapping of directives")
    items: list[tuple[str, str, str | None]] = []
    needs: dict[str, Any] = {}
    for key, value in cast("Mapping[object, object]", data).items():
        name = str(key)
        if name in NEED_KEYS:
            needs.update(_needs(partial(from_mapping, name, value)))
        elif name == "python":
            text = str(value).strip()
            op = next((c for c in _COMPARATORS if text.startswith(c)), "==")
            items.append((name, op, text[len(op) :].strip() if text.startswith(op) else text))
        elif value is True or value is None:
            items.append((name, "", None))
        elif value is False:
            continue
        elif isinstance(value, list):
            items.append((name, "=", ",".join(str(v) for v in cast("list[object]", value))))
        else:
            items.append((name, "=", str(value)))
    return replace(_settings_from_items(items), **needs)


def _needs(parse: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return parse()
    except NeedError as err:
        raise DirectiveError(str(err)) from None


def _settings_from_items(  # noqa: C901, PLR0912 -- one branch per key reads best
    items: list[tuple[str, str, str | None]],
) -> Settings:
    skip: str | None = None
    xfail: str | None = None
    timeout: float | None = None
    requires: list[str] = []
    python: list[tuple[str, tuple[int, ...]]] = []
    clock: ClockName | None = None
    elapsed: float | None = None
    not_elapsed: list[float] = []
    last_flag: str | None = None
    for key, _, _ in items:
        if key not in _ALL_KEYS:
            raise DirectiveError(f"unknown directive {key!r}; known: {', '.join(_ALL_KEYS)}")
    needs = _needs(partial(from_items, [item for item in items if item[0] in NEED_KEYS]))
    for key, op, value in items:
        if key in NEED_KEYS:
            continue
        if key == "python":
            python.append(_python_constraint(op, value))
            continue
        if op not in ("", "="):
            raise DirectiveError(f"{key!r} takes '=', not {op!r}")
        if key in ("skip", "xfail"):
            reason = value or f"mdverify: {key} directive"
            if key == "skip":
                skip = reason
            else:
                xfail = reason
            last_flag = key
        elif key == "reason":
            if last_flag is None or not value:
                raise DirectiveError("'reason' must follow 'skip' or 'xfail' and have a value")
            if last_flag == "skip":
                skip = value
            else:
                xfail = value
        elif key == "timeout":
            timeout = _positive_number(key, value)
        elif key == "elapsed":
            elapsed = _duration(key, value)
        elif key == "not":
            not_elapsed.extend(_duration(key, v) for v in (value or "").split(","))
        elif key == "requires":
            names = [n.strip() for n in (value or "").split(",") if n.strip()]
            if not names:
                raise DirectiveError("'requires' needs module names, e.g. requires=aiohttp,asyncpg")
            requires.extend(names)
        else:  # clock
            if value not in ("virtual", "real"):
                raise DirectiveError(f"'clock' is 'virtual' or 'real', not {value!r}")
            clock = cast("ClockName", value)
    return Settings(
        skip=skip,
        xfail=xfail,
        timeout=timeout,
        requires=tuple(requires),
        python=tuple(python),
        clock=clock,
        elapsed=elapsed,
        not_elapsed=tuple(not_elapsed),
        **needs,
    )


def _duration(key: str, value: str | None) -> float:
    try:
        return parse_duration(value or "")
    except ValueError:
        raise DirectiveError(f"{key!r} needs a duration such as ~1.5s or 500ms") from None


def _positive_number(key: str, value: str | None) -> float:
    try:
        number = float(value or "")
    except ValueError:
        raise DirectiveError(f"{key!r} needs a number of seconds, not {value!r}") from None
    if number <= 0:
        raise DirectiveError(f"{key!r} must be positive, not {value!r}")
    return number


def _python_constraint(op: str, value: str | None) -> tuple[str, tuple[int, ...]]:
    if op in ("", "="):
        op = "=="
    if value is None or not _VERSION.fullmatch(value):
        raise DirectiveError(f"'python' needs a version such as python>=3.11, not {value!r}")
    return op, tuple(int(part) for part in value.split("."))


def skip_reason(settings: Settings) -> str | None:
    """Why a block with these settings must not run here, or None when it may."""
    if settings.skip is not None:
        return settings.skip
    for op, version in settings.python:
        if not _compare(tuple(sys.version_info)[: len(version)], op, version):
            return f"needs Python {op}{'.'.join(map(str, version))}"
    missing = [name for name in settings.requires if not _importable(name)]
    if missing:
        return f"needs {', '.join(missing)} (not importable here)"
    return None


def _compare(have: tuple[object, ...], op: str, want: tuple[int, ...]) -> bool:
    have = tuple(int(part) for part in have if isinstance(part, int))
    return {
        ">=": have >= want,
        "<=": have <= want,
        ">": have > want,
        "<": have < want,
        "==": have == want,
        "!=": have != want,
    }[op]


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
