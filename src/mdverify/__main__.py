"""`python -m mdverify [pytest options] FILE...`: what the pre-commit hook runs.

It is pytest on the given files, except that collecting nothing (Markdown files without a
Python block) is a success: a commit that only touches prose must pass the hook. pytest runs
in a fresh interpreter, where it imports mdverify itself (and can rewrite its asserts).
"""

from __future__ import annotations

import subprocess
import sys

_NO_TESTS_COLLECTED = 5


def main(argv: list[str] | None = None) -> int:
    """Run pytest on `argv` and return its exit status, with 'no tests collected' as 0."""
    args = sys.argv[1:] if argv is None else argv
    status = subprocess.call([sys.executable, "-m", "pytest", *args])  # noqa: S603 -- our own argv
    return 0 if status == _NO_TESTS_COLLECTED else status


if __name__ == "__main__":
    sys.exit(main())
