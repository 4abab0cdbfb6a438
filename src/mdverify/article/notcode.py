r"""Python fences that hold no program: `>>>` sessions, shell lines, templates, listings.

Writers put more than programs in `python` fences, and running those as scripts reports
mdverify's mistake as the writer's. Two readings, both documented in docs/output.md:

* **A `>>>` session** is run as pycon: a fence whose first line is a `>>>` prompt, or a
  shell line that starts the interpreter (`$ python`, `user@host:~$ python3`), then its
  banner and a prompt within a few lines (`is_session`).
* **A block that does not parse** is skipped, with the reason and the article line, when
  the line Python stops at is not code (`not_runnable`):
  - a shell command: a prompt (`$ `, `user@host:~$ `, `C:\> `), or a command word
    (`pip install x`, `cd dir`: `mdverify.article.fences.COMMANDS`) the line does not
    parse without;
  - a listing with a line-number gutter: every line starts with its number, after
    leading comment lines (`# Filename: demo.py`);
  - an exercise stub: a header (`def`, `class`, `for`, `try`...) whose body is only a
    comment, or nothing, left for the reader to fill in (`stub`);
  - a syntax template: a `<placeholder>`, a `..`/`...` where Python wants code, prose
    (`code goes here`: plain words, the first one no keyword), a comment in place of an
    operand (`await  # awaitable code`), or a block labelled `# syntax`;
  - output shown inside the code (`output:`, or a `# output` comment, then the values);
  - nothing that is Python at all: no line of it parses on its own (output or prose).

Only a block that does not parse is ever skipped here, so valid code always runs, and a
block whose line is code (the `print` of a body that lost its indentation) still fails
with its SyntaxError.
"""

from __future__ import annotations

import ast
import difflib
import io
import itertools
import keyword
import re
import textwrap
import tokenize
from typing import TYPE_CHECKING

from mdverify.article.bindings import unbound_in
from mdverify.article.fences import COMMANDS, names_output
from mdverify.model import Skip, SkipKind

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

__all__ = ["is_session", "labelled", "labelled_template", "not_runnable", "stub"]

_PROMPT = re.compile(r"(?:\S*[$%#>]|PS [^>]*>)[ \t]+(?P<command>\S.*)")
_INTERPRETER = re.compile(r"(?:\S*[$%>][ \t]+)?(?:python(?:3(?:\.\d+)?)?|py)[ \t]*")
_BANNER_LINES = 4  # "Python 3.x ...", "[GCC ...] on linux", 'Type "help", ...', a blank
_GUTTER_PAD = 8  # the widest padding after a gutter's number tried as its column
_GUTTER = re.compile(r"[ \t]*(?P<number>\d+)(?:[ \t]|[:|.)](?:[ \t]|$)|$)")
_PLACEHOLDER = re.compile(r"<[A-Za-z_][\w .-]*>")
_ELLIPSIS = re.compile(r"\.\.|…")
_PROSE = re.compile(r"[A-Za-z][A-Za-z'-]*(?:[ \t]+[A-Za-z][A-Za-z'-]*)+[.!?]?")
_SYNTAX_LABEL = re.compile(r"#+[ \t]*syntax\b.*", re.IGNORECASE)
# A line that begins as code does (`x = `, `f(`, `a.b`, `import`): the block is code.
_KEYWORDS = "|".join((*keyword.kwlist, "print", "exec"))  # Python 2 statements too
_CODE_START = re.compile(rf"[ \t]*(?:[A-Za-z_][\w.]*[ \t]*(?:[-+*/]?=|\(|\[)|(?:{_KEYWORDS})\b)")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_NEEDS_OPERAND = frozenset({"await", "import", "from", "del", "assert", "with", "for", "if"})
_NOT_PROSE = frozenset({*keyword.kwlist, "print", "exec"})  # Python 2 statements: a defect
_NO_BODY = re.compile(r"expected an indented block after .* on line (?P<line>\d+)")
_BODY_INDENT = 4  # the indentation of the `pass` that fills a body with no comment in it


def is_session(source: str) -> bool:
    """Whether a Python fence holds an interactive `>>>` session rather than a script."""
    lines = [line for line in source.split("\n") if line.strip()]
    if not lines:
        return False
    if lines[0].startswith(">>>"):
        return True
    if _INTERPRETER.fullmatch(lines[0].strip()) is None:
        return False
    return any(line.startswith(">>> ") for line in lines[1 : _BANNER_LINES + 2])


