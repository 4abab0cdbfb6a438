"""A site's articles verified outside pytest, by the core the pytest shell uses.

Each block goes the way an `ExampleItem` takes it: `run.policy` says whether it is skipped
here or expected to fail, the session's `Runner.run` runs its article once (inside its
services when it is scoped), `check.conclude` judges it and tells a skip from a failure,
and `check.report` words what failed. So a page's verdicts are the ones `pytest` gives the
same file. Nothing here knows MkDocs: the plugin hands in the
pages' bytes and reads back one `Block` per fenced block.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mdverify.article.parse import decode, parse_text
from mdverify.article.setupfile import setup_code
from mdverify.article.snippets import mentions
from mdverify.article.styles import only_styles
from mdverify.check.conclude import conclude
from mdverify.check.hidden import hidden_above
from mdverify.check.report import headline, render
from mdverify.check.runskips import failed_names, stale_names
from mdverify.check.skips import skip_group, skip_text
from mdverify.check.tally import Checked, checked
from mdverify.edit.atomic import digest
from mdverify.model import ArticleError, Verdict, beside
from mdverify.run import policy
from mdverify.run.request import prepare

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from mdverify.article.snippets import Snippets
    from mdverify.config import Config
    from mdverify.model import Article, Example, Skip
    from mdverify.run.request import Setup
    from mdverify.run.runner import Ran, Runner

__all__ = ["Block", "Outcome", "Page", "Source", "read", "verify"]

Outcome = Literal["passed", "failed", "skipped", "xfailed"]


@dataclass(frozen=True)
class Source:
    """One article as the site has it: how reports name it, where it is, its bytes."""

    display: str
    path: Path
    data: bytes


@dataclass(frozen=True)
class Block:
    """What became of one fenced block."""

    example: Example
    outcome: Outcome
    where: str
    """`docs/page.md:12`: the file and line the outcome points at."""
    reason: str
    """One line: why it failed, was skipped or is expected to fail; empty when it passed."""
    report: str = ""
    """A failure's whole report, as pytest shows it."""
    checked: Checked | None = None
    """What its verdict compared, when it ran (for the session summary)."""
    skip_group: str = ""
    """The summary line a skip is counted on."""


@dataclass(frozen=True)
class Page:
    """One article read, and (once `verify` ran it) what became of its blocks."""

    source: Source
    key: str
    """A digest of everything the verdicts depend on in the file (its bytes, its setup)."""
    text: str = ""
    """The decoded text, with `\\n` line ends."""
    article: Article | None = None
    error: ArticleError | None = None
    """Why the article cannot be read; then it has no blocks."""
    blocks: tuple[Block, ...] = ()


def read(source: Source, config: Config, snippets: Snippets | None = None) -> Page:
    """Parse one article as the pytest shell's collector does (an error is its `Page`).

    `snippets`: where its `--8<--` includes are looked up.
    """
    display, words = source.display, config.output_words
    try:
        text = decode(display, source.data)
        setup = ""
        snippets = snippets if mentions(text) else None
        article = parse_text(display, text, output_words=words, snippets=snippets)
        if article.settings.setup is not None:
            setup = setup_code(display, source.path, article.settings.setup)
            article = parse_text(display, text, output_words=words, setup=setup, snippets=snippets)
    except ArticleError as err:
        return Page(source, digest(source.data), error=err)
    # The included files count too: serve's rebuild after an edit of one runs the page again.
    included = sorted({run.path for e in article.examples for run in e.included})
    key = digest(b"\0".join([source.data, setup.encode(), *map(_bytes_of, included)]))
    return Page(source, key, text, only_styles(article, config.claims))


def _bytes_of(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


def verify(
    pages: Sequence[Page],
    config: Config,
    runner: Runner,
    servers: Callable[[str, Sequence[Example]], Setup],
) -> list[Page]:
    """Run every readable page's runnable blocks and judge each block.

    The articles that need nothing of this process are planned first, in order, so that
    the warm worker runs them ahead while the earlier ones are judged; a scoped one (hosts,
    services) runs in its turn inside what `servers` sets up for it.
    """
    scoped = {}
    for page in pages:
        if page.article is not None:
            scoped[page.key] = policy.schedule(page.article, speculating=False).scoped
            if not scoped[page.key]:
                chosen = policy.runnable(page.article.examples)
                path = str(page.source.path)
                prepared = prepare(page.article, path, chosen, runner.options, env=runner.env)
                runner.plan(page.key, prepared)
    done = []
    for page in pages:
        article = page.article
        if article is None:
            done.append(page)
            continue
        chosen = policy.runnable(article.examples)
        setup = servers(article.path, chosen) if scoped[page.key] else None
        ran = runner.run(page.key, article, page.source.path, chosen, setup)
        blocks = tuple(_block(page, article, e, ran, config) for e in article.examples)
        done.append(Page(page.source, page.key, page.text, article, blocks=blocks))
    return done


def _block(page: Page, article: Article, example: Example, ran: Ran, config: Config) -> Block:
    """What became of `example`, in the order of an item's run: skip, judge, xfail."""
    mark = policy.block_mark(example)
    if mark is not None and not isinstance(mark, str):
        return _skipped(article, example, mark)
    if example.index in ran.skips:
        return _skipped(article, example, ran.skips[example.index])
    observation = ran.observations[example.index]
    verdict = conclude(
        example,
        observation,
        config,
        lambda: failed_names(article.examples, ran.observations, example.index),
        lambda: stale_names(article.examples, ran.observations, example.index),
    )
    if not isinstance(verdict, Verdict):
        return _skipped(article, example, verdict)
    facts = checked(verdict)
    if verdict.passed:
        if isinstance(mark, str):  # a strict xfail that passed fails, as pytest's does
            return Block(
                example,
                "failed",
                f"{article.path}:{example.line}",
                f"passed, but is marked xfail (strict): {mark}",
                checked=facts,
            )
        return Block(example, "passed", f"{article.path}:{example.line}", "", checked=facts)
    line, title = headline(verdict)
    path = article.path
    if example.file is not None and observation.error_line is not None:
        path = beside(path, example.file)  # the setup file raised: its line, as the report
    hidden = policy.runnable(hidden_above(article.examples, example))
    report = render(verdict, article.path, page.text.split("\n"), hidden)
    outcome: Outcome = "xfailed" if isinstance(mark, str) else "failed"
    reason = f"{title} (expected: {mark})" if isinstance(mark, str) else title
    return Block(example, outcome, f"{path}:{line}", reason, report, facts)


def _skipped(article: Article, example: Example, skip: Skip) -> Block:
    where = f"{article.path}:{example.line}"
    return Block(example, "skipped", where, skip_text(skip), skip_group=skip_group(skip))
