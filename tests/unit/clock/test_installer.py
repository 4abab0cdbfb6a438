"""Installing the clock: once per process, undone in full, and light to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mdverify import clock
from mdverify.clock.installer import uninstall


def test_install_is_idempotent_and_refuses_another_mode(virtual):
    assert clock.install("virtual") is virtual
    with pytest.raises(RuntimeError, match="already installed"):
        clock.install("real")


def test_install_refuses_an_unknown_clock():
    with pytest.raises(ValueError, match="unknown clock 'sundial'"):
        clock.install("sundial")


def test_uninstall_restores_every_patched_name(patched_names):
    before = patched_names()
    clock.install("virtual")
    try:
        assert patched_names() != before
    finally:
        uninstall()
    assert patched_names() == before


def test_clock_package_does_not_import_pytest(clocked):
    code = "import sys, mdverify.clock; print('pytest' in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clocked.env(),
        check=True,
    )
    assert proc.stdout.strip() == "False"
