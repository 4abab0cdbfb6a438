"""What a block holds besides the code of its own fence: console commands, included files.

Frozen dataclasses, like the rest of `mdverify.model`; `mdverify.model.article`'s
`Example` carries them (`Example.commands`, `Example.included`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Command", "Included"]


@dataclass(frozen=True)
class Command:
    """One `$ ` command of a console transcript that runs (`mdverify.article.console`)."""

    line: int
    """Article line where the command ends (a `\\` continues it): its output is marked there."""
    text: str
    """The command as the shell gets it, without the prompt and a trailing `&`."""
    background: bool = False
    """`$ python server.py &`: started, not waited for; stopped at the end of the block."""
    status: int | None = None
    """The exit status a `[N]` line under it shows; None: none shown."""
    shows_error: bool = False
    """Its output shows an error (a traceback, an `Error:` line): a non-zero exit is expected."""
    job: bool = False
    """A background command whose first line is the shell's job line (`[1] 12345`): the
    child writes the job's number and pid there, and the pid is not compared."""


@dataclass(frozen=True)
class Included:
    """A run of a block's lines taken from another file (`--8<--`, `mdverify.article.snippets`)."""

    path: str
    """The file's absolute path: the filename its compiled code and tracebacks carry."""
    name: str
    """The file as reports name it."""
    line: int
    """The article line that includes it (for a nested include, the article's own line)."""
    at: int
    """The block line (1-based, in `Example.source`) of the run's first line."""
    first: int
    """The file line of the run's first line."""
    count: int
    """How many lines the run holds."""
