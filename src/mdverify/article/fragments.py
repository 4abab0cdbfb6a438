"""Names no block of the article defines: API fragments, and what exercises leave out.

Tutorials list the calls of an API in one- or two-line blocks (`await queue.put(item)`
under "Key concepts", `lst.append(item)` under "# syntax"). Run as scripts, each fails
with a NameError that is mdverify's mistake, not the writer's. A block is such a fragment,
and is skipped with the names and the line, when all of these hold:

* it has at most `MAX_LINES` lines of code (comments and blank lines aside) and declares
  no output and no timing: a writer who shows what it prints or how long it takes means
  it to run;
* at its top level (outside function bodies, where a name is looked up when the block
  runs) it uses a name that is no builtin, is not bound above that use in the block, and
  is bound by no other block of the article, at any depth. A block that does not parse
  counts as binding every word in it.

A name that another block binds only inside a function (`leftovers`, a local of the
`def` above) is not bound at the top level, where the fragment uses it: the fragment is
one line of that function, shown alone. It is skipped too, naming the block that binds it
(`local`), and so is a longer block whose run ends on a NameError for such a name, used
at its own top level. A name declared `global` in a function counts as bound at the top
level, and so does any name a class body binds.

A name that some other block defines at its top level (`np` from an `import numpy as np`
that failed) is a real dependency: the block runs, and its NameError says what went wrong
before it. So is a near-miss of a builtin or of a name the article binds (`pritn`, `totl`
beside `total`): a typo, which fails.

Longer blocks that parse can lack names too: an exercise stub (`print(reverse_list([1, 2,
3]))` under "write a function called reverse_list") or a template that happens to parse
(`for item in iterable:`). Whether one does is known only when it runs, so `unbound` gives
each block the names it may lack, for the run's verdict (`mdverify.check.runskips.skip_of`):
each name it or a block above it uses, at any depth, that is no builtin, that no block of
the article binds anywhere (a block that does not parse: what each of its lines would bind
alone), that is no near-miss of a known name, and that is no standard module's name nor a
name a common one exports (a NameError for `os` or for `reduce` is a missing import, a
real defect). An article with a star import lacks nothing, as it may bind any name, unless
the module is one of those common ones: then it binds what the module exports.
"""

from __future__ import annotations

import ast
import difflib
import textwrap
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.article.bindings import (
    BUILTINS,
    WORD,
    bound_anywhere,
    bound_at_top,
    bound_by_lines,
    bound_in,
    module_scope,
    stdlib,
    unbound_in,
)
from mdverify.model import Skip, SkipKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import Example

__all__ = ["MAX_LINES", "binds", "fragments", "local", "unbound", "with_names"]

MAX_LINES = 3
_FIRST = 2  # a block's own binding, and the first other one


def fragments(examples: Sequence[Example], read: Sequence[BlockSyntax | None]) -> dict[int, Skip]:
    """The skip of each fragment, by example index; `read` is each block's reading."""
    bound = [bound_anywhere(e, syntax) for e, syntax in zip(examples, read, strict=True)]
    top = [bound_at_top(e, syntax) for e, syntax in zip(examples, read, strict=True)]
    # Counts and first binders, not a union of the other blocks per block: an article of
    # thousands of short blocks would make that quadratic.
    top_count = Counter(name for names in top for name in names)
    binders = _first_two(bound)
    found: dict[int, Skip] = {}
    for index, (example, syntax) in enumerate(zip(examples, read, strict=True)):
        if syntax is None or syntax.tree is None or not _may_be_fragment(example, syntax):
            continue

        def elsewhere(name: str, index: int = index) -> bool:
            return top_count[name] > (name in top[index])

        unknown = [(n, line) for n, line in unbound_in(syntax.tree) if not elsewhere(n)]
        if not unknown:
            continue
        others_top = {n for n in top_count if elsewhere(n)}
        inside = {
            name: examples[next(i for i in first if i != index)].line
            for name, first in binders.items()
            if any(i != index for i in first) and name not in others_top
        }
        known = BUILTINS | others_top | bound[index] | set(inside)
        # A name bound inside a function above is no typo of itself, only of another name.
        if not any(_likely_mistake(n, known - {n}) for n, _ in unknown):
            names = list(dict.fromkeys(n for n, _ in unknown))
            local_names = [n for n in names if n in inside]
            if local_names:
                line = inside[local_names[0]]
                found[index] = Skip(SkipKind.LOCAL, ", ".join(local_names), line)
            else:
                line = syntax.article_line(unknown[0][1])
                found[index] = Skip(SkipKind.FRAGMENT, ", ".join(names), line)
    return found


def _may_be_fragment(example: Example, syntax: BlockSyntax) -> bool:
    """A short block that declares nothing and that the writer said nothing about."""
    if example.outputs or example.timings or example.raises:  # meant to run as shown
        return False
    if example.settings.skip is not None or example.settings.xfail is not None:
        return False
    code = [ln for ln in syntax.lines if ln.strip() and not ln.lstrip().startswith("#")]
    return len(code) <= MAX_LINES


def _first_two(bound: Sequence[set[str]]) -> dict[str, list[int]]:
    """For each name, the first two blocks that bind it: the first that is not a given one."""
    binders: dict[str, list[int]] = {}
    for i, names in enumerate(bound):
        for name in names:
            first = binders.setdefault(name, [])
            if len(first) < _FIRST:
                first.append(i)
    return binders


