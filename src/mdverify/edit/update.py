"""Update mode: turn the session's wrong outputs into rewritten articles, file by file.

The items of an article may run in other processes (pytest-xdist), so what they send here
is plain data, `Correction`: which file (and the digest of the bytes it was collected from),
which block and claim, and what the block printed. The article is parsed again from disk
here; if its bytes are not the ones the blocks ran from, it is not touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from mdverify.article.fences import OUTPUT_WORDS
from mdverify.article.parse import decode, parse_text
from mdverify.article.styles import CLAIM_STYLES, only_styles
from mdverify.edit.atomic import FileChangedError, NotRewritten, digest, write_atomic
from mdverify.edit.raises import TracebackFix, fix_tracebacks
from mdverify.edit.rewrite import rewrite
from mdverify.model import Article, ArticleError, Edit

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

__all__ = ["Correction", "CorrectionData", "FileResult", "summary", "update_files"]


class CorrectionData(TypedDict):
    """A `Correction` as pytest-xdist carries it from a worker to the controller."""

    path: str
    display: str
    digest: str
    example: int
    claim: int
    got: str
    raises: bool


@dataclass(frozen=True)
class Correction:
    """One declared output to rewrite, as an item reports it."""

    path: str
    """Absolute path of the article."""
    display: str
    """The article's path as reports name it."""
    digest: str
    """Digest of the bytes the article was collected from."""
    example: int
    claim: int
    """Index of the claim in the example's outputs (`raises`: in its raises)."""
    got: str
    """What the block printed; `raises`: the exception line it raised."""
    raises: bool = False
    """A declared traceback's exception line to rewrite (`mdverify.edit.raises`)."""

    def to_wire(self) -> CorrectionData:
        """Plain data that pytest-xdist can carry from a worker to the controller."""
        return CorrectionData(
            path=self.path,
            display=self.display,
            digest=self.digest,
            example=self.example,
            claim=self.claim,
            got=self.got,
            raises=self.raises,
        )

    @classmethod
    def from_wire(cls, data: CorrectionData) -> Correction:
        """The inverse of `to_wire`."""
        return cls(**data)


@dataclass(frozen=True)
class FileResult:
    """What update mode did to one article."""

    display: str
    changed_lines: tuple[int, ...] = ()
    """Article lines (of the old text) of the outputs that were rewritten."""
    refused: tuple[str, ...] = ()
    """`path:line: reason` for each output that was not rewritten."""
    error: str | None = None
    """Why the whole file was left alone."""


def update_files(
    requests: Iterable[Correction],
    output_words: Collection[str] = OUTPUT_WORDS,
    claims: Collection[str] = CLAIM_STYLES,
) -> list[FileResult]:
    """Rewrite each article named in `requests`; one file's failure never stops the others.

    `output_words` and `claims` (the styles read) are the session's, so that each article
    is read as it was when it ran.
    """
    by_file: dict[str, list[Correction]] = defaultdict(list)
    for request in requests:
        by_file[request.path].append(request)
    return [
        _update_file(path, group, output_words, claims) for path, group in sorted(by_file.items())
    ]


def _update_file(
    path: str, requests: list[Correction], output_words: Collection[str], claims: Collection[str]
) -> FileResult:
    display = requests[0].display
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        return FileResult(display, error=f"cannot be read: {err.strerror or err}")
    if {r.digest for r in requests} != {digest(data)}:
        return FileResult(display, error="changed on disk while the examples ran: not rewritten")
    fixes = [TracebackFix(r.example, r.claim, r.got) for r in requests if r.raises]
    try:
        article = _parse(display, data, output_words, claims)
        # A traceback's line first: one line for one, so the outputs' lines stay where they are.
        fixed, tracebacks, not_fixed = fix_tracebacks(data, article, fixes, output_words)
        if fixed != data:
            article = _parse(display, fixed, output_words, claims)
        edits = [
            Edit(article.examples[r.example], article.examples[r.example].outputs[r.claim], r.got)
            for r in requests
            if not r.raises
        ]
    except (ArticleError, IndexError) as err:
        return FileResult(display, error=f"cannot be parsed again: {err}")
    result = rewrite(fixed, article, edits, output_words=output_words)
    refused = tuple(
        [f"{display}:{line}: {reason}" for line, reason in not_fixed]
        + [f"{display}:{r.edit.claim.line}: {r.reason}" for r in result.refused]
    )
    lines = tuple(sorted({*tracebacks, *(e.claim.line for e in result.applied)}))
    if result.data != data:
        try:
            write_atomic(Path(path), result.data, digest(data))
        except (FileChangedError, NotRewritten) as err:
            why = "changed on disk: not overwritten" if isinstance(err, FileChangedError) else err
            return FileResult(display, refused=refused, error=str(why))
        except OSError as err:
            return FileResult(display, refused=refused, error=f"cannot be written: {err}")
    return FileResult(display, lines if result.data != data else (), refused)


def _parse(
    display: str, data: bytes, output_words: Collection[str], claims: Collection[str]
) -> Article:
    text = decode(display, data)
    return only_styles(parse_text(display, text, output_words=output_words), claims)


def summary(results: Iterable[FileResult]) -> list[str]:
    """Lines for the terminal: files and blocks changed, then what was left alone and why."""
    results = list(results)
    changed = [r for r in results if r.changed_lines]
    blocks = sum(len(r.changed_lines) for r in changed)
    outputs = f"{blocks} declared output{'s' if blocks != 1 else ''}"
    lines = [
        f"mdverify: rewrote {outputs} in {len(changed)} file{'s' if len(changed) != 1 else ''}"
    ]
    lines.extend(
        f"  {r.display}: line{'s' if len(r.changed_lines) > 1 else ''} "
        + ", ".join(map(str, r.changed_lines))
        for r in changed
    )
    for result in results:
        if result.error is not None:
            lines.append(f"mdverify: {result.display} {result.error}")
        lines.extend(f"mdverify: not rewritten: {reason}" for reason in result.refused)
    return lines
