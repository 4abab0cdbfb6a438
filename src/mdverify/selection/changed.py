"""The files a branch changed since a git ref: what a pull-request check needs to verify.

Changed means added, modified, renamed (under the new name) or copied, between the merge
base of REF and HEAD and the working tree, so uncommitted edits count too, plus untracked
files that git does not ignore (a writer's new article before its first commit). Deleted
files are not there to run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["ChangesError", "changed_files"]


class ChangesError(Exception):
    """git is missing, the directory is not in a repository, or the ref is unknown."""


def changed_files(ref: str, cwd: Path) -> frozenset[Path]:
    """Absolute paths of the files changed since `ref`, in the repository holding `cwd`."""
    top = Path(
        _git(
            ["rev-parse", "--show-toplevel"],
            cwd,
            "the current folder is not inside a git repository",
        )
    )
    if ref.startswith("-"):
        raise ChangesError(f"{ref!r} is not a git ref")
    _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd, f"unknown git ref {ref!r}")
    base = _git(
        ["merge-base", ref, "HEAD"],
        cwd,
        f"{ref!r} and HEAD have no common ancestor (a shallow clone? fetch with depth 0)",
    )
    diff = _git(
        ["diff", "--name-only", "-z", "--no-ext-diff", "-M", "--diff-filter=ACMRT", base, "--"],
        top,
        f"git diff against {ref!r} failed",
    )
    untracked = _git(
        ["ls-files", "-z", "--others", "--exclude-standard"], top, "git ls-files failed"
    )
    names = [n for n in (diff + "\0" + untracked).split("\0") if n]
    return frozenset((top / name).resolve() for name in names)


def _git(args: list[str], cwd: Path, failure: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 -- fixed git arguments, no shell
            ["git", *args],  # noqa: S607 -- git from PATH, as a user runs it
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise ChangesError("git is not installed (or not on PATH)") from None
    except OSError as err:
        raise ChangesError(f"cannot run git: {err}") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise ChangesError(failure + (f" ({detail[-1]})" if detail else ""))
    return done.stdout.strip("\n")
