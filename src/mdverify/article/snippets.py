"""Snippet includes: `--8<-- "file.py"` lines inside a Python fence, as pymdownx.snippets has them.

A reader of a MkDocs site sees the included code in the block, so the block runs with it.
The rules are pymdownx.snippets' own:

- `--8<-- "path"` (any run of dashes around `8<`, the path in single or double quotes, alone
  on its line) is replaced by the file's lines, each indented as the marker line is.
- A line `--8<--` alone opens a block form; each line up to the next one names a file (a
  blank line gives a blank line, one starting with `;` is left out).
- `path:3:7` takes lines 3 to 7, `path:3` from line 3 on, `path::7` up to line 7;
  `path:name` the lines between `--8<-- [start:name]` and `--8<-- [end:name]` in the file
  (the other sections' markers inside it are left out).
- `;--8<-- "path"` is no include: the line stays, one `;` fewer.
- The path is looked up in each base path in turn (`mdverify_snippet_base`, else
  `markdown_extensions: pymdownx.snippets: base_path` of the `mkdocs.yml` at or above the
  article, else `.`), and must stay under it (`restrict_base_path`); a base path that is a
  file allows that one file. An included file's own `--8<--` lines are expanded too.

Where pymdownx leaves a missing file out by default (`check_paths: false`), a verifier cannot
run a block without its code: a missing file or section, a range past the file's end, a URL
(no download: examples run offline) or a file that includes itself is an `ArticleError` at
the article line of the include.

An included file's comments are its code's, never declared output or timing claims (as a
setup file's): only the article's lines declare. `Example.origins` gives each line of the
expanded block its article line (an included line stands at the line that includes it) and
`Example.included` the runs of lines from each file, so that the child compiles those at
the file's own lines (`mdverify.run.included`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mdverify.article.fences import language
from mdverify.article.markdown import decode
from mdverify.model import ArticleError, Included

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from markdown_it.token import Token

__all__ = [
    "Expansion",
    "Snippets",
    "expand_fences",
    "expanded",
    "mentions",
    "placeholders",
]

META = "mdverify_snippets"
"""The key of a fence token's `meta` that holds its `Expansion`."""

_MARKER = re.compile(
    r"""^(?P<space>[ \t]*)(?P<escape>;*)
    (?:(?P<inline>-+8<-+[ \t]+)(?P<quoted>"(?:\\"|[^"\n])+?"|'(?:\\'|[^'\n])+?')(?![ \t])
    |(?P<block>-+8<-+)(?![ \t]))$""",
    re.VERBOSE,
)
_SECTION = re.compile(
    r"^(?P<pre>.*?)(?P<escape>;*)(?P<marker>-+8<-+[ \t]+)"
    r"(?P<section>\[[ \t]*(?P<kind>start|end)[ \t]*:[ \t]*(?P<name>[a-z][-_0-9a-z]*)[ \t]*\])"
    r"(?P<post>.*)$",
    re.IGNORECASE,
)
_SPEC = re.compile(r"(?i)(.*?)(?:(:[0-9]*)?(:[0-9]*)?|(:[a-z][-_0-9a-z]*)?)$")
_HINT = "8<-"
_TAB = 4  # Python-Markdown's tab length, which pymdownx expands the marker's indent with


def mentions(text: str) -> bool:
    """Whether `text` may hold a snippet line at all (a cheap test before any parse)."""
    return _HINT in text


@dataclass(frozen=True)
class _Line:
    text: str
    file: Path | None
    """The file the line is from; None: the article."""
    own: int
    """Its line in that file (the article's line for the article's)."""
    article: int
    """The article line it stands at."""


@dataclass(frozen=True)
class Expansion:
    """A fence's code with its includes in place (what `Snippets.expand` gives)."""

    source: str
    origins: tuple[int, ...]
    """Article line of each line of `source`."""
    foreign: frozenset[int]
    """The lines of `source` (1-based) that come from included files."""
    included: tuple[Included, ...]


