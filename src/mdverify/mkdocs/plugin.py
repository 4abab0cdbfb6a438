"""The MkDocs plugin `mdverify` (entry point `mkdocs.plugins`): the site's examples verified.

In `on_files`, before any page is read, every documentation page of the site is read and
run in one pass (`mdverify.mkdocs.verify`), so that the warm worker runs the articles side
by side as in a pytest session. Each failure is a warning, `docs/page.md:12: output
differs from what the block printed`, followed by its report at INFO: `mkdocs build
--strict` fails on it, as MkDocs does on a broken link. With `badges: true`,
`on_page_markdown` puts each block's state in the page (`mdverify.mkdocs.badges`).

Under `mkdocs serve` the plugin lives across rebuilds (it has `on_startup`): a rebuild runs
again only the pages whose bytes (or setup file) changed, and says again what still fails.

The settings are mdverify's own, under their names without the `mdverify_` prefix
(`timeout: 10`, `clock: real`), read by `mdverify.config` as pytest's ini keys are; the
ones that choose among pytest's items (update mode, shards, the baseline) stay pytest's.
This is the only module of mdverify that imports MkDocs.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import InclusionLevel

from mdverify.article.markdown import read_article
from mdverify.article.snippets import Snippets
from mdverify.check.annotations import stop_commands
from mdverify.check.summary import outcome_line, tally_lines
from mdverify.check.tally import Tally
from mdverify.config import OPTIONS, Option, Raw, build
from mdverify.mkdocs.badges import with_badges
from mdverify.mkdocs.servers import SiteServers
from mdverify.mkdocs.verify import Page, Source, read, verify
from mdverify.model import ArticleError
from mdverify.run import policy
from mdverify.run.runner import Runner
from mdverify.run.sandbox import SandboxRequired, choose

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page as MkDocsPage

    from mdverify.config import Config as Settings

__all__ = ["MdverifyConfig", "MdverifyPlugin"]

log = get_plugin_logger(__name__)

_PYTEST_ONLY = frozenset(
    (
        "update",
        "changed_since",
        "shard",
        "baseline",
        "baseline_write",
        "globs",
        "job_summary",
        "timelines",
    )
)
"""Settings that choose or rewrite pytest's items (MkDocs decides which pages there are),
write its session's CI summary, or its timing failures' images (a build has its warnings)."""
SETTINGS = tuple(option for option in OPTIONS if option.name not in _PYTEST_ONLY)
"""mdverify's settings the plugin takes, under their names without `mdverify_`."""


# MkDocs types none of its `__init_subclass__` hooks.
class MdverifyConfig(Config):  # type: ignore[no-untyped-call]
    """The plugin's own options; mdverify's settings are added to it from `SETTINGS`."""

    enabled = c.Type(bool, default=True)
    """False leaves the site unverified (`enabled: !ENV [MDVERIFY, true]`)."""
    badges = c.Type(bool, default=False)
    """Show each block's state in the page, after the block."""


def _setting(option: Option) -> BaseConfigOption[Any]:
    """How MkDocs validates one of mdverify's settings; `mdverify.config` parses it then."""
    if option.kind == "list":
        return c.ListOfItems(c.Type(str), default=[])
    if option.kind == "flag":
        return c.Type(bool, default=False)
    return c.Optional(c.Type((str, int, float)))


# MkDocs reads a config class's options from its attributes: one each, from the table.
_Config: type[MdverifyConfig] = type(
    "MdverifyConfig", (MdverifyConfig,), {option.name: _setting(option) for option in SETTINGS}
)


