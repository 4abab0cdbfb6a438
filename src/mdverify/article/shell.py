"""What a shell fence beside the blocks sets up for them: the variables it exports.

Settings docs show the environment an example reads in a shell fence above it (`export
APP_PORT=8080`), then run the example in that shell. The exported values reach every later
block of the article, as they reach every later command of the reader's shell: a block gets
the exports above it that no earlier block got (`Example.environ`) before it runs. Only
`export NAME=value` lines count; other commands in the fence are not run, and a variable set
without `export` never reaches a child process, so it does not count either.
"""

from __future__ import annotations

import re
import shlex

__all__ = ["SHELL_FENCES", "exports"]

SHELL_FENCES = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session"})

_EXPORT = re.compile(r"(?:\S*[$%#][ \t]+)?export[ \t]+(?P<name>[A-Za-z_]\w*)=(?P<value>.*)")


def exports(lang: str, body: str) -> tuple[tuple[str, str], ...]:
    """(name, value) of each `export NAME=value` line of a shell fence, in order."""
    if lang not in SHELL_FENCES:
        return ()
    found: list[tuple[str, str]] = []
    for line in body.splitlines():
        match = _EXPORT.fullmatch(line.strip())
        if match is None:
            continue
        try:
            words = shlex.split(match["value"], comments=True)
        except ValueError:  # an unclosed quote: not a line a shell would run
            continue
        found.append((match["name"], " ".join(words)))
    return tuple(found)
