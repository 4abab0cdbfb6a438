"""The light run protocol: same reports as pytest's own, and out of the way of other plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

TWO_BLOCKS = """
# Two blocks

```python
print(1)  # 1
```

```python
print(2)  # 3
```
"""

RECORD_REPORTS = """
import pytest

SEEN = []

def pytest_runtest_logreport(report):
    SEEN.append((report.nodeid.split("::")[-1], report.when, report.outcome))

def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"reports: {SEEN}")
"""


def _reports(result: pytest.RunResult) -> str:
    return next(line for line in result.outlines if line.startswith("reports: "))


def test_plain_example_items_take_the_light_protocol(pytester, article):
    article("a.md", TWO_BLOCKS)
    pytester.makeconftest(
        """
        from mdverify.plugin import light

        def pytest_collection_finish(session):
            print("applies:", [light.applies(item) for item in session.items])
        """
    )
    result = pytester.runpytest("-s")
    result.stdout.fnmatch_lines(["applies: [True, True]"])


def test_light_protocol_reports_each_phase_as_pytest_does(pytester, article):
    article("a.md", TWO_BLOCKS)
    pytester.makeconftest(RECORD_REPORTS)
    light = _reports(pytester.runpytest())
    # The same session with a phase hook of another plugin takes pytest's own protocol.
    pytester.makeconftest(RECORD_REPORTS + "\ndef pytest_runtest_setup(item):\n    pass\n")
    standard = _reports(pytester.runpytest())
    assert light == standard
    assert "('Two blocks', 'call', 'passed')" in light
    assert "('Two blocks #2', 'call', 'failed')" in light
    assert light.count("'teardown'") == 2


def test_phase_hook_of_another_plugin_still_sees_example_items(pytester, article):
    article("a.md", TWO_BLOCKS)
    pytester.makeconftest(
        """
        CALLED = []

        def pytest_runtest_call(item):
            CALLED.append(item.name)

        def pytest_terminal_summary(terminalreporter):
            terminalreporter.write_line(f"called for: {CALLED}")
        """
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["called for: ['Two blocks', 'Two blocks #2']"])


def test_skip_mark_added_by_a_conftest_still_skips(pytester, article):
    article("a.md", TWO_BLOCKS)
    pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            items[1].add_marker(pytest.mark.skip(reason="not today"))
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*not today*"])


def test_exitfirst_stops_after_the_first_failure_on_the_light_protocol(pytester, article):
    article("a.md", TWO_BLOCKS.replace("# 1\n", "# 0\n"))
    result = pytester.runpytest("-x")
    result.assert_outcomes(failed=1)
