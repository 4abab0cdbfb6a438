"""Update mode for a declared traceback: rewrite its exception line, and nothing else of it.

The body of a traceback is the writer's (`...`, a shortened stack, another file name), so
an update replaces only the last line, `ValueError: old message`, with what the block
raised; the line keeps its container indentation and its `#` or `#>` marker, and its own
line ending. A chain or an ExceptionGroup (several exception lines), or a message of several
lines, is left for the writer, with a reason. The result is parsed again, and the edit is
refused unless the new traceback declares what was raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mdverify.article.fences import OUTPUT_WORDS
from mdverify.article.parse import decode, parse_text
from mdverify.model import ArticleError

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from mdverify.model import Article, RaisesClaim

__all__ = ["TracebackFix", "fix_tracebacks"]


@dataclass(frozen=True)
class TracebackFix:
    """A declared traceback's exception line to replace by `got` (`ValueError: message`)."""

    example: int
    claim: int
    """Index of the claim in the example's `raises`."""
    got: str


def fix_tracebacks(
    data: bytes,
    article: Article,
    fixes: Sequence[TracebackFix],
    output_words: Collection[str] = OUTPUT_WORDS,
) -> tuple[bytes, list[int], list[tuple[int, str]]]:
    """Apply `fixes` to `data` (the bytes `article` was parsed from).

    Returns the new bytes, the article lines rewritten, and (line, reason) of each fix refused.
    """
    lines = data.splitlines(keepends=True)  # bytes split at \n, \r\n and \r, as markdown-it
    applied: list[tuple[TracebackFix, RaisesClaim]] = []
    refused: list[tuple[int, str]] = []
    for fix in dict.fromkeys(fixes):
        claim = article.examples[fix.example].raises[fix.claim]
        reason = _splice(lines, claim, fix.got)
        if reason is None:
            applied.append((fix, claim))
        else:
            refused.append((claim.line, reason))
    new = b"".join(lines)
    if not applied:
        return data, [], refused
    try:
        again = parse_text(article.path, decode(article.path, new), output_words=output_words)
        declared = [again.examples[f.example].raises[f.claim].exceptions for f, _ in applied]
    except (ArticleError, IndexError):
        declared = []
    if declared != [(f.got,) for f, _ in applied]:
        why = "the new text would not declare what the block raised; update it by hand"
        return data, [], refused + [(claim.line, why) for _, claim in applied]
    return new, sorted(claim.line for _, claim in applied), refused


def _splice(lines: list[bytes], claim: RaisesClaim, got: str) -> str | None:
    """Replace the claim's exception line in `lines`; the reason when it cannot be."""
    if claim.form != "traceback" or len(claim.exceptions) != 1:
        return "a chain or an exception group is not rewritten; update it by hand"
    old = claim.exceptions[0]
    if "\n" in old or "\n" in got or "\r" in got:
        return "an exception message of several lines is not rewritten; update it by hand"
    raw = lines[claim.line - 1]
    body = raw.rstrip(b"\r\n")
    ending = raw[len(body) :]
    text = body.decode("utf-8")  # never line 1 (a fence or code is above): no BOM
    if not text.rstrip().endswith(old):
        return "cannot find the exception line in the article"
    head = text.rstrip()[: len(text.rstrip()) - len(old)]
    lines[claim.line - 1] = (head + got).encode("utf-8") + ending
    return None
