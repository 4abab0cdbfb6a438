"""The pytest shell: options, collection of Markdown files, one item per example, reports.

Everything that decides something lives in the core modules; this file only translates
between them and pytest's hooks.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from mdverify.article.cache import ParseCache
from mdverify.article.directives import skip_reason
from mdverify.article.parse import decode, parse_text
from mdverify.article.timing import DEFAULT_TOLERANCE, Tolerance
from mdverify.check.compare import judge
from mdverify.check.report import render
from mdverify.check.timeline import svg_timeline
from mdverify.edit.atomic import digest
from mdverify.model import Article, ArticleError, ClockName, Example, Observation, Verdict
from mdverify.plugin import protocol, workflow
from mdverify.plugin.fixtures import (
    attach_request,
    begin_postgres,
    mdverify_postgres,  # noqa: F401 -- a fixture this plugin serves
    mdverify_web,  # noqa: F401 -- likewise
    servers_for,
)
from mdverify.run.options import RunOptions, parse_size
from mdverify.run.request import prepare
from mdverify.run.schedule import Runner
from mdverify.selection.shard import Shard, ShardError, parse_shard
from mdverify.services import Needs, needs
from mdverify.services.provided import run_with_services

if TYPE_CHECKING:
    from collections.abc import Iterator

    from _pytest._code.code import ExceptionInfo, TerminalRepr
    from _pytest.terminal import TerminalReporter

    from mdverify.run.request import Prepared

__all__ = ["ExampleItem", "MarkdownFile", "MdverifyWarning"]

_MARK = ("mdverify", "example")
_DEFAULT_TIMEOUT = 30.0
_DEFAULT_CAP = 86400.0
# (name, metavar, help, default): the article's resource limits; see mdverify.run.limits.
_LIMITS = (
    ("memory", "SIZE", "address space each process of an article may use, such as 4G", "4G"),
    ("processes", "N", "processes and threads an article may have at once", "256"),
    ("output_limit", "SIZE", "bytes of a block's stdout and of its stderr kept and shown", "1M"),
    ("output_budget", "SIZE", "bytes of output an article may write before it is stopped", "256M"),
)
_AHEAD = 8
"""Articles queued in the warm worker beyond the one pytest is at."""


class MdverifyWarning(UserWarning):
    """Something in an article that is probably a mistake but does not fail it."""


class ExampleFailed(Exception):
    """Raised by an item whose verdict failed; carries the verdict to `repr_failure`."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.example.name)
        self.verdict = verdict


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mdverify", "run the Python examples of Markdown articles")
    group.addoption(
        "--mdverify-timeout",
        type=float,
        metavar="SECONDS",
        help=f"real-time limit for a block (ini mdverify_timeout; default {_DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        "--mdverify-clock",
        choices=("virtual", "real"),
        help="clock the examples run on (ini mdverify_clock; default virtual)",
    )
    group.addoption(
        "--mdverify-cap",
        type=float,
        metavar="SECONDS",
        help=f"virtual seconds one block may advance the clock (ini mdverify_cap; default "
        f"{_DEFAULT_CAP:g}, one virtual day)",
    )
    group.addoption(
        "--mdverify-tolerance",
        metavar="TOL",
        help="how far a timing claim may be from the measurement: 10%%, 0.2s or 10%%,0.2s, "
        "the larger wins (ini mdverify_tolerance; default 10%%,0.05s on the virtual clock, "
        "25%%,0.25s on the real one)",
    )
    group.addoption(
        "--mdverify-timelines",
        metavar="DIR",
        help="write an SVG task timeline for each timing failure into DIR",
    )
    group.addoption(
        "--mdverify-pass-env",
        action="append",
        default=[],
        metavar="NAME",
        help="pass this environment variable (or shell-style pattern) to the examples; "
        "repeatable (ini mdverify_env)",
    )
    for name, metavar, what, default in _LIMITS:
        group.addoption(
            f"--mdverify-{name.replace('_', '-')}",
            metavar=metavar,
            help=f"{what} (ini mdverify_{name}; default {default}; 0 for none)",
        )
        parser.addini(f"mdverify_{name}", f"{what} ({default})")
    parser.addini(
        "mdverify_env",
        "environment variables (or patterns) passed to the examples beyond the usual ones",
        type="args",
        default=[],
    )
    workflow.add_options(group)
    group.addoption(
        "--mdverify-start",
        choices=("warm", "cold"),
        help="how each article's process starts: forked from a warm worker (default) or as "
        "a fresh interpreter (ini mdverify_start)",
    )
    group.addoption(
        "--mdverify-shard",
        metavar="K/N",
        help="run only the files of shard K of N (by a hash of each file's path), to split "
        "one run across N CI jobs",
    )
    parser.addini(
        "mdverify_timeout", f"real-time limit in seconds for one block ({_DEFAULT_TIMEOUT:g})"
    )
    parser.addini("mdverify_tolerance", "tolerance of timing claims, e.g. 10%,0.05s")
    parser.addini("mdverify_clock", "clock the examples run on: virtual (default) or real")
    parser.addini("mdverify_cap", f"virtual seconds one block may take ({_DEFAULT_CAP:g})")
    parser.addini("mdverify_start", "how article processes start: warm (default) or cold")
    parser.addini(
        "mdverify_postgres_bin", "directory of initdb, postgres and psql (default: found)"
    )
    parser.addini(
        "mdverify_globs",
        "file patterns collected as Markdown articles",
        type="args",
        default=["*.md"],
    )


