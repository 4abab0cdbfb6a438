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
each block the names it may lack, for the run's verdict (`mdverify.check.skips.skip_of`):
each name it or a block above it uses, at any depth, that is no builtin, that no block of
the article binds anywhere (a block that does not parse: what each of its lines would bind
alone), that is no near-miss of a known name, and that is no standard module's name nor a
name a common one exports (a NameError for `os` or for `reduce` is a missing import, a
real defect). An article with a star import lacks nothing, as it may bind any name, unless
the module is one of those common ones: then it binds what the module exports.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import functools
import importlib
import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.model import Skip, SkipKind

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import Example

__all__ = ["MAX_LINES", "binds", "fragments", "local", "unbound", "with_names"]

MAX_LINES = 3
_BUILTINS = frozenset({*dir(builtins), "__file__", "__builtins__"})
_WORD = re.compile(r"[A-Za-z_]\w*")


def fragments(examples: Sequence[Example], read: Sequence[BlockSyntax | None]) -> dict[int, Skip]:
    """The skip of each fragment, by example index; `read` is each block's reading."""
    bound = [_bound_anywhere(e, syntax) for e, syntax in zip(examples, read, strict=True)]
    top = [_bound_at_top(e, syntax) for e, syntax in zip(examples, read, strict=True)]
    found: dict[int, Skip] = {}
    for index, (example, syntax) in enumerate(zip(examples, read, strict=True)):
        if syntax is None or syntax.tree is None or example.outputs or example.timings:
            continue
        if example.raises:  # it declares what it raises: meant to run
            continue
        if example.settings.skip is not None or example.settings.xfail is not None:
            continue
        code = [ln for ln in syntax.lines if ln.strip() and not ln.lstrip().startswith("#")]
        if len(code) > MAX_LINES:
            continue
        others = [i for i in range(len(examples)) if i != index]
        elsewhere = set().union(*(top[i] for i in others))
        inside = {name: examples[i].line for i in reversed(others) for name in bound[i] - elsewhere}
        unknown = [(n, line) for n, line in _unbound(syntax.tree) if n not in elsewhere]
        known = _BUILTINS | elsewhere | bound[index] | set(inside)
        # A name bound inside a function above is no typo of itself, only of another name.
        if unknown and not any(_likely_mistake(n, known - {n}) for n, _ in unknown):
            names = list(dict.fromkeys(n for n, _ in unknown))
            local_names = [n for n in names if n in inside]
            if local_names:
                line = inside[local_names[0]]
                found[index] = Skip(SkipKind.LOCAL, ", ".join(local_names), line)
            else:
                line = syntax.article_line(unknown[0][1])
                found[index] = Skip(SkipKind.FRAGMENT, ", ".join(names), line)
    return found


def with_names(examples: Sequence[Example], read: Sequence[BlockSyntax | None]) -> list[Example]:
    """`examples` with the names each binds, uses unbound, and uses that only functions bind."""
    found = unbound(examples, read), binds(read), local(examples, read)
    return [
        replace(
            example,
            unbound=found[0].get(index, example.unbound),
            binds=found[1].get(index, example.binds),
            local=found[2].get(index, example.local),
        )
        for index, example in enumerate(examples)
    ]


