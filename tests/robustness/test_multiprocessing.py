"""What multiprocessing leaves in /dev/shm and /tmp is removed as its article ends (`posixipc`).

Each test makes named semaphores (a `Lock`, a `Queue`) and `SharedMemory` segments (or a
forkserver's socket folder) that the article never releases, in its own process and in a
spawned child, and checks `/dev/shm` after the run: the names the article wrote down
(outside the sandbox, where pytest sees the same `/dev/shm`), or what a later article of
the same worker finds there (inside it).
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from mdverify.run.sandbox import Unavailable, probe

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="no /dev/shm here"),
]

LEAVE = textwrap.dedent("""
    ---
    mdverify:
      clock: real
    ---
    # Leave

    <!-- mdverify: timeout=5 -->
    ```python
    import builtins
    import multiprocessing as mp
    from multiprocessing import shared_memory
    from pathlib import Path

    NAMES = Path({names!r})


    def child():
        made = shared_memory.SharedMemory(create=True, size=64)
        builtins.kept_by_child = made
        with NAMES.open("a") as file:
            print(made.name, file=file)


    if __name__ == "__main__":
        ctx = mp.get_context("spawn")
        builtins.kept = lock, queue, made = (
            ctx.Lock(),
            ctx.Queue(),
            shared_memory.SharedMemory(create=True, size=64),
        )
        with NAMES.open("a") as file:
            for name in (lock._semlock.name, queue._rlock._semlock.name, made.name):
                print(name, file=file)
        worker = ctx.Process(target=child)
        worker.start()
        worker.join()
        print("made")
    ```
    {then}
    """)
PASS = "```text\nmade\n```"
HANG = "<!-- mdverify: timeout=2 -->\n```python\nimport time\n\ntime.sleep(60)\n```"
"""A block that runs into its timeout with everything still open."""
LIST = """
    # List

    ```python
    import os

    print(sorted(n for n in os.listdir("/dev/shm") if n.startswith(("sem.", "psm_"))))
    ```

    ```text
    []
    ```
    """


def _path(name: str) -> Path:
    """Where Linux keeps a POSIX semaphore or shared memory segment named `name`."""
    base = name.lstrip("/")
    return Path("/dev/shm") / (base if base.startswith("psm_") else f"sem.{base}")


@pytest.mark.parametrize("start", ["warm", "cold"])
@pytest.mark.parametrize("ending", ["passes", "times out"])
def test_what_an_article_leaves_open_is_removed_after_it(pytester, article, start, ending):
    names = pytester.path / "names.txt"
    then = PASS if ending == "passes" else HANG
    article("leave.md", LEAVE.format(names=str(names), then=then))
    result = pytester.runpytest("--mdverify-sandbox=off", f"--mdverify-start={start}")
    if ending == "passes":
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(passed=1, failed=1)
    made = names.read_text().split()
    assert len(made) == 4  # a lock, a queue's lock, two segments: one the child's
    assert [name for name in made if _path(name).exists()] == []


@pytest.mark.skipif(isinstance(probe(sys.executable, None), Unavailable), reason="no sandbox here")
def test_inside_the_sandbox_the_next_article_finds_dev_shm_empty(pytester, article):
    # Warm only: the worker's sandbox, and its /dev/shm, outlive each article. A cold child
    # has a sandbox, and a /dev/shm, of its own, gone with it.
    # The names are written where the sandbox lets the article write: its own folder.
    article("a.md", LEAVE.format(names="names.txt", then=HANG))
    article("b.md", LEAVE.format(names="names.txt", then=PASS))
    article("c.md", LIST)
    # The real clock runs one article at a time, so c.md runs after the others have ended.
    result = pytester.runpytest(
        "--mdverify-sandbox=require", "--mdverify-start=warm", "--mdverify-clock=real"
    )
    result.assert_outcomes(passed=3, failed=1)


FORKSERVER = """
    # Forkserver

    ```python
    import multiprocessing as mp
    from pathlib import Path

    if __name__ == "__main__":
        ctx = mp.get_context("forkserver")
        worker = ctx.Process(target=print, args=("child",))
        worker.start()
        worker.join()
        Path({names!r}).write_text(mp.util.get_temp_dir())
    ```

    ```text
    child
    ```
    """


@pytest.mark.parametrize("start", ["warm", "cold"])
def test_the_forkservers_socket_folder_is_removed_after_the_article(pytester, article, start):
    names = pytester.path / "folder.txt"
    article("fork.md", FORKSERVER.format(names=str(names)))
    result = pytester.runpytest("--mdverify-sandbox=off", f"--mdverify-start={start}")
    result.assert_outcomes(passed=1)
    folder = Path(names.read_text())
    assert folder.name.startswith("pymp-")
    assert not folder.exists()


def test_a_ledger_names_only_what_it_may_unlink(tmp_path):
    from mdverify.run import posixipc  # noqa: PLC0415 -- the module under test

    outside = tmp_path / "kept"
    outside.write_text("")
    (tmp_path / posixipc.LEDGER).write_text(
        '["+", "semaphore", "/../../' + os.fspath(outside).lstrip("/") + '"]\n'
        '["+", "folder", "' + os.fspath(outside) + '"]\n'
        "not json\n"
    )
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "pymp-link").symlink_to(target)
    with (tmp_path / posixipc.LEDGER).open("a") as ledger:
        ledger.write('["+", "folder", "' + os.fspath(tmp_path / "pymp-link") + '"]\n')
    assert posixipc.release(tmp_path) == []
    assert outside.exists()
    assert target.exists()
    (tmp_path / "pymp-made").mkdir()
    with (tmp_path / posixipc.LEDGER).open("a") as ledger:
        ledger.write('["+", "folder", "' + os.fspath(tmp_path / "pymp-made") + '"]\n')
    assert posixipc.release(tmp_path) == [os.fspath(tmp_path / "pymp-made")]
    assert not (tmp_path / "pymp-made").exists()
