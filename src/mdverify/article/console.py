r"""Console transcripts that run: a `console` or `shell` fence of `$ ` commands.

A tutorial shows how to run what it wrote: `$ python server.py &`, then `$ python
client.py` and what both printed. Such a fence is a block of its own (kind "console"): each
command runs with the shell, and the lines under it, up to the next `$ `, are its output
(docs/console.md shows each form). The rule of which fences run, for docs nobody wrote for
mdverify, is that a transcript runs only when every command in it is one mdverify may run
without the network and without the reader's machine:

* `python`, `python3` or `python3.N` running a script the article writes (a file block
  above, or the front matter's `files`), a module it writes (`-m app.main`), or `-c CODE`;
* `./script.py` or `./run.sh`: a file the article writes, run with its shebang;
* `cd` and `export`, which set up the commands after them.

Any other command (`pip install`, `curl`, `git`, `docker`, a script the article does not
write, a pipe into another program) skips the whole fence, with the command and its line as
the reason: a transcript that cannot run as shown is prose, never a failure. A fence at
another shell's prompt (`PS>`, `%`, `C:\>`) is skipped for that reason. A fence of only
`cd` and `export` lines checks nothing and is no block.

`$ python -m asyncio` followed by `>>>` prompts is that REPL's session: it runs as a pycon
block with top-level await (`Transcript.repl`), the banner lines above the first prompt aside.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mdverify.article.claims import prompt_claims
from mdverify.article.fences import language
from mdverify.article.markdown import token_lines
from mdverify.model import Command, Example, OutputClaim, Skip, SkipKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token

    from mdverify.article.directives import BlockDirective
    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import ArticleSettings, BlockSettings, World

__all__ = ["CONSOLE_FENCES", "Transcript", "console_block", "console_example", "read_transcript"]

CONSOLE_FENCES = frozenset({"console", "shell", "shell-session"})

_PROMPT = "$ "
# PowerShell (`PS>`, `PS C:\src>`), zsh and csh (`%`), cmd.exe (`C:\>`).
_OTHER = re.compile(r"(?P<prompt>PS(?:[ \t][^>]*)?>|%|[A-Za-z]:\\[^>]*>)[ \t]")
_PYTHON = re.compile(r"python(?:3(?:\.\d+)?)?")
_ASSIGN = re.compile(r"[A-Za-z_]\w*=.*")
_STATUS = re.compile(r"\[(?P<status>\d+)\]")
_JOB = re.compile(r"(?P<job>\[\d+\])[ \t]+\d+")
_ERROR = re.compile(
    r"Traceback \(most recent call last\):|^[\w.]*(?:Error|Exception|Exit)\b|\berror\b",
    re.IGNORECASE,
)
_OPTION_WITH_VALUE = frozenset({"-W", "-X", "-Q"})
_BUILTINS = frozenset({"cd", "export"})
_REPL_END = frozenset({">>>", ">>> exit()", ">>> quit()"})


@dataclass(frozen=True)
class Transcript:
    """What a console fence that starts with a prompt holds."""

    commands: tuple[Command, ...] = ()
    claims: tuple[OutputClaim, ...] = ()
    """One per command: the lines under it (kind "command", marked at `Command.line`)."""
    skip: Skip | None = None
    """Why the fence does not run; None: it runs."""
    repl: tuple[str, int] | None = None
    """(`>>>` session, article line of its first prompt) of a `python -m asyncio` session."""


def read_transcript(  # noqa: PLR0911 -- one return per kind of fence
    lang: str, body: str, first_line: int, written: frozenset[str]
) -> Transcript | None:
    """The transcript of a console fence whose body starts at article line `first_line`.

    `written` holds the files the article writes above it (relative to its working
    directory). None: the fence is no transcript (no prompt), or checks nothing.
    """
    if lang not in CONSOLE_FENCES:
        return None
    lines = body.split("\n")
    start = next((n for n, text in enumerate(lines) if text.strip()), len(lines))
    if start == len(lines):
        return None
    other = _OTHER.match(lines[start])
    if other is not None:
        return Transcript(skip=Skip(SkipKind.OTHER_SHELL, other["prompt"], first_line + start))
    if not lines[start].startswith(_PROMPT):
        return None
    commands, claims = _commands(lines, start, first_line)
    repl = _repl(commands, claims)
    if repl is not None:
        return Transcript(commands, repl=repl)
    if all(_program(c.text) in _BUILTINS for c in commands):
        return None
    refused = _refused(commands, written)
    if refused is not None:
        return Transcript(commands, skip=Skip(SkipKind.COMMAND, refused.text, refused.line))
    return Transcript(commands, claims)


def _commands(
    lines: list[str], start: int, first_line: int
) -> tuple[tuple[Command, ...], tuple[OutputClaim, ...]]:
    commands: list[Command] = []
    claims: list[OutputClaim] = []
    n = start
    while n < len(lines):
        text = lines[n][len(_PROMPT) :]
        while text.endswith("\\") and n + 1 < len(lines):  # a command continued
            n += 1
            text = text[:-1] + " " + lines[n].removeprefix("> ")
        last = first_line + n
        n += 1
        out: list[str] = []
        while n < len(lines) and not lines[n].startswith(_PROMPT):
            out.append(lines[n])
            n += 1
        if n == len(lines) and out and out[-1].strip() == _PROMPT.strip():
            out.pop()  # the prompt the session ended on
        stripped = text.strip()
        background = stripped.endswith("&") and not stripped.endswith("&&")
        status = _STATUS.fullmatch(out[-1].strip()) if out else None
        job_line = _JOB.fullmatch(out[0].strip()) if background and out else None
        shown = list(out)
        if job_line is not None:
            shown[0] = f"{job_line['job']} ..."  # the pid differs each run
        commands.append(
            Command(
                last,
                stripped.removesuffix("&").strip() if background else stripped,
                background=background,
                status=int(status["status"]) if status else None,
                shows_error=any(_ERROR.search(line) for line in out),
                job=job_line is not None,
            )
        )
        form = f'the output of "$ {stripped}"'
        claims.append(
            OutputClaim("command", "\n".join(shown), last + 1, last, last + len(out), form=form)
        )
    return tuple(commands), tuple(claims)


def _repl(
    commands: tuple[Command, ...],
    claims: tuple[OutputClaim, ...],
) -> tuple[str, int] | None:
    """The `>>>` session of a lone `python -m asyncio`, and the line of its first prompt."""
    if len(commands) != 1 or not _is_asyncio_repl(commands[0].text):
        return None
    out = claims[0].expected.split("\n")
    first = next((n for n, text in enumerate(out) if text.startswith(">>> ")), None)
    if first is None:
        return None
    session = out[first:]
    while session and session[-1].strip() in _REPL_END:
        session.pop()
    return "\n".join(session) + "\n", claims[0].line + first


def _is_asyncio_repl(text: str) -> bool:
    words = _words(text)
    return (
        words is not None
        and len(words) == len(("python", "-m", "asyncio"))
        and _PYTHON.fullmatch(words[0]) is not None
        and words[1:] == ["-m", "asyncio"]
    )


def _words(text: str) -> list[str] | None:
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote
        return None


def _program(text: str) -> str:
    words = _words(text) or [""]
    while len(words) > 1 and _ASSIGN.fullmatch(words[0]):
        words = words[1:]
    return words[0]


def _refused(commands: tuple[Command, ...], written: frozenset[str]) -> Command | None:
    """The first command mdverify does not run, following the `cd`s to where each runs."""
    here = PurePosixPath()
    for command in commands:
        words = _words(command.text) or []
        if words[:1] == ["cd"]:
            target = PurePosixPath(words[1] if len(words) > 1 else "~")
            parts = [*here.parts]
            for part in target.parts:
                if part == ".." and parts:
                    parts.pop()
                elif part == ".." or target.is_absolute() or part.startswith("~"):
                    return command  # out of the working directory: the reader's machine
                elif part != ".":
                    parts.append(part)
            here = PurePosixPath(*parts)
        elif _refusal(command.text, frozenset(_from(here, n) for n in written)):
            return command
    return None


def _from(here: PurePosixPath, name: str) -> str:
    """`name` (relative to the working directory) as seen from its folder `here`."""
    prefix = f"{here.as_posix()}/" if here.parts else ""
    return name.removeprefix(prefix) if name.startswith(prefix) else f"../{name}"


def _refusal(text: str, written: frozenset[str]) -> bool:  # noqa: PLR0911
    """Whether mdverify does not run the command (see the module's rule)."""
    if "`" in text or "$(" in text:
        return True
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    try:
        tokens = list(lexer)
    except ValueError:
        return True
    # A pipe, a list, a subshell: another program runs, or the order is the shell's. (A
    # quoted word is one token, whatever it holds: only the shell's own operators count.)
    operators = [t for t in tokens if t and set(t) <= set(lexer.punctuation_chars)]
    if any(set(t) & set("|;()") or t in {"&&", "&"} for t in operators):
        return True
    words = _words(text) or []
    while words and _ASSIGN.fullmatch(words[0]):
        words = words[1:]
    if not words:
        return True
    if words[0] in _BUILTINS:
        return False
    if words[0].startswith("./"):  # a file the article wrote, run with its shebang
        return not _runs_written([words[0]], written)
    if _PYTHON.fullmatch(words[0]) is None:
        return True
    return not _runs_written(words[1:], written)


def _runs_written(args: list[str], written: frozenset[str]) -> bool:
    """Whether the interpreter's arguments run code the article shows (see the module doc)."""
    n = 0
    while n < len(args) and args[n].startswith("-"):
        option = args[n]
        if option == "-c":
            return n + 1 < len(args)
        if option == "-m":
            module = args[n + 1] if n + 1 < len(args) else ""
            path = module.replace(".", "/")
            return bool(module) and bool({f"{path}.py", f"{path}/__main__.py"} & written)
        n += 2 if option in _OPTION_WITH_VALUE else 1
    if n == len(args):
        return False  # the interactive interpreter
    script = PurePosixPath(args[n].replace("\\", "/"))
    return "/".join(p for p in script.parts if p != ".") in written


def console_block(
    index: int,
    token: Token,
    found: Sequence[tuple[Example, BlockSyntax | None]],
    article: ArticleSettings,
    pending: tuple[int, BlockDirective] | None,
    name: str,
) -> Example | None:
    """The block a fence is when it is a console transcript (`found`: the blocks above it)."""
    line = token_lines(token)[0] + 1
    written = frozenset(e.writes for e, _ in found if e.writes)
    written |= {file for file, _ in article.world.files}
    body = token.content.removesuffix("\n")
    transcript = read_transcript(language(token.info), body, line + 1, written)
    if transcript is None:
        return None
    settings, world = article.defaults, article.world
    if pending is not None:
        settings = settings.merged(pending[1].settings)
        world = world.merged(pending[1].world)
    return console_example(index, line, token.content, transcript, name, settings, world)


def console_example(
    index: int,
    line: int,
    body: str,
    transcript: Transcript,
    name: str,
    settings: BlockSettings,
    world: World,
) -> Example:
    """The block a transcript at article line `line` (its opening fence) is."""
    if transcript.skip is not None and settings.skip is None:
        settings = replace(settings, skip=transcript.skip)
    if transcript.repl is not None:
        source, first = transcript.repl
        try:
            outputs = prompt_claims(source, first)
        except ValueError:  # doctest's parser on a malformed prompt: not a session it reads
            outputs = ()
            settings = replace(settings, skip=settings.skip or Skip(SkipKind.NOT_PYTHON))
        ends = tuple(c.upto_line or c.line for c in outputs)
        return Example(
            index,
            "pycon",
            source,
            line,
            first,
            name,
            settings,
            world,
            outputs,
            ends=ends,
            repl=True,
        )
    ends = tuple(c.line for c in transcript.commands)
    return Example(
        index,
        "console",
        body,
        line,
        line + 1,
        name,
        settings,
        world,
        transcript.claims,
        ends=ends,
        commands=transcript.commands,
    )
