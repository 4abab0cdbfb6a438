"""The items of an article: one per fenced Python block, or one for an unreadable file.

An item asks its article (`mdverify.plugin.collect.MarkdownFile`, seen here only through
the `ArticleFile` protocol, so that this module does not import the collector) for its
block's observation, has the core judge it, and reports a failure as the writer's report
(`mdverify.check.report`) instead of a traceback.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, cast

import pytest

from mdverify.check.conclude import conclude
from mdverify.check.hidden import hidden_above
from mdverify.check.report import file_note, render
from mdverify.check.timeline import svg_timeline
from mdverify.model import ArticleError, Verdict
from mdverify.plugin.baseline import consult
from mdverify.plugin.options import settings
from mdverify.plugin.tally import MARK, note, skip_now
from mdverify.plugin.update import record
from mdverify.run.policy import runnable

if TYPE_CHECKING:
    from pathlib import Path

    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from mdverify.model import Article, Example, Observation, Skip

__all__ = [
    "ArticleErrorItem",
    "ArticleFile",
    "ExampleFailed",
    "ExampleItem",
    "MdverifyWarning",
    "junit_properties",
]


class MdverifyWarning(UserWarning):
    """Something in an article that is probably a mistake but does not fail it."""


class ExampleFailed(Exception):
    """Raised by an item whose verdict failed; carries the verdict to `repr_failure`."""

    def __init__(self, verdict: Verdict, note: str | None = None) -> None:
        super().__init__(verdict.example.name)
        self.verdict = verdict
        self.note = note
        """What the report adds at its end (the baseline's word on this block)."""


class ArticleFile(Protocol):
    """What an example item asks of the article it belongs to."""

    article: Article
    digest: str
    """Digest of the bytes read, which update mode rewrites and nothing else."""
    lines: list[str]
    """The article's lines, for the context shown in failure reports."""
    scoped: bool
    """Whether its set-up lives in the parent: its items use fixtures."""

    def observe(self, example: Example, item: pytest.Item) -> Observation:
        """The observation for `example`, running the article the first time."""
        ...

    def failed_before(self, example: Example) -> dict[str, int]:
        """Names only failed blocks above `example` bind -> the first such block's line."""
        ...

    def stale_before(self, example: Example) -> dict[str, int]:
        """Names whose last binder above `example` failed -> that block's line."""
        ...


def junit_properties(display: str, line: int) -> list[tuple[str, object]]:
    """`file` and `line` (1-based) of an item, as properties for --junitxml.

    pytest's default xunit2 testcase has no file or line attribute, and the location pytest
    keeps is 0-based.
    """
    return [("file", display), ("line", line)]


class ExampleItem(pytest.Item):
    """One fenced Python block."""

    def __init__(self, *, example: Example, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.example = example
        self.timeline_path: Path | None = None
        self.static_skip: Skip | None = None
        """Why the block never runs, known at collection (a directive, a template)."""
        self.user_properties.append(MARK)

    def setup(self) -> None:
        """Skip here what collection knew to skip, rather than with a skip mark.

        pytest's `-rs` drops the line of a skip that a mark made (it folds such skips per
        file); raised here, the skip is reported at the block's line like any other.
        """
        if self.static_skip is not None:
            skip_now(self, self.static_skip)

    @property
    def article_file(self) -> ArticleFile:
        """The article this block belongs to."""
        return cast("ArticleFile", self.parent)

    def runtest(self) -> None:
        """Run the article up to this block (once) and judge this block's observation."""
        for warning in self.example.warnings:
            self.warn(MdverifyWarning(warning))
        observation = self.article_file.observe(self.example, self)
        verdict = conclude(
            self.example,
            observation,
            settings(self.config),
            lambda: self.article_file.failed_before(self.example),
            lambda: self.article_file.stale_before(self.example),
        )
        if not isinstance(verdict, Verdict):
            skip_now(self, verdict)
        if observation.elapsed is not None and not self.example.settings.norun:
            self.user_properties.append(
                ("mdverify_elapsed", f"{observation.elapsed:.6f}s ({observation.clock} clock)")
            )
        if verdict.timing:
            self._write_timeline(verdict)
        article = self.article_file
        record(self, verdict, article.article.path, article.digest)
        note(self, verdict)
        written = file_note(self.example)
        if written is not None:  # "written to server.py, not run": it passed with no run
            self.user_properties.append(("mdverify_file", written))
        baseline_note = consult(
            self, verdict, article.article.examples
        )  # marks a known one: its failure reports as xfailed
        if not verdict.passed:
            raise ExampleFailed(verdict, baseline_note)

    def _write_timeline(self, verdict: Verdict) -> None:
        folder = settings(self.config).timelines
        if folder is None:
            return
        obs = verdict.observation
        path = self.article_file.article.path
        title = f"{path}:{self.example.line} ({obs.clock} clock)"
        # From the whole path: docs/a/index.md and docs/b/index.md must not share an image.
        stem = re.sub(r"[^\w.-]+", "_", path.removesuffix(".md"))
        target = folder / f"{stem}-line{self.example.line}.svg"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(svg_timeline(obs.tasks, obs.elapsed or 0.0, title), encoding="utf-8")
        self.timeline_path = target

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """Render our own failures as a writer's report, anything else as pytest would."""
        if isinstance(excinfo.value, MdverifyWarning):  # `-W error` made our warning an error
            where = f"{self.article_file.article.path}:{self.example.line}"
            return f"{where}: {excinfo.value} (a warning, turned into an error by -W error)"
        if isinstance(excinfo.value, ExampleFailed):
            article = self.article_file.article
            hidden = runnable(hidden_above(article.examples, self.example))
            text = render(excinfo.value.verdict, article.path, self.article_file.lines, hidden)
            if self.timeline_path is not None:
                text += f"\n\ntimeline image: {self.timeline_path}"
            if excinfo.value.note is not None:
                text += f"\n\n{excinfo.value.note}"
            return text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Point at the block's opening fence in the article."""
        return (
            self.path,
            self.example.line - 1,
            # The id has no line, so that edits above keep it; the report's headline does.
            f"[mdverify] {self.article_file.article.path}::{self.name} (line {self.example.line})",
        )


class ArticleErrorItem(pytest.Item):
    """Stands for an article that cannot be read, so that one bad file fails alone."""

    def __init__(self, *, error: ArticleError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error
        self.user_properties.extend(junit_properties(error.path, error.line or 1))

    def runtest(self) -> None:
        """Fail with the article's error."""
        raise self.error

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """`file:line: message`, with no traceback: the error is the writer's, not ours."""
        if isinstance(excinfo.value, ArticleError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Point at the line the error names."""
        return self.path, (self.error.line or 1) - 1, f"[mdverify] {self.error.path}"
