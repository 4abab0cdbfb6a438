"""Skips in words: the sentence `-rs` shows for each `Skip`, and the summary's group for it.

The other stages decide a skip as data (`mdverify.model.Skip`); this is the one place that
words it. `mdverify.check.runskips` decides the skips that only a block's run can tell.
"""

from __future__ import annotations

from mdverify.check.endings import not_reached
from mdverify.model import Skip, SkipKind

__all__ = ["TEMPLATE", "skip_group", "skip_text"]

TEMPLATE = "syntax template, not runnable code"
"""The summary's group for every kind of template (`SkipKind.template`)."""

# Kinds whose whole sentence is their group: what the block needs ("needs numpy"), so a
# writer sees in the summary what to install.
_WHOLE = frozenset({SkipKind.WRITER, SkipKind.PYTHON, SkipKind.IMPORT, SkipKind.SERVICE})
# Kind -> the summary's group, and the start of the sentence.
_GROUPS = {
    SkipKind.SHELL: "shell commands, not Python",
    SkipKind.OUTPUT_IN_CODE: "the block shows its output inside the code",
    SkipKind.NOT_PYTHON: "no line of it is Python",
    SkipKind.FRAGMENT: "fragment, not a program",
    SkipKind.LOCAL: "fragment, not a program",
    SkipKind.IN_COROUTINE: "fragment, not a program",
    SkipKind.NOT_REACHED: "not run",
    SkipKind.OFFLINE: "needs the network",
    SkipKind.UNBOUND: "uses a name no block of the article defines",
    SkipKind.STDIN: "reads standard input; examples get none",
    SkipKind.ARGV: "reads command-line arguments; examples run with none",
    SkipKind.EXERCISE: "an exercise for the reader",
    SkipKind.AFTER_FAILURE: "needs a name from an earlier block that failed",
    SkipKind.STALE: "reads a name an earlier block that failed was to bind again",
    SkipKind.NO_CLIENT: "a server that waits for a client no block provides",
    SkipKind.COMMAND: "a console transcript with commands mdverify does not run",
    SkipKind.OTHER_SHELL: "a console transcript at another shell's prompt",
}


def skip_group(skip: Skip) -> str:
    """The summary line `skip` is counted on: its kind, or what the block needs, whole."""
    if skip.kind in _WHOLE:
        return skip_text(skip)
    if skip.kind.template:
        return TEMPLATE
    return _GROUPS[skip.kind]


def skip_text(skip: Skip) -> str:
    """The reason `-rs` shows for `skip`, naming the article line it points at."""
    at = f" (line {skip.line})" if skip.line is not None else ""
    if skip.kind is SkipKind.WRITER:
        return skip.detail or "mdverify: skip directive"
    if skip.kind is SkipKind.NOT_REACHED:
        return not_reached(skip.line, skip.cause)
    if skip.kind.template:
        return f"{TEMPLATE}: {_TEMPLATE_WORDS[skip.kind].format(skip.detail)}{at}"
    return _SENTENCES[skip.kind].format(detail=skip.detail, line=skip.line, at=at) + _unchecked(
        skip.unchecked
    )


def _unchecked(outputs: int) -> str:
    """What a skip after the block ran leaves uncompared: its declared outputs, if any."""
    if outputs == 0:
        return ""
    if outputs == 1:
        return "; its declared output was not compared"
    return f"; its {outputs} declared outputs were not compared"


_SENTENCES = {
    SkipKind.PYTHON: "needs Python {detail}",
    SkipKind.IMPORT: "needs {detail} (not importable here)",
    SkipKind.SERVICE: "{detail}",
    SkipKind.SHELL: "shell commands, not Python (line {line}: {detail})",
    SkipKind.OUTPUT_IN_CODE: (
        "the block shows its output inside the code, not runnable as it stands{at}"
    ),
    SkipKind.NOT_PYTHON: "no line of it is Python: output or prose in a Python fence{at}",
    SkipKind.FRAGMENT: (
        "fragment, not a program: uses {detail}, which no block of the article defines{at}"
    ),
    SkipKind.LOCAL: (
        "fragment, not a program: uses {detail}, which only a function of the block at line"
        " {line} binds"
    ),
    SkipKind.IN_COROUTINE: (
        "fragment, not a program: one line from inside a coroutine, which needs a running"
        " event loop{at}"
    ),
    SkipKind.OFFLINE: (
        "needs the network: the block tried {detail}, not declared; examples run offline,"
        " so what it printed is not what a reader sees (declare the host under hosts: in"
        " the front matter to serve local pages)"
    ),
    SkipKind.UNBOUND: (
        "uses {detail}, which no block of the article defines: an exercise or a template,"
        " not runnable as it stands{at}"
    ),
    SkipKind.STDIN: "reads standard input{at}; examples get none",
    SkipKind.ARGV: "reads command-line arguments{at}; examples run with none",
    SkipKind.EXERCISE: (
        "an exercise: calls {detail}, the function the text at line {line} asks the reader to write"
    ),
    SkipKind.AFTER_FAILURE: (
        "uses {detail}, which only the block at line {line} defines, and that block failed"
    ),
    SkipKind.STALE: (
        "uses {detail}, which the block at line {line} was to bind again, and that block"
        " failed: this block read an older value"
    ),
    SkipKind.COMMAND: (
        "a console transcript with a command mdverify does not run (line {line}: {detail}):"
        " it runs only python on a script, module or -c code the article shows, and"
        " ./script of a file the article writes"
    ),
    SkipKind.OTHER_SHELL: (
        "a console transcript at the prompt {detail}{at}: only a POSIX shell's '$ ' runs"
    ),
    SkipKind.NO_CLIENT: (
        "serves on {detail} and waits for a client that no block provides: when it was"
        " stopped, it had printed the start of its declared output; the rest, what clients"
        " bring, was not compared"
    ),
}
_TEMPLATE_WORDS = {
    SkipKind.GUTTER: "a listing with line numbers",
    SkipKind.PLACEHOLDER: "the placeholder {}",
    SkipKind.ELLIPSIS: "'...' for the code left out: {}",
    SkipKind.PROSE: "prose where code would be: {}",
    SkipKind.COMMENT_FOR_CODE: "a comment where code would be: {}",
    SkipKind.NO_BODY: "nothing under the header: {}",
    SkipKind.SYNTAX_LABEL: "a block labelled 'syntax'",
}
