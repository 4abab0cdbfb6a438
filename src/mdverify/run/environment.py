"""What a child inherits from the parent: filtered environment variables, a scratch folder.

Articles come from strangers in pull requests: CI secrets must not reach them by default,
so a child sees only `INHERITED_ENV` and what the user passes through.

`PYTHONHASHSEED` is fixed (`HASH_SEED`) unless the user sets it: a set's order and the hash
of a str must be the same from run to run, or a declared output would pass and fail by
chance. The warm worker starts with it, so the children it forks share the seed.
"""

from __future__ import annotations

import fnmatch
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from mdverify.run.options import RunOptions

__all__ = ["HASH_SEED", "INHERITED_ENV", "child_env", "options_env", "scratch_dir"]

_SHM = "/dev/shm"  # noqa: S108 -- only folders of our own are made inside it
_SHM_ROOM = 1 << 30

INHERITED_ENV = (
    # Where programs, the user's files and temporary files are; language and time zone.
    *("PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "LANG", "LANGUAGE", "LC_*", "TZ"),
    # What the interpreter and its packages need to start as pytest's own does.
    *("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE"),
    *("PYTHONUSERBASE", "PYTHONUTF8", "PYTHONWARNINGS", "PYTHONDEVMODE", "PYTHONHASHSEED"),
    *("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "LD_LIBRARY_PATH"),
    # coverage.py measuring the child, when the test run asks for it.
    *("COVERAGE_PROCESS_START", "COV_CORE_*"),
)
"""Names (shell-style patterns) of the variables a child inherits without being asked."""

HASH_SEED = "0"
"""`PYTHONHASHSEED` of every article whose user did not choose one: no randomisation."""


def scratch_dir() -> str | None:
    """Where throwaway folders go (articles', a cluster's): TMPDIR if set, else RAM if roomy.

    Each article makes and removes a directory and two capture files; on a disk file
    system (ext4 on a VM) that costs about 0.4 ms per article, on tmpfs a tenth of it, and
    `initdb` runs 0.2 s faster. RLIMIT_FSIZE (`mdverify.run.limits`) bounds each file an
    example writes either way. None means tempfile's own choice.
    """
    if any(os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")):
        return None
    try:
        shm = os.statvfs(_SHM)
    except OSError:
        return None
    if shm.f_bavail * shm.f_frsize < _SHM_ROOM or not os.access(_SHM, os.W_OK | os.X_OK):
        return None  # Docker's default /dev/shm is 64 MB: an example's files need more
    return _SHM


def options_env(options: RunOptions) -> dict[str, str]:
    """The children's environment under `options`: theirs, else pytest's, filtered."""
    env = child_env(options.env if options.env is not None else os.environ, options.pass_env)
    if options.pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            [*options.pythonpath, *filter(None, [env.get("PYTHONPATH")])]
        )
    return env


def child_env(environ: Mapping[str, str], pass_env: Iterable[str] = ()) -> dict[str, str]:
    """The variables of `environ` a child sees: `INHERITED_ENV` and `pass_env`, no others."""
    patterns = (*INHERITED_ENV, *pass_env)
    env = {
        name: value
        for name, value in environ.items()
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
    }
    env["PYTHONIOENCODING"] = "utf-8"
    env.setdefault("PYTHONHASHSEED", HASH_SEED)
    if env.get("PYTHONPATH"):
        # A cold child starts in its own temporary directory, where a relative entry would
        # name nothing; the warm worker resolved it against pytest's directory.
        env["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(entry) if entry else entry  # noqa: PTH100 -- str in, str out
            for entry in env["PYTHONPATH"].split(os.pathsep)
        )
    return env
