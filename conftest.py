"""Repository-wide pytest set-up.

The originals under tests/fixtures are articles with known defects: the test suite runs them
through pytester on purpose, so a plain `pytest` from the top must not collect them itself.
"""

collect_ignore_glob = ["tests/fixtures/*"]
