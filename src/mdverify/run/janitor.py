"""What removes mdverify's folders when pytest is killed: SIGKILL runs none of our clean-up.

Every process an article runs in dies with pytest (`mdverify.run.lifeline`; in the sandbox,
bwrap's `--die-with-parent`, and with its namespace go its private `/tmp` and `/dev/shm`).
The folders pytest made for them on the machine's own `/tmp` or `/dev/shm` (the warm
worker's, a cold article's, the sandbox's shared one) would stay. `keep` hands each to a
shell started once per process, in a session of its own (a Ctrl+C or a CI job's kill of
pytest's group does not reach it), that only reads its standard input: the pipe ends when
this process ends, however it ends, and the shell then removes every folder it was given
that is still there. A session that ends normally removed them itself: it finds none.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import subprocess
import threading
from typing import IO

__all__ = ["keep", "keep_cgroup"]

_SCRIPT = (
    'set --; while IFS= read -r folder; do set -- "$@" "$folder"; done; '
    'for folder in "$@"; do case "$folder" in '
    '"cgroup "*) group=${folder#cgroup }; n=0; '
    'while [ -d "$group" ] && [ $n -lt 50 ]; do rmdir -- "$group" 2>/dev/null || sleep 0.1; '
    "n=$((n + 1)); done;; "
    '*) if [ -e "$folder" ]; then rm -rf -- "$folder"; fi;; esac; done'
)
"""Collect one folder a line until the end of input, then remove those still there (one
`rm` each: after a normal end there are none, and a long session's list could pass the
limit of one command line). A `cgroup PATH` line is an article's pids cgroup: `rmdir`, the
one way to remove one, works once its last task is gone, so it is tried for up to 5 s."""


_LOCK = threading.Lock()
"""Cold articles start from several threads: one shell for all."""


def keep(folder: str | bytes | os.PathLike[str]) -> None:
    """Have `folder` removed when this process ends, if it has not removed it by then."""
    with _LOCK:
        pipe = _pipe()
    if pipe is None:
        return
    with contextlib.suppress(OSError, ValueError):
        pipe.write(os.fsencode(folder) + b"\n")
        pipe.flush()


def keep_cgroup(group: str | os.PathLike[str]) -> None:
    """Have the cgroup `group` removed when this process ends, once its tasks are gone."""
    keep(b"cgroup " + os.fsencode(group))


@functools.cache
def _pipe() -> IO[bytes] | None:
    """The janitor shell's standard input, started on the first call; None if it cannot."""
    try:
        shell = subprocess.Popen(  # noqa: S603 -- our own script, folders we made
            ["/bin/sh", "-c", _SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return None
    atexit.register(_end, shell)
    return shell.stdin


def _end(shell: subprocess.Popen[bytes]) -> None:
    """At a normal exit: end the shell's input and reap it (the folders are gone by then)."""
    with contextlib.suppress(OSError, ValueError):
        if shell.stdin is not None:
            shell.stdin.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        shell.wait(timeout=5)
