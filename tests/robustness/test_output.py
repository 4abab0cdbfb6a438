"""Huge, undecodable or terminal-controlling output: bounded, and shown readably."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from mdverify.run.options import parse_size

GOOD = """
    # Good

    ```python
    print("ok")  # ok
    ```
    """

HUNDRED_MB = """
import sys
line = b"x" * 1023 + b"\\n"
for _ in range(100 * 1024):
    sys.stdout.buffer.write(line)
"""


def test_hundred_megabytes_of_output_are_cut_with_a_note(pytester, article):
    article(
        "loud.md",
        f"""
        # Loud

        ```python{textwrap.indent(HUNDRED_MB, "        ")}
        ```

        ```
        quiet
        ```

        ```python
        print("after")  # after
        ```
        """,
    )
    article("good.md", GOOD)
    result = pytester.runpytest("--mdverify-output-limit=64K")
    result.assert_outcomes(failed=1, passed=2)
    result.stdout.fnmatch_lines(
        [
            "loud.md:*: output differs from what the block printed",
            (
                "+[[]mdverify: output truncated: the block wrote 100 MiB; the first 64 KiB are "
                "shown (the limit is 64 KiB)]"
            ),
        ]
    )
    assert len(result.stdout.str()) < 200_000


def test_parent_memory_stays_flat_while_a_block_prints_100_megabytes(tmp_path):
    # A fresh interpreter, so that its peak RSS measures this run alone.
    script = f"""
import json, resource, sys
from mdverify.article.parse import parse_text
from mdverify.run.cold import run_cold
from mdverify.run.options import RunOptions
from mdverify.run.request import prepare
text = "```python\\n" + {HUNDRED_MB!r} + "```\\n"
path = sys.argv[1]
open(path, "w").write(text)
article = parse_text("a.md", text)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
options = RunOptions()
observation = run_cold(prepare(article, path, article.examples, options), options.python)[0]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps([before, after, observation.truncated, len(observation.stdout)]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "a.md")],
        capture_output=True,
        text=True,
        check=True,
    )
    before_kib, after_kib, truncated, kept = json.loads(done.stdout)
    assert truncated
    assert kept < 2 * parse_size("1M")
    assert (after_kib - before_kib) * 1024 < parse_size("30M")  # reading it all would be 100M+


def test_article_past_its_output_budget_is_stopped(pytester, article):
    article(
        "flood.md",
        """
        # Flood

        ```python
        while True:
            print("y" * 1000)
        ```

        ```python
        print("never")
        ```
        """,
    )
    article("good.md", GOOD)
    result = pytester.runpytest("--mdverify-output-budget=4M", "--mdverify-timeout=20", "-rs")
    result.assert_outcomes(failed=1, skipped=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            (
                "flood.md:3: stopped: output limit: the article wrote 4 MiB or more to stdout and "
                "stderr (the budget); the rest of the article was stopped"
            ),
            "SKIPPED * flood.md:8: not run: the block at line 3 passed the article's output budget",
        ]
    )


def test_output_that_is_not_utf8_is_shown_with_escapes(pytester, article):
    article(
        "bytes.md",
        """
        # Bytes

        ```python
        import sys
        sys.stdout.buffer.write(b"caf\\xe9 \\xff\\n")
        ```

        ```
        café
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["-café", "+caf\\xe9 \\xff"])


def test_ansi_colours_and_carriage_returns_are_shown_not_obeyed(pytester, article):
    article(
        "colour.md",
        """
        # Colour

        ```python
        print("\\x1b[31mred\\x1b[0m")
        print("50%\\r100%")
        ```

        ```
        red
        100%
        ```
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["+\\x1b[[]31mred\\x1b[[]0m", "+50%\\r100%"])
    assert "\x1b[31m" not in result.stdout.str()


def test_size_option_that_is_not_a_size_is_a_usage_error(pytester, article):
    article("good.md", GOOD)
    result = pytester.runpytest("--mdverify-output-limit=lots")
    assert result.ret == 4  # pytest's usage error
    result.stderr.fnmatch_lines(["*mdverify_output_limit: expected a size such as 512M*"])