def not_runnable(source: str, first_line: int, words: Collection[str]) -> Skip | None:
    """Why a block is not a program to run, naming the article line; None: run it.

    `first_line` is the article line of the block's line 1; `words` are the words for
    output (`mdverify_output_words`).
    """
    try:
        ast.parse(source)
    except SyntaxError as err:
        at = err.lineno or 1
    except ValueError:  # a NUL byte: running it says so
        return None
    else:
        return Skip(SkipKind.SYNTAX_LABEL, "", first_line) if labelled(source) else None
    lines = source.split("\n")
    line = lines[at - 1].strip() if at <= len(lines) else ""
    inside = _in_strings(source)
    shell = next(
        (n for n, text in enumerate(lines, 1) if n not in inside and _is_shell(text)), None
    )
    if shell is not None:
        command = lines[shell - 1].strip()
        return Skip(SkipKind.SHELL, command, first_line + shell - 1)
    empty = stub(source)
    if empty is not None:
        return Skip(empty[0], empty[1], first_line + empty[2] - 1)
    above = next((t.strip() for t in reversed(lines[: at - 1]) if t.strip()), "")
    if _CODE_START.match(line) is None and _is_output_comment(above, words):
        # `# output` and then what the code above printed, pasted into the fence.
        return Skip(SkipKind.OUTPUT_IN_CODE, "", first_line + at - 1)
    reason = _reason(lines, line, words)
    return None if reason is None else Skip(reason[0], reason[1], first_line + at - 1)


def labelled(source: str) -> bool:
    """Whether the block starts with a `# syntax` line: a template, even one that parses.

    `list3 = list1 + list2` under it shows a form, with names no block binds.
    """
    first = next((text.strip() for text in source.split("\n") if text.strip()), "")
    return _SYNTAX_LABEL.fullmatch(first) is not None


def labelled_template(source: str, tree: ast.Module, declares: bool) -> bool:
    """Whether a block that parses is a template by its `# syntax` label (`labelled`).

    Not when it is an example under the label all the same: it declares output
    (`declares`) and binds every name it uses at its top level itself (`st = {1, 2}`,
    then `print(2 in st)  # True`), so that it runs as it stands, as a reader would run it.
    """
    return labelled(source) and not (declares and not unbound_in(tree))


def stub(source: str) -> tuple[SkipKind, str, int] | None:
    """Whether `source` is an exercise stub: (kind, particulars, block line); None if not.

    A stub's headers have bodies left to the reader: only comments indented under the
    header (`COMMENT_FOR_CODE`, naming the first), or nothing before the block ends
    (`NO_BODY`, naming the header). A header followed by code at its own indentation,
    with no comment under it, is a body that lost its indentation: code, which fails. So
    is a stub that still does not parse once each empty body holds a `pass`: it is broken
    elsewhere too.
    """
    lines = source.split("\n")
    first: tuple[SkipKind, str, int] | None = None
    for _ in range(len(lines)):  # each round fills one body, and a body takes a line
        try:
            ast.parse("\n".join(lines))
        except SyntaxError as err:
            found = _NO_BODY.match(err.msg) if isinstance(err, IndentationError) else None
            body = None if found is None else _empty_body(lines, int(found["line"]))
            if body is None:
                return None
            reason, end, indent = body
            first = first or reason
            lines.insert(end, f"{' ' * indent}pass")
        else:
            return first
    return None


def _empty_body(
    lines: Sequence[str], header: int
) -> tuple[tuple[SkipKind, str, int], int, int] | None:
    """The reason, where a `pass` goes and its indentation, for the header at line `header`.

    None when code follows the header at its own indentation with no comment under it.
    """
    end = _logical_end(lines, header)
    if end is None:
        return None
    indent = _indentation(lines[header - 1])
    after = end  # 0-based index of the first line after the header
    while after < len(lines) and (
        not lines[after].strip() or lines[after].lstrip().startswith("#")
    ):
        after += 1
    comments = [
        n for n in range(end, after) if lines[n].strip() and _indentation(lines[n]) > indent
    ]
    if comments:
        n = comments[0]
        return (SkipKind.COMMENT_FOR_CODE, lines[n].strip(), n + 1), end, _indentation(lines[n])
    if after < len(lines):  # code at the header's indentation: a body lost its indentation
        return None
    return (SkipKind.NO_BODY, lines[header - 1].strip(), header), end, indent + _BODY_INDENT


def _logical_end(lines: Sequence[str], header: int) -> int | None:
    """The line (1-based) where the statement that starts at line `header` ends."""
    readline = iter([f"{line}\n" for line in lines[header - 1 :]]).__next__
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.NEWLINE:
                return header + token.start[0] - 1
    except (tokenize.TokenError, SyntaxError, StopIteration):
        pass
    return None


def _indentation(line: str) -> int:
    return len(line.expandtabs()) - len(line.expandtabs().lstrip())


def _in_strings(source: str) -> set[int]:
    """Lines (1-based) that lie inside a multi-line string: a `pip install` there is text.

    The block does not parse, so the tokenizer is read only up to where it gives up.
    """
    inside: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0], token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return inside


