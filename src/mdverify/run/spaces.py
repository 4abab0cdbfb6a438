"""In the child: the namespaces an article's blocks run in (`Example.namespace`).

Each namespace holds what one script or notebook kernel has: the names of its `__main__`
module, its event loop (a task started in one block can be awaited in a later block of the
same namespace) and the `__future__` imports its blocks made. `mdverify.article.sessions`
says which blocks share one.

A namespace is dropped after its last block, as its script's exit would drop it, so that
what it held (a server's socket, an open file) is closed before the blocks below it run.
Those in use at the article's last block are dropped when the article ends, as before.

Each namespace's `__main__` has a file, its `__file__`: the code its blocks ran, as one
script (`mdverify.run.mainfile`), which multiprocessing's spawned children run again.
"""

from __future__ import annotations

import asyncio
import sys
import types
from typing import TYPE_CHECKING, Any

from mdverify.run.mainfile import Script

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.run.leaks import Leaks
    from mdverify.run.spec import BlockRequest

__all__ = ["Space", "Spaces"]


class Space:
    """One namespace: its `__main__` module, its loop and its `__future__` flags."""

    def __init__(self, script: Script | None = None) -> None:
        self.module = types.ModuleType("__main__")
        self.module.__dict__["__builtins__"] = __builtins__
        self.script = script
        """The file its `__main__` is (`mdverify.run.mainfile`); None: it has none."""
        if script is not None:
            self.module.__file__ = script.path
        self.loop: asyncio.AbstractEventLoop | None = None
        """The loop its blocks' top-level awaits run in; None until one does."""
        self.future_flags = 0
        """The `__future__` imports its blocks made, for the compiling of its later blocks."""

    @property
    def names(self) -> dict[str, Any]:
        """The namespace its blocks run in."""
        return self.module.__dict__

    def tasks(self) -> set[asyncio.Task[Any]]:
        """The tasks of its loop, which outlive its blocks, as a notebook's do."""
        loop = self.loop
        return asyncio.all_tasks(loop) if loop is not None and not loop.is_closed() else set()


class Spaces:
    """The namespaces of one article's run, each made when its first block runs."""

    def __init__(
        self,
        blocks: Sequence[BlockRequest],
        root: str | None = None,
        article: str = "",
        *,
        last: bool = False,
    ) -> None:
        """`root`: the article's folder, where each namespace's script goes (None: no files).

        `last`: drop a namespace after its last block even when that ends the run.
        """
        self._root, self._article, self._made = root, article, 0
        self._last = {block.get("namespace", ""): block["index"] for block in blocks}
        self._final = blocks[-1]["index"] if blocks and not last else None
        self._open: dict[str, Space] = {}
        self._outliving: list[tuple[asyncio.AbstractEventLoop | None, set[asyncio.Task[Any]]]] = []

    def enter(self, block: BlockRequest) -> Space:
        """The namespace `block` runs in, made `__main__` (pickle looks functions up there)."""
        key = block.get("namespace", "")
        space = self._open.get(key)
        if space is None:
            script = None
            if self._root is not None:
                script = Script.under(self._root, self._made, self._article)
                self._made += 1
            space = self._open[key] = Space(script)
        sys.modules["__main__"] = space.module
        return space

    def end(self, block: BlockRequest, leaks: Leaks) -> None:
        """Drop the namespace `block` was the last block of, as its script's exit would.

        Not while a later block uses it, nor after the article's last block: the end of the
        article drops what is left (`remaining`). What the drop gives is `block`'s.
        """
        key = block.get("namespace", "")
        if self._last.get(key) != block["index"] or block["index"] == self._final:
            return
        space = self._open.pop(key, None)
        if space is not None:
            # Its loop and tasks live on until the article ends, as those of the namespaces
            # still open then do: a task left pending is no mistake of a notebook's.
            self._outliving.append((space.loop, space.tasks()))
            leaks.sweep(space.names, ())
            leaks.block = block["index"]

    def remaining(self) -> list[Space]:
        """The namespaces not dropped yet."""
        return list(self._open.values())
