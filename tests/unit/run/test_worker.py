"""The warm worker and the runner: isolation per article, run-ahead, and the cold fallback.

Without the sandbox (`sandbox="off"`): these watch the worker's processes from outside, by
their pids and by files in tmp_path, which the sandbox renumbers and hides; its own tests
are tests/robustness/test_sandbox.py.
"""

import os
import signal
from pathlib import Path

import pytest

from mdverify.article.parse import parse_text
from mdverify.run import warm
from mdverify.run.options import RunOptions
from mdverify.run.request import prepare
from mdverify.run.runner import Runner


def fence(code: str) -> str:
    return f"```python\n{code}\n```\n\n"


def prepared(tmp_path: Path, name: str, text: str, options: RunOptions):
    path = tmp_path / f"{name}.md"
    path.write_text(text)
    article = parse_text(f"{name}.md", text)
    return prepare(article, str(path), article.examples, options)


@pytest.fixture
def runner():
    runner = Runner(RunOptions(sandbox="off"), warm=True, ahead=4)
    yield runner
    runner.close()


STARTER = "int(open('/proc/%d/stat' % os.getppid()).read().rsplit(')', 1)[1].split()[1])"
"""The process that started the article: its parent is a stand-in (`mdverify.run.lifeline`),
whose parent that is."""


def test_articles_are_forked_from_the_worker_not_from_pytest(tmp_path, runner):
    text = fence(f"import os\nprint({STARTER})")
    got = runner.observations("a", prepared(tmp_path, "a", text, runner.options))
    parent = int(got[0].stdout)
    assert parent != os.getpid()
    assert runner._worker is not None
    assert parent == runner._worker._proc.pid


def test_each_article_gets_its_own_process_session_and_directory(tmp_path, runner):
    code = "import os\nprint(os.getppid(), os.getsid(0), os.getcwd())"
    seen = []
    for name in ("a", "b"):
        out = runner.observations(name, prepared(tmp_path, name, fence(code), runner.options))
        pid, sid, cwd = out[0].stdout.split()
        assert pid == sid  # its stand-in's session: the whole group can be killed
        seen.append((pid, cwd))
    assert seen[0][0] != seen[1][0]
    assert seen[0][1] != seen[1][1]


def test_a_name_defined_by_one_article_is_unknown_to_the_next(tmp_path, runner):
    first = runner.observations("a", prepared(tmp_path, "a", fence("x = 1"), runner.options))
    second = runner.observations("b", prepared(tmp_path, "b", fence("print(x)"), runner.options))
    assert first[0].status == "ok"
    assert "NameError" in second[0].error


def test_planned_articles_return_their_own_results_in_any_order(tmp_path, runner):
    articles = {
        name: prepared(tmp_path, name, fence(f"print({n})"), runner.options)
        for n, name in enumerate("abcdef")
    }
    for name, prep in articles.items():
        runner.plan(name, prep)
    for n, name in reversed(list(enumerate("abcdef"))):
        assert runner.observations(name, articles[name])[0].stdout == f"{n}\n"


def test_the_environment_is_the_one_prepared_for_the_article(tmp_path):
    options = RunOptions(
        sandbox="off",
        env={"PATH": os.environ["PATH"], "MDVERIFY_PROBE": "set", "SECRET": "x"},
        pass_env=("MDVERIFY_PROBE",),
    )
    runner = Runner(options, warm=True)
    try:
        code = "import os\nprint(os.environ.get('MDVERIFY_PROBE'), 'SECRET' in os.environ)"
        got = runner.observations("a", prepared(tmp_path, "a", fence(code), options))
    finally:
        runner.close()
    assert got[0].stdout == "set False\n"


def test_a_module_written_to_the_working_directory_can_be_imported(tmp_path, runner):
    code = "open('helper.py', 'w').write('VALUE = 5')\nimport helper\nprint(helper.VALUE)"
    got = runner.observations("a", prepared(tmp_path, "a", fence(code), runner.options))
    assert got[0].stdout == "5\n"


