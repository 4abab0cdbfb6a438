"""The baseline: a tree's known failures, kept in a file reviewed like code.

A tree adopted with hundreds of failing blocks can gate CI from its first day: the session
that writes the baseline records each failing block, and later sessions fail only on a
failure the file does not hold, or on a block whose kind of failure changed. As mypy's and
ruff's baselines do, an entry names what failed, not where: it survives edits elsewhere.

- A block is named by its article (the path from the rootdir, with `/`), a hash of its
  source, and its occurrence among the blocks of that article with the same source (1 for
  the first). Lines added above a block do not change it; an edit of the block itself does,
  and then its failure is new: the writer touched it, so it is theirs to fix or record.
- A failure is named by its kind (`failure_kind`): `raised NameError`, `output differs`,
  `timeout`; never by its volatile details (a line, a measured time, a memory address).
- The file is JSON, so that every Python mdverify supports reads it: one entry a line,
  sorted by article and block, so that a refresh changes only the lines of entries that
  came or went. Each entry also shows the block's first line of code, for the reviewer.

A refresh (`refreshed`) keeps the entries of blocks the session did not run (another shard,
a deselected article) and drops those of blocks that now pass or no longer exist. Nothing
here knows pytest.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mdverify.model import Status

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from mdverify.model import Observation, Verdict

__all__ = [
    "FORMAT",
    "BaselineError",
    "BlockKey",
    "Entry",
    "block_keys",
    "code_hint",
    "dumps",
    "exception_name",
    "failure_kind",
    "loads",
    "raised_name",
    "refreshed",
    "retired",
]

FORMAT = 1
"""The version of the file's format, its first key."""
_ABOUT = (
    "Known failures of the Markdown examples, one a line. mdverify reports them as xfailed "
    "and fails on any other; refresh with pytest --mdverify-baseline-write, review like code."
)
_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w]*\.)*(?P<name>[A-Za-z_]\w*)(?::|$)")
_HASH_LENGTH = 12
_HINT_LENGTH = 60


class BaselineError(ValueError):
    """A baseline file mdverify cannot read; the message names the file."""


@dataclass(frozen=True, order=True)
class BlockKey:
    """A block, named so that edits elsewhere in its article leave the name as it was."""

    article: str
    """The article's path from the rootdir, with `/`."""
    block: str
    """The first hex digits of the SHA-256 of the block's source."""
    occurrence: int
    """1 for the first block of the article with this source, 2 for the next, ..."""


@dataclass(frozen=True)
class Entry:
    """One known failure."""

    key: BlockKey
    kind: str
    """What failed, as `failure_kind` words it."""
    code: str = ""
    """The block's first line of code, for a reviewer; never compared."""


