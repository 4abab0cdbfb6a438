"""Start the case articles' inner runs as soon as the session knows it will run them.

They take seconds, mostly waiting (timeouts, sleeps, a slow host): started here, they go
on while the outer session runs the tests collected before tests/plugin/test_cases.py.
"""

from __future__ import annotations

import pytest

_CASES: pytest.StashKey[list[object]] = pytest.StashKey()


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    # Not for --collect-only; and not on an xdist worker, where the fixture starts them on
    # the worker that gets the case tests, rather than on every worker.
    if config.option.collectonly or hasattr(config, "workerinput"):
        return
    modules = {
        item.module
        for item in session.items
        if isinstance(item, pytest.Function) and item.path.name == "test_cases.py"
    }
    config.stash[_CASES] = list(modules)
    for module in modules:
        module.start_runs(module.needed(session.items))  # only the runs the selection reads


def pytest_sessionfinish(session: pytest.Session) -> None:
    for module in session.config.stash.get(_CASES, []):
        module.stop_runs()  # a session cut short (-x, Ctrl+C) leaves nothing running