def _reason(lines: Sequence[str], line: str, words: Collection[str]) -> tuple[SkipKind, str] | None:
    """Why a block that stops parsing at `line` is no program, and the particulars."""
    if _has_gutter(lines):
        return SkipKind.GUTTER, ""
    what = _template_mark(line)
    if what is not None:
        return what
    if any(_SYNTAX_LABEL.fullmatch(text.strip()) for text in lines):
        return SkipKind.SYNTAX_LABEL, ""
    if _is_label(line, words):
        return SkipKind.OUTPUT_IN_CODE, ""
    if not any(
        _parses_alone(text) or _CODE_START.match(text) or _code_word((text.split() or [""])[0])
        for text in lines
    ) and not (_parses_dedented(lines)):
        return SkipKind.NOT_PYTHON, ""
    return None


def _is_shell(text: str) -> bool:
    line = text.strip()
    prompt = _PROMPT.fullmatch(line)
    command = prompt["command"] if prompt is not None else line
    word = command.split(maxsplit=1)[0] if command else ""
    if prompt is None and word.lower() not in COMMANDS:
        return False
    if prompt is not None and line.startswith(("#", ">>>")):
        return False  # a comment, or a prompt of a session
    return not _parses_alone(line)


def _has_gutter(lines: Sequence[str]) -> bool:
    """Every line starts with its number, and without the numbers the block parses.

    Comment lines may come before the first number (`# Filename: demo.py`), outside the
    gutter. A gutter is written two ways: the number then a space (`10 x = 1`), or numbers padded
    to one column (`1   x = 1` and `10  x = 1`), where the code starts at the same column
    whatever the number's width. Both are tried.
    """
    numbered = list(itertools.dropwhile(_is_comment, (text for text in lines if text.strip())))
    matches = [_GUTTER.match(text) for text in numbered]
    if any(match is None for match in matches):
        return False
    numbers = [int(match["number"]) for match in matches if match is not None]
    if len(numbers) < 2 or any(b != a + 1 for a, b in itertools.pairwise(numbers)):
        return False
    widest = max(m.end("number") for m in matches if m is not None)
    rests = [
        [text[m.end() :] for text, m in zip(numbered, matches, strict=True) if m],
        *(
            [text[column:] for text in numbered]
            for column in range(widest + 1, widest + _GUTTER_PAD)
            if all(not text[widest:column].strip() for text in numbered)
        ),
    ]
    return any(_parses("\n".join(rest)) for rest in rests)


def _is_comment(text: str) -> bool:
    return text.lstrip().startswith("#")


def _parses(text: str) -> bool:
    try:
        ast.parse(textwrap.dedent(text))
    except SyntaxError:
        return False
    return True


def _template_mark(line: str) -> tuple[SkipKind, str] | None:
    code = _STRING.sub("''", line).split("#", 1)[0]
    placeholder = _PLACEHOLDER.search(code)
    if placeholder is not None:
        return SkipKind.PLACEHOLDER, placeholder[0]
    if _ELLIPSIS.search(code):
        return SkipKind.ELLIPSIS, line
    if _PROSE.fullmatch(code.strip()) and not _code_word(code.split()[0]):
        return SkipKind.PROSE, line
    if code.strip() in _NEEDS_OPERAND and "#" in line:
        return SkipKind.COMMENT_FOR_CODE, line  # `await  # awaitable code`
    return None


def _code_word(word: str) -> bool:
    """A keyword, or a misspelt one (`improt`, `retrun`): the line is broken code, not prose."""
    return word in _NOT_PROSE or bool(difflib.get_close_matches(word, _NOT_PROSE, n=1, cutoff=0.8))


def _is_label(line: str, words: Collection[str]) -> bool:
    text = line.strip().lstrip("#").strip()
    return text.endswith(":") and len(text.split()) <= 2 and names_output(text, words)


def _is_output_comment(line: str, words: Collection[str]) -> bool:
    """`# output`, `# Output:`: a comment of a word or two that names output."""
    text = line.removeprefix("#").strip().rstrip(":").strip()
    return line.startswith("#") and 0 < len(text.split()) <= 2 and names_output(text, words)


def _parses_dedented(lines: Sequence[str]) -> bool:
    """Code with its indentation lost or mangled: it fails as it stands, as it should."""
    for text in (textwrap.dedent("\n".join(lines)), "\n".join(ln.strip() for ln in lines)):
        try:
            ast.parse(text)
        except SyntaxError:
            continue
        return True
    return False


def _parses_alone(text: str) -> bool:
    line = text.strip()
    if not line or line.startswith("#"):
        return False
    for candidate in (line, f"{line} pass", f"{line}\n pass"):
        try:
            ast.parse(candidate)
        except SyntaxError:
            continue
        return True
    return False
