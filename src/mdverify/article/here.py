"""Whether a block's settings let it run on this interpreter: `skip`, `python`, `requires`.

The settings are read from the article (`mdverify.article.directives`); what they ask of
the interpreter and its installed modules is decided here, in the process that runs pytest.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING

from mdverify.model import Skip, SkipKind

if TYPE_CHECKING:
    from mdverify.model import BlockSettings

__all__ = ["skip_here"]


def skip_here(settings: BlockSettings) -> Skip | None:
    """Why a block with these settings must not run here, or None when it may."""
    if settings.skip is not None:
        return settings.skip
    for op, version in settings.python:
        if not _compare(tuple(sys.version_info)[: len(version)], op, version):
            return Skip(SkipKind.PYTHON, f"{op}{'.'.join(map(str, version))}")
    missing = [name for name in settings.requires if not _importable(name)]
    if missing:
        return Skip(SkipKind.IMPORT, ", ".join(missing))
    return None


def _compare(have: tuple[object, ...], op: str, want: tuple[int, ...]) -> bool:
    have = tuple(int(part) for part in have if isinstance(part, int))
    return {
        ">=": have >= want,
        "<=": have <= want,
        ">": have > want,
        "<": have < want,
        "==": have == want,
        "!=": have != want,
    }[op]


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
