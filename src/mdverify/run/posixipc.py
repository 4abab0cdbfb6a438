"""What multiprocessing leaves (semaphores, shared memory, folders): noted, then removed.

With the `spawn` and `forkserver` start methods, every `Lock`, `Queue`, `Pool` and `Event`
is a named POSIX semaphore (`/dev/shm/sem.mp-*` on Linux), and a `SharedMemory` block a
named segment (`/dev/shm/psm_*`); a forkserver or a `Manager` listens on a socket in a
folder of its own (`/tmp/pymp-*`). Their owner unlinks them when it drops them or at its
interpreter's exit, and multiprocessing's resource tracker, a process of its own, unlinks
what is left when the owner dies. An article's process does not exit that way: it ends with
`os._exit`, or is killed at a timeout, and the kill of its process group (or of its PID
namespace) takes the tracker with it. What was left open would stay in `/dev/shm` and
`/tmp`, in RAM, for as long as the machine (or the warm worker's sandbox) lives.

So the child notes, in a ledger in the article's folder, every name that multiprocessing
registers with its tracker and unregisters, and every folder that
`multiprocessing.util.get_temp_dir` makes (`record` wraps the three functions when the
article first imports their modules, and costs nothing to an article that never does), and
the process that ends the article removes what the ledger still names once every process of
the article is dead (`release`): the worker for a warm start, the parent for a cold one. A
ledger is the article's to write, so only names of the form multiprocessing gives (one `/`
and a name) are unlinked, only folders named `pymp-*` that are ours and no link are
removed, and only in the `/dev/shm` and `/tmp` the article itself could reach. A spawned
child, and the forkserver, note theirs in the same ledger: their command line calls
`spawned` first.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import os
import re
import stat
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import types
    from collections.abc import Callable, Sequence
    from pathlib import Path

__all__ = ["LEDGER", "record", "release", "spawned"]

LEDGER = "posix-ipc"
"""The ledger's name in the article's folder, beside the capture files."""
_TRACKER = "multiprocessing.resource_tracker"
_UTIL = "multiprocessing.util"
_CHILDREN = ("from multiprocessing.spawn import", "from multiprocessing.forkserver import")
_PRELUDE = (
    "try:\n import importlib.util as u\n"
    " s = u.spec_from_file_location('_mdverify_posixipc', {file!r})\n"
    " m = u.module_from_spec(s)\n s.loader.exec_module(m)\n m.spawned({root!r})\n"
    "except Exception:\n pass"
)
"""Loads this file alone, not the `mdverify` package, whose imports would cost a spawned
child some 50 ms; where it cannot be loaded (another interpreter), it does nothing."""
_NAME = re.compile(r"/[^/\x00]{1,250}")
_FOLDER = re.compile(r"pymp-[a-z0-9_]{1,64}")
"""The name `multiprocessing.util.get_temp_dir` gives its folder (`tempfile.mkdtemp`)."""
_MOST = 1 << 24
"""Bytes of a ledger read: some 300,000 names, far more than a system allows open."""


def record(root: str) -> None:
    """Note in `root`'s ledger what multiprocessing registers from now on, in this process.

    Its spawned children and its forkserver note theirs in the same ledger: `_wrap_spawn`.
    """
    ledger = os.path.join(root, LEDGER)  # noqa: PTH118
    patches: dict[str, Callable[[Any, str], None]] = {
        _TRACKER: _wrap_tracker,
        _UTIL: _wrap_spawn,
    }
    for name in list(patches):
        module = sys.modules.get(name)
        if module is not None:
            patches.pop(name)(module, ledger)
    if patches:
        sys.meta_path.insert(0, _Finder(ledger, patches))


def spawned(root: str) -> None:
    """What a spawned child, or the forkserver, does first (its command line's prelude).

    It notes in the article's ledger, and writes its stdout a line at a time, as the
    article's process does (`mdverify.run.streams.line_buffered`): a worker's `print` is
    then seen as a reader at a terminal sees it, even when its pool is terminated at the end
    of a `with`.
    """
    record(root)
    for stream in (sys.stdout, sys.__stdout__):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]


class _Finder:
    """Patches each module as it is first imported; then steps aside."""

    def __init__(self, ledger: str, patches: dict[str, Callable[[Any, str], None]]) -> None:
        self.ledger = ledger
        self.patches = patches

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        del target
        patch = self.patches.pop(name, None)
        if patch is None:
            return None
        if not self.patches:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module
        ledger = self.ledger

        def exec_module(module: types.ModuleType) -> None:
            run(module)
            patch(module, ledger)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _wrap_spawn(util: Any, ledger: str) -> None:  # noqa: ANN401 -- a module of the stdlib's
    """Start spawned children and the forkserver noting in the ledger too.

    Both are `python -c PROGRAM`, started by `util.spawnv_passfds`; the program gets a
    first line that calls `spawned` (and does nothing where mdverify cannot be imported).
    The resource tracker, started the same way, is left as it is.
    """
    spawnv_passfds: Callable[[str, Sequence[str], Sequence[int]], int] = util.spawnv_passfds
    code = _PRELUDE.format(file=__file__, root=os.path.dirname(ledger))  # noqa: PTH120
    first = f"exec({code!r}); "

    def spawned(path: str, args: Sequence[str], passfds: Sequence[int]) -> int:
        args = list(args)
        for at, arg in enumerate(args[:-1]):
            if arg == "-c" and args[at + 1].startswith(_CHILDREN):
                args[at + 1] = first + args[at + 1]
                break
        return spawnv_passfds(path, args, passfds)

    util.spawnv_passfds = spawned
    get_temp_dir: Callable[[], str] = util.get_temp_dir

    def temp_dir() -> str:
        # A forkserver's or a manager's socket folder, removed only by an exit handler.
        known = util.process.current_process()._config.get("tempdir")  # noqa: SLF001
        made = get_temp_dir()
        if made != known:
            _note(ledger, "+", made, "folder")
        return made

    util.get_temp_dir = temp_dir


def _wrap_tracker(module: Any, ledger: str) -> None:  # noqa: ANN401 -- a module of the stdlib's
    register: Callable[[str, str], None] = module.register
    unregister: Callable[[str, str], None] = module.unregister

    def registered(name: str, rtype: str) -> None:
        register(name, rtype)
        _note(ledger, "+", name, rtype)

    def unregistered(name: str, rtype: str) -> None:
        unregister(name, rtype)
        _note(ledger, "-", name, rtype)

    module.register, module.unregister = registered, unregistered


def _note(ledger: str, sign: str, name: str, rtype: str) -> None:
    import json  # noqa: PLC0415 -- only where multiprocessing registers something

    line = json.dumps([sign, rtype, name]) + "\n"
    with contextlib.suppress(OSError):  # the example removed its folder: nothing to note in
        fd = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def release(root: Path) -> list[str]:
    """Unlink what `root`'s ledger still names, after the article's last process; which."""
    import json  # noqa: PLC0415 -- see `_note`

    try:
        fd = os.open(root / LEDGER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return []
    with os.fdopen(fd, "rb") as file:
        text = file.read(_MOST).decode("utf-8", "replace")
    left: dict[tuple[str, str], None] = {}
    for line in text.splitlines():
        with contextlib.suppress(ValueError, TypeError):
            sign, rtype, name = json.loads(line)
            if sign == "+":
                left[rtype, name] = None
            else:
                left.pop((rtype, name), None)
    removed = []
    for rtype, name in left:
        if rtype == "folder" and isinstance(name, str):
            if _remove_folder(name):
                removed.append(name)
            continue
        unlink = _unlinker(rtype)
        if unlink is None or not isinstance(name, str) or not _NAME.fullmatch(name):
            continue
        with contextlib.suppress(OSError):
            unlink(name)
            removed.append(name)
    return removed


def _remove_folder(path: str) -> bool:
    """Remove multiprocessing's folder `path` (`pymp-*`, ours, no link); whether it was."""
    if not _FOLDER.fullmatch(os.path.basename(path)):  # noqa: PTH119
        return False
    try:
        found = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.geteuid():
        return False
    import shutil  # noqa: PLC0415 -- only where an article left a folder

    shutil.rmtree(path, ignore_errors=True)  # never follows a link inside
    return True


def _unlinker(rtype: object) -> Callable[[str], None] | None:
    if rtype == "semaphore":
        import _multiprocessing  # type: ignore[import-not-found]  # noqa: PLC0415 -- only where an article left one

        return getattr(_multiprocessing, "sem_unlink", None)
    if rtype == "shared_memory":
        import _posixshmem  # type: ignore[import-not-found]  # noqa: PLC0415 -- likewise

        unlink: Callable[[str], None] = _posixshmem.shm_unlink
        return unlink
    return None