@dataclass(frozen=True)
class Snippets:
    """The base paths snippets are looked up in, and how reports name a found file."""

    bases: tuple[Path, ...]
    """Absolute folders (or files), searched in order."""
    shown_from: Path = field(default_factory=Path.cwd)
    """Reports name an included file relative to this folder (where pytest was started)."""

    def find(self, name: str) -> Path | None:
        """The file `name` in the first base path that has it, as pymdownx looks it up."""
        for base in self.bases:
            if base.is_dir():
                found = Path(os.path.abspath(base / name))  # noqa: PTH100 -- keep links
                if found.is_file() and (found == base or base in found.parents):
                    return found
            elif base.is_file():
                found = base.parent / name
                if found.is_file() and found.samefile(base):
                    return found
        return None

    def name(self, path: Path) -> str:
        """`path` as reports name it."""
        relative = os.path.relpath(path, self.shown_from)
        return str(path) if relative.startswith(os.pardir + os.sep + os.pardir) else relative

    def expand(self, article: str, source: str, first_line: int) -> Expansion | None:
        """`source` (a fence's code, line 1 at article line `first_line`) with its includes.

        None when it includes nothing. `article` is how errors name the article.
        """
        lines = [
            _Line(text, None, first_line + n, first_line + n)
            for n, text in enumerate(source.removesuffix("\n").split("\n"))
        ]
        out = _Expander(self, article).lines(lines, frozenset())
        if [(line.text, line.file) for line in out] == [(line.text, None) for line in lines]:
            return None
        return _expansion(self, out, source.endswith("\n"))

    def files(self, article: str, text: str) -> set[Path]:
        """Every file the Markdown `text` includes, at any depth (for `changed-since`).

        Read from every line, not only a fence's: cheap and on the safe side. A file that
        cannot be found is left out here; collection reports it.
        """
        found: set[Path] = set()
        expander = _Expander(self, article, lenient=True)
        lines = [_Line(t, None, n, n) for n, t in enumerate(text.split("\n"), 1)]
        for line in expander.lines(lines, frozenset()):
            if line.file is not None:
                found.add(line.file)
        return found | expander.seen


def _expansion(snippets: Snippets, out: Sequence[_Line], newline: bool) -> Expansion:
    runs: list[Included] = []
    for number, line in enumerate(out, 1):
        if line.file is None:
            continue
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.path == str(line.file)
            and last.at + last.count == number
            and last.first + last.count == line.own
        ):
            runs[-1] = replace(last, count=last.count + 1)
        else:
            name = snippets.name(line.file)
            runs.append(Included(str(line.file), name, line.article, number, line.own, 1))
    return Expansion(
        source="\n".join(line.text for line in out) + ("\n" if newline else ""),
        origins=tuple(line.article for line in out),
        foreign=frozenset(n for n, line in enumerate(out, 1) if line.file is not None),
        included=tuple(runs),
    )