def with_names(examples: Sequence[Example], read: Sequence[BlockSyntax | None]) -> list[Example]:
    """`examples` with the names each binds, uses unbound, and uses that only functions bind."""
    found = unbound(examples, read), binds(examples, read), local(examples, read)
    return [
        replace(
            example,
            unbound=found[0].get(index, example.unbound),
            binds=found[1].get(index, example.binds),
            local=found[2].get(index, example.local),
            reads=reads(syntax, found[1].get(index, frozenset())),
        )
        for index, (example, syntax) in enumerate(zip(examples, read, strict=True))
    ]


def reads(syntax: BlockSyntax | None, own: frozenset[str]) -> frozenset[str]:
    """The names a block reads, at any depth, that it does not bind itself."""
    if syntax is None or syntax.tree is None:
        return frozenset()
    loads = (n.id for n in ast.walk(syntax.tree) if isinstance(n, ast.Name))
    return frozenset(n for n in loads if n not in own)


def binds(
    examples: Sequence[Example], read: Sequence[BlockSyntax | None]
) -> dict[int, frozenset[str]]:
    """The names each Python block binds, at any depth, by example index.

    A block that does not parse never runs, and its SyntaxError is its failure: what its
    lines would bind (`bound_by_lines`) counts, so that a later block's NameError for its
    function is that failure again, not a second one.
    """
    return {
        index: frozenset(
            bound_in(syntax.tree) if syntax.tree is not None else bound_by_lines(example.source)
        )
        for index, (example, syntax) in enumerate(zip(examples, read, strict=True))
        if syntax is not None
    }


def unbound(
    examples: Sequence[Example], read: Sequence[BlockSyntax | None]
) -> dict[int, frozenset[str]]:
    """The names each block may lack (see the module docstring), by example index.

    A block's run looks up the names its own code uses, and those of the functions that
    the blocks above it define: a block may lack what it or a block above it uses.
    """
    bound: set[str] = set()
    for example, syntax in zip(examples, read, strict=True):
        if syntax is None:  # a pycon block: each of its words counts as bound
            bound |= set(WORD.findall(example.source))
        elif syntax.tree is not None:
            bound |= bound_in(syntax.tree)
        else:
            bound |= bound_by_lines(example.source)
    if "*" in bound:
        return {}
    known = BUILTINS | bound
    found: dict[int, frozenset[str]] = {}
    lacking: frozenset[str] = frozenset()
    for index, syntax in enumerate(read):
        tree = None if syntax is None else syntax.tree
        if syntax is not None and tree is None:
            # It never runs. Indented as a whole, it may still be an exercise: its names
            # then say so, though its IndentationError is what the run meets.
            own = _lacks(_dedented(examples[index].source), known)
            if own:
                found[index] = own
            continue
        lacking |= _lacks(tree, known)  # a pycon block adds none: its words count as bound
        if lacking:
            found[index] = lacking
    return found


def _lacks(tree: ast.Module | None, known: set[str] | frozenset[str]) -> frozenset[str]:
    """The names `tree` uses that are not `known`, and that are no typo nor a module."""
    if tree is None:
        return frozenset()
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - known
    return frozenset(n for n in used if not stdlib(n) and not _likely_mistake(n, known))


def _dedented(source: str) -> ast.Module | None:
    """The block's tree once its common indentation is gone, if it is indented as a whole."""
    text = textwrap.dedent(source)
    if text == source:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def local(
    examples: Sequence[Example], read: Sequence[BlockSyntax | None]
) -> dict[int, tuple[tuple[str, int], ...]]:
    """What each block uses at its top level that the article binds only inside functions.

    By example index: (name, line of the first block that binds it), for the run's verdict
    (`mdverify.check.runskips.skip_of`). The name is the function's own, even when it is a
    near-miss of a top-level one (`tasks` in a function, `task` at the top level): a typo
    seldom spells a name the article binds. A typo that matches nothing still fails.
    """
    top: set[str] = set()
    anywhere: dict[str, int] = {}
    for example, syntax in zip(examples, read, strict=True):
        top |= bound_at_top(example, syntax)
        for name in bound_anywhere(example, syntax):
            anywhere.setdefault(name, example.line)
    if "*" in top:
        return {}
    inside = {name: line for name, line in anywhere.items() if name not in top}
    found: dict[int, tuple[tuple[str, int], ...]] = {}
    for index, syntax in enumerate(read):
        if syntax is None or syntax.tree is None:
            continue
        used = {
            node.id
            for stmt in syntax.tree.body
            for node in module_scope(stmt)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        names = sorted(used & set(inside))
        if names:
            found[index] = tuple((n, inside[n]) for n in names)
    return found


def _likely_mistake(name: str, known: set[str] | frozenset[str]) -> bool:
    """A near-miss of a known name (`pritn`, `totl` beside `total`): a typo, not an API name.

    The block runs, and its NameError is reported.

    A standard module's name is no sign of a missing import: `await queue.put(item)` uses
    an `asyncio.Queue` called `queue`, not the `queue` module.
    """
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.8)
    # One slip of a finger per five letters (`pritn`, `totl`), not a name that only begins
    # the same way (`add_item` beside `add_ten`: two edits in eight letters, a new name).
    return any(_edits(name, other) <= max(1, len(name) // 5) for other in close)


def _edits(a: str, b: str) -> int:
    """Edits from `a` to `b`: insertions, deletions, substitutions and swaps of neighbours."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, row = row, current
    return row[-1]
