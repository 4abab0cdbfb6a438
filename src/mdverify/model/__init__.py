"""The data that flows through mdverify: text -> Article -> Observation -> Verdict.

One module per stage's data, each of frozen dataclasses: `article` (what an article
declares), `observation` (what a block did), `skip` (why a block did not run) and
`verdict` (the two compared). Import them from here; the split is for reading.
"""

from mdverify.model.article import (
    Article,
    ArticleError,
    ArticleSettings,
    BlockSettings,
    ClaimKind,
    Example,
    ExampleKind,
    Included,
    OutputClaim,
    OutputFilter,
    RaisesClaim,
    ServeCheck,
    SetupFile,
    Stream,
    TimingClaim,
    World,
    beside,
)
from mdverify.model.observation import (
    ClockName,
    Diagnostic,
    DiagnosticKind,
    Halt,
    Interruption,
    Observation,
    Raised,
    ServeFault,
    ServeProblem,
    Status,
    TaskSpan,
    Truncation,
)
from mdverify.model.skip import Skip, SkipKind
from mdverify.model.verdict import (
    Edit,
    Mismatch,
    RaisesFault,
    RaisesMismatch,
    TimingMismatch,
    Verdict,
)

__all__ = [
    "Article",
    "ArticleError",
    "ArticleSettings",
    "BlockSettings",
    "ClaimKind",
    "ClockName",
    "Diagnostic",
    "DiagnosticKind",
    "Edit",
    "Example",
    "ExampleKind",
    "Halt",
    "Included",
    "Interruption",
    "Mismatch",
    "Observation",
    "OutputClaim",
    "OutputFilter",
    "Raised",
    "RaisesClaim",
    "RaisesFault",
    "RaisesMismatch",
    "ServeCheck",
    "ServeFault",
    "ServeProblem",
    "SetupFile",
    "Skip",
    "SkipKind",
    "Status",
    "Stream",
    "TaskSpan",
    "TimingClaim",
    "TimingMismatch",
    "Truncation",
    "Verdict",
    "World",
    "beside",
]
