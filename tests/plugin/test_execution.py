"""The session's block time limit, from the command line and the ini file.

What an article's blocks do when they run (namespace, order, sandbox, crashes) is told by
the case articles under tests/cases/execution, checked by tests/plugin/test_cases.py.
"""

from __future__ import annotations

HANG = """
    # Spin

    ```python
    while True:
        pass
    ```

    ```python
    print("after")
    ```
    """

GOOD = """
    # Good

    ```python
    print("ok")  # ok
    ```
    """


def test_hanging_block_times_out_the_rest_is_not_run_and_the_session_continues(pytester, article):
    article("hang.md", HANG)
    article("ok.md", GOOD)
    result = pytester.runpytest("--mdverify-timeout=1")
    result.assert_outcomes(failed=2, passed=1)
    result.stdout.fnmatch_lines(["*hang.md::Spin (line 3)*", "hang.md:3: timeout*1 s*"])
    result.stdout.fnmatch_lines(["*hang.md::Spin (line 8)*", "hang.md:8: not run*"])


def test_ini_timeout_option_limits_a_block(pytester, article):
    pytester.makeini("[pytest]\nmdverify_timeout = 1\n")
    article("hang.md", HANG)
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["hang.md:3: timeout*1 s*"])
