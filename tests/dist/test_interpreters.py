"""tox finds every Python of its env_list on a pyenv machine, with no PATH set by hand."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.process,  # python-discovery runs each interpreter it finds
    pytest.mark.skipif(shutil.which("pyenv") is None, reason="needs pyenv"),
]


def env_list_pythons():
    """The CPython versions tox.ini's env_list names: py310 -> (3, 10)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tox.ini", encoding="utf-8")
    names = re.split(r"[,\s]+", config["tox"]["env_list"])
    return [(3, int(m[1])) for name in names if (m := re.fullmatch(r"py3(\d+)", name))]


def installed_by_pyenv():
    out = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
    ).stdout
    return {
        tuple(map(int, v.split(".")[:2])) for v in out.split() if re.fullmatch(r"3\.\d+\.\d+", v)
    }


@pytest.mark.parametrize("version", env_list_pythons(), ids=lambda v: f"py{v[0]}{v[1]}")
def test_tox_discovery_finds_each_python_pyenv_has(version, monkeypatch):
    """tox asks python-discovery, which finds pyenv's shims on PATH and resolves them the way
    pyenv does: from the .python-version of the folder tox runs in."""
    discovery = pytest.importorskip("python_discovery")
    if version not in installed_by_pyenv():
        pytest.skip(f"pyenv has no CPython {version[0]}.{version[1]}")
    monkeypatch.chdir(ROOT)
    # As from a shell: no PYENV_VERSION (it would override the file), the pyenv global unchanged.
    env = {k: v for k, v in os.environ.items() if k != "PYENV_VERSION"}
    found = discovery.get_interpreter(f"py{version[0]}{version[1]}", env=env)
    assert found is not None
    assert found.version_info[:2] == version
