"""Resource limits: `mdverify.run.limits` in a child, and size parsing in `mdverify.run.options`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mdverify.run import limits
from mdverify.run.options import parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [("1024", 1024), ("64K", 65536), ("1M", 1 << 20), ("4G", 4 << 30), ("2MiB", 2 << 20)],
)
def test_parse_size_reads_binary_suffixes(text, size):
    assert parse_size(text) == size


def test_parse_size_rejects_words():
    with pytest.raises(ValueError, match="expected a size such as 512M"):
        parse_size("lots")


def test_apply_sets_memory_and_file_size_limits_in_the_process():
    script = (
        "import json, resource\n"
        "from mdverify.run import limits\n"
        "limits.apply({'memory': 1 << 30, 'processes': None, 'file_size': 1 << 20})\n"
        "print(json.dumps([resource.getrlimit(resource.RLIMIT_AS)[0],"
        " resource.getrlimit(resource.RLIMIT_FSIZE)[0]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [1 << 30, 1 << 20]


def test_apply_never_raises_a_limit_that_is_already_lower():
    script = (
        "import resource\n"
        "from mdverify.run import limits\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))\n"
        "limits.apply({'memory': None, 'processes': None, 'file_size': 1 << 20})\n"
        "print(resource.getrlimit(resource.RLIMIT_FSIZE)[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "1000"


def test_describe_names_a_known_mechanism():
    assert limits.mechanism() in {"cgroup", "rlimit", "none"}
