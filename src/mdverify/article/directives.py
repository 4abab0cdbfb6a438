"""The directive language: `<!-- mdverify: ... -->` comments and the front matter's `mdverify:` key.

Both spellings share one key syntax, and each key has its scope:

* block keys, in a directive comment above the block: `elapsed`, `not` (its timing claim),
  `raises` (the exception it stops on; `mdverify.article.raises`), `serve` with `port`,
  `request`, `expect` (its server check), `stdin` (the text its standard input holds),
  `session` and `reset` (the namespace it runs in; `mdverify.article.sessions`);
* article keys, in the front matter: `clock` (the blocks share one process), `files` and
  `setup` (a Python file run before the first block; `mdverify.article.hidden`);
* keys at either scope: `skip`, `xfail`, `reason`, `timeout`, `requires`, `python`,
  `unordered`, `allow`, `norun`, `isolate` (the front matter's are every block's defaults,
  `isolate: blocks` there; a block's `allow` adds to them), and `hosts`, `services` (the
  front matter's are every block's; a block's are its own);
* output filters (`mdverify.article.filters`): the front matter's `filters:` list, and
  `filter="REGEX => REPLACEMENT"` (or a preset's name) on a block, as often as needed.

Errors, each saying what to write: a key at the wrong scope, `norun` beside a key that needs
the block to run (`RUN_KEYS`), an unknown key (`skipp`: did you mean `skip`?).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import cast

from mdverify.article.filters import FilterError, parse_filter, parse_filters
from mdverify.article.raises import directive_raises
from mdverify.article.sessions import Namespacing, read_namespacing
from mdverify.article.timing import directive_claim
from mdverify.article.values import (
    DirectiveError,
    allowed,
    did_you_mean,
    duration,
    equals,
    flag,
    no_value,
    positive_number,
    python_constraint,
    reasons,
    stdin_text,
)
from mdverify.article.world import (
    SERVE_KEYS,
    WORLD_KEYS,
    Items,
    WorldError,
    read_comment_serve,
    read_comment_world,
    read_front_matter_world,
)
from mdverify.model import (
    ArticleSettings,
    BlockSettings,
    ClockName,
    DiagnosticKind,
    OutputFilter,
    RaisesClaim,
    ServeCheck,
    SetupFile,
    Skip,
    SkipKind,
    TimingClaim,
    World,
)

__all__ = [
    "RUN_KEYS",
    "BlockDirective",
    "DirectiveError",
    "known_keys",
    "norun_conflict",
    "parse_comment",
    "parse_mapping",
]


_EITHER_KEYS = (
    "skip", "xfail", "reason", "timeout", "requires", "python", "unordered", "allow", "norun",
    "hosts",
    "services", "isolate",
)  # fmt: skip
_BLOCK_KEYS = (
    *_EITHER_KEYS, "elapsed", "not", "raises", "filter", "stdin", "session", "reset", *SERVE_KEYS
)  # fmt: skip
RUN_KEYS = ("elapsed", "not", "raises", "stdin", "serve")
"""Block keys that ask something of the block's run, which a `norun` block never has."""
_ARTICLE_KEYS = (*_EITHER_KEYS, "clock", "files", "filters", "setup")
_ALL_KEYS = tuple(dict.fromkeys(_BLOCK_KEYS + _ARTICLE_KEYS))
# Where a key given at the wrong scope belongs, in the words of the error.
_ARTICLE_ONLY = {
    "clock": "'clock' applies to a whole article (its blocks share one process): "
    "set it in the front matter under 'mdverify:'",
    "files": "'files' is a mapping of names to contents: set it in the front matter",
    "setup": "'setup' names a Python file run before the article's first block: set it in "
    "the front matter under 'mdverify:'; code for one place goes in an "
    "'<!-- mdverify: hidden' comment",
    "filters": "a block's filter is 'filter=\"REGEX => REPLACEMENT\"' (or a preset's name), "
    "once per filter; 'filters:' is the front matter's list",
}
_BLOCK_ONLY = {
    **dict.fromkeys(
        ("elapsed", "not"),
        "a timing claim ('elapsed', 'not') belongs to one block: "
        "put it in a directive comment above that block",
    ),
    "raises": "'raises' says which exception one block stops on: "
    "put it in a directive comment above that block",
    **{
        key: f"'{key}' belongs on the block it checks, in a directive comment" for key in SERVE_KEYS
    },
    "filter": "the front matter lists its filters under 'filters:'",
    "stdin": "'stdin' is what one block reads: put it in a directive comment above that block",
    **{
        key: f"'{key}' says which namespace one block runs in: put it in a directive comment "
        "above that block (the front matter's 'isolate: blocks' runs every block alone)"
        for key in ("session", "reset")
    },
}