def test_the_virtual_clock_of_one_article_does_not_reach_a_real_clock_article(tmp_path):
    code = "import time\nstart = time.monotonic()\ntime.sleep(0.3)\nprint(time.monotonic() - start)"
    virtual_options = RunOptions(sandbox="off", clock="virtual")
    real_options = RunOptions(sandbox="off", clock="real")
    runner = Runner(virtual_options, warm=True)
    try:
        virtual = runner.observations("v", prepared(tmp_path, "v", fence(code), virtual_options))
        real = runner.observations("r", prepared(tmp_path, "r", fence(code), real_options))
    finally:
        runner.close()
    assert float(virtual[0].stdout) == pytest.approx(0.3)
    assert virtual[0].clock == "virtual"
    assert real[0].clock == "real"
    assert float(real[0].stdout) >= 0.3


def test_a_timeout_kills_the_article_and_the_worker_goes_on(tmp_path):
    options = RunOptions(sandbox="off", timeout=0.5)
    runner = Runner(options, warm=True)
    try:
        hang = fence("while True:\n    pass") + fence("print(1)")
        first = runner.observations("a", prepared(tmp_path, "a", hang, options))
        second = runner.observations("b", prepared(tmp_path, "b", fence("print(2)"), options))
    finally:
        runner.close()
    assert (first[0].status, first[1].status) == ("timeout", "not-run")
    assert second[0].stdout == "2\n"


def test_articles_run_cold_when_the_worker_dies(tmp_path):
    runner = Runner(RunOptions(sandbox="off"), warm=True, ahead=0)
    articles = {
        name: prepared(tmp_path, name, fence(f"import os\nprint({STARTER})"), runner.options)
        for name in "abc"
    }
    for name, prep in articles.items():
        runner.plan(name, prep)
    warm_parent = int(runner.observations("a", articles["a"])[0].stdout)
    os.kill(warm_parent, signal.SIGKILL)
    try:
        after = [runner.observations(name, articles[name])[0].stdout for name in "bc"]
    finally:
        runner.close()
    assert [int(ppid) for ppid in after] == [os.getpid(), os.getpid()]


def test_cold_start_never_starts_a_worker(tmp_path):
    options = RunOptions(sandbox="off")
    runner = Runner(options, warm=False)
    code = f"import os\nprint({STARTER})"
    got = runner.observations("a", prepared(tmp_path, "a", fence(code), options))
    assert int(got[0].stdout) == os.getpid()
    assert runner._worker is None


def test_an_article_started_early_serves_the_same_request(tmp_path, runner):
    prep = prepared(tmp_path, "a", fence("print('early')"), runner.options)
    runner.speculate("a", prep)
    started = runner._count
    assert runner.observations("a", prep)[0].stdout == "early\n"
    assert runner._count == started  # not run a second time


def test_an_article_started_early_is_run_again_when_the_request_changed(tmp_path, runner):
    text = fence("print('first')") + fence("print('second')")
    whole = prepared(tmp_path, "a", text, runner.options)
    runner.speculate("a", whole)
    path = tmp_path / "a.md"
    article = parse_text("a.md", text)
    first_only = prepare(article, str(path), article.examples[:1], runner.options)
    got = runner.observations("a", first_only)
    assert sorted(got) == [0]
    assert got[0].stdout == "first\n"
    after = runner.observations("b", prepared(tmp_path, "b", fence("print('b')"), runner.options))
    assert after[0].stdout == "b\n"  # the wasted early result was not handed to anyone


def test_closing_removes_the_folders_of_results_nobody_collected(tmp_path):
    runner = Runner(RunOptions(sandbox="off"), warm=True, ahead=4)
    articles = {
        name: prepared(tmp_path, name, fence(f"print({n})"), runner.options)
        for n, name in enumerate("abcd")
    }
    for name, prep in articles.items():
        runner.plan(name, prep)
    runner.observations("a", articles["a"])  # b, c and d now run ahead; nobody asks for them
    assert runner._worker is not None
    root = Path(runner._worker._root)
    assert root.is_dir()
    runner.close()
    assert not root.exists()


def test_a_run_with_files_runs_warm_and_its_child_finds_them(tmp_path, runner):
    text = '---\nmdverify:\n  files:\n    data.txt: "from the world"\n---\n' + fence(
        f"import os\nprint(open('data.txt').read(), {STARTER})"
    )
    ready = prepared(tmp_path, "a", text, runner.options)
    runner.speculate("a", ready)
    got = runner.observations("a", ready)
    assert runner._worker is not None
    assert got[0].stdout == f"from the world {runner._worker._proc.pid}\n"


