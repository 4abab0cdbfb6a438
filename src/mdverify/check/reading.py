"""How a `#` comment that may declare output is read: as a value, as text, or as prose.

Writers annotate code with comments that show output, explain it, or both
(`print(n > 0)  # True, since n is 3`). A block must never fail on the explanation, so a
comment claim (a trailing comment on a print, a comment run under a statement) is read in
one of three styles, decided against what the code printed:

* **value**: the comment starts with a Python literal (`True`, `9`, `'abc'`, `[1, 2]`,
  `{'a', 'b'}`), alone or followed by prose (`mdverify.article.literal`); followed by
  prose, only when the output could show a value: it is one, or one line ending in one
  (`# 9.81 - average gravity` beside `Weight: 981.0 N` is prose). The value part
  is compared. It matches the output when it is the same text; or the same value
  (`[1,2]` and `[1, 2]`, a set in any order, `2` and `2.0`); or a string literal whose text
  is the output (`'abc'` for `abc`), its spacing aside as for text below; or the last
  word of a one-line output (`print("sum:", s)  # 3`);
  or the name of the type printed (`int` or `integer` for `<class 'int'>`). Several
  lines of output may be written on one line, separated by spaces or commas (a print in a
  loop: `# 0 1 2`).
* **text**: any other comment, compared whole (its spacing aside: a run of spaces counts
  as one, and a space beside punctuation as none, so `# 23: 01: 00` shows `23:01:00`),
  when it is one word after a one-word output or a type (`# yes` for `no`; not a label
  such as `# Output`), or when its first word is, case aside, the first word of a line
  of the output: `# Hello, world` under a print of `Hello, world!` is a claim, and
  fails. A comment whose first word names the type printed (`int`, `Integer`, `str` or
  `string` for `<class 'str'>`) shows that output.
* **prose**: any other comment (`# adds the unit`, `# or, shorter: a | b`, a comment under
  a statement that printed nothing): not compared, and the verdict says so.

`#>` lines, fences and pycon answers are output whatever they say; this module does not
read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mdverify.article.literal import literal as _literal
from mdverify.article.literal import value_part
from mdverify.check.matching import matches, normalise

__all__ = ["Reading", "read_claim"]

Style = Literal["value", "text", "prose"]

_TYPE = re.compile(r"<class '(?:[\w.]+\.)?(\w+)'>")
# The English names writers give the built-in types; a type's own name always counts.
_TYPE_WORDS = {
    "str": {"string"},
    "int": {"integer"},
    "dict": {"dictionary"},
    "bool": {"boolean"},
    "NoneType": {"none"},
}


@dataclass(frozen=True)
class Reading:
    """How one comment claim was read against the output."""

    style: Style
    matched: bool
    """True when the output is what the comment declares (always False for prose)."""
    compared: str
    """The part of the comment that was compared: the whole comment, or its value."""


def read_claim(declared: str, got: str) -> Reading:
    """Read the comment claim `declared` against `got`, the output it is said to show."""
    text = declared.strip() if "\n" not in declared.strip() else declared
    if any(matches(text, shown) or _same_but_spacing(text, shown) for shown in _shown(got)):
        return Reading("text", matched=True, compared=text)
    value = value_part(text)
    if value is not None and not (value != text and _no_value_in(got)):
        return Reading("value", matched=_value_matches(value, got), compared=value)
    shown = normalise(got)
    printed = _TYPE.fullmatch("\n".join(shown))
    if printed is not None and text.split() and _names_type(text.split()[0], printed.group(1)):
        return Reading("text", matched=True, compared=text)
    words = text.split()
    first = words[0].lower() if words else ""
    if any(line.split()[:1] and line.split()[0].lower() == first for line in shown):
        return Reading("text", matched=False, compared=text)
    if _one_word_claim(words, shown):
        return Reading("text", matched=False, compared=text)
    return Reading("prose", matched=False, compared=text)


_LABELS = frozenset({"output", "outputs", "prints", "result", "returns", "shows"})
_WORDISH = re.compile(r"[\w'\".-]+")


def _one_word_claim(words: list[str], shown: list[str]) -> bool:
    """One word after a print of one word (`# yes` for `no`) or of a type: what it shows.

    Read as prose, a wrong one would pass. A word beside a number (`print(2 + 3)  #
    addition`) names the operation, and a label (`# Output`) introduces the output: prose.
    """
    if len(words) != 1 or not _WORDISH.fullmatch(words[0]) or len(shown) != 1:
        return False
    if words[0].lower().strip(":") in _LABELS:
        return False
    printed = shown[0].split()
    return _TYPE.fullmatch(shown[0]) is not None or (
        len(printed) == 1 and any(c.isalpha() for c in printed[0])
    )


_RUN = re.compile(r"[ \t]+")
_AROUND = re.compile(r" ?([^\w\s]) ?")


def _same_but_spacing(text: str, shown: str) -> bool:
    """Whether `text` is `shown` but for the spacing a writer's hand may change.

    Each run of spaces counts as one, and a space beside punctuation as none (`23: 01: 00`
    is `23:01:00`; `item3?  True` is `item3? True`). A space between two words stays:
    `1 2` is not `12`.
    """
    return matches(_spaced(text), _spaced(shown))


def _spaced(text: str) -> str:
    return "\n".join(_AROUND.sub(r"\1", _RUN.sub(" ", line.strip())) for line in normalise(text))


def _shown(got: str) -> list[str]:
    """`got` as it may be written in one comment: as printed, or its lines on one line."""
    lines = normalise(got)
    if len(lines) < 2:
        return ["\n".join(lines)]
    return ["\n".join(lines), " ".join(lines), ", ".join(lines)]


def _value_matches(value: str, got: str) -> bool:
    literal = _literal(value)
    assert literal is not None
    if any(_shows(value, literal[0], shown) for shown in _shown(got)):
        return True
    # The last word of a one-line output (`print("sum:", s)  # 3`); not of several lines
    # joined, where it would let `# 2` stand for a loop's `0 1 2`.
    lines = normalise(got)
    words = lines[0].split() if len(lines) == 1 else []
    return len(words) > 1 and (words[-1] == value or _same(literal[0], _literal(words[-1])))


def _no_value_in(got: str) -> bool:
    """A one-line output that neither is a value nor ends in one (`Weight: 981.0 N`).

    A comment that starts with a value and goes on in prose (`# 9.81 - average gravity`)
    can show no part of it: the value is the code's, explained.
    """
    lines = normalise(got)
    if len(lines) != 1 or not lines[0].split():
        return False
    return _literal(lines[0]) is None and _literal(lines[0].split()[-1]) is None


def _shows(value: str, literal: object, output: str) -> bool:
    """Whether `output` shows the value written as `value` (`literal` once evaluated)."""
    if matches(value, output):
        return True
    if isinstance(literal, str) and (
        matches(literal, output) or _same_but_spacing(literal, output)
    ):
        return True  # the text of a string, with a text comment's spacing tolerance
    return _same(literal, _literal(output))


def _same(literal: object, other: tuple[object] | None) -> bool:
    if other is None:
        return False
    value = other[0]
    numbers = (int, float, complex)
    if isinstance(literal, bool) or isinstance(value, bool):
        return type(literal) is type(value) and literal == value
    if isinstance(literal, numbers) and isinstance(value, numbers):
        return literal == value
    return type(literal) is type(value) and literal == value


def _names_type(word: str, name: str) -> bool:
    """Whether `word` names the type `name` (`<class 'int'>`): `int`, `Int` or `integer`."""
    word = word.strip("'\",.").lower()
    return word == name.lower() or word in _TYPE_WORDS.get(name, set())
