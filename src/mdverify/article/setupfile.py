"""The setup file an article's front matter names (`mdverify: {setup: fakes.py}`), read.

Its code runs first, hidden, in the article's namespace; parsing needs it to know which
names the article's blocks find bound. Both shells read it here, so that a missing or
unreadable file is the same error at the `setup:` key's line under pytest and MkDocs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.article.markdown import decode
from mdverify.model import ArticleError, beside

if TYPE_CHECKING:
    from pathlib import Path

    from mdverify.model import SetupFile

__all__ = ["setup_code"]


def setup_code(display: str, path: Path, setup: SetupFile) -> str:
    """The code of the setup file of the article at `path`, which reports name `display`."""
    where = beside(display, setup.name)
    try:
        data = (path.parent / setup.name).read_bytes()
    except FileNotFoundError:
        message = f"front matter 'mdverify': setup file {setup.name!r} not found ({where})"
        raise ArticleError(display, setup.line, message) from None
    except OSError as err:
        message = f"front matter 'mdverify': setup file {where} cannot be read: "
        raise ArticleError(display, setup.line, message + (err.strerror or str(err))) from None
    return decode(where, data)
