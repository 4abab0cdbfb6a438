"""Shell fences: what they export for the blocks below them."""

from __future__ import annotations

import pytest

from mdverify.article.shell import exports


def test_export_lines_give_their_names_and_unquoted_values() -> None:
    body = "# set up\nexport A=1\nexport B='two words'\n$ export C=\"x y\"  # note\n"
    assert exports("bash", body) == (("A", "1"), ("B", "two words"), ("C", "x y"))


@pytest.mark.parametrize(
    "line",
    [
        "A=1",  # a shell variable: no child process sees it
        "export A",  # exports what the shell already has: nothing written
        "export A='unclosed",
        "echo export A=1",
    ],
)
def test_lines_that_export_no_value_are_not_read(line: str) -> None:
    assert exports("sh", line) == ()


def test_only_shell_fences_export() -> None:
    assert exports("text", "export A=1") == ()
    assert exports("console", "$ export A=1") == (("A", "1"),)
