"""Server checks (`mdverify.run.servecheck`) on the warm start, in the worker's one select."""

import os
from pathlib import Path

import pytest

from mdverify.article.parse import parse_text
from mdverify.model import ServeFault, ServeProblem, Status
from mdverify.run import runner as runner_module
from mdverify.run.options import RunOptions
from mdverify.run.request import prepare
from mdverify.run.runner import Runner

pytestmark = pytest.mark.process

SERVER = """\
<!-- mdverify: serve request="GET /" expect="{expect}" -->

```python
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        {hold}
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Hello")

    def log_message(self, *args):
        pass

try:
    HTTPServer(("", 8000), Hello).serve_forever()
except KeyboardInterrupt:
    pass
```
"""


def prepared(tmp_path: Path, name: str, text: str, options: RunOptions):
    path = tmp_path / f"{name}.md"
    path.write_text(text)
    article = parse_text(f"{name}.md", text)
    return prepare(article, str(path), article.examples, options)


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.setattr(runner_module, "_cores", lambda: 2)  # two children side by side
    # Off: the gate is a FIFO in tmp_path, a folder the sandbox hides.
    runner = Runner(RunOptions(sandbox="off"), warm=True, ahead=4)
    yield runner
    runner.close()


def test_a_server_checked_in_the_warm_worker_passes_and_one_that_differs_says_how(tmp_path, runner):
    good = prepared(tmp_path, "good", SERVER.format(expect="Hello", hold="pass"), runner.options)
    bad = prepared(tmp_path, "bad", SERVER.format(expect="Hi", hold="pass"), runner.options)
    runner.plan("good", good)
    runner.plan("bad", bad)
    assert runner.observations("good", good)[0].status is Status.OK
    failed = runner.observations("bad", bad)[0]
    assert runner._worker is not None  # both ran warm
    assert failed.status is Status.SERVE
    assert failed.serve_problems == (
        ServeProblem(ServeFault.DIFFERS, "GET /", "Hi", "Hello", http_status=200),
    )


def test_a_slow_server_holds_up_no_other_childs_deadline(tmp_path, runner):
    # The slow server answers only once the test writes to its gate, which it does after
    # the spinning article's timeout is reported: had the server check held up that
    # deadline, the timeout would come only after the slow article's own, which fails it.
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    held = os.open(gate, os.O_RDWR)  # a FIFO opened both ways never blocks (Linux)
    try:
        spin = "<!-- mdverify: timeout=0.5 -->\n\n```python\nwhile True:\n    pass\n```\n"
        stuck = prepared(tmp_path, "stuck", spin, runner.options)
        hold = f"os.read(os.open({str(gate)!r}, os.O_RDONLY), 1)"
        slow = prepared(tmp_path, "slow", SERVER.format(expect="Hello", hold=hold), runner.options)
        runner.plan("stuck", stuck)
        runner.plan("slow", slow)
        assert runner.observations("stuck", stuck)[0].status is Status.TIMEOUT
        os.write(held, b"x")
        assert runner.observations("slow", slow)[0].status is Status.OK
    finally:
        os.close(held)
