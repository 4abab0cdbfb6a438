"""The sandbox: the warm worker and every cold child run inside Linux namespaces (bubblewrap).

Articles come from strangers' pull requests, and their examples run in CI next to the
job's secrets. The environment allow-list (`mdverify.run.environment`) cleans only the
child's own environment; what a process can see of the machine is the kernel's to bound.
bubblewrap (`bwrap`, Debian's `bubblewrap` package) makes the namespaces with the kernel's
own interfaces, and is small and widely used (Flatpak's sandbox), so we use it rather than
our own `unshare` and `mount` calls through ctypes (`os.unshare` exists only on 3.12+, and
a mount sequence is easy to get subtly wrong). Inside:

* **PID**: a namespace of its own (`--unshare-pid`): pytest and its `/proc/<pid>` do not
  exist there, so neither its environment nor its memory can be read, and it cannot be
  signalled. `--die-with-parent` ends the sandbox with pytest.
* **User**: pytest running as root starts bwrap as root with only CAP_SETUID and
  CAP_SETGID, which `setpriv` spends at once to become `nobody` (65534) before our own code
  runs: every process of the sandbox is then an unprivileged user of the machine, with no
  capability and `no_new_privs` (so no setuid binary gives root back). A user that is not
  root runs bwrap unprivileged, in a user namespace of its own (`--unshare-user`), as
  itself. Either way nothing inside holds CAP_SYS_ADMIN over the sandbox's mounts, so the
  read-only binds cannot be remounted.
* **Mount**: the whole system read-only; a private, empty `/tmp`, `/dev/shm` and HOME
  (tmpfs: `~/.ssh`, `~/.git-credentials` and the like are gone); the interpreter, its
  packages and the docs tree bound back read-only where they lay under one of those; every
  `.git` from the tree up hidden (the job's token is in `.git/config` unless the checkout
  says `persist-credentials: false`); only mdverify's scratch folder, where each article's
  folder is, bound writable.
* **Network**: shared with the harness, since declared hosts, services and server checks
  are served on its loopback; an article that declares none moves to a namespace of its
  own inside (`mdverify.run.netns`), with a loopback only.

`--mdverify-sandbox` chooses: `auto` (the default) uses it where it works, `require`
makes its absence a usage error, `off` runs as before. `probe` says whether it works here,
by starting the interpreter inside it once per process; `Unavailable.line` is the one line
of the summary that says what is then not protected.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mdverify.run import janitor
from mdverify.run.environment import scratch_dir
from mdverify.run.gitdirs import git_paths

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from mdverify.run.options import Mode

__all__ = ["NOBODY", "Sandbox", "SandboxRequired", "Unavailable", "choose"]

NOBODY = 65534
"""The uid and gid the sandbox runs as when pytest is root: `nobody` on Debian and macOS."""
_SHM = "/dev/shm"  # noqa: S108 -- hidden by a tmpfs of the sandbox's own
_TMP = "/tmp"  # noqa: S108 -- likewise
_PRIVATE = "1777"
"""Mode of the private /tmp, /dev/shm and HOME: writable by the unprivileged user inside."""
_ROOT_ONLY = ("/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/sudoers", "/etc/sudoers.d")
"""Secrets of the machine that root owns: hidden when the sandbox runs as uid 0."""
_NOT_PROTECTED = (
    "examples can read pytest's environment and memory through /proc, the user's home "
    "(~/.ssh, ~/.git-credentials) and .git/config, reach any network address, and signal "
    "pytest"
)


class SandboxRequired(Exception):
    """`--mdverify-sandbox=require` on a machine where the sandbox cannot start."""


@dataclass(frozen=True)
class Unavailable:
    """Why the sandbox does not work here."""

    reason: str

    @property
    def line(self) -> str:
        """The summary's one line: that there is no sandbox, why, and what that leaves open."""
        return f"mdverify: no sandbox ({self.reason}): {_NOT_PROTECTED}"


