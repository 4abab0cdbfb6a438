r"""Output pasted into a Python fence under a label: read as the output of the code above.

Tutorials often end a block with what it printed, right in the fence:

    print('Day 1\t5')
    print('Day 2\t6')

    # output
    Day 1   5
    Day 2   6

As it stands the fence does not parse, and `mdverify.article.notcode` would skip it. A
reader sees code and its output, so it is read as both: the lines after the label (a
comment of a word or two that names output, `# output`, `# Output:`, or such a word
alone and a colon, `output:`) are the output of the code above the label, up to the
first blank line that code follows (and that code runs after), or up to the end of the
block when no blank line with more text below stands after the label.

It is read so only when that makes a program: the code above the label parses and calls
`print` (an exercise's input with the answer under `output:` prints nothing: it stays a
skipped block), and the whole block parses once the output lines are taken out. The
pasted lines become `#>` lines (`mdverify.article.claims`: output under the statement
above, whatever stands around it), so the claim covers what was printed up to the label;
the label becomes a comment. Line numbers stay those of the article.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.article.fences import names_output

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import OutputClaim

__all__ = ["FORM", "mark", "pasted_output", "reread"]

_TRIES = 8
"""Labels, and blank lines after one, tried at most: each try parses the block."""
FORM = "the output pasted under the label in the code"
"""How a report names the claim (`OutputClaim.form`)."""


def reread(
    source: str,
    syntax: BlockSyntax | None,
    words: Collection[str],
    allowed: bool,
    read: Callable[[str], BlockSyntax],
) -> tuple[str, BlockSyntax | None, tuple[int, int] | None]:
    """The block's source and syntax with its pasted output read, and the region's lines.

    The region is in article lines; with no pasted output, the source and syntax are as they
    were and the region None. `read` reads a source into its syntax; `allowed`:
    whether the block may be read so (not a file, nothing included).
    """
    if not allowed or syntax is None or syntax.tree is not None:
        return source, syntax, None
    found = pasted_output(source, words)
    if found is None:
        return source, syntax, None
    text, first, last = found
    offset = syntax.first_line - 1
    return text, read(text), (first + offset, last + offset)


def mark(
    outputs: tuple[OutputClaim, ...], region: tuple[int, int] | None
) -> tuple[OutputClaim, ...]:
    """The claims read from the pasted region, named as such in reports (`FORM`).

    The pasted lines are all that the code above the label printed, so they replace the
    claims above it: a trailing comment on a print there (`print(a)  # line break`) would
    otherwise take that print's output from the pasted claim.
    """
    if region is None:
        return outputs
    first, last = region
    return tuple(replace(c, form=FORM) if c.line <= last else c for c in outputs if c.line >= first)


def pasted_output(source: str, words: Collection[str]) -> tuple[str, int, int] | None:
    """`source` with its pasted output as `#>` lines, and the region's first and last line.

    The lines are 1-based in `source`: the label's line and the last output line. None when
    the block is not so read.
    """
    try:
        ast.parse(source)
    except SyntaxError:
        pass
    except ValueError:  # a NUL byte
        return None
    else:
        return None
    lines = source.split("\n")
    text_end = max((n for n, t in enumerate(lines) if t.strip()), default=-1)
    # Each try parses the block once: a few labels and blank lines are what pages have,
    # and a hostile block of thousands of them costs no more than a few.
    labels = [at for at, text in enumerate(lines) if _is_label(text, words)][:_TRIES]
    for at in labels:
        text = lines[at]
        if not _prints("\n".join(lines[:at])):
            continue
        # The output ends at the first blank line that code follows, or at the block's end
        # when no blank line with text below stands after it; anything else is not read so.
        rests = [n for n in range(at + 2, text_end) if not lines[n].strip()]
        code = next((n for n in rests[:_TRIES] if _parses("\n".join(lines[n:]))), None)
        ends = [code] if code is not None else ([] if rests else [len(lines)])
        for end in ends:
            output = lines[at + 1 : end]
            while output and not output[-1].strip():
                output.pop()
            if not output:
                continue
            last = at + len(output)  # 0-based index of the last output line
            label = text if text.lstrip().startswith("#") else f"# {text}"
            rewritten = [
                *lines[:at],
                label,
                *(f"#> {line}".rstrip() for line in output),
                *lines[last + 1 :],
            ]
            candidate = "\n".join(rewritten)
            try:
                ast.parse(candidate)
            except (SyntaxError, ValueError):
                continue
            return candidate, at + 1, last + 1
    return None


def _is_label(line: str, words: Collection[str]) -> bool:
    """`# output`, `# Output:`, `output:` at column 0: a word or two that names output."""
    if line != line.lstrip():
        return False
    comment = line.startswith("#")
    text = line.lstrip("#").strip()
    if not comment and not text.endswith(":"):
        return False
    text = text.rstrip(":").strip()
    return 0 < len(text.split()) <= 2 and names_output(text, words)


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _prints(code: str) -> bool:
    """Whether `code` parses and calls `print` somewhere."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
        for node in ast.walk(tree)
    )
