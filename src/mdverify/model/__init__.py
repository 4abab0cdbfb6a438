"""The data that flows through mdverify: text -> Article -> Observation -> Verdict.

One module per stage's data, each of frozen dataclasses: `article` (what an article
declares), `observation` (what a block did) and `verdict` (the two compared). Import them
from here; the split is for reading.
"""

from mdverify.model.article import (
    Article,
    ArticleError,
    ArticleSettings,
    BlockSettings,
    ClaimKind,
    ClockName,
    Example,
    ExampleKind,
    OutputClaim,
    ServeCheck,
    TimingClaim,
    World,
)
from mdverify.model.observation import (
    Halt,
    Interruption,
    Observation,
    ServeFault,
    ServeProblem,
    Status,
    TaskSpan,
    Truncation,
)
from mdverify.model.verdict import Edit, Mismatch, TimingMismatch, Verdict

__all__ = [
    "Article",
    "ArticleError",
    "ArticleSettings",
    "BlockSettings",
    "ClaimKind",
    "ClockName",
    "Edit",
    "Example",
    "ExampleKind",
    "Halt",
    "Interruption",
    "Mismatch",
    "Observation",
    "OutputClaim",
    "ServeCheck",
    "ServeFault",
    "ServeProblem",
    "Status",
    "TaskSpan",
    "TimingClaim",
    "TimingMismatch",
    "Truncation",
    "Verdict",
    "World",
]
