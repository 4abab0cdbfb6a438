"""The MkDocs plugin in real builds of a small site: `mkdocs build --strict` as a writer runs it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

pytestmark = pytest.mark.process

WRONG = """\
# Adding

```python
total = 1 + 1
print(total)
```

Output:

```
3
```
"""


def _site(tmp_path, page: str, plugin: str = "  - mdverify") -> None:
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    config = f"site_name: Demo\nplugins:\n{plugin}\n"
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")


def _build(tmp_path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )


def _pytest_summary(tmp_path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """pytest over the same site's docs/, and its `mdverify:` summary lines."""
    pytest_run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "docs"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    summary = [line for line in pytest_run.stdout.splitlines() if line.startswith("mdverify: ")]
    return pytest_run, summary


def _line_of(text: str, wanted: str) -> int:
    return text.split("\n").index(wanted) + 1


def test_a_strict_build_fails_on_a_wrong_example_naming_its_line_and_passes_once_fixed(tmp_path):
    _site(tmp_path, WRONG)
    built = _build(tmp_path)
    assert built.returncode != 0
    where = f"docs/index.md:{_line_of(WRONG, '3')}"
    assert f"WARNING -  mdverify: {where}: output differs from what the block printed" in (
        built.stdout
    )
    assert "-3\n+2" in built.stdout  # the report's diff, as pytest shows it
    assert "Aborted with 1 warnings in strict mode" in built.stdout

    _site(tmp_path, WRONG.replace("\n3\n", "\n2\n"))
    built = _build(tmp_path)
    assert built.returncode == 0, built.stdout
    assert "WARNING" not in built.stdout
    assert "mdverify: 1 block passed" in built.stdout


def test_badges_show_each_blocks_state_in_the_built_page(tmp_path):
    page = WRONG + textwrap.dedent("""
        A second block:

        ```python
        print("<b>fine</b>")
        ```

        Output:

        ```text
        <b>fine</b>
        ```

        <!-- mdverify: skip="needs a printer" -->
        ```python
        print(1)
        ```
        """)
    _site(tmp_path, page, "  - mdverify:\n      badges: true")
    built = _build(tmp_path)
    assert built.returncode != 0
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    failed = html.index('<span class="mdverify mdverify-failed"')
    passed = html.index('<span class="mdverify mdverify-passed"')
    skipped = html.index('<span class="mdverify mdverify-skipped"')
    # Each after its own block's output, in page order.
    assert html.index("<code>3") < failed < html.index("second block") < passed < skipped
    assert "mdverify: failed: output differs from what the block printed" in html
    assert "mdverify: not run: needs a printer" in html


def test_without_badges_the_page_is_left_as_written(tmp_path):
    _site(tmp_path, WRONG.replace("\n3\n", "\n2\n"))
    assert _build(tmp_path).returncode == 0
    assert "mdverify" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_enabled_false_leaves_the_site_unchecked(tmp_path):
    _site(tmp_path, WRONG, "  - mdverify:\n      enabled: false")
    built = _build(tmp_path)
    assert built.returncode == 0, built.stdout
    assert "mdverify" not in built.stdout


def test_a_bad_setting_stops_the_build_naming_it(tmp_path):
    _site(tmp_path, WRONG, "  - mdverify:\n      clock: sundial")
    built = _build(tmp_path)
    assert built.returncode != 0
    assert "mdverify: mdverify_clock must be virtual or real, not 'sundial'" in built.stdout


def test_settings_reach_the_run_as_pytest_ini_keys_do(tmp_path):
    slow = "```python\nimport time\ntime.sleep(5)  # takes ~5s\n```\n"
    _site(tmp_path, slow, "  - mdverify:\n      clock: real\n      timeout: 0.5")
    built = _build(tmp_path)
    assert built.returncode != 0
    expected = "docs/index.md:1: timeout: the block ran longer than 0.5 s (real time)"
    assert f"WARNING -  mdverify: {expected}" in built.stdout


MIXED = (
    WRONG
    + """
```python
print(missing_name)
```

<!-- mdverify: xfail="not written yet" -->
```python
raise NotImplementedError
```

```python
print("fine")
```

Output:

```
fine
```
"""
)


def test_a_build_gives_the_verdicts_pytest_gives_the_same_page(tmp_path):
    _site(tmp_path, MIXED)
    built = _build(tmp_path)
    pytest_run, summary = _pytest_summary(tmp_path)
    assert summary, pytest_run.stdout
    for line in summary:  # the outcomes, then what was checked: the same words
        assert f"INFO    -  {line}" in built.stdout


def test_a_rebuild_runs_again_only_the_pages_that_changed(tmp_path, monkeypatch):
    """As under `mkdocs serve`: one plugin object across builds, each page run when it changes."""
    runs = tmp_path / "runs.txt"
    counting = f"```python\nopen({str(runs)!r}, 'a').write('{{}}\\n')\n```\n"
    # Off: the pages count their runs in a file of tmp_path, which the sandbox hides.
    _site(tmp_path, counting.replace("{}", "index"), "  - mdverify:\n      sandbox: 'off'")
    (tmp_path / "docs" / "other.md").write_text(counting.replace("{}", "other"), "utf-8")
    monkeypatch.chdir(tmp_path)
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    assert sorted(runs.read_text().split()) == ["index", "other"]
    build(config)
    assert sorted(runs.read_text().split()) == ["index", "other"]  # nothing changed
    (tmp_path / "docs" / "other.md").write_text(counting.replace("{}", "again"), "utf-8")
    build(config)
    assert sorted(runs.read_text().split()) == ["again", "index", "other"]
    config.plugins.on_shutdown()


INCLUDING = """\
# Greeting

```python
--8<-- "greet.py"
print(greet("Ada"))
```

Output:

```
Hello, Ada!
```
"""


def test_a_page_s_snippet_includes_run_with_it_and_an_edit_of_the_file_is_seen(tmp_path):
    _site(tmp_path, INCLUDING, "  - mdverify:\n      snippet_base: [docs/code]")
    (tmp_path / "docs" / "code").mkdir()
    greet = tmp_path / "docs" / "code" / "greet.py"
    greet.write_text('def greet(name):\n    return f"Hello, {name}!"\n')
    built = _build(tmp_path)
    assert built.returncode == 0, built.stdout
    greet.write_text("def greet(name):\n    return 1 / 0\n")
    built = _build(tmp_path)
    assert built.returncode != 0
    assert "WARNING -  mdverify: docs/index.md:5: ZeroDivisionError: division by zero" in (
        built.stdout
    )


SESSIONS = """\
# Two sessions

<!-- mdverify: session=server -->
```python
raise RuntimeError("no database")
rows = [1, 2]
```

<!-- mdverify: session=client -->
```python
rows = []
print(len(rows))
```

```
0
```

<!-- mdverify: session=server -->
```python
print(len(rows))
```

```
2
```

<!-- mdverify: isolate -->
```python
print("rows" in globals())
```

```
False
```
"""


def test_a_build_judges_sessions_as_pytest_does(tmp_path):
    """One failure, one skip for the name only the failed block of its session binds."""
    _site(tmp_path, SESSIONS)
    built = _build(tmp_path)
    pytest_run, summary = _pytest_summary(tmp_path)
    assert summary[0] == "mdverify: 2 blocks passed, 1 failed, 1 skipped", pytest_run.stdout
    for line in summary:
        assert f"INFO    -  {line}" in built.stdout
