"""Which fence after a Python block declares what the block printed, and which of its lines.

The rule (docs/output.md shows each form) is one: the next fence after a Python block
declares the block's output when nothing but prose stands between them, and the fence says
it holds output. Prose is at most one paragraph ("**Output:**") and the lists both may sit in
(`- It prints:`); once the block's own list item, tab or quote has ended, only an
introduction that names output lets a fence after it pair. An introduction that names
output, a heading (`#### Output`, `### Result:`) or a short paragraph ending in a colon
("**Expected output:**"), in the block's container,
may come after any explanation: only what follows it counts (`mdverify.article.parse` keeps
the count). A fence says it holds output when

* its info string is empty, `text`, `output` or `console` (a `console` fence that starts
  with a prompt is a transcript, below);
* its title names output: `text title="Output"`, and `python title="Salida"`, which is then
  output and not code;
* it is a console transcript: a `console`, `bash`, `shell` or `sh` fence whose only
  command, on its first line, runs a script with Python (`$ python3 demo.py`). The lines
  after the prompt line are what the block printed when run as that script (up to three
  spaces pasted before the prompt do not count). A transcript
  with another command, or a script given arguments, is not read: the block never saw them.

An indented code block right after the block, as notebook exports write a cell's output,
declares it too, unless it reads as more code (an import, a definition, a loop or branch, a
print call): older Markdown indents code that way.

A fence whose info string is `stderr`, or whose title is `stderr` alone, declares what the
block wrote to stderr instead (`Declared.stream`). It pairs as an output fence does, and
also right after the block's stdout fence (at most one paragraph between): one fence per
stream.

A heading or title names output when, case, markup and punctuation aside, its first word
is a word of the `mdverify_output_words` setting or its plural ("Output:", "📊 Résultat",
"Results of the run"), or it is two words and the second one is ("Expected output (every
second)", "Erwartete Ausgabe"); what follows a `(` or `:` does not count. A Python fence's
title must be such a word alone, so that `title="Print results"` stays code, and
`title="result.py"` a file (`mdverify.article.files`).
"""

from __future__ import annotations

import ast
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mdverify.model import OutputClaim

if TYPE_CHECKING:
    from collections.abc import Collection

    from mdverify.model import ClaimKind, Stream

__all__ = [
    "COMMANDS",
    "OUTPUT_WORDS",
    "PYTHON_LANGS",
    "Declared",
    "declared_output",
    "language",
    "names_output",
    "title",
]

PYTHON_LANGS = frozenset({"python", "py", "python3", "py3"})
"""Fence languages that hold Python code."""

OUTPUT_WORDS = (
    *("output", "result", "prints", "stdout", "console"),  # English
    *("salida", "resultado", "saída"),  # Spanish, Portuguese
    *("sortie", "résultat", "ausgabe", "ergebnis", "ergebnisse"),  # French, German
    *("risultato", "uitvoer", "resultaat", "wynik", "wyjście"),  # Italian, Dutch, Polish
    "çıktı",  # noqa: RUF001 -- Turkish is written with a dotless i
    *("sonuç", "keluaran", "hasil"),  # Turkish, Indonesian
    *("вывод", "результат", "виведення"),  # Russian, Ukrainian
    # Chinese, Japanese, Korean: no spaces between words, so the usual whole headings too.
    *("输出", "结果", "输出结果", "运行结果", "出力", "結果", "実行結果", "출력", "결과"),
)
"""The default of `mdverify_output_words`: what a heading or a fence title says of output."""

COMMANDS = frozenset(
    {
        *("python", "python3", "py", "pip", "pip3", "pipx", "pipenv", "poetry", "uv", "conda"),
        *("mamba", "virtualenv", "pytest", "tox", "jupyter", "ipython", "flask", "uvicorn"),
        *("gunicorn", "django-admin", "streamlit", "cd", "ls", "mkdir", "rm", "git", "curl"),
        *("wget", "npm", "npx", "yarn", "node", "docker", "kubectl", "sudo", "apt", "apt-get"),
        *("brew", "yum", "dnf", "pacman", "chmod", "chown", "tar", "unzip", "ssh", "scp"),
        *("bash", "zsh", "heroku", "mongod", "mongosh", "psql", "redis-server", "export"),
    }
)
"""First words of a shell line that runs something: a fence that starts so is no output.

Words that also begin English prose (`code`, `open`, `make`, `set`) are left out."""

