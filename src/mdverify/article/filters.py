"""Output filters as a writer names them: `REGEX => REPLACEMENT`, or a preset's name.

Some output differs on every run: an object's address, the time of day, a measured
duration. A filter rewrites the declared and the printed text alike before they are
compared (`mdverify.check.filters` applies them), so that such a value compares equal
while everything around it is still checked. Filters come from the session
(`mdverify_filters`), the front matter (`filters:`) and a block's directive (`filter=`),
in that order; the name `none` drops those in force before it.

A preset is a named list of patterns, each documented in docs/output.md:

* `addresses`: `0x7f3a...` after `at ` (`<Person object at 0x7f3a>`) becomes `0x…`;
* `timestamps`: ISO dates and times, `ctime()`, `datetime(...)` reprs and common
  `strftime` forms become `<timestamp>`, a time of day alone `<time>`;
* `uuids`: `1b4e28ba-2fa1-11d2-883f-0016d3cca427` becomes `<uuid>`;
* `tmp_paths`: a path under the temporary directory becomes `<tmp>`;
* `task_names`: `Task-12` becomes `Task-…`;
* `wall_clock` (on by default): `timestamps`, in the output of a block whose code reads the
  wall clock (`mdverify.article.volatile`);
* `pids` (on by default): in the output of a block whose code reads a process id, a number
  after a word for a process or an id (`pid 4211`, `process id: 4211`, `proceso padre
  4211`) becomes `<pid>`;
* `versions` (on by default): a version in a URL's path (`https://errors.pydantic.dev/2/`)
  matches a printed version that it is the start of (`2.14`, not `3.0` nor `2.1` for `2.14`);
* `durations`: a number with a unit of time (`0.53s`, `took 1.2 seconds`, `15 ms`) or after
  a word about time (`Elapsed: 2.0031`) is compared as a duration, within a tolerance:
  `durations` uses the timing claims' tolerance, `durations(20%,0.1s)` states its own.
"""

from __future__ import annotations

import math
import re

from mdverify.article.timing import parse_duration
from mdverify.article.volatile import CLOCK, PID
from mdverify.model import OutputFilter

__all__ = [
    "CONDITIONAL",
    "DEFAULT_FILTERS",
    "PRESETS",
    "FilterError",
    "parse_filter",
    "parse_filters",
]

DEFAULT_FILTERS = ("addresses", "durations", "wall_clock", "pids", "versions")
"""The presets in force with no configuration: values no run can reproduce."""

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_CLOCK = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:\s?[AaPp][Mm])?"
_ZONE = r"(?:\s?(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT))?"

_STAMP = "<timestamp>"
_REPR_ARGS = r"\d{4}(?:, \d+){2,6}(?:, tzinfo=[^()]*(?:\([^()]*\))?)?"
_ISO_TIME = r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
_MONTH_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_UNIX_TMP = r"(?:(?:/private)?/var/folders/[^/\s]+/[^/\s]+/T|(?<![\w.])/(?:var/)?tmp)"
# A date may go on with a time of day, its seconds left out (`8/7/2021, 7:38`).
_DATED = rf"(?:,? \d{{1,2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?(?:\s?[AaPp][Mm])?{_ZONE})?\b"

