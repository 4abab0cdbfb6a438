"""One registry of the monkeypatches a child process lives under, undone in one call.

The clock patches the `time` module, `datetime`'s classes, asyncio's loop factories,
threads, executors, spawn primitives and socket methods; `mdverify.run.netmap` patches
name resolution and socket addresses. All of them register here, so `undo_all` (the
clock's `installer.uninstall`, for tests) puts every name back, newest first, whoever
patched it.

A C type such as `datetime.datetime` refuses `setattr`: it is immutable. Its attribute
is then written into the type's own dict, which `type.__dict__` only shows through a
read-only proxy, and `PyType_Modified` drops what CPython cached about the type and its
subclasses, as `setattr` on a mutable type would.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import gc

__all__ = ["patch", "undo_all"]

_PATCHES: list[tuple[object, str, object, bool]] = []
"""(target, name, original value, whether `target` itself held it), oldest first."""


def patch(target: object, name: str, value: object) -> None:
    """Set `target.name` to `value`, remembering the original; skip if absent."""
    if not hasattr(target, name):
        return  # this platform or version has no such thing
    own = name in vars(target)
    # The raw attribute, not what getattr makes of it: a classmethod, not a bound method.
    original = vars(target)[name] if own and isinstance(target, type) else getattr(target, name)
    _assign(target, name, value)
    _PATCHES.append((target, name, original, own))


def undo_all() -> None:
    """Undo every patch, newest first."""
    while _PATCHES:
        target, name, original, own = _PATCHES.pop()
        if own:
            _assign(target, name, original)
        else:
            _remove(target, name)


def _assign(target: object, name: str, value: object) -> None:
    try:
        setattr(target, name, value)
    except TypeError:
        if not isinstance(target, type):
            raise
        _type_dict(target)[name] = value
        _type_modified(target)


def _remove(target: object, name: str) -> None:
    try:
        delattr(target, name)
    except TypeError:
        if not isinstance(target, type):
            raise
        del _type_dict(target)[name]
        _type_modified(target)


def _type_dict(cls: type) -> dict[str, object]:
    """The dict behind `cls.__dict__`'s read-only proxy (the proxy's one referent)."""
    (mapping,) = gc.get_referents(cls.__dict__)
    if not isinstance(mapping, dict):  # pragma: no cover - CPython's proxy holds a dict
        msg = f"cannot patch {cls.__qualname__}: its namespace is not a dict"
        raise TypeError(msg)
    return mapping


def _type_modified(cls: type) -> None:
    """Tell CPython that `cls`'s dict changed, as `type.__setattr__` does."""
    import ctypes  # noqa: PLC0415 - only a child that patches a C type needs it

    modified = ctypes.pythonapi.PyType_Modified
    modified.argtypes = [ctypes.py_object]
    modified.restype = None
    modified(cls)