_OPTIONS = pytest.StashKey[RunOptions]()
_TOLERANCES = pytest.StashKey["dict[ClockName, Tolerance]"]()


def pytest_configure(config: pytest.Config) -> None:
    # Read (and check) the options once, before any test: a bad value is a usage error.
    config.stash[_OPTIONS] = _options(config)
    config.stash[_TOLERANCES] = {clock: _tolerance(config, clock) for clock in DEFAULT_TOLERANCE}
    _start(config)
    _shard(config)
    config.pluginmanager.register(workflow.Workflow(config), "mdverify-workflow")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> MarkdownFile | None:
    globs: list[str] = parent.config.getini("mdverify_globs")
    if any(file_path.match(glob) for glob in globs) and workflow.selected(parent.config, file_path):
        return MarkdownFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    if (
        isinstance(item, ExampleItem)
        and not item.article_file.needs_services
        and protocol.applies(item)
    ):
        protocol.run(item, nextitem)
        return True
    return None  # pytest's own protocol


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "xfailed", "xpassed", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if _MARK in getattr(report, "user_properties", ()) and report.when in ("call", "setup"):
                if report.when == "setup" and outcome != "skipped":
                    continue
                counts[outcome] = counts.get(outcome, 0) + 1
    if counts:
        verified = counts.pop("passed", 0)
        rest = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        terminalreporter.write_line(
            f"mdverify: {verified} blocks verified" + (f", {rest}" if rest else "")
        )


def _tolerance(config: pytest.Config, clock: ClockName) -> Tolerance:
    text = config.getoption("mdverify_tolerance") or config.getini("mdverify_tolerance")
    default = DEFAULT_TOLERANCE[clock]
    if not text:
        return default
    try:
        return Tolerance.parse(str(text), default)
    except ValueError as err:
        raise pytest.UsageError(f"mdverify tolerance: {err}") from None