@dataclass(frozen=True)
class Sandbox:
    """How to start a process inside the sandbox: bwrap's arguments, made once per session."""

    bwrap: tuple[str, ...]
    """bwrap and its fixed arguments: namespaces, the read-only system, hidden folders."""
    enter: tuple[str, ...]
    """What runs first inside: `setpriv` to become `nobody` when pytest is root, else ()."""
    owner: int | None
    """The uid that must own the folders the sandbox writes (`give`); None: pytest's own."""
    hidden: tuple[str, ...] = ()
    """The folders an empty tmpfs covers inside: /tmp, /dev/shm, the homes."""

    def command(
        self, argv: Sequence[str], writable: Iterable[str], chdir: str | None = None
    ) -> list[str]:
        """`argv` run in the sandbox, with the folders `writable` bound writable."""
        args = [*self.bwrap, "--ro-bind", _shared(), _shared()]
        for folder in writable:
            args += ["--bind", folder, folder]
        if chdir is not None:
            args += ["--chdir", chdir]
        return [*args, "--", *self.enter, *argv]

    def visible(self, env: Mapping[str, str]) -> dict[str, str]:
        """`env` with each file it names in a hidden folder replaced by a copy the sandbox sees.

        The session's CA for declared HTTPS hosts (`SSL_CERT_FILE`) lies in its scratch
        folder, under /tmp or /dev/shm; the copies are in one read-only folder per process.
        """
        seen = dict(env)
        for name, value in env.items():
            hidden = any(_inside(value, folder) for folder in self.hidden)
            if hidden and os.path.isabs(value) and os.path.isfile(value):  # noqa: PTH117, PTH113
                data = Path(value).read_bytes()
                copy = Path(
                    _shared(), hashlib.sha256(data).hexdigest()[:16] + "-" + Path(value).name
                )
                if not copy.exists():
                    copy.write_bytes(data)
                    copy.chmod(0o644)
                seen[name] = str(copy)
        return seen

    def give(self, root: Path) -> None:
        """Make the folder `root`, and all in it, the sandbox user's to write."""
        if self.owner is None:
            return
        for folder, dirs, names in os.walk(root):
            os.chown(folder, self.owner, self.owner)
            for name in (*dirs, *names):
                os.chown(os.path.join(folder, name), self.owner, self.owner, follow_symlinks=False)  # noqa: PTH118 -- os.walk gives str


def choose(
    mode: Mode, python: str, tree: str | None, memory: int | None = None
) -> Sandbox | Unavailable | None:
    """The sandbox `mode` asks for: one that works, why there is none, or None (`off`).

    Raises SandboxRequired when `mode` is `require` and it does not work here.
    """
    if mode == "off":
        return None
    found = probe(python, tree, os.environ.get("HOME", ""), memory)
    if isinstance(found, Unavailable) and mode == "require":
        raise SandboxRequired(
            f"--mdverify-sandbox=require: the sandbox cannot start here: {found.reason}"
        )
    return found


@functools.cache
def probe(
    python: str,
    tree: str | None,
    home: str = "",  # noqa: ARG001
    memory: int | None = None,
) -> Sandbox | Unavailable:
    """The sandbox for `python` and the docs `tree`, if it starts here (asked once per process).

    `home` is HOME, which the sandbox hides: part of the answer's key, not read here.
    `memory`: the articles' memory limit, which also bounds each private tmpfs (`/tmp`,
    `/dev/shm`, HOME): files there are memory that no process's address space counts.

    As root, the examples run as `nobody` where that user can read the interpreter and the
    tree, once the folders on the way that only root may enter are covered and rebuilt open
    (`_closed`); where it still cannot (a tree that is itself closed, as pytest's own
    temporary folders are), as uid 0 without any capability.
    """
    if not sys.platform.startswith("linux"):
        return Unavailable(f"Linux namespaces do not exist on {sys.platform}")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Unavailable("bubblewrap (bwrap) is not installed")
    root = os.geteuid() == 0
    setpriv = shutil.which("setpriv")
    if root and setpriv is not None:
        ids = f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"
        arguments = tuple(_arguments(bwrap, python, tree, drop=True, size=_size(bwrap, memory)))
        chosen = Sandbox(arguments, (setpriv, *ids, "--"), NOBODY, _private())
        found = _started(chosen, python, tree)
        if isinstance(found, Sandbox):
            return found
    arguments = tuple(_arguments(bwrap, python, tree, size=_size(bwrap, memory)))
    chosen = Sandbox(arguments, (), None, _private())
    return _started(chosen, python, tree)


