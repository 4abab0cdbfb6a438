"""The pytest shell (entry point `mdverify`): hook registration, and nothing else.

Each hook hands over to the module that owns its feature; the decisions are the core's.

- `options`: the settings as `--mdverify-x` options and `mdverify_x` ini keys
- `selection`: changed-since and shards
- `collect`: a Markdown file, and running its article
- `items`: a block's item and its failure report
- `light`: a lighter run protocol for items that need no more
- `update`, `ci`, `baseline`, `tally`, `jobsummary`: update mode, CI annotations, the
  baseline of known failures, the session summary and the CI job's Markdown summary,
  each its own plugin object
- `xdist`: every pytest-xdist internal mdverify reads
- `fixtures`: the services as session fixtures

This is the only package of mdverify that imports pytest or xdist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mdverify.plugin import baseline, light, options, selection, terminate, xdist
from mdverify.plugin.ci import Annotations
from mdverify.plugin.collect import MarkdownFile
from mdverify.plugin.fixtures import (
    mdverify_postgres,  # noqa: F401 -- a fixture this plugin serves
    mdverify_web,  # noqa: F401 -- likewise
)
from mdverify.plugin.items import ExampleItem, MdverifyWarning
from mdverify.plugin.jobsummary import JobSummary
from mdverify.plugin.tally import Tallies
from mdverify.plugin.update import Updates

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["ExampleItem", "MarkdownFile", "MdverifyWarning"]


def pytest_addoption(parser: pytest.Parser) -> None:
    options.register(parser)


@pytest.hookimpl(tryfirst=True, specname="pytest_configure")
def pytest_configure_quiet_asyncio(config: pytest.Config) -> None:
    options.quiet_asyncio_scope(config)  # before pytest-asyncio's own configure warns


def pytest_configure(config: pytest.Config) -> None:
    # Read (and check) the settings once, before any test: a bad value is a usage error.
    options.read(config)
    selection.find_changed(config)
    # Both print in the terminal summary, pytest calling the last registered first:
    # the update summary comes before the annotations.
    config.pluginmanager.register(Annotations(config), "mdverify-annotations")
    config.pluginmanager.register(Updates(config), "mdverify-update")
    baseline.register(config)
    tallies = Tallies(config)
    config.pluginmanager.register(tallies, "mdverify-tally")  # prints last: trylast
    config.pluginmanager.register(JobSummary(config, tallies), "mdverify-job-summary")
    config.pluginmanager.register(xdist, "mdverify-xdist")
    terminate.install(config)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> MarkdownFile | None:
    globs = options.settings(parent.config).globs
    if any(file_path.match(glob) for glob in globs) and selection.selected(
        parent.config, file_path
    ):
        return MarkdownFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selection.deselect_other_shards(config, items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    selection.nothing_changed(session)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    if isinstance(item, ExampleItem) and not item.article_file.scoped and light.applies(item):
        light.run(item, nextitem)
        return True
    return None  # pytest's own protocol