PLAIN_OUTPUT = frozenset({"", "text", "output", "console"})
STDERR = "stderr"
"""The info string, or the title, of a fence that declares what the block wrote to stderr."""
SHELLS = frozenset({"console", "bash", "shell", "sh", "shell-session"})

_TITLE = re.compile(r"""\btitle\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s}]+))""")
_MARKUP = re.compile(r"[`*_~]")
# What follows a colon or parenthesis qualifies the words before it; full-width ones too.
_QUALIFIED = re.compile("[(:\uff1a\uff08]")
# Words split at whitespace and punctuation, but not at `.`: `result.py` is one word.
_SPLIT = re.compile(r"[^\w.]+|\.(?=\s|$)")
# `$ python3 demo.py`, `user@host:~/src$ python demo.py`, `% py -u demo.py`, `C:\> python x.py`
_RUN = re.compile(
    r"(?P<prompt>\S*[$%>])[ \t]+(?P<command>(?:python(?:3(?:\.\d+)?)?|py)"
    r"(?:[ \t]+-[uBIE]+)*[ \t]+(?P<script>[\w./\\-]+\.py))[ \t]*"
)

# Up to three spaces before a transcript's prompt, as Markdown allows before a fence's text.
_STRAY = re.compile(r"^[ ]{1,3}(?=\S*[$%>][ \t])")


@dataclass(frozen=True)
class Declared:
    """The part of a fence that declares output."""

    text: str
    first: int
    """Offset of the declared output's first line from the fence's first body line."""
    form: str
    """How the writer declared it, in words, for reports."""
    kind: ClaimKind = "fence"
    """"transcript" when lines above the output (a prompt, a label) stand in the fence: an
    update does not rewrite it then."""
    stream: Stream = "stdout"
    script: str = ""
    """The script a console transcript runs (`demo.py` of `$ python demo.py`); empty: none."""


def language(info: str) -> str:
    """The fence's language, lower case: the info string's first word or first class."""
    info = info.strip()
    if info.startswith("{"):  # pandoc / attr_list style: {.python title="x"}
        classes = re.findall(r"\.([\w+-]+)", info)
        return classes[0].lower() if classes else ""
    word = re.split(r"[\s{]", info, maxsplit=1)[0] if info else ""
    return word.lower()


def title(info: str) -> str | None:
    """The `title="..."` of a fence's info string (MkDocs, Docusaurus, pandoc attributes)."""
    match = _TITLE.search(info)
    if match is None:
        return None
    return next(g for g in (match["dq"], match["sq"], match["bare"]) if g is not None)


_MAX_INTRODUCTION = 80  # characters of a paragraph that introduces output


def plain_text(markdown: str) -> str:
    """A heading's or a paragraph's text without its code and emphasis marks."""
    return re.sub(r"`|\*\*?", "", markdown).strip()


def introduces_output(text: str, words: Collection[str]) -> bool:
    """A short paragraph that names output and ends with a colon ("**Output:**")."""
    plain = plain_text(text)
    return len(plain) <= _MAX_INTRODUCTION and plain.endswith(":") and names_output(plain, words)


def names_output(text: str, words: Collection[str], *, exactly: bool = False) -> bool:
    """Whether a heading or title says that what follows is output (see the module doc)."""
    head = _QUALIFIED.split(_normal(_MARKUP.sub("", text)), maxsplit=1)[0]
    found = [w for w in _SPLIT.split(head) if w]
    if exactly and len(found) != 1:
        return False
    known = {_normal(w) for w in words}

    def named(word: str) -> bool:
        return word in known or (word.endswith("s") and word[:-1] in known)

    return bool(found) and (named(found[0]) or (len(found) == 2 and named(found[1])))