def block_keys(article: str, sources: Sequence[str]) -> tuple[BlockKey, ...]:
    """The key of each block of an article, in order, from the blocks' sources."""
    seen: dict[str, int] = {}
    keys = []
    for source in sources:
        block = hashlib.sha256(source.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
        seen[block] = seen.get(block, 0) + 1
        keys.append(BlockKey(article, block, seen[block]))
    return tuple(keys)


def code_hint(source: str) -> str:
    """The first line of code of a block, shortened: what a reviewer recognises it by."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return first if len(first) <= _HINT_LENGTH else first[: _HINT_LENGTH - 3] + "..."


def failure_kind(verdict: Verdict) -> str:
    """What kind of failure a failed verdict is, without its volatile details."""
    obs = verdict.observation
    if verdict.raises is not None:
        return f"raises: {verdict.raises.fault.value}"
    if not verdict.ran:
        if obs.status is Status.RAISED:
            return f"raised {raised_name(obs)}"
        return str(obs.status.value)
    parts = []
    if verdict.mismatches:
        parts.append("output differs")
    if verdict.timing:
        parts.append("timing claim not met")
    if verdict.diagnostics:
        parts.append("asyncio diagnostic")
    return ", ".join(parts)


def raised_name(obs: Observation) -> str:
    """The name of the exception a block raised (`gaierror` for `socket.gaierror`).

    From the child's data; from the traceback's last line only when the child sent none.
    """
    if obs.raised is not None:
        return obs.raised.type.rsplit(".", 1)[-1]
    return exception_name(obs.error)


def exception_name(error: str | None) -> str:
    """`NameError` from a traceback's last line (`NameError: name 'x' ...`); else `an error`."""
    last = next((ln for ln in reversed((error or "").splitlines()) if ln.strip()), "")
    match = _EXCEPTION.match(last.strip())
    return str(match["name"]) if match else "an error"


def loads(name: str, text: str) -> dict[BlockKey, Entry]:
    """The entries of a baseline file's text; `name` is how errors name the file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BaselineError(f"{name}:{err.lineno}: not a baseline file: {err.msg}") from None
    if not isinstance(data, dict) or data.get("mdverify-baseline") != FORMAT:
        raise BaselineError(
            f'{name}: not a baseline file of format {FORMAT} (no "mdverify-baseline": {FORMAT})'
        )
    entries: dict[BlockKey, Entry] = {}
    failures = data.get("failures", [])
    for number, raw in enumerate(failures if isinstance(failures, list) else [None], 1):
        entry = _entry(raw)
        if entry is None:
            raise BaselineError(
                f"{name}: failure {number} needs article, block (text), occurrence (a number) "
                "and kind (text)"
            )
        entries[entry.key] = entry
    return entries


def _entry(raw: object) -> Entry | None:
    if not isinstance(raw, dict):
        return None
    article, block, occurrence = raw.get("article"), raw.get("block"), raw.get("occurrence")
    kind, code = raw.get("kind"), raw.get("code", "")
    if not (
        isinstance(article, str)
        and isinstance(block, str)
        and isinstance(occurrence, int)
        and isinstance(kind, str)
        and isinstance(code, str)
    ):
        return None
    return Entry(BlockKey(article, block, occurrence), kind, code)


def dumps(entries: Iterable[Entry]) -> str:
    """The file's text: a header, then one entry a line, in a stable order."""
    lines = [
        json.dumps(
            {
                "article": e.key.article,
                "block": e.key.block,
                "occurrence": e.key.occurrence,
                "kind": e.kind,
                "code": e.code,
            },
            ensure_ascii=False,
        )
        for e in sorted(entries, key=lambda e: e.key)
    ]
    body = ",\n    ".join(lines)
    failures = f"[\n    {body}\n  ]" if lines else "[]"
    return (
        f'{{\n  "mdverify-baseline": {FORMAT},\n  "about": {json.dumps(_ABOUT)},\n'
        f'  "failures": {failures}\n}}\n'
    )


def refreshed(
    old: Mapping[BlockKey, Entry],
    collected: Mapping[str, frozenset[BlockKey]],
    results: Mapping[BlockKey, Entry | None],
) -> tuple[Entry, ...]:
    """The baseline after a session: `results` holds each block run (None: it passed).

    `collected` holds, for each article the session read, the keys of all its blocks. An
    old entry stays when its block did not run but still exists, or its article was not
    read at all; it goes when its block passed or is gone.
    """
    kept = [
        entry
        for key, entry in old.items()
        if key not in results and (key.article not in collected or key in collected[key.article])
    ]
    return (*kept, *(entry for entry in results.values() if entry is not None))


def retired(
    old: Mapping[BlockKey, Entry],
    collected: Mapping[str, frozenset[BlockKey]],
    results: Mapping[BlockKey, Entry | None],
) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    """The old entries a refresh drops: (those whose block now passes, those whose is gone)."""
    passing = tuple(old[key] for key, now in results.items() if now is None and key in old)
    gone = tuple(
        entry
        for key, entry in old.items()
        if key not in results and key.article in collected and key not in collected[key.article]
    )
    return passing, gone