def _started(sandbox: Sandbox, python: str, tree: str | None) -> Sandbox | Unavailable:
    """`sandbox` if the interpreter starts in it, imports the child and reads the tree."""
    # What every article does first: its own PID and network namespaces, then the tree.
    code = "import os, mdverify.run.worker; from mdverify.run import netns, pidns"
    code += "; pidns.enter() and netns.isolate()"
    code += f"; os.listdir({tree!r})" if tree else ""
    try:
        done = subprocess.run(  # noqa: S603 -- our own arguments, no shell
            sandbox.command([python, "-c", code], ()),
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return Unavailable(f"bwrap did not start: {err}")
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        return Unavailable(f"bwrap failed: {said[-1] if said else f'exit {done.returncode}'}")
    return sandbox


def _arguments(
    bwrap: str, python: str, tree: str | None, *, drop: bool = False, size: int | None = None
) -> Iterator[str]:
    """The arguments of bwrap, in mount order: later mounts cover earlier ones.

    `drop`: bwrap runs as root, keeping only what setpriv needs to become nobody, which it
    spends before anything else runs. Otherwise a user namespace maps the user to itself,
    root included, and bwrap leaves the sandbox no capability.
    """
    yield bwrap
    if drop:
        yield from ("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID")
    else:
        # As uid 0 inside, bwrap would keep the user namespace's capabilities: none, but
        # CAP_SETFCAP, without which the kernel refuses an article's own user namespace
        # mapping uid 0 (`mdverify.run.pidns`); under no_new_privs, file capabilities give
        # nothing, and the article drops it with the rest.
        yield from ("--unshare-user", "--cap-drop", "ALL")
        if os.geteuid() == 0:
            yield from ("--cap-add", "CAP_SETFCAP")
    yield from ("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--share-net")
    # Tells the child to make a PID namespace per article (`mdverify.run.pidns`).
    yield from ("--setenv", "MDVERIFY_SANDBOX", "1")
    yield from ("--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev")
    needed = _needed(python, tree)
    private = list(_private())
    # As nobody, a folder on the way that only its owner may enter (a CI checkout under a
    # 0700 folder) is covered too, and what is needed in it bound back under open parents.
    closed = _closed(needed, private) if drop else []
    for folder in closed:
        yield from ("--perms", "0755", "--tmpfs", folder)
    for folder in private:
        yield from ("--size", str(size)) if size else ()
        yield from ("--perms", _PRIVATE, "--tmpfs", folder)
    private += closed
    rebound = [f for f in needed if any(_inside(f, p) for p in private)]
    yield from _bound_back(rebound, private)
    # A home inside a folder bound back (a tree under /tmp) is hidden again.
    hidden = [Path(p) for p in private if any(_inside(p, f) and p != f for f in rebound)]
    hidden += git_paths(tree)
    if os.geteuid() == 0 and not drop:
        # Files only root may read, which uid 0 still reads as their owner.
        hidden += [path for path in map(Path, _ROOT_ONLY) if path.exists()]
    for path in hidden:
        if path.is_dir():
            yield from ("--tmpfs", str(path))
        else:
            yield from ("--ro-bind", os.devnull, str(path))


def _size(bwrap: str, memory: int | None) -> int | None:
    """`memory`, if this bwrap can size a tmpfs (`--size`, from 0.5.0), else None."""
    if not memory:
        return None
    try:
        said = subprocess.run(  # noqa: S603 -- bwrap's own help
            [bwrap, "--help"], capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return memory if "--size" in said.stdout + said.stderr else None


def _bound_back(rebound: list[str], covered: list[str]) -> Iterator[str]:
    """Bind each of `rebound` read-only again, inside the `covered` folders' empty tmpfs."""
    made: set[str] = set()
    for folder in rebound:
        # bwrap would make the folders on the way 0700, closed to nobody: make them 0755.
        for parent in reversed(Path(folder).parents):
            inside = any(_inside(str(parent), p) and str(parent) != p for p in covered)
            if inside and str(parent) not in made:
                made.add(str(parent))
                yield from ("--perms", "0755", "--dir", str(parent))
        yield from ("--ro-bind", folder, folder)


def _private() -> tuple[str, ...]:
    """What the sandbox covers with an empty tmpfs: /tmp, /dev/shm, HOME, the job's temp."""
    runner = [os.environ.get("RUNNER_TEMP", "")]
    return (_TMP, _SHM, *_homes(), *filter(os.path.isdir, filter(None, runner)))


@functools.cache
def _shared() -> str:
    """One folder per process, of files every sandbox reads (`Sandbox.visible`)."""
    folder = tempfile.mkdtemp(prefix="mdverify-shared-", dir=scratch_dir())
    janitor.keep(folder)
    Path(folder).chmod(0o755)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _homes() -> list[str]:
    """The user's home folders: HOME, and the password database's, if it differs."""
    homes = [os.environ.get("HOME", "")]
    with contextlib.suppress(KeyError):
        homes.append(pwd.getpwuid(os.geteuid()).pw_dir)
    found: list[str] = []
    for home in filter(os.path.isdir, filter(None, homes)):
        real = os.path.realpath(home)
        if real != "/" and real not in found:
            found.append(real)
    return found


def _needed(python: str, tree: str | None) -> list[str]:
    """What a child reads that may lie in a hidden folder: the interpreter, its path, the tree."""
    wanted = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        os.path.dirname(os.path.realpath(python)),  # noqa: PTH120 -- str in, str out
        os.path.dirname(os.path.abspath(python)),  # noqa: PTH100, PTH120 -- likewise
        *sys.path,
        *os.environ.get("PYTHONPATH", "").split(os.pathsep),
        *([tree] if tree else []),
    ]
    found: list[str] = []
    for entry in wanted:
        if not entry or not os.path.isdir(entry):  # noqa: PTH112 -- str
            continue
        for path in (os.path.abspath(entry), os.path.realpath(entry)):  # noqa: PTH100
            if not any(_inside(path, kept) for kept in found):
                found = [kept for kept in found if not _inside(kept, path)] + [path]
    return sorted(found)


def _closed(needed: Iterable[str], private: Iterable[str]) -> list[str]:
    """The first folder on the way to each of `needed` that others may not enter.

    Folders under `private` are left out: those are covered and rebuilt open already.
    """
    covered = list(private)
    found: list[str] = []
    for folder in needed:
        for parent in reversed(Path(folder).parents):
            name = str(parent)
            if any(_inside(name, p) for p in [*covered, *found]):
                break
            try:
                closed = not parent.stat().st_mode & stat.S_IXOTH
            except OSError:
                break
            if closed:
                found.append(name)
                break
    return found


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")
