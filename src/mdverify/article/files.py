"""Python blocks that are files: `python title="server.py"`, `python file=server.py`.

A tutorial often shows a file rather than code to run: "save this as `server.py`", then a
block that imports it or a console transcript that runs it. Such a block is written to that
path in the article's working directory when the article reaches it, and does not run in
the blocks' namespace (docs/files.md shows each form). The rule:

* `file=NAME` names a file, whatever NAME is: the writer said so;
* `title="NAME"` names a file when NAME is one word (no whitespace) ending in `.py`. A
  title of several words ("The server.py file") is a caption, and a title that names
  output (`title="Output"`) keeps its meaning (`mdverify.article.fences`).

The name is relative to the working directory, `/` separating folders; an absolute name
or one with a `..` part would write outside it, and is an error at the fence's line.

Only a console transcript that runs the file (`$ python server.py`) declares the output of
a file block, which then also runs as that script does; the comments in the file are its
own, so they are no claims, and nothing of the file's code is rewritten by an update.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from mdverify.article.fences import title
from mdverify.model import ArticleError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.article.fences import Declared
    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import Example, OutputClaim

__all__ = ["as_files", "file_name", "paired", "pairs", "written_to"]

_FILE = re.compile(
    r"""(?:^|[\s{])file\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s}]+))"""
)


def file_name(info: str) -> str | None:
    """The file a Python fence's info string names, as written; None: the block is code."""
    match = _FILE.search(info)
    if match is not None:
        return next(g for g in (match["dq"], match["sq"], match["bare"]) if g is not None)
    named = title(info)
    if named is not None and re.fullmatch(r"\S+\.py", named.strip()):
        return named.strip()
    return None


def written_to(path: str, line: int, info: str) -> str | None:
    """The path, relative to the working directory, that the fence at `line` is written to.

    None: the block is code. A name that leaves the working directory is an `ArticleError`.
    """
    name = file_name(info)
    if name is None:
        return None
    windows = PureWindowsPath(name)
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not name.strip() or windows.drive or windows.root or name.startswith(("/", "~")):
        message = f"file name {name!r} is not relative to the working directory"
        raise ArticleError(path, line, message)
    if ".." in parts:
        raise ArticleError(path, line, f"file name {name!r} leaves the working directory (..)")
    kept = [part for part in parts if part != "."]
    if not kept or name.endswith(("/", "\\")):
        raise ArticleError(path, line, f"file name {name!r} names a folder, not a file")
    return "/".join(kept)


def pairs(example: Example, declared: Declared) -> bool:
    """Whether `declared`, after `example`, is its output: for a file, a run of that file."""
    if example.writes is None:
        return True
    script = declared.script.replace("\\", "/").removeprefix("./")
    return declared.kind == "transcript" and script == example.writes


def paired(example: Example, claim: OutputClaim) -> Example:
    """`example` with the output `claim` declares; a file it declares it for runs as a script."""
    return replace(example, outputs=(*example.outputs, claim), script=example.writes is not None)


def as_files(
    read: Sequence[tuple[Example, BlockSyntax | None]],
) -> list[tuple[Example, BlockSyntax | None]]:
    """The examples with what a file block does not run in the article left out.

    A file's comments, timing comments and last value are the file's: only the transcript
    that runs it, and its directive, declare anything. Its reading becomes None, so that the
    names it binds (in its own module) are none of the article's, and no guess skips it.
    """
    found: list[tuple[Example, BlockSyntax | None]] = []
    for example, syntax in read:
        if example.writes is None:
            found.append((example, syntax))
            continue
        # Only a transcript pairs with a file (`pairs`); a directive stands above the code.
        outputs = tuple(c for c in example.outputs if c.kind == "transcript")
        timings = tuple(t for t in example.timings if t.line < example.code_line)
        run = example.script  # a directive's `raises` and `elapsed` need a run to compare
        kept = replace(
            example,
            outputs=outputs,
            timings=timings if run else (),
            raises=example.raises if run else (),
            display=None,
        )
        found.append((kept, None))
    return found
