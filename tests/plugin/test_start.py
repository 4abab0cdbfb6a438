"""How article processes start: forked from the warm worker by default, or cold on request."""

from __future__ import annotations

from pathlib import Path

import pytest

PARENT_PROBE = """
# Probe

```python
import os
with open(f"/proc/{os.getppid()}/stat") as stat:  # above the article's stand-in parent
    starter = int(stat.read().rsplit(")", 1)[1].split()[1])
with open(f"/proc/{starter}/cmdline", "rb") as cmdline:
    parent = cmdline.read().replace(b"\\0", b" ").decode()
open(os.environ["PROBE_FILE"], "w").write(parent)
```
"""


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_both_starts_give_the_same_outcomes(pytester, article, start):
    article("a.md", "# A\n\n```python\nx = 1\n```\n\n```python\nprint(x)  # 1\n```\n")
    # b.md binds x only after its use: the NameError fails, neither a fragment nor an exercise.
    b = "# B\n\n```python\nprint(x)  # 1\n```\n\n```python\nx = 1\nprint(x)  # 2\n```\n"
    article("b.md", b)
    result = pytester.runpytest(f"--mdverify-start={start}")
    result.assert_outcomes(passed=2, failed=2)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads /proc")
@pytest.mark.parametrize(("start", "parent"), [("warm", "mdverify.run.worker"), ("cold", "pytest")])
def test_the_start_option_chooses_which_process_forks_the_article(
    pytester, article, monkeypatch, start, parent
):
    article("probe.md", PARENT_PROBE)
    probe = pytester.path / "parent.txt"
    monkeypatch.setenv("PROBE_FILE", str(probe))
    result = pytester.runpytest_subprocess(
        f"--mdverify-start={start}", "--mdverify-pass-env=PROBE_FILE"
    )
    result.assert_outcomes(passed=1)
    assert parent in probe.read_text()


def test_an_unknown_start_in_the_ini_file_is_a_usage_error(pytester, article):
    article("a.md", "# A\n\n```python\nprint(1)\n```\n")
    pytester.makeini("[pytest]\nmdverify_start = lukewarm\n")
    result = pytester.runpytest()
    assert "mdverify_start must be warm or cold, not 'lukewarm'" in result.stderr.str()


SERVICE_ARTICLE = """
<!-- mdverify: hosts=example.com -->

```python
import os
with open(f"/proc/{os.getppid()}/stat") as stat:  # above the article's stand-in parent
    starter = int(stat.read().rsplit(")", 1)[1].split()[1])
with open(f"/proc/{starter}/cmdline", "rb") as cmdline:
    parent = cmdline.read().replace(b"\\0", b" ").decode()
open(os.environ["PROBE_FILE"], "w").write(parent)
```

<!-- mdverify: serve request="GET /" expect="Hello" -->

```python
from http.server import BaseHTTPRequestHandler, HTTPServer

class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Hello" if self.path == "/" else b"Bye")

try:
    HTTPServer(("", 8000), Hello).serve_forever()
except KeyboardInterrupt:
    pass
```

<!-- mdverify: serve request="GET /other" expect="Hello" -->

```python
try:
    HTTPServer(("", 8000), Hello).serve_forever()
except KeyboardInterrupt:
    pass
```
"""


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads /proc")
@pytest.mark.parametrize(("start", "parent"), [("warm", "mdverify.run.worker"), ("cold", "pytest")])
def test_a_service_article_and_its_server_checks_run_on_either_start(
    pytester, article, monkeypatch, start, parent
):
    pages = pytester.path / "_pages" / "example.com"
    pages.mkdir(parents=True)
    (pages / "index.html").write_text("<h1>Example</h1>\n")
    article("service.md", SERVICE_ARTICLE)
    probe = pytester.path / "parent.txt"
    monkeypatch.setenv("PROBE_FILE", str(probe))
    result = pytester.runpytest_subprocess(
        f"--mdverify-start={start}", "--mdverify-pass-env=PROBE_FILE"
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*service.md:*: server check failed: GET /other: the response differs*",
            "+++ got (HTTP 200)",
            "Bye",
        ]
    )
    assert parent in probe.read_text()


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_a_module_beside_the_article_imports_but_hides_no_installed_one(pytester, start):
    # A reader runs the example in the article's folder; the run's cwd is a fresh folder.
    docs = pytester.mkdir("docs")
    (docs / "tidemath.py").write_text("def high(levels):\n    return max(levels)\n")
    (docs / "json.py").write_text("raise ImportError('the article folder came first')\n")
    (docs / "tides.md").write_text(
        "# Tides\n\n```python\nimport json\nfrom tidemath import high\n\n"
        "print(high([1, 3, 2]), json.dumps(3))  # 3 3\n```\n"
    )
    result = pytester.runpytest(f"--mdverify-start={start}", "docs")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_pytests_pythonpath_setting_reaches_the_articles(pytester, start):
    # A course keeps its helpers in src/ and says so to pytest; its articles import them.
    pytester.makeini("[pytest]\npythonpath = src\n")
    (pytester.mkdir("src") / "coursehelp.py").write_text("def greet():\n    return 'hi'\n")
    (pytester.mkdir("docs") / "a.md").write_text(
        "# A\n\n```python\nimport coursehelp\nprint(coursehelp.greet())  # hi\n```\n"
    )
    result = pytester.runpytest(f"--mdverify-start={start}", "docs")
    result.assert_outcomes(passed=1)