def _shard(config: pytest.Config) -> Shard | None:
    spec = config.getoption("mdverify_shard")
    if spec is None:
        return None
    try:
        return parse_shard(spec)
    except ShardError as err:
        raise pytest.UsageError(f"--mdverify-shard: {err}") from None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = _shard(config)
    if shard is None:
        return
    # Every item, Markdown or not, goes with its file: the shards' union is one whole run.
    root = config.rootpath
    mine: dict[Path, bool] = {}
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if item.path not in mine:
            mine[item.path] = shard.holds(_relative_posix(item.path, root))
        (kept if mine[item.path] else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _relative_posix(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _start(config: pytest.Config) -> str:
    start = config.getoption("mdverify_start") or config.getini("mdverify_start") or "warm"
    if start not in ("warm", "cold"):
        raise pytest.UsageError(f"mdverify_start must be warm or cold, not {start!r}")
    return str(start)


def _seconds(config: pytest.Config, name: str, default: float) -> float:
    """A positive number of seconds from the command line or the ini file."""
    value = config.getoption(name)
    if value is None:
        value = config.getini(name) or default
    try:
        seconds = float(value)
    except ValueError:
        raise pytest.UsageError(f"{name} must be a number of seconds, not {value!r}") from None
    if not seconds > 0:
        raise pytest.UsageError(f"{name} must be more than 0 seconds, not {value!r}")
    return seconds


def _options(config: pytest.Config) -> RunOptions:
    timeout = _seconds(config, "mdverify_timeout", _DEFAULT_TIMEOUT)
    cap = _seconds(config, "mdverify_cap", _DEFAULT_CAP)
    clock = config.getoption("mdverify_clock") or config.getini("mdverify_clock") or "virtual"
    if clock not in ("virtual", "real"):
        raise pytest.UsageError(f"mdverify_clock must be virtual or real, not {clock!r}")
    sizes: dict[str, int] = {}
    for name, _, _, default in _LIMITS:
        value = config.getoption(f"mdverify_{name}") or config.getini(f"mdverify_{name}")
        try:
            sizes[name] = parse_size(str(value or default))
        except ValueError as err:
            raise pytest.UsageError(f"mdverify_{name}: {err}") from None
    return RunOptions(
        timeout=timeout,
        clock=cast("ClockName", clock),
        cap=cap,
        pass_env=(*config.getini("mdverify_env"), *config.getoption("mdverify_pass_env")),
        memory=sizes["memory"] or None,
        processes=sizes["processes"] or None,
        # No limit on what is kept means keeping all that the budget lets through.
        output_limit=sizes["output_limit"] or sizes["output_budget"] or 1 << 62,
        output_budget=sizes["output_budget"] or 1 << 62,
    )


class MarkdownFile(pytest.File):
    """A Markdown article; runs its examples in one child process on first demand."""

    _observations: dict[int, Observation] | None = None
    _skips: dict[int, str]
    lines: list[str]
    """The article's lines, for the context shown in failure reports."""
    needs_services: bool = False
    """Whether its blocks ask for files, hosts, services or a server check (it runs cold)."""

    def collect(self) -> Iterator[pytest.Item]:
        """One item per example, or one failing item when the article cannot be read."""
        display = _display_path(self.config, self.path)
        try:
            data = self.path.read_bytes()
            self.digest = digest(data)  # update mode rewrites only these very bytes
            text = decode(display, data)
            self.article = _parse_cache(self.config).article(
                display, data, lambda: parse_text(display, text)
            )
        except ArticleError as err:
            yield ArticleErrorItem.from_parent(self, name="unreadable article", error=err)
            return
        except OSError as err:
            error = ArticleError(display, None, f"cannot be read: {err.strerror or err}")
            yield ArticleErrorItem.from_parent(self, name="unreadable article", error=error)
            return
        self.lines = text.split("\n")
        wanted = needs(self.article.examples)
        self.needs_services = _needs_services(self.article, wanted)
        if "postgres" in wanted.services and _speculating(self.config):
            begin_postgres(self.config)
        for example in self.article.examples:
            item = ExampleItem.from_parent(self, name=example.name, example=example)
            if self.needs_services:
                attach_request(item)  # the services are fixtures; only these items use them
            item.user_properties.append(_MARK)
            item.user_properties.extend(workflow.junit_properties(display, example.line))
            reason = skip_reason(example.settings)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))
            elif example.settings.xfail is not None:
                item.add_marker(pytest.mark.xfail(reason=example.settings.xfail, strict=True))
            yield item
        if _speculating(self.config) and not self.needs_services:
            # Start the article now, so its child runs while pytest collects the others.
            runner = _runner(self.session)
            runnable = [e for e in self.article.examples if skip_reason(e.settings) is None]
            runner.speculate(self, self._prepared(runner, runnable))

    def observe(self, example: Example, item: pytest.Item) -> Observation:
        """The observation for `example`, running the article's child the first time."""
        if self._observations is None:
            if self.needs_services:
                chosen = self._to_run()
                servers = servers_for(item, self.article.path, chosen)
                self._observations, self._skips = run_with_services(
                    self.article, self.path, chosen, self.config.stash[_OPTIONS], servers
                )
            else:
                runner = _planned_runner(self.session)
                self._observations = runner.observations(self, self._prepared(runner))
                self._skips = {}
        if example.index in self._skips:
            # Reported at the block, like a skip directive, not at this line.
            raise pytest.skip.Exception(self._skips[example.index], _use_item_location=True)
        return self._observations[example.index]

    def _prepared(self, runner: Runner, examples: list[Example] | None = None) -> Prepared | None:
        chosen = self._to_run() if examples is None else examples
        return prepare(self.article, str(self.path), chosen, runner.options, env=runner.env)

    def _to_run(self) -> list[Example]:
        # Blocks share a namespace, so every runnable block up to the last selected one runs,
        # selected or not; blocks after it are not needed.
        last = _last_selected(self.session).get(self, -1)
        return [
            e for e in self.article.examples if e.index <= last and skip_reason(e.settings) is None
        ]


