"""Parsed articles kept between runs, so that an unchanged article is not parsed again.

Parsing (markdown-it's block pass, then the claims of each block) was over half of the time
pytest spends collecting a large docs tree; unpickling the result costs a fifth of that. An
entry is used only when the article's bytes, its displayed path, mdverify's own parsing
code and the words that mark output are all unchanged: the key is a digest of them. The
cache holds one entry per article path (the latest), in one file, written back only when
something changed.

The file lives in pytest's cache directory and is unpickled: it is as trusted as the
project's own `conftest.py`, which whoever can write it could edit too.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import mdverify

if TYPE_CHECKING:
    from collections.abc import Callable

    from mdverify.model import Article

__all__ = ["ParseCache"]

_FORMAT = 1


def _code_fingerprint() -> bytes:
    """What a parse depends on besides the article: code, Python and parser versions.

    The Markdown and YAML parsers count by their versions. An upgrade or an edit of
    mdverify changes the sources' sizes or times, so every entry
    made by other code is invalid.
    """
    package = Path(mdverify.__file__).parent
    parts = [str(_FORMAT), sys.version]
    for dist in ("markdown-it-py", "mdit-py-plugins", "python-frontmatter", "PyYAML"):
        try:
            parts.append(f"{dist}:{importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{dist}:?")
    for source in sorted(package.rglob("*.py")):
        stat = source.stat()
        parts.append(f"{source.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts).encode()


class ParseCache:
    """Articles by path; `path` None keeps nothing between runs (pytest's cache is off)."""

    def __init__(self, path: Path | None, reading: str = "") -> None:
        """`reading`: the session's settings that a parse depends on, as text."""
        self.path = path
        self._entries: dict[str, tuple[bytes, Article]] | None = None
        self._dirty = False
        self._salt = _code_fingerprint() + b"\0" + reading.encode() if path is not None else b""

    def article(self, display: str, data: bytes, parse: Callable[[], Article]) -> Article:
        """The article whose bytes are `data`, from the cache or from `parse()`."""
        if self.path is None:
            return parse()
        digest = hashlib.blake2b(b"\0".join((self._salt, display.encode(), data))).digest()
        entries = self._load()
        hit = entries.get(display)
        if hit is not None and hit[0] == digest:
            return hit[1]
        article = parse()
        entries[display] = (digest, article)
        self._dirty = True
        return article

    def save(self) -> None:
        """Write the entries back if any changed; a failure only costs the next run time."""
        if self.path is None or not self._dirty or self._entries is None:
            return
        with contextlib.suppress(OSError, pickle.PicklingError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".articles-")
            try:
                with os.fdopen(fd, "wb") as file:
                    pickle.dump(self._entries, file, protocol=pickle.HIGHEST_PROTOCOL)
                Path(tmp).replace(self.path)  # atomic: parallel runs never read half a file
            finally:
                with contextlib.suppress(FileNotFoundError):
                    Path(tmp).unlink()
        self._dirty = False

    def _load(self) -> dict[str, tuple[bytes, Article]]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                with contextlib.suppress(Exception):  # missing, corrupt or from other code
                    with self.path.open("rb") as file:
                        loaded = pickle.load(file)  # noqa: S301 -- see the module docstring
                    if isinstance(loaded, dict):
                        self._entries = loaded
        return self._entries