def _ppid(runner: Runner, tmp_path: Path, name: str, code: str = "") -> str:
    text = fence(f"import os\n{code}\nprint({STARTER})")
    return runner.observations(name, prepared(tmp_path, name, text, runner.options))[0].stdout


def test_a_session_that_ends_idle_hands_its_worker_to_the_next_with_the_same_start(tmp_path):
    # pytester's in-process sessions, one after another in one process, are the case.
    first = Runner(RunOptions(sandbox="off"), warm=True)
    worker = int(_ppid(first, tmp_path, "a"))
    first.close()
    home = tmp_path / "elsewhere"
    second = Runner(RunOptions(sandbox="off", env={**os.environ, "HOME": str(home)}), warm=True)
    try:
        shown = _ppid(second, tmp_path, "b", "print(os.environ['HOME'])").split()
    finally:
        second.close()
    assert shown == [str(home), str(worker)]  # the same worker; the child has its own HOME


def test_a_worker_with_work_left_or_another_start_is_not_handed_on(tmp_path):
    busy = Runner(RunOptions(sandbox="off"), warm=True, ahead=4)
    ppid = fence(f"import os\nprint({STARTER})")
    for name in "ab":
        busy.plan(name, prepared(tmp_path, name, ppid, busy.options))
    busy_worker = int(_ppid(busy, tmp_path, "a"))  # b runs ahead; nobody collects it
    busy.close()
    seeded_env = {**os.environ, "PYTHONHASHSEED": "7"}
    seeded = Runner(RunOptions(sandbox="off", env=seeded_env), warm=True)
    try:
        seeded_worker = int(_ppid(seeded, tmp_path, "c"))
    finally:
        seeded.close()
    plain = Runner(RunOptions(sandbox="off"), warm=True)
    try:
        plain_worker = int(_ppid(plain, tmp_path, "d"))
    finally:
        plain.close()
    assert len({busy_worker, seeded_worker, plain_worker}) == 3


def test_a_handed_on_worker_that_died_is_replaced(tmp_path):
    first = Runner(RunOptions(sandbox="off"), warm=True)
    dead = int(_ppid(first, tmp_path, "a"))
    first.close()
    os.kill(dead, signal.SIGKILL)
    os.waitpid(dead, 0)  # reaped here, so the next session cannot find it still running
    second = Runner(RunOptions(sandbox="off"), warm=True)
    try:
        replaced = int(_ppid(second, tmp_path, "b"))
    finally:
        second.close()
    assert replaced not in (dead, os.getpid())  # a new worker, not a cold start


def test_home_counts_for_the_start_only_when_it_holds_a_user_site_packages(tmp_path):
    from mdverify.run.warm import _start_key  # noqa: PLC0415 -- the one test of a private rule

    bare, with_site = tmp_path / "bare", tmp_path / "site"
    (with_site / ".local" / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    key = {home: _start_key("python3", {"HOME": str(home)}, 2) for home in (bare, with_site)}
    assert key[bare] == _start_key("python3", {"HOME": "/nowhere"}, 2)
    assert key[with_site] != key[bare]


def test_a_stopped_worker_is_given_up_and_the_article_runs_cold(tmp_path, monkeypatch):
    # A worker stopped from outside (SIGSTOP) answers nothing: past the longest its jobs
    # may take, the wait ends, the worker is killed and the article runs cold.
    monkeypatch.setattr(warm, "IDLE_LIMIT", 0.2)
    monkeypatch.setattr(warm, "_SLACK", 0.5)
    runner = Runner(RunOptions(sandbox="off", timeout=1), warm=True)  # see the module doc
    try:
        runner.observations("a", prepared(tmp_path, "a", fence("x = 1"), runner.options))
        assert runner._worker is not None
        stopped = runner._worker._proc
        os.kill(stopped.pid, signal.SIGSTOP)
        text = fence(f"import os\nprint({STARTER})")
        got = runner.observations("b", prepared(tmp_path, "b", text, runner.options))
    finally:
        runner.close()
    assert int(got[0].stdout) == os.getpid()  # cold: started by this process
    assert stopped.wait(timeout=60) == -signal.SIGKILL
