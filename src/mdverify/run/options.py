"""How to run articles (`RunOptions`), as the plugin reads them from the command line and ini.

The defaults here are the only ones: the plugin fills in what the user set and leaves the
rest to this class.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mdverify.model import ClockName

__all__ = ["IDLE_LIMIT", "MIB", "MODES", "Mode", "RunOptions", "parse_size", "size_text"]

Mode = Literal["auto", "require", "off"]
"""`--mdverify-sandbox`: the sandbox where it works, always (else an error), or never."""
MODES: tuple[Mode, ...] = ("auto", "require", "off")

MIB = 1 << 20
IDLE_LIMIT = 60.0
"""Real seconds a child may spend outside any block: it only compiles there, so this bounds
start-up and the gaps."""


@dataclass(frozen=True)
class RunOptions:
    """How to run articles; the plugin builds it from the command line and ini file."""

    timeout: float = 30.0
    """Real seconds one block may take."""
    clock: ClockName = "virtual"
    cap: float | None = 86400.0
    """Virtual seconds one block may advance the clock."""
    python: str = sys.executable
    env: Mapping[str, str] | None = field(default=None)
    """The environment to filter; None is pytest's own."""
    pass_env: tuple[str, ...] = ()
    """More variable names (or shell-style patterns) to pass through to the child."""
    pythonpath: tuple[str, ...] = ()
    """Folders put first on the child's `PYTHONPATH`: pytest's `pythonpath` ini setting, so
    that an article imports what the tree's tests import (`src/` of a course's helpers)."""
    memory: int | None = 4096 * MIB
    """Bytes of address space each process of an article may use; None for no limit."""
    processes: int | None = 256
    """Processes and threads an article may have at once; None for no limit."""
    output_limit: int = MIB
    """Bytes of one block's stdout (and of its stderr) kept and shown; the rest is cut."""
    output_budget: int = 256 * MIB
    """Bytes of output an article may write in all before it is stopped."""
    sandbox: Mode = "auto"
    """Whether articles run in the namespaces of `mdverify.run.sandbox`: `auto` where they
    work (the default: elsewhere the summary says in one line what is not protected),
    `require` (their absence is an error), or `off`; the shipped pull-request workflow asks
    for `require`."""
    tree: str | None = None
    """The docs tree (pytest's rootdir): read-only in the sandbox, its `.git` hidden."""


def parse_size(text: str) -> int:
    """`1024`, `64K`, `1M`, `4G` (powers of 1024; `KiB`, `MB` and the like too) -> bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if match is None:
        raise ValueError(f"expected a size such as 512M or 4G, not {text!r}")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match[2].lower()]
    size = float(match[1]) * scale
    if not math.isfinite(size):  # 400 digits are a float's infinity
        raise ValueError(f"expected a size such as 512M or 4G, not {text!r}")
    return int(size)


def size_text(count: int) -> str:
    """Bytes in a reader's words: `1 MiB`, `64 KiB`, `12 bytes` (`parse_size` reads such)."""
    # Two decimals at most: `2.93 KiB`, not `2.93262 KiB`.
    if count >= MIB:
        return f"{round(count / MIB, 2):g} MiB"
    if count >= 1 << 10:
        return f"{round(count / (1 << 10), 2):g} KiB"
    return f"{count} bytes"