def binds(read: Sequence[BlockSyntax | None]) -> dict[int, frozenset[str]]:
    """The names each block that parses binds, at any depth, by example index."""
    return {
        index: frozenset(_bound_in(syntax.tree))
        for index, syntax in enumerate(read)
        if syntax is not None and syntax.tree is not None
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
            bound |= set(_WORD.findall(example.source))
        elif syntax.tree is not None:
            bound |= _bound_in(syntax.tree)
        else:
            bound |= _bound_by_lines(example.source)
    if "*" in bound:
        return {}
    known = _BUILTINS | bound
    found: dict[int, frozenset[str]] = {}
    lacking: frozenset[str] = frozenset()
    for index, syntax in enumerate(read):
        tree = None if syntax is None else syntax.tree
        if syntax is not None and tree is None:
            continue  # it does not parse: it never runs
        if tree is not None:  # a pycon block adds none of its own: its words count as bound
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - known
            lacking |= {n for n in used if not _stdlib(n) and not _likely_mistake(n, known)}
        if lacking:
            found[index] = lacking
    return found


def local(
    examples: Sequence[Example], read: Sequence[BlockSyntax | None]
) -> dict[int, tuple[tuple[str, int], ...]]:
    """What each block uses at its top level that the article binds only inside functions.

    By example index: (name, line of the first block that binds it), for the run's verdict
    (`mdverify.check.skips.skip_of`). A near-miss of a name bound at the top level, or of a
    builtin, is left out: it may be a typo of that name, which fails.
    """
    top: set[str] = set()
    anywhere: dict[str, int] = {}
    for example, syntax in zip(examples, read, strict=True):
        top |= _bound_at_top(example, syntax)
        for name in _bound_anywhere(example, syntax):
            anywhere.setdefault(name, example.line)
    if "*" in top:
        return {}
    inside = {name: line for name, line in anywhere.items() if name not in top}
    known = _BUILTINS | top
    found: dict[int, tuple[tuple[str, int], ...]] = {}
    for index, syntax in enumerate(read):
        if syntax is None or syntax.tree is None:
            continue
        used = {
            node.id
            for stmt in syntax.tree.body
            for node in _module_scope(stmt)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        names = sorted(n for n in used & set(inside) if not _likely_mistake(n, known - {n}))
        if names:
            found[index] = tuple((n, inside[n]) for n in names)
    return found


def _bound_at_top(example: Example, syntax: BlockSyntax | None) -> set[str]:
    """What a block binds at its top level; a block read as words binds every word.

    A function's body and arguments are its own scope, except for its `global` names.
    """
    if syntax is None or syntax.tree is None:
        return _bound_anywhere(example, syntax) or set(_WORD.findall(example.source))
    bound = {
        name for stmt in syntax.tree.body for node in _top_scope(stmt) for name in _binds(node)
    }
    bound |= {
        n for node in ast.walk(syntax.tree) if isinstance(node, ast.Global) for n in node.names
    }
    return bound


def _top_scope(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and what under it binds in the module: not function or lambda bodies or args."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            child in node.body or child is node.args
        ):
            continue
        if isinstance(node, ast.Lambda):
            continue  # its defaults bind nothing
        yield from _top_scope(child)


def _bound_by_lines(source: str) -> set[str]:
    """What a block that does not parse would bind: what each of its lines binds alone.

    Such a block never runs. Its SyntaxError fails it, or it is skipped as a template, and
    either says what went wrong before a later block's NameError; the names it was meant to
    bind (`import numpy as np` in a block indented as a whole) are still not lacking. A
    line that opens a block (`for item in items:`) is read with a `pass` body.
    """
    bound: set[str] = set()
    for line in source.splitlines():
        text = line.strip()
        for attempt in (text, f"{text} pass"):
            try:
                tree = ast.parse(attempt)
            except SyntaxError:
                continue
            bound |= _bound_in(tree)
            break
    return bound


def _bound_in(tree: ast.AST) -> set[str]:
    """What `tree` binds, at any depth; "*" for a star import that may bind anything.

    A star import of a module of `_FROM_IMPORTED` binds what that module exports.
    """
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.names[0].name == "*":
            known = node.module in _FROM_IMPORTED
            bound |= _exports(node.module) if node.module and known else {"*"}
        elif not (isinstance(node, ast.alias) and node.name == "*"):
            bound.update(_binds(node))
    return bound


# Standard modules whose names a tutorial imports one by one (`from functools import
# reduce`): a NameError for one of those names is a missing import, as for a module's name.
_FROM_IMPORTED = (
    "abc",
    "argparse",
    "asyncio",
    "base64",
    "bisect",
    "collections",
    "concurrent.futures",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "fractions",
    "functools",
    "glob",
    "hashlib",
    "heapq",
    "itertools",
    "json",
    "logging",
    "math",
    "operator",
    "os",
    "os.path",
    "pathlib",
    "pprint",
    "queue",
    "random",
    "re",
    "shutil",
    "socket",
    "statistics",
    "string",
    "subprocess",
    "sys",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "typing",
    "urllib.parse",
    "urllib.request",
    "uuid",
)


def _stdlib(name: str) -> bool:
    """Whether `name` is a standard module's, or a name one of `_FROM_IMPORTED` exports."""
    return name in sys.stdlib_module_names or name in _exported()


@functools.cache
def _exported() -> frozenset[str]:
    return frozenset().union(*map(_exports, _FROM_IMPORTED))


@functools.cache
def _exports(module_name: str) -> frozenset[str]:
    """What `from module_name import *` binds."""
    module = importlib.import_module(module_name)
    return frozenset(getattr(module, "__all__", None) or [n for n in dir(module) if n[0] != "_"])


def _likely_mistake(name: str, known: set[str] | frozenset[str]) -> bool:
    """A near-miss of a known name (`pritn`, `totl` beside `total`): a typo, not an API name.

    The block runs, and its NameError is reported.

    A standard module's name is no sign of a missing import: `await queue.put(item)` uses
    an `asyncio.Queue` called `queue`, not the `queue` module.
    """
    return bool(difflib.get_close_matches(name, known, n=1, cutoff=0.8))


def _bound_anywhere(example: Example, syntax: BlockSyntax | None) -> set[str]:
    if syntax is None:
        return set()
    if syntax.tree is None:
        return set(_WORD.findall(example.source))
    return {name for node in ast.walk(syntax.tree) for name in _binds(node)}


def _unbound(tree: ast.Module) -> list[tuple[str, int]]:
    """(name, block line) of each top-level use of a name not bound above it in the block."""
    bound: set[str] = set(_BUILTINS)
    found: list[tuple[str, int]] = []
    for stmt in tree.body:
        own = {name for node in _module_scope(stmt) for name in _binds(node)}
        if "*" in own:
            return []  # a star import may bind anything
        found.extend(
            (node.id, node.lineno)
            for node in _module_scope(stmt)
            if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id not in bound | own
        )
        bound |= own
    return found


def _module_scope(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and what under it runs when the block runs: not function or lambda bodies."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and child in node.body:
            continue
        if isinstance(node, ast.Lambda) and child is node.body:
            continue
        yield from _module_scope(child)


def _binds(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        yield node.id
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
    elif isinstance(node, ast.arg):
        yield node.arg
    elif isinstance(node, ast.alias):
        yield (node.asname or node.name).split(".")[0]
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        yield node.name
    elif isinstance(node, ast.Global | ast.Nonlocal):
        yield from node.names