def _needs_services(article: Article, wanted: Needs) -> bool:
    """Whether the article asks for files, hosts, services or a server check.

    Those articles start cold, in the parent's own sandbox path: their set-up lives in the
    parent (fixtures), and a server check talks to the child while it runs.
    """
    return bool(
        wanted.files
        or wanted.hosts
        or wanted.services
        or any(e.settings.serve is not None for e in article.examples)
    )


_RUNNER = pytest.StashKey[Runner]()
_PARSED = pytest.StashKey[ParseCache]()


def _parse_cache(config: pytest.Config) -> ParseCache:
    """The session's parse cache, in pytest's cache directory unless the cache is off."""
    cache = config.stash.get(_PARSED, None)
    if cache is None:
        store = getattr(config, "cache", None)
        path = store.mkdir("mdverify") / "articles.pickle" if store is not None else None
        cache = ParseCache(path)
        config.stash[_PARSED] = cache
        config.add_cleanup(cache.save)
    return cache


_LAST = pytest.StashKey["dict[MarkdownFile, int]"]()


_PLANNED = pytest.StashKey[bool]()


def _runner(session: pytest.Session) -> Runner:
    """The session's runner, made on first use."""
    config = session.config
    runner = config.stash.get(_RUNNER, None)
    if runner is None:
        runner = Runner(config.stash[_OPTIONS], warm=_start(config) == "warm", ahead=_AHEAD)
        config.stash[_RUNNER] = runner
        config.add_cleanup(runner.close)
    return runner


def _planned_runner(session: pytest.Session) -> Runner:
    """The runner, with the articles to come planned in run order.

    In one process that is every selected article, once. In a pytest-xdist worker it is
    the articles of the items the controller has sent and this worker has not run yet:
    without them, each article would start only when pytest reached it, and the worker's
    children would never overlap its reporting.
    """
    runner = _runner(session)
    if _xdist_worker(session.config):
        for article in workflow.xdist_upcoming(session, runner.ahead):
            if isinstance(article, MarkdownFile) and not article.needs_services:
                runner.plan(article, article._prepared(runner))  # noqa: SLF001
    elif not session.config.stash.get(_PLANNED, False):
        session.config.stash[_PLANNED] = True
        for article in _last_selected(session):
            if not article.needs_services:
                runner.plan(article, article._prepared(runner))  # noqa: SLF001
    return runner


