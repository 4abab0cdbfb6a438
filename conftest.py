"""Repository-wide pytest set-up.

The originals under tests/fixtures are articles with known defects: the test suite runs them
through pytester on purpose, so a plain `pytest` from the top must not collect them itself;
nor the case articles under tests/cases, which tests/plugin/test_cases.py runs in one inner
session and checks against the expectations in their front matter.
"""

collect_ignore_glob = ["tests/fixtures/*", "tests/cases/*"]
