"""Edits -> the article's new bytes, changing only the declared outputs that were wrong.

Everything else stays byte for byte: the BOM, each line's own ending (LF, CRLF or a lone
CR), the container indentation of lists, blockquotes and admonitions, the fence markers,
trailing text. Inside a rewritten output, a line that still matches what the block printed
is kept as written (so `...` wildcards survive where they still match), and only the lines
that differ are replaced. A fence whose new body contains its own marker gets a longer one.

Edits are applied from the last line to the first, so that earlier ones never shift later
ones; two edits that touch the same lines are both refused. The result is parsed again and
every edited output must then declare what the block printed, or that edit is refused: a
rewrite never writes a file that would still fail, or that means something else. Output
declared inside a hidden code comment is rewritten in place like any other, unless it
would hold the `-->` that ends the comment.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mdverify.article.fences import OUTPUT_WORDS
from mdverify.article.literal import literal, value_part
from mdverify.article.parse import decode, parse_text
from mdverify.article.pasted import FORM as PASTED
from mdverify.check.compare import matches, normalise
from mdverify.check.reading import read_claim
from mdverify.edit.align import aligned
from mdverify.model import ArticleError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence

    from mdverify.model import Article, Edit, OutputClaim

__all__ = ["Refusal", "Rewrite", "rewrite"]

_BOM = b"\xef\xbb\xbf"
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")
_FENCE_OPEN = re.compile(
    r"(?P<pre>[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+[ \t>]*)*)(?P<mark>`{3,}|~{3,})"
)
_FENCE_CLOSE = re.compile(r"(?P<pre>[ \t>]*)(?P<mark>`{3,}|~{3,})")
_LEAD = re.compile(r"#\s?(?:(?:->|=>)\s?)?")
_ARROW_MARK = re.compile(r"(?:->|=>)\s?")


@dataclass(frozen=True)
class Refusal:
    """An edit that was not applied, and why (a writer reads the reason)."""

    edit: Edit
    reason: str


@dataclass(frozen=True)
class Rewrite:
    """The article's new bytes and what happened to each edit."""

    data: bytes
    applied: tuple[Edit, ...]
    refused: tuple[Refusal, ...]


@dataclass(frozen=True)
class _Splice:
    """Replace article lines `start`..`end` (1-based, inclusive) by `text`."""

    edit: Edit
    start: int
    end: int
    text: str


class _Refused(Exception):
    pass


class _Lines:
    """The article's lines, each with its own ending, and the BOM if there was one."""

    def __init__(self, data: bytes) -> None:
        self.bom = data.startswith(_BOM)
        text = data[len(_BOM) if self.bom else 0 :].decode("utf-8")
        self.raw = [m.group() for m in _LINE.finditer(text)]
        if self.raw and not self.raw[-1]:
            self.raw.pop()  # the empty match at the very end

    def body(self, line: int) -> str:
        """Line `line` (1-based) without its ending."""
        return self.raw[line - 1].rstrip("\r\n")

    def ending(self, line: int) -> str:
        raw = self.raw[line - 1]
        return raw[len(raw.rstrip("\r\n")) :]

    def newline(self, line: int) -> str:
        """The ending new lines near `line` use: that line's own, else the file's first."""
        if 1 <= line <= len(self.raw) and self.ending(line):
            return self.ending(line)
        return next((self.ending(n) for n in range(1, len(self.raw) + 1) if self.ending(n)), "\n")

    def encode(self) -> bytes:
        return (_BOM if self.bom else b"") + "".join(self.raw).encode("utf-8")


def rewrite(
    data: bytes,
    article: Article,
    edits: Sequence[Edit],
    *,
    output_words: Collection[str] = OUTPUT_WORDS,
) -> Rewrite:
    """Apply `edits` (claims of `article`, which was parsed from `data`) to `data`.

    `output_words` are those `article` was parsed with, to parse the result the same way.
    """
    refused: list[Refusal] = []
    lines = _Lines(data)
    splices: list[_Splice] = []
    for edit in dict.fromkeys(edits):  # the same edit twice is one edit
        try:
            splices.append(_splice(lines, edit))
        except _Refused as err:
            refused.append(Refusal(edit, str(err)))
    splices, conflicts = _without_conflicts(splices)
    refused.extend(conflicts)
    while True:
        new = _apply(lines, splices)
        wrong = _still_wrong(article, new, [s.edit for s in splices], output_words)
        if not wrong:
            break
        refused.extend(wrong)
        bad = {r.edit for r in wrong}
        splices = [s for s in splices if s.edit not in bad]
    return Rewrite(new, tuple(s.edit for s in splices), tuple(refused))


def _apply(lines: _Lines, splices: Sequence[_Splice]) -> bytes:
    result = _Lines(lines.encode())
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        result.raw[splice.start - 1 : splice.end] = [splice.text] if splice.text else []
    return result.encode()