def _xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _speculating(config: pytest.Config) -> bool:
    """Whether articles may start while collection goes on.

    Only when every collected item will probably run: a selection (-k, -m, --lf, a shard)
    would make most of that work wasted. The result is used only if the article's request
    is unchanged once selection is done, so a plugin that deselects costs time, not truth.
    """
    option = config.option
    return not (
        option.collectonly
        or _xdist_worker(config)
        or option.keyword
        or option.markexpr
        or getattr(option, "lf", False)
        or getattr(option, "deselect", None)
        or config.getoption("mdverify_shard")
    )


def _last_selected(session: pytest.Session) -> dict[MarkdownFile, int]:
    """Each article with selected items, in run order, and the index of its last one."""
    last = session.config.stash.get(_LAST, None)
    if last is None:
        last = {}
        for item in session.items:
            if isinstance(item, ExampleItem):
                article = item.article_file
                last[article] = max(last.get(article, -1), item.example.index)
        session.config.stash[_LAST] = last
    return last


class ExampleItem(pytest.Item):
    """One fenced Python block."""

    def __init__(self, *, example: Example, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.example = example
        self.timeline_path: Path | None = None

    @property
    def article_file(self) -> MarkdownFile:
        """The article this block belongs to."""
        assert isinstance(self.parent, MarkdownFile)
        return self.parent

    def runtest(self) -> None:
        """Run the article up to this block (once) and judge this block's observation."""
        for warning in self.example.warnings:
            self.warn(MdverifyWarning(warning))
        observation = self.article_file.observe(self.example, self)
        tolerance = self.config.stash[_TOLERANCES][observation.clock]
        verdict = judge(self.example, observation, tolerance)
        if observation.elapsed is not None:
            self.user_properties.append(
                ("mdverify_elapsed", f"{observation.elapsed:.6f}s ({observation.clock} clock)")
            )
        if verdict.timing:
            self._write_timeline(verdict)
        article = self.article_file
        workflow.record(self, verdict, article.article.path, article.digest)
        if not verdict.passed:
            raise ExampleFailed(verdict)

    def _write_timeline(self, verdict: Verdict) -> None:
        folder = self.config.getoption("mdverify_timelines")
        if not folder:
            return
        obs = verdict.observation
        title = f"{self.article_file.article.path}:{self.example.line} ({obs.clock} clock)"
        # From the whole path: docs/a/index.md and docs/b/index.md must not share an image.
        stem = re.sub(r"[^\w.-]+", "_", self.article_file.article.path.removesuffix(".md"))
        name = f"{stem}-line{self.example.line}.svg"
        target = Path(folder) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(svg_timeline(obs.tasks, obs.elapsed or 0.0, title), encoding="utf-8")
        self.timeline_path = target

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """Render our own failures as a writer's report, anything else as pytest would."""
        if isinstance(excinfo.value, ExampleFailed):
            path = self.article_file.article.path
            text = render(excinfo.value.verdict, path, self.article_file.lines)
            if self.timeline_path is not None:
                text += f"\n\ntimeline image: {self.timeline_path}"
            return text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Point at the block's opening fence in the article."""
        return (
            self.path,
            self.example.line - 1,
            f"[mdverify] {self.article_file.article.path}::{self.name}",
        )


class ArticleErrorItem(pytest.Item):
    """Stands for an article that cannot be read, so that one bad file fails alone."""

    def __init__(self, *, error: ArticleError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error
        self.user_properties.extend(workflow.junit_properties(error.path, error.line or 1))

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


def _display_path(config: pytest.Config, path: Path) -> str:
    """The article's path as a writer typed it: relative to where pytest was started."""
    relative = os.path.relpath(path, config.invocation_params.dir)
    return str(path) if relative.startswith(os.pardir + os.sep + os.pardir) else relative