# key, optional operator, optional value (quoted or bare); `python>=3.11` uses the operator.
_ITEM = re.compile(
    r"""\s*(?P<key>[A-Za-z_][\w-]*)
        (?:\s*(?P<op>>=|<=|==|!=|=|<|>)\s*
           (?:"(?P<quoted>(?:[^"\\]|\\.)*)"|'(?P<squoted>[^']*)'|(?P<bare>[^\s"']+)))?""",
    re.VERBOSE,
)
_COMPARATORS = (">=", "<=", "==", "!=", "<", ">")


@dataclass(frozen=True)
class BlockDirective:
    """What a directive comment says about the block below it."""

    settings: BlockSettings
    world: World
    """The hosts and services the block needs besides the article's."""
    timing: TimingClaim | None
    """The `elapsed=~1s not=2s` claim, at the directive's line; None without `elapsed`."""
    raises: RaisesClaim | None = None
    """The `raises=...` claim, at the directive's line."""
    runs: tuple[str, ...] = ()
    """The keys given that need the block to run (`RUN_KEYS`), in order."""


def known_keys() -> tuple[str, ...]:
    """Every key of the directive language, block and article scope."""
    return _ALL_KEYS


def parse_comment(body: str, line: int) -> BlockDirective:
    """Parse the text after `mdverify:` in an HTML comment at article line `line`."""
    items = _items(body)
    _check_scope(items, _BLOCK_KEYS, _ARTICLE_ONLY)
    return _directive(items, line)


def _items(body: str) -> Items:
    """The (key, operator, value) items of a directive's text, in order."""
    items: Items = []
    pos = 0
    body = body.strip()
    while pos < len(body):
        match = _ITEM.match(body, pos)
        if match is None or match.end() == pos:
            rest = body[pos + 1 : pos + 2]
            if items and body[pos] == "=" and not rest.strip() and not items[-1][1]:  # `session=`
                raise DirectiveError(no_value(items[-1][0]), items[-1][0])
            raise DirectiveError(f"cannot read directive text {body[pos:].strip()!r}")
        value = match["quoted"]
        if value is not None and match["key"] != "stdin":  # stdin reads its own escapes
            # Only `\"` and `\\` are escapes: a filter's `\d` stays a regex's `\d`.
            value = re.sub(r'\\([\\"])', r"\1", value)
        elif value is None:
            value = match["squoted"] if match["squoted"] is not None else match["bare"]
        items.append((match["key"], match["op"] or "", value))
        pos = match.end()
        while pos < len(body) and body[pos] in " \t\n,;":
            pos += 1
    return items


def _directive(items: Items, line: int) -> BlockDirective:
    """What a directive's items say about its block."""
    timing = _timing_claim(items, line)
    try:
        world = read_comment_world(items)
        serve = read_comment_serve(items)
        filters = tuple(f for k, op, v in items if k == "filter" for f in _filter(op, v))
    except (WorldError, FilterError) as err:
        raise DirectiveError(str(err)) from None
    raises = None
    for key, op, value in items:
        if key == "raises":
            equals(key, op)
            if raises is not None:
                raise DirectiveError("'raises' is given twice; a block stops on one exception")
            try:
                raises = directive_raises(value or "", line)
            except ValueError as err:
                raise DirectiveError(str(err)) from None
    settings = _block_settings(items, serve, filters, read_namespacing(items, front_matter=False))
    runs = tuple(dict.fromkeys(key for key, _, _ in items if key in RUN_KEYS))
    if settings.norun and runs:
        raise DirectiveError(
            f"{runs[0]!r} needs the block to run, and 'norun' only compiles it: drop one of them"
        )
    return BlockDirective(settings, world, timing, raises, runs)


def norun_conflict(key: str) -> str:
    """Why a directive asking `key` of its block's run clashes with the front matter's `norun`."""
    return (
        f"{key!r} needs the block to run, and the front matter's 'norun' only compiles it: "
        "write norun=false beside it"
    )


def parse_mapping(data: object) -> ArticleSettings:
    """Parse the front matter's `mdverify:` value (a mapping of the article's keys)."""
    if not isinstance(data, Mapping):
        raise DirectiveError("the front matter key 'mdverify' must be a mapping of directives")
    items: Items = []
    world = World()
    filters: tuple[OutputFilter, ...] = ()
    for key, value in cast("Mapping[object, object]", data).items():
        name = str(key)
        if name == "filters":
            items.append((name, "", None))  # for the scope check; the value is read here
            filters = _front_matter_filters(value)
        elif name in WORLD_KEYS:
            items.append((name, "", None))  # for the scope check; the value is read here
            try:
                world = world.merged(read_front_matter_world(name, value))
            except WorldError as err:
                raise DirectiveError(str(err)) from None
        elif value is not False:
            items.append(_mapping_item(name, value))
    _check_scope(items, _ARTICLE_KEYS, _BLOCK_ONLY)
    clock, setup = _article_only(items)
    namespacing = read_namespacing(items, front_matter=True, setup=setup is not None)
    defaults = _block_settings(items, None, filters, namespacing)
    return ArticleSettings(clock, world, defaults, setup)


