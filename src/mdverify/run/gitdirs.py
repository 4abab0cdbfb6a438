"""Every `.git` the sandbox hides: from the docs tree up to `/`, and what `.git` files name.

A worktree or a submodule has a `.git` file (`gitdir: <path>`) instead of a folder: its
git folder, and the common one it shares, lie elsewhere and are hidden too, since either
holds the job's token (`.git/config`) on a CI checkout.

This module never imports pytest.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["git_paths"]


def git_paths(tree: str | None) -> list[Path]:
    """Every `.git` from the tree up to `/`, and the git folders a `.git` file points to."""
    if tree is None:
        return []
    found: list[Path] = []
    for folder in (Path(tree).resolve(), *Path(tree).resolve().parents):
        dot = folder / ".git"
        if dot.is_dir():
            found.append(dot)
        elif dot.is_file():  # a worktree or submodule: `gitdir: <path>`
            found.append(dot)
            found.extend(_pointed(dot))
    return found


def _pointed(dot: Path) -> list[Path]:
    try:
        text = dot.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return []
    if not text.startswith("gitdir:"):
        return []
    gitdir = (dot.parent / text.removeprefix("gitdir:").strip()).resolve()
    found = [gitdir] if gitdir.is_dir() else []
    try:
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except OSError:
        return found
    # A worktree's folder lies inside the common one: hiding that hides both.
    return [common] if common.is_dir() else found
