"""Sessions and isolation: which namespace each block of an article runs in.

An article's blocks share one namespace, as a script's statements do, unless a directive
says otherwise:

* `session=NAME` puts a block into the namespace NAME, which the later blocks of that
  session share; blocks with no session share the default one;
* `reset` starts a new namespace for the block's session from that block on: what the
  blocks above it defined is gone, as after a notebook's restart;
* `isolate` runs one block alone, in a fresh process of its own (`mdverify.run.alone`):
  nothing a block above it did to the interpreter (its names, imported modules, patches,
  environment, working directory) reaches it, and nothing it does reaches the blocks below.
  The front matter's `isolate: blocks` isolates every block (a page of standalone
  scripts) but those given a `session`; `isolate=false` puts a block back into the default
  namespace.

Each namespace also has its own event loop and its own `__future__` imports. Hidden code
joins the namespace of the block below it (a hidden teardown: the block above it), so that
an isolated block keeps its hidden set-up.

The namespace is one opaque string, `Example.namespace`, that the child and the skips
compare: "" is the default namespace; `Example.alone` says whether it is an isolated block's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mdverify.article.values import DirectiveError, equals, flag
from mdverify.model import ISOLATED

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.article.world import Items
    from mdverify.model import BlockSettings, Example

__all__ = [
    "SESSION_KEYS",
    "Namespacing",
    "conflict",
    "read_namespacing",
    "with_namespaces",
]

SESSION_KEYS = ("session", "isolate", "reset")
_NAME = re.compile(r"[A-Za-z0-9_][\w.-]*")


@dataclass(frozen=True)
class Namespacing:
    """What a directive or the front matter says about the namespace its blocks run in."""

    session: str | None = None
    isolate: bool | None = None
    reset: bool = False


def read_namespacing(items: Items, *, front_matter: bool, setup: bool = False) -> Namespacing:
    """The `session`, `isolate` and `reset` keys of a directive's (or the front matter's) items.

    `setup`: the front matter names a setup file, which runs in one namespace only.
    """
    session: str | None = None
    isolate: bool | None = None
    reset = False
    for key, op, value in items:
        if key == "session":
            if session is not None:
                raise DirectiveError("'session' is given twice; a block runs in one namespace")
            session = _session_name(op, value)
        elif key == "reset":
            reset = flag(key, op, value)
        elif key == "isolate":
            isolate = _front_matter_isolate(op, value) if front_matter else flag(key, op, value)
    if isolate and session is not None:
        raise DirectiveError(
            "'isolate' runs the block alone and 'session' shares a namespace with other "
            "blocks: drop one of them"
        )
    if isolate and reset:
        raise DirectiveError(
            "'isolate' already gives the block a new namespace of its own: drop 'reset'"
        )
    if isolate and setup:
        raise DirectiveError(
            "'setup' runs once, in the first block's namespace, and 'isolate: blocks' gives "
            "every block its own: the others would never see it; use one of them",
            "isolate",
        )
    return Namespacing(session, isolate, reset)


def _session_name(op: str, value: str | None) -> str:
    equals("session", op)
    if not value:
        raise DirectiveError("'session' needs a name: session=server")
    if not _NAME.fullmatch(value):
        raise DirectiveError(
            f"'session' names a namespace in letters, digits, '_', '-' and '.', not {value!r}"
        )
    return value


def _front_matter_isolate(op: str, value: str | None) -> bool:
    equals("isolate", op)
    if value != "blocks":
        raise DirectiveError(
            "the front matter's 'isolate' is 'isolate: blocks' (every block alone); to run "
            f"one block alone, write 'isolate' in a directive above it; not {value or 'true'!r}",
            "isolate",
        )
    return True


def conflict(settings: BlockSettings, own: BlockSettings, *, file: bool = False) -> str | None:
    """Why a block's keys clash with the front matter's `isolate: blocks`, if they do.

    `own` are the settings of the block's directive alone; `file`: the block is a file,
    which runs in no namespace, so none of the keys applies to it.
    """
    given = [key for key, on in zip(SESSION_KEYS, _given(own), strict=True) if on]
    if file and given:
        return (
            f"{given[0]!r} says which namespace a block runs in, and a block that is a file "
            "runs in none (a transcript runs it as a script, alone): drop it"
        )
    if settings.reset and settings.isolate and settings.session is None:
        return (
            "'reset' starts a new namespace for a session, and the front matter's "
            "'isolate: blocks' already runs this block alone: give it session=NAME, or drop "
            "'reset'"
        )
    return None


def _given(own: BlockSettings) -> tuple[bool, bool, bool]:
    """Whether `own` gives `session`, `isolate` and `reset` (in `SESSION_KEYS` order)."""
    return own.session is not None, own.isolate is not None, own.reset


def with_namespaces(examples: Sequence[Example]) -> list[Example]:
    """`examples`, each with the namespace it runs in (`Example.namespace`)."""
    generations: dict[str, int] = {}
    keys: list[str | None] = []
    for example in examples:
        settings = example.settings
        if example.hidden or example.writes is not None:
            keys.append(None)  # decided by its neighbours, below
        elif settings.isolate and settings.session is None:
            keys.append(f"{ISOLATED}{example.index}")  # a session's name never holds it
        else:
            name = settings.session or ""
            if settings.reset:
                generations[name] = generations.get(name, 0) + 1
            generation = generations.get(name, 0)
            keys.append(f"{name}~{generation}" if generation else name)
    found = []
    for at, (example, key) in enumerate(zip(examples, keys, strict=True)):
        namespace = _neighbour(keys, at) if key is None else key
        found.append(replace(example, namespace=namespace) if namespace else example)
    return found


def _neighbour(keys: Sequence[str | None], at: int) -> str:
    """The namespace of the first code block below `at`, else above it, else the default."""
    below = [key for key in keys[at + 1 :] if key is not None]
    above = [key for key in keys[:at] if key is not None]
    return below[0] if below else above[-1] if above else ""
