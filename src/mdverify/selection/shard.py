"""Splitting a docs tree across CI jobs: which of N shards a file belongs to.

A file's shard depends on its path alone (relative to pytest's rootdir, with `/`
separators), so every job computes the same split without talking to the others, and the
blocks of one article, which share a namespace, always run in the same job.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

__all__ = ["Shard", "ShardError", "parse_shard"]

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


class ShardError(ValueError):
    """A shard specification that is not `K/N` with 1 <= K <= N."""


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int

    def holds(self, relative_path: str) -> bool:
        """Whether the file at `relative_path` (posix, relative to the rootdir) is ours."""
        return zlib.crc32(relative_path.encode()) % self.count == self.index - 1


def parse_shard(spec: str) -> Shard:
    """`"2/4"` -> Shard(2, 4)."""
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise ShardError(f"shard must look like K/N (for example 2/4), not {spec!r}")
    index, count = int(match[1]), int(match[2])
    if not 1 <= index <= count:
        raise ShardError(f"shard {spec!r}: K must be between 1 and N")
    return Shard(index, count)
