"""One registry of the monkeypatches a child process lives under, undone in one call.

The clock patches the `time` module, asyncio's loop factories, threads, executors,
spawn primitives and socket methods; `mdverify.run.netmap` patches name resolution and
socket addresses. All of them register here, so `undo_all` (the clock's `installer.uninstall`,
for tests) puts every name back, newest first, whoever patched it.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

__all__ = ["patch", "undo_all"]

_PATCHES: list[tuple[object, str, object, bool]] = []
"""(target, name, original value, whether `target` itself held it), oldest first."""


def patch(target: object, name: str, value: object) -> None:
    """Set `target.name` to `value`, remembering the original; skip if absent."""
    if not hasattr(target, name):
        return  # this platform or version has no such thing
    own = name in vars(target)
    _PATCHES.append((target, name, getattr(target, name), own))
    setattr(target, name, value)


def undo_all() -> None:
    """Undo every patch, newest first."""
    while _PATCHES:
        target, name, original, own = _PATCHES.pop()
        if own:
            setattr(target, name, original)
        else:
            delattr(target, name)