def _without_conflicts(splices: list[_Splice]) -> tuple[list[_Splice], list[Refusal]]:
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    bad: set[int] = set()
    for i, first in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            second = ordered[j]
            if second.start > max(first.end, first.start):
                break
            bad.update((i, j))
    refusals = [
        Refusal(s.edit, "another update touches the same lines; rewrite them by hand")
        for i, s in enumerate(ordered)
        if i in bad
    ]
    return [s for i, s in enumerate(ordered) if i not in bad], refusals


def _still_wrong(
    article: Article, data: bytes, edits: Sequence[Edit], output_words: Collection[str]
) -> list[Refusal]:
    """Parse the new text again: every edited claim must now declare what was printed."""
    if not edits:
        return []
    try:
        new = parse_text(article.path, decode(article.path, data), output_words=output_words)
    except ArticleError as err:
        return [Refusal(e, f"the new text would not parse ({err.message})") for e in edits]
    if len(new.examples) != len(article.examples):
        return [Refusal(e, "the new text would change the article's blocks") for e in edits]
    wrong = []
    for edit in edits:
        old = article.examples[edit.example.index]
        claims = new.examples[edit.example.index].outputs
        position = old.outputs.index(edit.claim)
        if len(claims) != len(old.outputs) or not _declares(claims[position], edit.got):
            reason = "the new text would not declare what the block printed; update it by hand"
            wrong.append(Refusal(edit, reason))
    return wrong


def _declares(claim: OutputClaim, got: str) -> bool:
    """Whether `claim` declares `got`, as the comparison reads it (a comment as a value)."""
    if matches(claim.expected, got):
        return True
    return claim.kind in ("trailing", "comment") and read_claim(claim.expected, got).matched


def _splice(lines: _Lines, edit: Edit) -> _Splice:
    claim = edit.claim
    if claim.end_line is None:
        raise _Refused("mdverify does not know where this output ends")
    if edit.claim not in edit.example.outputs:
        raise _Refused("the claim does not belong to its block")
    bad = next((c for c in ("\r", "\x00") if c in edit.got), None)
    if bad is not None:
        raise _Refused(f"the output contains {bad!r}, which an article cannot hold as text")
    if edit.example.hidden and "-->" in edit.got:
        # Markdown ends an HTML comment at its first '-->', code or not.
        raise _Refused("the output holds '-->', which would end the hidden code's comment")
    if claim.kind == "fence":
        return _fence(lines, edit)
    if claim.kind == "transcript":
        raise _Refused("a console transcript is not rewritten; update it by hand")
    if claim.kind == "value":
        raise _Refused("a value shown in a comment is not rewritten; update it by hand")
    if claim.kind == "string":
        raise _Refused(
            "output written as a string under the print is not rewritten; update it by hand"
        )
    edit = _in_its_style(edit)
    if claim.kind == "trailing":
        return _trailing(lines, edit)
    return _run(lines, edit)


def _in_its_style(edit: Edit) -> Edit:
    """The edit of a value comment, declaring the last word alone if that is what it showed.

    `print("total:", t)  # 5` shows the last word of a one-line output
    (`mdverify.check.reading`); its update is `# 6`, not `# total: 6`. A value that goes on
    in prose is the writer's to update: which words still hold is theirs to say.
    """
    claim = edit.claim
    value = value_part(claim.expected) if claim.kind in ("trailing", "comment") else None
    if value is None or _declares(claim, edit.got):
        return edit  # a claim that already declares the output is left as it is
    if value != claim.expected.strip():  # blank comment lines around a value are no prose
        raise _Refused("the comment goes on in prose after its value; update it by hand")
    shown = normalise(edit.got)
    words = shown[0].split() if len(shown) == 1 else []
    if len(words) > 1 and literal(words[-1]) is not None and literal(value) is not None:
        return replace(edit, got=words[-1] + "\n")
    return edit


def _fence(lines: _Lines, edit: Edit) -> _Splice:
    claim = edit.claim
    assert claim.end_line is not None
    opening, closing = claim.line - 1, claim.end_line + 1
    old = claim.expected.split("\n") if claim.end_line >= claim.line else []
    head = _FENCE_OPEN.match(lines.body(opening))
    tail = _FENCE_CLOSE.match(lines.body(closing))
    if head is None or tail is None:
        raise _Refused("cannot find the output fence's markers")
    prefix = _prefix(lines, claim.line, old)
    if prefix is None:
        prefix = _blank_markers(head["pre"])
    new = aligned(old, edit.got)
    body = [
        lines.raw[claim.line - 1 + item] if isinstance(item, int) else _line(prefix, item)
        for item in new
    ]
    mark = head["mark"]
    # Lines kept as written never closed the fence; only new ones can.
    longest = max((_run_length(t, mark[0]) for t in new if isinstance(t, str)), default=0)
    top, bottom = lines.body(opening), lines.body(closing)
    if longest >= len(mark):
        grown = mark[0] * (longest + 1)
        top = top[: head.start("mark")] + grown + top[head.end("mark") :]
        bottom = bottom[: tail.start("mark")] + grown + bottom[tail.end("mark") :]
    nl = lines.newline(opening)
    text = (
        top
        + lines.ending(opening)
        + "".join(b if isinstance(i, int) else b + nl for b, i in zip(body, new, strict=True))
        + bottom
        + lines.ending(closing)
    )
    return _Splice(edit, opening, closing, text)


