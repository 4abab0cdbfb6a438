"""In the child: a block that is a file (`Example.writes`) is written, and maybe run as a script.

A reader who saves a new version of `helpers.py` and runs `python` again gets the new code;
in the article's one process, `import helpers` would give the module imported before. So
writing a file forgets the module imported from it (`sys.modules`), the importers' cached
folder listings, and its compiled bytecode, whose check by modification time and size can
miss a rewrite within the same second. A name bound from the old module (`from helpers
import greet`) keeps the old object until the article imports it again, as in a REPL.

Run as a script, the file gets what `python app/main.py` gives it: `__name__` is
`"__main__"`, `__file__` and `sys.argv[0]` name it, and its folder, not the working
directory, is first on `sys.path`. It runs in the article's process, so under the same
limits and clock, in a namespace of its own.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["as_script", "write"]


def write(name: str, source: str) -> Path:
    """Write `source` to `name` (relative to the working directory, `/` between folders)."""
    target = Path.cwd() / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source, encoding="utf-8")
    with contextlib.suppress(OSError, NotImplementedError):
        Path(importlib.util.cache_from_source(str(target))).unlink(missing_ok=True)
    for module_name, module in list(sys.modules.items()):
        if _loaded_from(module, target):
            del sys.modules[module_name]
    importlib.invalidate_caches()
    return target


def _loaded_from(module: types.ModuleType | None, target: Path) -> bool:
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):
        return False
    with contextlib.suppress(OSError):
        return Path(file).resolve() == target.resolve()
    return False


@contextlib.contextmanager
def as_script(target: Path, name: str) -> Iterator[dict[str, Any]]:
    """The namespace `target` runs in as the script `python NAME`, for the time it runs."""
    module = types.ModuleType("__main__")
    module.__dict__.update(__builtins__=__builtins__, __file__=str(target))
    saved = sys.modules.get("__main__"), list(sys.argv), sys.path[0] if sys.path else None
    sys.modules["__main__"] = module  # pickle and multiprocessing look functions up here
    sys.argv = [name]
    if sys.path:
        sys.path[0] = str(target.parent)
    try:
        yield module.__dict__
    finally:
        main, sys.argv, first = saved
        if main is not None:
            sys.modules["__main__"] = main
        if first is not None and sys.path:
            sys.path[0] = first
