"""The sdist and the wheel, built offline by the build backend, hold what a release needs."""

from __future__ import annotations

import email.parser
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import mdverify

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs mdverify's checkout"),
]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The sdist and the wheel, built by hatchling itself: no build isolation, no network."""
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--directory", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def sdist_names(sdist):
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}


def wheel_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode()), archive.namelist()


def test_the_licence_is_in_the_sdist_and_the_wheel(dist):
    sdist, wheel = dist
    assert "LICENSE" in sdist_names(sdist)
    metadata, names = wheel_metadata(wheel)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names), names
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]


def test_the_sdist_has_the_changelog(dist):
    sdist, _ = dist
    assert "CHANGELOG.md" in sdist_names(sdist)


def test_the_version_comes_from_one_place(dist):
    sdist, wheel = dist
    metadata, _ = wheel_metadata(wheel)
    assert metadata["Version"] == mdverify.__version__
    assert wheel.name.startswith(f"pytest_mdverify-{mdverify.__version__}-")
    assert sdist.name == f"pytest_mdverify-{mdverify.__version__}.tar.gz"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert not re.search(r"^version\s*=", pyproject, re.MULTILINE)
    # The changelog's newest entry is the version being built.
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert newest is not None
    assert newest[1] == mdverify.__version__


def test_the_runtime_dependencies_are_pytest_markdown_it_and_frontmatter(dist):
    """pytest-asyncio is none: mdverify never imports it, so a docs tree gets no asyncio noise."""
    _, wheel = dist
    metadata, _ = wheel_metadata(wheel)
    runtime = [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]
    names = sorted(re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0].lower() for r in runtime)
    assert names == [
        "markdown-it-py",
        "mdit-py-plugins",
        "pytest",
        "python-frontmatter",
    ], runtime
