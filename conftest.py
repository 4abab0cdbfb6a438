"""Repository-wide pytest set-up.

The originals under tests/fixtures are articles with known defects: the test suite runs them
through pytester on purpose, so a plain `pytest` from the top must not collect them itself;
nor the case articles under tests/cases, which tests/plugin/test_cases.py runs in one inner
session and checks against the expectations in their front matter.
"""

from __future__ import annotations

import pytest

collect_ignore_glob = ["tests/fixtures/*", "tests/cases/*"]

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