def _article_only(items: Items) -> tuple[ClockName | None, SetupFile | None]:
    """The `clock` and the `setup` file of the front matter's items."""
    clock: ClockName | None = None
    setup: SetupFile | None = None
    for key, op, value in items:
        if key == "clock":
            equals(key, op)
            if value not in ("virtual", "real"):
                raise DirectiveError(f"'clock' is 'virtual' or 'real', not {value!r}")
            clock = cast("ClockName", value)
        elif key == "setup":
            name = (value or "").strip()
            if not name or "," in name:
                raise DirectiveError(
                    "'setup' names one Python file beside the article: setup: fakes.py"
                )
            if PurePath(name).is_absolute():
                raise DirectiveError(
                    f"'setup' is a path relative to the article's folder, not {name!r}"
                )
            setup = SetupFile(name)
    return clock, setup


def _front_matter_filters(value: object) -> tuple[OutputFilter, ...]:
    try:
        return parse_filters(value)
    except FilterError as err:
        raise DirectiveError(str(err)) from None


def _mapping_item(name: str, value: object) -> tuple[str, str, str | None]:
    """A front matter key and value as the (key, operator, value) a comment would give."""
    if name == "python":
        text = str(value).strip()
        op = next((c for c in _COMPARATORS if text.startswith(c)), "==")
        return name, op, text[len(op) :].strip() if text.startswith(op) else text
    if value is True or value is None:
        return name, "", None
    if isinstance(value, list):
        return name, "=", ",".join(str(v) for v in cast("list[object]", value))
    return name, "=", str(value)


def _timing_claim(items: Items, line: int) -> TimingClaim | None:
    elapsed: float | None = None
    not_elapsed: list[float] = []
    for key, op, value in items:
        if key in ("elapsed", "not"):
            equals(key, op)
            if key == "elapsed":
                elapsed = duration(key, value)
            else:
                not_elapsed.extend(duration(key, v) for v in (value or "").split(","))
    if elapsed is None:
        if not_elapsed:
            raise DirectiveError("'not' needs an 'elapsed' claim beside it")
        return None
    return directive_claim(line, elapsed, tuple(not_elapsed))


def _check_scope(items: Items, allowed: tuple[str, ...], elsewhere: Mapping[str, str]) -> None:
    previous: tuple[str, str, str | None] | None = None
    for item in items:
        key = item[0]
        if key in elsewhere:
            raise DirectiveError(elsewhere[key], key)
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            if previous is not None and previous[2] is not None and not item[1]:  # `reason=a b`
                hint = f' (a value with spaces needs quotes: {previous[0]}="...")'
            known = ", ".join(_ALL_KEYS)
            raise DirectiveError(f"unknown directive {key!r}{hint}; known: {known}", key)
        previous = item


def _filter(op: str, value: str | None) -> tuple[OutputFilter, ...]:
    equals("filter", op)
    if not value:
        raise DirectiveError("'filter' needs a value: filter=\"REGEX => REPLACEMENT\" or a preset")
    return parse_filter(value)


def _block_settings(
    items: Items,
    serve: ServeCheck | None,
    filters: tuple[OutputFilter, ...],
    namespacing: Namespacing,
) -> BlockSettings:
    """The keys of either scope that say how to run a block, and how to judge its output."""
    timeout: float | None = None
    unordered: bool | None = None
    norun: bool | None = None
    requires: list[str] = []
    python: list[tuple[str, tuple[int, ...]]] = []
    allow: set[DiagnosticKind] = set()
    for key, op, value in items:
        if key == "python":
            python.append(python_constraint(op, value))
        elif key == "allow":
            equals(key, op)
            allow.update(allowed(value))
        elif key == "unordered":
            unordered = flag(key, op, value)
        elif key == "norun":
            norun = flag(key, op, value)
        elif key in ("skip", "xfail", "reason", "timeout", "requires"):
            equals(key, op)
            if key == "timeout":
                timeout = positive_number(key, value)
            elif key == "requires":
                names = [n.strip() for n in (value or "").split(",") if n.strip()]
                if not names:
                    raise DirectiveError(
                        "'requires' needs module names, e.g. requires=aiohttp,asyncpg"
                    )
                requires.extend(names)
    skip, xfail = reasons(items)
    return BlockSettings(
        None if skip is None else Skip(SkipKind.WRITER, skip),
        xfail,
        timeout,
        tuple(requires),
        tuple(python),
        serve,
        filters,
        unordered,
        frozenset(allow),
        norun,
        _stdin(items),
        namespacing.session,
        namespacing.isolate,
        namespacing.reset,
    )


def _stdin(items: Items) -> str | None:
    """The text of the `stdin` key, if given (once: a block has one standard input)."""
    given = [stdin_text(op, value) for key, op, value in items if key == "stdin"]
    if len(given) > 1:
        raise DirectiveError("'stdin' is given twice; a block has one standard input")
    return given[0] if given else None