class MdverifyPlugin(BasePlugin[MdverifyConfig]):  # type: ignore[no-untyped-call]
    """Runs the site's examples during the build and warns of each wrong one."""

    config_class = _Config

    def __init__(self) -> None:
        self._command: Literal["build", "gh-deploy", "serve"] = "build"
        self._settings: Settings | None = None
        self._snippets: Snippets | None = None
        self._pages: dict[str, Page] = {}
        """Each page verified, by its source path in the site (`index.md`)."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Note the command; its presence keeps the plugin alive across serve's rebuilds."""
        del dirty  # a dirty build rebuilds fewer pages; what is verified is the same
        self._command = command

    def on_config(self, config: MkDocsConfig) -> None:
        """Read mdverify's settings; a bad value stops the build, naming the setting."""
        raw: dict[str, Raw] = {}
        for option in SETTINGS:
            value = self.config[option.name]
            if value is not None:
                raw[option.key] = value if isinstance(value, (bool, list)) else str(value)
        try:
            settings = build({}, raw)
            # The site's folder is the docs tree: read-only in the sandbox, its .git hidden.
            tree = str(Path(config.config_file_path or ".").resolve().parent)
            settings = replace(settings, run=replace(settings.run, tree=tree))
            choose(settings.run.sandbox, settings.run.python, tree, settings.run.memory)
        except (ValueError, SandboxRequired) as err:
            raise PluginError(f"mdverify: {err}") from None
        if settings != self._settings:
            self._pages.clear()  # new settings: what was verified under the old ones is stale
        self._settings = settings
        self._snippets = _snippets(settings, config)

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> None:
        """Verify every documentation page: the changed ones run, the rest are remembered."""
        del config
        if not self.config.enabled or self._settings is None:
            return
        serving = self._command == "serve"
        inclusion = InclusionLevel.is_in_serve if serving else InclusionLevel.is_included
        settings = self._settings
        found: dict[str, Page] = {}
        fresh: list[Page] = []
        for file in files.documentation_pages(inclusion=inclusion):
            if file.abs_src_path is None:
                continue  # a page another plugin made in memory: no article on disk
            path = Path(file.abs_src_path)
            try:
                data = read_article(_display(path), path, settings.max_article_size)
            except OSError as err:
                log.warning("%s: cannot be read: %s", _display(path), err.strerror or err)
                continue
            except ArticleError as err:  # too big: reported like any unreadable page
                page = Page(Source(_display(path), path, b""), "", error=err)
            else:
                page = read(Source(_display(path), path, data), settings, self._snippets)
            known = self._pages.get(file.src_uri)
            if known is not None and known.key == page.key:
                page = known  # unchanged since the last build: its verdicts stand
            elif page.article is not None:
                fresh.append(page)
            found[file.src_uri] = page
        verified = {page.source.path: page for page in self._run(fresh, settings)}
        self._pages = {uri: verified.get(page.source.path, page) for uri, page in found.items()}
        _report(self._pages.values(), ran=len(fresh))

    def on_page_markdown(
        self, markdown: str, /, *, page: MkDocsPage, config: MkDocsConfig, files: Files
    ) -> str | None:
        """With `badges: true`, a marker after each block saying what became of it."""
        del config, files
        verified = self._pages.get(page.file.src_uri)
        if not self.config.badges or verified is None or not verified.blocks:
            return None
        marked = with_badges(markdown, verified.text, verified.blocks)
        if marked is None:
            log.info(
                "%s: no badges: the page's Markdown was changed before mdverify saw it "
                "(put mdverify first in `plugins`)",
                verified.source.display,
            )
        return marked

    def _run(self, pages: list[Page], settings: Settings) -> list[Page]:
        """Verify `pages` with a runner and servers of their own, both gone after."""
        if not pages:
            return []
        runner = Runner(settings.run, warm=settings.start == "warm", ahead=policy.AHEAD)
        servers = SiteServers(settings.postgres_bin)
        try:
            return verify(pages, settings, runner, servers)
        finally:
            runner.close()  # an idle warm worker waits for serve's next rebuild
            servers.close()


def _report(pages: Iterable[Page], *, ran: int) -> None:
    """A warning per failure (its report at INFO), then the `mdverify:` summary lines."""
    counts: dict[str, int] = {}
    tally = Tally()
    for page in pages:
        if page.error is not None:
            log.warning(str(page.error))
            counts["error"] = counts.get("error", 0) + 1
            continue
        for block in page.blocks:
            counts[block.outcome] = counts.get(block.outcome, 0) + 1
            if block.checked is not None:
                tally.add_run(block.checked, passed=block.outcome == "passed")
            elif block.outcome == "skipped":
                tally.add_skip(block.skip_group)
            if block.outcome == "failed":
                log.warning("%s: %s", block.where, block.reason)
                _, _, body = block.report.partition("\n\n")  # below its first line, warned
                if body:
                    log.info("%s\n%s", block.where, _quoted(body))
            for note in block.example.warnings:
                log.info("%s:%d: note: %s", page.source.display, block.example.line, note)
    order: tuple[str, ...] = ("passed", "failed", "skipped", "xfailed", "error")
    ordered = {outcome: counts[outcome] for outcome in order if outcome in counts}
    line = outcome_line(ordered)
    for text in ([line] if line is not None else []) + tally_lines(tally):
        log.info(text.removeprefix("mdverify: "))  # the plugin's logger says it already
    log.debug("mdverify: %d page(s) run, the others unchanged since the last build", ran)


def _quoted(body: str) -> str:
    """A report's body as the log shows it: on GitHub Actions, with workflow commands off."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return body
    return stop_commands("\n" + body, secrets.token_hex(16)).removeprefix("\n")


def _display(path: Path) -> str:
    """The page's path as a writer types it: relative to where MkDocs was started."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith(os.pardir + os.sep + os.pardir) else relative


def _snippets(settings: Settings, config: MkDocsConfig) -> Snippets:
    """Where the pages' `--8<--` includes are looked up.

    mdverify's `snippet_base`, relative to mkdocs.yml's folder; else the `base_path` MkDocs
    hands pymdownx.snippets, relative to where MkDocs runs, as the extension reads it; else
    that folder (its default, `.`).
    """
    if settings.snippet_base:
        root = Path(config.config_file_path or ".").parent
        given = settings.snippet_base
        return Snippets(tuple(Path(os.path.abspath(root / b)) for b in given))  # noqa: PTH100
    base = (config.mdx_configs.get("pymdownx.snippets") or {}).get("base_path", ".")
    bases = [base] if isinstance(base, (str, os.PathLike)) else list(base)
    # abspath, as pymdownx: a link in the base path stays one, as in the paths under it.
    return Snippets(tuple(Path(os.path.abspath(b)) for b in bases))  # noqa: PTH100