def declared_output(
    lang: str,
    info: str,
    body: str,
    words: Collection[str],
    *,
    python: bool,
    introduced: bool = False,
) -> Declared | None:
    """What a fence that follows a Python block declares it printed; None: not output.

    `body` is the fence's content without its final newline; `python` says the fence's
    language is Python, so only an exact output title makes it output; `introduced` says
    the fence stands right after the block or under an introduction that names output.
    """
    titled = _titled(lang, title(info), body, words, python=python)
    if titled is not None or python:
        return titled
    first, _, rest = body.partition("\n")
    first = _STRAY.sub("", first)  # ` $ python demo.py`: a space pasted before the prompt
    if lang in SHELLS and _is_prompt(first):
        return _transcript(first, rest)
    if lang in SHELLS and lang != "console":
        return _unprompted(lang, body, words) if introduced else None
    if lang in PLAIN_OUTPUT:
        return Declared(body, 0, "the output fence")
    return None


def _titled(
    lang: str, named: str | None, body: str, words: Collection[str], *, python: bool
) -> Declared | None:
    """A fence whose info string or title says what it holds: stderr, or output."""
    if lang == STDERR or (named is not None and _normal(named.strip()) == STDERR):
        return Declared(body, 0, "the stderr fence", stream="stderr")
    if named is not None and names_output(named, words, exactly=python):
        return Declared(body, 0, f'the fence titled "{named}"')
    return None


def _transcript(first: str, rest: str) -> Declared | None:
    run = _RUN.fullmatch(first)
    if run is None:
        return None
    lines = rest.split("\n") if rest else []
    prompt = run["prompt"]
    if lines and lines[-1].strip() == prompt:
        lines.pop()  # the prompt the session ended on
    if any(_STRAY.sub("", line).startswith(prompt + " ") for line in lines):
        return None  # several commands: which printed what is another question
    form = f'the console transcript of "{run["command"]}"'
    return Declared("\n".join(lines), 1, form, "transcript", script=run["script"])


def _unprompted(lang: str, body: str, words: Collection[str]) -> Declared | None:
    lines = body.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first < len(lines) and _is_label(lines[first], words):
        first += 1
    code = next((ln.strip() for ln in lines[first:] if not ln.lstrip().startswith("#")), None)
    if code is not None:
        # `# ...` lines above the first other line are the writer's comments; a fence of
        # nothing but `#` lines (`# # #`) is what the block printed.
        while lines[first].lstrip().startswith("#"):
            first += 1
    if first == len(lines) or _runs_something(code or ""):
        return None
    kind: ClaimKind = "transcript" if first else "fence"
    # Notebook exports indent every output line: the indentation is the page's, not printed.
    text = textwrap.dedent("\n".join(lines[first:]))
    return Declared(text, first, f"the '{lang}' fence of output", kind)


def _is_label(line: str, words: Collection[str]) -> bool:
    """`# output`, `Output:`, `# Expected output`: a line that only names what follows."""
    text = line.strip().lstrip("#").strip().removesuffix(":")
    return len(text.split()) <= 2 and names_output(text, words)


def _runs_something(line: str) -> bool:
    word, _, rest = line.partition(" ")
    if not word or rest.lstrip().startswith(("=", ":")):
        return False  # `time: 01:05`, `set = 3`: output that begins with a command's name
    return (
        word.lower() in COMMANDS
        or word.lower().endswith((".py", ".sh", ".exe", ".bat"))
        or word.startswith(("./", ".\\", "/", "~/"))
    )


def _is_prompt(line: str) -> bool:
    return re.match(r"\S*[$%>][ \t]", line) is not None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


_CODE: tuple[type[ast.AST], ...] = (
    *(ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
    *(ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try),
)


def indented_output(text: str, line: int) -> OutputClaim | None:
    """The output an indented code block at article line `line` declares; None for code.

    It has no `end_line`, so it is never rewritten: markdown-it has taken off its indentation.
    """
    if _reads_as_code(text):
        return None
    return OutputClaim("fence", text, line, form="the indented code block")


def _reads_as_code(text: str) -> bool:
    """Whether an indented code block reads as code rather than as printed output.

    Printed output parses as Python often enough (`[1, 2]`, `name: Ann`, `x = 5`), so only
    what output never holds counts: a statement that imports, defines or steers, or a print.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(
        isinstance(node, _CODE)
        or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        )
        for node in ast.walk(tree)
    )