PRESETS: dict[str, tuple[tuple[str, str], ...]] = {
    "addresses": ((r"(?<=\bat )0x[0-9A-Fa-f]+\b", "0x…"),),
    "timestamps": (
        # A `datetime` or `date` repr, with its numbers and any tzinfo.
        (
            rf"\bdatetime\.(?:datetime|date)\({_REPR_ARGS}\)",
            _STAMP,
        ),
        # What `ctime()` writes: the day, the month, the day of the month, the time, the year.
        (rf"\b(?:{_DAYS}) (?:{_MONTHS}) [ \d]\d {_CLOCK} \d{{4}}\b", _STAMP),
        # ISO 8601, a date alone or with a time and a zone.
        (
            rf"\b\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?{_ZONE})?\b",
            _STAMP,
        ),
        # The strftime forms: the month's name before or after the day, or day/month/year.
        (
            rf"\b(?:(?:{_DAYS}),? )?(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}{_DATED}",
            _STAMP,
        ),
        (rf"\b(?:(?:{_DAYS}),? )?\d{{1,2}} (?:{_MONTHS})\.?,? \d{{4}}{_DATED}", _STAMP),
        (rf"\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}{_DATED}", _STAMP),
        # A time of day alone, after every form that holds one.
        (rf"\b{_CLOCK}\b", "<time>"),
    ),
    "uuids": ((r"\b[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\b", "<uuid>"),),
    "tmp_paths": (
        # The temporary directory of Linux, macOS and Windows, and the rest of the path.
        (
            r"(?:(?:/private)?/var/folders/[^/\s]+/[^/\s]+/T|(?<![\w.])/(?:var/)?tmp)(?:/[^\s'\"]*)?(?![\w.])",
            "<tmp>",
        ),
        (r"\b[A-Za-z]:\\[^\s'\"]*?\\Temp(?:\\[^\s'\"]*)?", "<tmp>"),
    ),
    "task_names": ((r"\bTask-\d+\b", "Task-…"),),
    "durations": (),
    "wall_clock": (),
    "pids": (),
    "versions": (),
}
# A pid follows a word for a process or an id on its line, in a few languages.
_PID_WORDS = r"pids?|process(?:es|us|o)?|proceso|prozess|id"
CONDITIONAL: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "wall_clock": (CLOCK, PRESETS["timestamps"]),
    "pids": (
        PID,
        (
            (
                rf"(?i:(\b(?:{_PID_WORDS})\b[^\d\n]{{0,30}}?))(?<![\w.])\d+(?![\w.])",
                r"\1<pid>",
            ),
        ),
    ),
}
"""Presets that apply only to a block whose code reads what they hide: each preset's kind
of reading (`mdverify.article.volatile`) and its patterns."""
_RESET = "none"
_ARROW = re.compile(r"\s=>\s")
_DURATIONS = re.compile(r"durations\((?P<tolerance>[^()]*)\)")


class FilterError(ValueError):
    """A filter mdverify cannot use; the message says what to write instead."""


def parse_filter(text: str) -> tuple[OutputFilter, ...]:
    """One filter as written: `REGEX => REPLACEMENT`, a preset's name, or `none`."""
    spec = text.strip()
    arrow = _ARROW.search(spec)
    if arrow is not None:
        pattern, replacement = spec[: arrow.start()].strip(), spec[arrow.end() :].strip()
        try:
            compiled = re.compile(pattern)
            compiled.sub(replacement, "")  # a bad group reference fails only here
        except re.error as err:
            raise FilterError(f"the filter {spec!r} is not a regular expression: {err}") from None
        return (OutputFilter(spec, pattern, replacement),)
    if spec == _RESET:
        return (OutputFilter(_RESET),)
    durations = _DURATIONS.fullmatch(spec)
    if durations is not None:
        return (OutputFilter("durations", tolerance=_tolerance(durations["tolerance"])),)
    if spec not in PRESETS:
        raise FilterError(
            f"unknown filter {spec!r}: write REGEX => REPLACEMENT, or a preset: "
            f"{', '.join(PRESETS)} (or none)"
        )
    if spec in {"durations", "versions", *CONDITIONAL}:
        return (OutputFilter(spec),)
    return tuple(OutputFilter(spec, pattern, replacement) for pattern, replacement in PRESETS[spec])


def parse_filters(specs: object) -> tuple[OutputFilter, ...]:
    """A list of filters (the front matter's `filters:`, the ini's), or one as text."""
    items = specs if isinstance(specs, list) else [specs]
    found: list[OutputFilter] = []
    for item in items:
        if not isinstance(item, str):
            raise FilterError(
                f"a filter is text (REGEX => REPLACEMENT, or a preset's name), not {item!r}"
            )
        found.extend(parse_filter(item))
    return tuple(found)


def _tolerance(text: str) -> str:
    """The tolerance as written (`check.tolerance.Tolerance.parse` reads it), once checked."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not 1 <= len(parts) <= 2 or not all(map(_tolerance_part, parts)):
        raise FilterError(
            f"durations({text}): write a tolerance such as durations(10%), "
            "durations(0.2s) or durations(10%,0.2s)"
        )
    return ",".join(parts)


def _tolerance_part(part: str) -> bool:
    try:
        number = float(part[:-1]) if part.endswith("%") else parse_duration(part)
    except ValueError:
        return False
    return math.isfinite(number) and number >= 0
