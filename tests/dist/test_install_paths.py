"""Every install step the docs show works today, or says plainly that it is for after a release."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").glob("*")])
# Only the package index knows the distribution by this name, and it does not, yet.
FROM_AN_INDEX = re.compile(r"pip install\s+(-\S+\s+)*['\"]?pytest-mdverify\b")
NEAR = 3  # lines above an install step where its "after a release" may stand


def pages():
    return [pytest.param(page, id=str(page.relative_to(ROOT))) for page in PAGES if page.is_file()]


@pytest.mark.parametrize("page", pages())
def test_an_install_from_the_package_index_is_marked_for_after_a_release(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    unmarked = [
        f"{page.name}:{number}: {line.strip()}"
        for number, line in enumerate(lines, 1)
        if FROM_AN_INDEX.search(line)
        and not any(
            "after a release" in above.lower()
            for above in lines[max(0, number - 1 - NEAR) : number]
        )
    ]
    assert not unmarked


@pytest.mark.parametrize("page", pages())
def test_no_install_step_has_a_placeholder_to_fill_in(page):
    text = page.read_text(encoding="utf-8")
    placeholders = [
        match[0]
        for match in re.finditer(r"^\s*(?:-\s+)?(?:repo|rev):\s*<[^>]*>.*$", text, re.MULTILINE)
    ]
    assert not placeholders
