"""Where the sandbox cannot start, the default (`auto`) still gives a clean run, and says so.

Two ways a machine has no sandbox: bwrap is not installed, or it is and the kernel refuses
it a namespace (a container that forbids user namespaces, Ubuntu 24.04's AppArmor rule),
here a `bwrap` that fails as bwrap then does. Either way the articles pass without it and
the summary has one line naming what is not protected: one, also under xdist, where every
worker asks for itself.
"""

from __future__ import annotations

import sys

import pytest

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux's"),
]
GOOD = """
    # Good {n}

    ```python
    print("ok")  # ok
    ```
    """
REFUSED = "bwrap: No permissions to create a new namespace"
LINE = "mdverify: no sandbox ({why}): examples can read pytest's environment*"


def _machine(pytester: pytest.Pytester, monkeypatch, bwrap: str) -> str:
    """PATH without bwrap, or with one that fails as bwrap does without namespaces."""
    folder = pytester.mkdir("bin")
    if bwrap == "refused":
        script = folder / "bwrap"
        script.write_text(f"#!/bin/sh\necho '{REFUSED}' >&2\nexit 1\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin" if bwrap == "refused" else str(folder))
    return (
        f"bwrap failed: {REFUSED}" if bwrap == "refused" else "bubblewrap (bwrap) is not installed"
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
@pytest.mark.parametrize("bwrap", ["missing", "refused"])
def test_the_default_runs_without_the_sandbox_and_says_so_in_one_line(
    pytester, article, monkeypatch, bwrap, workers
):
    if workers:
        pytest.importorskip("xdist")
    why = _machine(pytester, monkeypatch, bwrap)
    for n in range(4):
        article(f"good{n}.md", GOOD.format(n=n))
    result = pytester.runpytest_subprocess(*workers)
    result.assert_outcomes(passed=4)
    lines = [line for line in result.outlines if line.startswith("mdverify: no sandbox")]
    assert len(lines) == 1, result.stdout.str()
    result.stdout.fnmatch_lines([LINE.format(why=why)])
