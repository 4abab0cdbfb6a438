"""The setup file an article's front matter names (`mdverify: {setup: fakes.py}`), read.

Its code runs first, hidden, in the article's namespace; parsing needs it to know which
names the article's blocks find bound. Both shells read it here, so that a missing or
unreadable file is the same error at the `setup:` key's line under pytest and MkDocs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mdverify.article.markdown import decode, read_article
from mdverify.model import ArticleError, beside

if TYPE_CHECKING:
    from pathlib import Path

    from mdverify.model import SetupFile

__all__ = ["setup_code"]


def setup_code(display: str, path: Path, setup: SetupFile, limit: int | None = None) -> str:
    """The code of the setup file of the article at `path`, which reports name `display`.

    A file over `limit` bytes (the articles' own limit) is an error, read no further.
    """
    where = beside(display, setup.name)
    try:
        data = read_article(where, path.parent / setup.name, limit)
    except ArticleError as err:
        raise ArticleError(
            display, setup.line, f"front matter 'mdverify': setup file {where} {err.message}"
        ) from None
    except FileNotFoundError:
        message = f"front matter 'mdverify': setup file {setup.name!r} not found ({where})"
        raise ArticleError(display, setup.line, message) from None
    except OSError as err:
        message = f"front matter 'mdverify': setup file {where} cannot be read: "
        raise ArticleError(display, setup.line, message + (err.strerror or str(err))) from None
    return decode(where, data)