class _Expander:
    """One expansion: the lines of a fence (or a file), their includes replaced."""

    def __init__(self, snippets: Snippets, article: str, *, lenient: bool = False) -> None:
        self.snippets = snippets
        self.article = article
        self.lenient = lenient  # leave out what cannot be found instead of raising
        self.seen: set[Path] = set()

    def fail(self, line: int, message: str) -> None:
        if not self.lenient:
            raise ArticleError(self.article, line, message)

    def lines(self, lines: Sequence[_Line], stack: frozenset[Path]) -> list[_Line]:
        out: list[_Line] = []
        opened: _Line | None = None  # the `--8<--` line of the block form we are in
        for line in lines:
            match = _MARKER.match(line.text)
            if match is not None and match["escape"]:
                out.append(_Line(line.text.replace(";", "", 1), *_rest(line)))
                continue
            if match is not None and match["block"] is not None:
                opened = None if opened is not None else line
                continue
            if match is not None and opened is None:
                spec, space = match["quoted"][1:-1].strip(), match["space"]
            elif opened is not None:
                if match is not None:
                    continue  # pymdownx ignores an inline include inside a block form
                spec = line.text.strip()
                space = line.text[: len(line.text) - len(line.text.lstrip())]
                if not spec:
                    out.append(_Line("", *_rest(line)))
                    continue
            else:
                out.append(line)
                continue
            if spec.startswith(";"):
                continue  # a path commented out
            indent = space.expandtabs(_TAB)
            out.extend(
                _Line(indent + got.text if got.text else got.text, got.file, got.own, got.article)
                for got in self.include(spec, line.article, stack)
            )
        if opened is not None:
            self.fail(opened.article, "snippet block opened by '--8<--' here is never closed")
        return out

    def include(self, spec: str, at: int, stack: frozenset[Path]) -> list[_Line]:
        match = _SPEC.match(spec)
        assert match is not None
        name = match[1].strip()
        found = self._find(name, spec, at, stack)
        if found is None:
            return []
        self.seen.add(found)
        try:
            text = decode(self.snippets.name(found), found.read_bytes())
        except OSError as err:
            self.fail(at, f"snippet file {name!r} cannot be read: {err.strerror or err}")
            return []
        except ArticleError as err:
            self.fail(at, f"snippet file {err}")
            return []
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        numbered = [_Line(t, found, n, at) for n, t in enumerate(text.split("\n"), 1)]
        if text.endswith("\n"):
            numbered.pop()  # pymdownx reads lines: the last newline ends a line
        chosen = self._chosen(numbered, spec, match, at)
        return self.lines(chosen, stack | {found})

    def _find(self, name: str, spec: str, at: int, stack: frozenset[Path]) -> Path | None:
        """The file `name` names, or None (after `fail`) when there is none to read."""
        found = None
        if not name:
            self.fail(at, f"snippet {spec!r} names no file")
        elif name.lower().startswith(("http://", "https://")):
            self.fail(at, f"snippet {name!r} is a URL: mdverify runs examples offline")
        elif (found := self.snippets.find(name)) is None:
            bases = ", ".join(self.snippets.name(b) or "." for b in self.snippets.bases)
            self.fail(at, f"snippet file {name!r} not found in the base path ({bases})")
        elif found in stack:
            self.fail(at, f"snippet file {self.snippets.name(found)} includes itself")
            found = None
        return found

    def _chosen(
        self, numbered: list[_Line], spec: str, match: re.Match[str], at: int
    ) -> list[_Line]:
        start = int(match[2][1:]) if match[2] and len(match[2]) > 1 else None
        end = int(match[3][1:]) if match[3] and len(match[3]) > 1 else None
        if start is not None or end is not None:
            if start is not None and start > len(numbered):
                ends = f"starts past the file's end ({len(numbered)} lines)"
                self.fail(at, f"snippet {spec!r} {ends}")
            return numbered[max(0, (start or 1) - 1) : end]
        if match[4]:
            return self._section(numbered, match[4][1:], spec, at)
        return numbered

    def _section(self, numbered: list[_Line], section: str, spec: str, at: int) -> list[_Line]:
        kept: list[_Line] = []
        inside = found = False
        for line in numbered:
            match = _SECTION.match(line.text)
            if match is not None and inside and match["escape"]:
                text = match["pre"] + match["escape"].replace(";", "", 1) + match["marker"]
                kept.append(_Line(text + match["section"] + match["post"], *_rest(line)))
                continue
            if match is not None and match["name"] == section:
                if match["kind"].lower() == "start":
                    found = inside = True
                    continue
                break  # its end (or an end before any start)
            if match is not None and inside:
                continue  # another section's marker
            if inside:
                kept.append(line)
        if not found:
            self.fail(at, f"snippet {spec!r}: no section '{section}' in the file")
        return kept


def expanded(token: Token) -> tuple[tuple[int, ...], frozenset[int], tuple[Included, ...]]:
    """What `expand_fences` put in a fence's meta: origins, foreign lines, included runs."""
    got = (token.meta or {}).get(META)
    if not isinstance(got, Expansion):
        return (), frozenset(), ()
    return got.origins, got.foreign, got.included


def _rest(line: _Line) -> tuple[Path | None, int, int]:
    return line.file, line.own, line.article


def placeholders(source: str) -> str:
    """`source` with each snippet line made a `pass` at its indent: same lines, no files.

    What a parse without base paths reads (update mode's second reading): the article's
    lines, claims and statements stay where the run had them, and the block still parses.
    """
    lines = source.split("\n")
    opened: str | None = None
    for number, text in enumerate(lines):
        match = _MARKER.match(text)
        if match is not None and match["escape"]:
            lines[number] = text.replace(";", "", 1)  # as the expansion has it
        elif match is not None and match["block"] is not None:
            opened = None if opened is not None else match["space"]
            lines[number] = f"{match['space']}pass"
        elif match is not None or opened is not None:
            space = opened if opened is not None else match["space"] if match else ""
            lines[number] = f"{space}pass"
    return "\n".join(lines)


def expand_fences(
    article: str, tokens: Iterable[Token], snippets: Snippets | None, languages: Iterable[str]
) -> None:
    """Put the includes of each Python fence in place, its `Expansion` in the token's meta.

    Without `snippets` (no base paths: a parse of the text alone), each snippet line is a
    `pass` (`placeholders`).
    """
    langs = frozenset(languages)
    for token in tokens:
        if token.type != "fence" or not mentions(token.content) or token.map is None:
            continue
        if language(token.info) not in langs:
            continue
        if snippets is None:
            token.content = placeholders(token.content)
            continue
        expansion = snippets.expand(article, token.content, token.map[0] + 2)
        if expansion is not None:
            token.content = expansion.source
            token.meta = {**(token.meta or {}), META: expansion}
