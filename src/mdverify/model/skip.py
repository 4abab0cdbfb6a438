"""Why a block does not run, as data: `Skip`; `check.skips` puts it in words.

A skip travels from where it is decided (the article's reading, the settings, the
services, the run) to the report and the session summary. The summary groups skips by
kind, so a tree with 40 fragments shows one line for them; grouping by the words would tie
the summary to their wording, and words are made in one place only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdverify.model.observation import Interruption

__all__ = ["Skip", "SkipKind"]


class SkipKind(enum.Enum):
    """What kind of reason keeps a block from running; `Skip.detail` holds its particulars."""

    WRITER = "writer"
    """A `skip` directive; detail: the writer's reason, empty when none was given."""
    PYTHON = "python"
    """A `python` constraint this interpreter does not meet; detail: such as ">=3.12"."""
    IMPORT = "import"
    """`requires` names modules not importable here; detail: their names, comma-separated."""
    SERVICE = "service"
    """A declared service cannot exist here; detail: the service's own explanation."""
    SHELL = "shell"
    """Shell commands in a Python fence; detail: the first command."""
    GUTTER = "gutter"
    """A listing with a line-number gutter."""
    PLACEHOLDER = "placeholder"
    """A syntax template with a placeholder; detail: the placeholder, such as <name>."""
    ELLIPSIS = "ellipsis"
    """A template with `...` for the code left out; detail: the line."""
    PROSE = "prose"
    """A template with prose where code would be; detail: the line."""
    COMMENT_FOR_CODE = "comment-for-code"
    """A template with a comment where code would be (`await  # awaitable`, or the only line
    of a body, as an exercise stub leaves it); detail: the line."""
    NO_BODY = "no-body"
    """An exercise stub: a header (`def f():`, `class C:`) with nothing under it; detail:
    the header."""
    SYNTAX_LABEL = "syntax-label"
    """A template labelled "syntax"."""
    OUTPUT_IN_CODE = "output-in-code"
    """The block shows its output inside the code (a `Output:` line in the fence)."""
    NOT_PYTHON = "not-python"
    """No line of the block is Python: output or prose in a Python fence."""
    FRAGMENT = "fragment"
    """An API fragment using names no block binds; detail: the names, comma-separated."""
    LOCAL = "local"
    """A fragment using names an earlier block binds only inside a function: it shows a line
    of that function alone; detail: the names, comma-separated; line: that block's."""
    NOT_REACHED = "not-reached"
    """An earlier block ended the article's process; `cause` says how."""
    OFFLINE = "offline"
    """The block caught its call to an undeclared host; detail: the hosts, comma-separated."""
    UNBOUND = "unbound"
    """The block raised NameError for a name no block binds (`Example.unbound`): an exercise
    stub or a template that parses; detail: the name."""
    AFTER_FAILURE = "after-failure"
    """The block raised NameError for a name that only an earlier block binds, and that block
    failed: the first failure says what is wrong; detail: the name, line: that block's."""
    STALE = "stale"
    """The block failed and reads a name that the last earlier block to bind it was to bind
    again, and that block failed: what the block read is an older value; detail: the name,
    line: that block's."""
    STDIN = "stdin"
    """The block called `input()`, and examples get no standard input."""
    EXERCISE = "exercise"
    """The block calls a function the prose above asks the reader to write; detail: its
    name, line: the line of the ask."""
    ARGV = "argv"
    """The block read `sys.argv[1]` or later, and examples run with no arguments."""
    IN_COROUTINE = "in-coroutine"
    """A one-statement block raised "no running event loop": a line from inside a coroutine,
    shown alone (`task = asyncio.create_task(work())` in a list of steps)."""
    COMMAND = "command"
    """A console transcript with a command mdverify does not run (`pip`, `curl`, a script the
    article does not write); detail: the command, line: its line."""
    OTHER_SHELL = "other-shell"
    """A console transcript at another shell's prompt (`PS>`, `%`); detail: the prompt."""
    NO_CLIENT = "no-client"
    """The block served, no client came, and it was stopped as a reader stops it: what it
    printed is the start of what it declares, the rest is what clients bring; detail: the
    `host:port` it served on."""

    @property
    def template(self) -> bool:
        """Whether the kind is one of the ways a block is a syntax template, not a program."""
        return self in _TEMPLATES


_TEMPLATES = frozenset(
    {
        SkipKind.GUTTER,
        SkipKind.PLACEHOLDER,
        SkipKind.ELLIPSIS,
        SkipKind.PROSE,
        SkipKind.COMMENT_FOR_CODE,
        SkipKind.NO_BODY,
        SkipKind.SYNTAX_LABEL,
    }
)


@dataclass(frozen=True)
class Skip:
    """Why one block is skipped: its kind, the article line it points at, its particulars."""

    kind: SkipKind
    detail: str = ""
    line: int | None = None
    """The article line the reason points at (the placeholder's, the command's), if any."""
    cause: Interruption | None = None
    """NOT_REACHED: how the block that ended the process was cut short, if known."""
    unchecked: int = 0
    """UNBOUND, LOCAL, STDIN, ARGV: how many outputs the block declares, which the skip leaves
    uncompared."""