def _run(lines: _Lines, edit: Edit) -> _Splice:
    """Comment, `#>` and pycon outputs: a run of lines, one declared line per article line."""
    claim = edit.claim
    assert claim.end_line is not None
    count = claim.end_line - claim.line + 1
    old = claim.expected.split("\n") if count else []
    if len(old) != count:
        raise _Refused("the declared output's lines are not contiguous in the article")
    raws = [lines.body(n) for n in range(claim.line, claim.end_line + 1)]
    writer: Callable[[str], str]
    if claim.kind in ("prompt", "command"):
        found = _prefix(lines, claim.line, old)
        prefix = found if found is not None else _code_prefix(lines, edit, claim.line - 1)
        writer = lambda text: prefix + text  # noqa: E731 -- one-line per-kind formats
    elif claim.form == PASTED:  # pasted under `# output` as printed: the lines as they are
        prefix = ""
        writer = lambda text: text  # noqa: E731
    else:
        mark = "#>" if claim.kind == "arrow" else "#"
        if any(not r.lstrip(" \t>").startswith(mark) for r in raws):
            raise _Refused("the declared output is interleaved with other comments")
        prefix = raws[0][: raws[0].index("#")]
        writer = lambda text: f"{prefix}{mark} {text}" if text else prefix + mark  # noqa: E731
    new = aligned(old, edit.got)
    if not new and claim.kind not in ("prompt", "command"):
        new = [""]  # a comment claim cannot vanish: `#` alone declares no output
    if claim.kind == "comment" and new and isinstance(new[0], str) and 0 not in new:
        marker = _ARROW_MARK.match(raws[0][len(prefix) + 1 :].lstrip())
        if marker is not None:  # keep the writer's `# -> ` style on the first line
            new[0] = marker.group() + new[0]
    nl = lines.newline(claim.line if count else claim.line - 1)
    parts = [
        lines.raw[claim.line - 1 + item] if isinstance(item, int) else writer(item) + nl
        for item in new
    ]
    if count and parts and isinstance(new[-1], str):
        parts[-1] = parts[-1][: -len(nl)] + lines.ending(claim.end_line)
    return _Splice(edit, claim.line, claim.end_line, "".join(parts))


def _trailing(lines: _Lines, edit: Edit) -> _Splice:
    """`print(x)  # out`: one line stays a trailing comment; more become `#>` lines below."""
    claim = edit.claim
    raw = lines.body(claim.line)
    code = edit.example.source.split("\n")[claim.line - edit.example.code_line]
    if not raw.endswith(code):
        raise _Refused("cannot find the print line in the article")
    prefix = raw[: len(raw) - len(code)]
    column = _comment_column(code)
    if column is None:
        raise _Refused("cannot find the trailing comment")
    comment = code[column:]
    lead = _LEAD.match(comment)
    assert lead is not None  # tokenize says it is a comment, so it starts with '#'
    got = normalise(edit.got)
    ending = lines.ending(claim.line)
    if len(got) <= 1:
        text = got[0] if got else ""
        if got and matches(claim.expected, text):
            return _Splice(edit, claim.line, claim.line, lines.raw[claim.line - 1])
        new = prefix + code[:column] + (lead.group() + text if text else lead.group().rstrip())
        return _Splice(edit, claim.line, claim.line, new + ending)
    nl = lines.newline(claim.line)
    statement = prefix + code[:column].rstrip()
    # Under a print in a function or a loop, `#>` lines stand at the print's indentation.
    indent = prefix + code[: len(code) - len(code.lstrip())]
    arrows = [f"{indent}#> {t}" if t else f"{indent}#>" for t in got]
    return _Splice(edit, claim.line, claim.line, nl.join([statement, *arrows]) + (ending or ""))


def _prefix(lines: _Lines, first: int, old: list[str]) -> str | None:
    """The container prefix of a run of lines, read off one whose content is known."""
    for offset, content in enumerate(old):
        raw = lines.body(first + offset)
        if content.strip() and raw.endswith(content):
            return raw[: len(raw) - len(content)]
    return None


def _code_prefix(lines: _Lines, edit: Edit, line: int) -> str:
    code = edit.example.source.split("\n")[line - edit.example.code_line]
    raw = lines.body(line)
    if raw.endswith(code):
        return raw[: len(raw) - len(code)]
    head = _FENCE_OPEN.match(lines.body(edit.example.line))
    return _blank_markers(head["pre"]) if head else ""


def _blank_markers(prefix: str) -> str:
    """What the lines under `- ```` stand behind: list markers become spaces, `>` stays."""
    return "".join(c if c in " \t>" else " " for c in prefix)


def _line(prefix: str, text: str) -> str:
    return prefix + text if text else prefix.rstrip(" \t")


def _run_length(text: str, char: str) -> int:
    stripped = text.lstrip(" \t")
    return len(stripped) - len(stripped.lstrip(char))


def _comment_column(code: str) -> int | None:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    return next((t.start[1] for t in tokens if t.type == tokenize.COMMENT), None)
