"""Every setting of mdverify: its one name, its one default, and how raw text becomes it.

A setting named `x` is `--mdverify-x` on the command line and `mdverify_x` in the ini file,
and `mdverify_x` is its key in the raw mappings `build` reads. The command line overrides
the ini file; a repeatable option (`pass_env`, `output_words`) adds to the list in force
instead: the ini file's, else the default.

`OPTIONS` (`mdverify.config.table`) is the table the pytest shell registers, help text and
all, so the defaults are written once: the ones of how an article runs are `RunOptions`'
own (this module builds that), the others are in the table. Each default is the raw text a
user could have typed, read by the same parser as theirs. `build` raises ValueError with
the message a user sees; the shell turns it into a usage error. Nothing here knows pytest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeGuard, cast

from mdverify.article.filters import FilterError, parse_filters
from mdverify.article.styles import parse_styles
from mdverify.check.tolerance import DEFAULT_TOLERANCE, Tolerance
from mdverify.config.table import OPTIONS, Option
from mdverify.run.options import RunOptions, parse_size
from mdverify.selection.shard import Shard, ShardError, parse_shard

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.model import ClockName, OutputFilter
    from mdverify.run.sandbox import Mode

_NO_LIMIT = 1 << 62

__all__ = ["OPTIONS", "Config", "Option", "Raw", "StartName", "build"]

Raw = str | float | bool | Sequence[str] | None
"""A value as pytest hands it over: text, a number (`type=float`), a flag, or a list."""
StartName = Literal["warm", "cold"]


@dataclass(frozen=True)
class Config:
    """Every setting of one session, read and checked (the defaults are `OPTIONS`')."""

    run: RunOptions
    """How each article runs: block timeout, clock, cap, environment, resource limits."""
    start: StartName
    tolerances: Mapping[ClockName, Tolerance]
    """Tolerance of timing claims on each clock."""
    timelines: Path | None
    update: bool
    changed_since: str | None
    shard: Shard | None
    postgres_bin: str | None
    globs: tuple[str, ...]
    output_words: tuple[str, ...]
    """Words that make a heading or a fence title introduce a block's output."""
    claims: frozenset[str]
    """The claim styles read (`mdverify.article.styles`)."""
    filters: tuple[OutputFilter, ...]
    """The session's output filters, applied before each article's own."""
    baseline: Path | None
    """The baseline file of known failures; None: every failure fails."""
    baseline_write: bool
    job_summary: str | None
    """Where the session's Markdown summary goes: a path, `none`, or None for the default."""
    max_article_size: int | None = None
    """Bytes an article may have to be read at all; None for no limit."""
    snippet_base: tuple[str, ...] = ()
    """Base paths of snippet includes as given; empty: a mkdocs.yml's, else the rootdir."""

    def tolerance(self, clock: ClockName) -> Tolerance:
        """The tolerance of timing claims measured on `clock`."""
        return self.tolerances[clock]


def build(cli: Mapping[str, Raw], ini: Mapping[str, Raw]) -> Config:
    """The session's config from the raw command-line and ini values (missing: not given)."""
    value = {option.name: _pick(option, cli, ini) for option in OPTIONS}
    sizes = {name: _size(name, value[name]) for name in _SIZES}
    run = RunOptions(
        timeout=_seconds("mdverify_timeout", value["timeout"]),
        clock=cast("ClockName", _choice(_OPTION["clock"], value["clock"])),
        cap=_seconds("mdverify_cap", value["cap"]),
        pass_env=tuple(cast("Sequence[str]", value["pass_env"])),
        memory=sizes["memory"] or None,
        processes=sizes["processes"] or None,
        # No limit on what is kept means keeping all that the budget lets through.
        output_limit=sizes["output_limit"] or sizes["output_budget"] or _NO_LIMIT,
        output_budget=sizes["output_budget"] or _NO_LIMIT,
        sandbox=cast("Mode", _choice(_OPTION["sandbox"], value["sandbox"])),
    )
    tolerance = value["tolerance"]
    try:
        tolerances = (
            {clock: Tolerance.parse(str(tolerance), d) for clock, d in DEFAULT_TOLERANCE.items()}
            if tolerance
            else dict(DEFAULT_TOLERANCE)
        )
    except ValueError as err:
        raise ValueError(f"mdverify tolerance: {err}") from None
    try:
        shard = parse_shard(str(value["shard"])) if value["shard"] else None
    except ShardError as err:
        raise ValueError(f"--mdverify-shard: {err}") from None
    try:
        claims = parse_styles(str(value["claims"]))
    except ValueError as err:
        raise ValueError(f"mdverify_claims: {err}") from None
    try:
        filters = parse_filters(list(cast("Sequence[str]", value["filters"])))
    except FilterError as err:
        raise ValueError(f"mdverify_filters: {err}") from None
    baseline = Path(str(value["baseline"])) if value["baseline"] else None
    baseline_write = _flag("mdverify_baseline_write", value["baseline_write"])
    if baseline_write and baseline is None:
        raise ValueError("--mdverify-baseline-write needs the file: --mdverify-baseline=PATH")
    return Config(
        run=run,
        start=cast("StartName", _choice(_OPTION["start"], value["start"])),
        tolerances=tolerances,
        timelines=Path(str(value["timelines"])) if value["timelines"] else None,
        update=_flag("mdverify_update", value["update"]),
        changed_since=_text(value["changed_since"]),
        shard=shard,
        postgres_bin=_text(value["postgres_bin"]),
        globs=tuple(cast("Sequence[str]", value["globs"])),
        output_words=tuple(cast("Sequence[str]", value["output_words"])),
        claims=claims,
        filters=filters,
        baseline=baseline,
        baseline_write=baseline_write,
        job_summary=_text(value["job_summary"]),
        max_article_size=sizes["max_article_size"] or None,
        snippet_base=tuple(cast("Sequence[str]", value["snippet_base"])),
    )


_OPTION = {option.name: option for option in OPTIONS}
_SIZES = tuple(option.name for option in OPTIONS if option.kind == "size")


def _given(value: Raw) -> bool:
    return value is not None and value is not False and value not in ("", [], ())


def _is_list(raw: Raw) -> TypeGuard[Sequence[object]]:
    return isinstance(raw, Sequence) and not isinstance(raw, str)


def _pick(option: Option, cli: Mapping[str, Raw], ini: Mapping[str, Raw]) -> Raw:
    """The raw value in force: the command line's, else the ini file's, else the default."""
    in_ini = [ini.get(key) for key in (*option.ini_aliases, option.key)]
    if option.kind == "list":
        # The command line adds to the list in force: the ini file's, else the default.
        base = [str(item) for raw in in_ini if _is_list(raw) for item in raw]
        added = cli.get(option.key)
        if not base:
            base = (option.default or "").split()
        return base + ([str(item) for item in added] if _is_list(added) else [])
    for raw in (cli.get(option.key), *reversed(in_ini)):
        if _given(raw):
            return raw
    return option.default


def _seconds(key: str, raw: Raw) -> float:
    """A positive number of seconds."""
    try:
        seconds = float(cast("str | float", raw))
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number of seconds, not {raw!r}") from None
    if not seconds > 0:
        raise ValueError(f"{key} must be more than 0 seconds, not {raw!r}")
    if not math.isfinite(seconds):
        raise ValueError(f"{key} must be a finite number of seconds, not {raw!r}")
    return seconds


def _choice(option: Option, raw: Raw) -> str:
    if raw not in option.choices:
        raise ValueError(f"{option.key} must be {' or '.join(option.choices)}, not {raw!r}")
    return str(raw)


def _size(name: str, raw: Raw) -> int:
    try:
        return parse_size(str(raw))
    except ValueError as err:
        raise ValueError(f"mdverify_{name}: {err}") from None


def _flag(key: str, raw: Raw) -> bool:
    if isinstance(raw, bool) or raw is None:
        return bool(raw)
    text = str(raw).strip().lower()
    if text not in ("true", "yes", "on", "1", "false", "no", "off", "0", ""):
        raise ValueError(f"{key} must be true or false, not {raw!r}")
    return text in ("true", "yes", "on", "1")


def _text(raw: Raw) -> str | None:
    return str(raw) if _given(raw) else None
