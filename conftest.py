"""Repository-wide pytest set-up.

The originals under tests/fixtures are articles with known defects: the test suite runs them
through pytester on purpose, so a plain `pytest` from the top must not collect them itself;
nor the case articles under tests/cases, which tests/plugin/test_cases.py runs in one inner
session and checks against the expectations in their front matter.

The suite runs on pytest-xdist's workers by default (see `pytest_cmdline_main`).
"""

from __future__ import annotations

import contextlib
import os
import sys

import pytest

collect_ignore_glob = ["tests/fixtures/*", "tests/cases/*", "tests/differential/corpus/*"]

# The suite starts many interpreters (inner pytest runs, xdist workers, warm workers,
# articles' cold children), and each imports mdverify from src/. Where the machine
# sets PYTHONDONTWRITEBYTECODE (this project's VMs do, as do many Docker images), none of
# them finds a cached .pyc: each compiles, and pytest assert-rewrites, every module again.
# The suite writes bytecode instead, as a developer's machine does by default; the
# processes it starts inherit that. Set here, at import, so that xdist's workers do too.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    sys.dont_write_bytecode = False

# pytester's in-process runs put sys.modules back as it was after each run, so a module first
# imported inside one is imported again by the next. hypothesis' pytest plugin imports
# hypothesis (over 80 modules) in every session's terminal summary: in the suite's ~190
# inner runs that was about a third of their cost. Imported here, before any run, it stays.
with contextlib.suppress(ImportError):
    import hypothesis.internal.observability  # noqa: F401

# Unit modules each of whose tests starts an article's child, the warm worker or a server.
_PROCESS_MODULES = frozenset({"test_run.py", "test_worker.py", "test_services.py"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `process` what starts processes, so `-m "not process"` is the fast unit loop.

    An inner pytest (the `pytester` fixture), an article of the docs (it runs in a child),
    and the run and service unit modules. Tests elsewhere that start one mark themselves.
    """
    for item in items:
        if (
            not isinstance(item, pytest.Function)
            or "pytester" in item.fixturenames
            or (item.path.name in _PROCESS_MODULES and "unit" in item.path.parts)
        ):
            item.add_marker(pytest.mark.process)


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):  # not on macOS
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Spread the whole suite over one xdist worker per core, unless told otherwise.

    Most of the suite's time is inner pytest runs, articles' children and servers, and
    their real-time waits: on two workers they overlap. This is the `-n auto --dist
    loadfile --no-loadscope-reorder` a user would type, set here rather than in `addopts`
    because `-p no:xdist` must still run the suite serially (an `-n` in `addopts` would
    then be an unknown option); `-n 0` runs serially too, and an `-n` or `--dist` given
    wins. Only for the whole suite (no path given, so pytest runs `testpaths`): a run of
    one file or folder, the loop while working, is quicker without the workers' start.

    `loadfile` keeps tests/plugin/test_cases.py on one worker, which starts the case
    articles' inner runs once (`loadgroup` and its `xdist_group` mark cannot: xdist 3.8
    renames the items' node ids in a way pytest 9 ignores). In collection order that file
    goes first, so its runs overlap the rest of the suite, and the many small unit files
    come last, where they even out the two workers' ends.
    """
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    if (
        config.option.numprocesses is None
        and config.args_source == pytest.Config.ArgsSource.TESTPATHS  # the whole suite
        and not config.option.usepdb
        and _cores() > 1
    ):
        config.option.numprocesses = "auto"
    if config.option.numprocesses and config.option.dist == "no":
        config.option.dist = "loadfile"
        config.option.loadscopereorder = False
