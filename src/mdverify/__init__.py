"""mdverify: run the Python examples of Markdown articles and check what they claim.

The package is imported by every article's child process, so it stays light: the parser and
the pytest plugin are imported by whoever needs them, not here.
"""

from mdverify.model import (
    Article,
    ArticleError,
    ArticleSettings,
    BlockSettings,
    Example,
    Mismatch,
    Observation,
    OutputClaim,
    Verdict,
    World,
)

# The one place the version is set: pyproject.toml reads it from here (hatch's version source).
__version__ = "0.1.0"

__all__ = [
    "Article",
    "ArticleError",
    "ArticleSettings",
    "BlockSettings",
    "Example",
    "Mismatch",
    "Observation",
    "OutputClaim",
    "Verdict",
    "World",
    "__version__",
]
