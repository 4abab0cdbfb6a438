"""What each block binds, and what it uses unbound: the scopes the fragment rules read.

A block that parses binds what its tree binds (`bound_in`, `bound_anywhere`); at its top
level (`bound_at_top`) a function's body and arguments are the function's own, except for
its `global` names. A block that does not parse binds what each of its lines would bind
alone (`bound_by_lines`), or, read as words, every word. `unbound_in` lists the top-level
uses of names nothing above them in the block binds.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import Example

__all__ = [
    "BUILTINS",
    "WORD",
    "bound_anywhere",
    "bound_at_top",
    "bound_by_lines",
    "bound_in",
    "module_scope",
    "names_bound",
    "stdlib",
    "unbound_in",
]

BUILTINS = frozenset({*dir(builtins), "__file__", "__builtins__"})
WORD = re.compile(r"[A-Za-z_]\w*")


def bound_at_top(example: Example, syntax: BlockSyntax | None) -> set[str]:
    """What a block binds at its top level; a block read as words binds every word.

    A function's body and arguments are its own scope, except for its `global` names.
    """
    if syntax is None or syntax.tree is None:
        return bound_anywhere(example, syntax) or set(WORD.findall(example.source))
    bound = {
        name for stmt in syntax.tree.body for node in _top_scope(stmt) for name in names_bound(node)
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


def bound_by_lines(source: str) -> set[str]:
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
            bound |= bound_in(tree)
            break
    return bound


def bound_in(tree: ast.AST) -> set[str]:
    """What `tree` binds, at any depth; "*" for a star import that may bind anything.

    A star import of a module of `_FROM_IMPORTED` binds what that module exports.
    """
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.names[0].name == "*":
            known = node.module in _FROM_IMPORTED
            bound |= _exports(node.module) if node.module and known else {"*"}
        elif not (isinstance(node, ast.alias) and node.name == "*"):
            bound.update(names_bound(node))
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


def stdlib(name: str) -> bool:
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


def bound_anywhere(example: Example, syntax: BlockSyntax | None) -> set[str]:
    """What a block binds at any depth; a block that does not parse binds every word."""
    if syntax is None:
        return set()
    if syntax.tree is None:
        return set(WORD.findall(example.source))
    return {name for node in ast.walk(syntax.tree) for name in names_bound(node)}


def unbound_in(tree: ast.Module) -> list[tuple[str, int]]:
    """(name, block line) of each top-level use of a name not bound above it in the block."""
    bound: set[str] = set(BUILTINS)
    found: list[tuple[str, int]] = []
    for stmt in tree.body:
        own = {name for node in module_scope(stmt) for name in names_bound(node)}
        if "*" in own:
            return []  # a star import may bind anything
        found.extend(
            (node.id, node.lineno)
            for node in module_scope(stmt)
            if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id not in bound | own
        )
        bound |= own
    return found


def module_scope(node: ast.AST) -> Iterator[ast.AST]:
    """`node` and what under it runs when the block runs: not function or lambda bodies."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and child in node.body:
            continue
        if isinstance(node, ast.Lambda) and child is node.body:
            continue
        yield from module_scope(child)


def names_bound(node: ast.AST) -> Iterator[str]:
    """The names `node` itself binds (not its children)."""
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
