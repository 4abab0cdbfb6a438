"""A `norun` block in the child: compiled, its imports looked up, never run.

Such a block needs what the run has not (an API key, a remote service), so it is checked
as far as that goes without running it. Its code is compiled as a run compiles it, so a
syntax error fails at its line. Each module it imports is looked up by its top-level name
with `importlib.util.find_spec`, on the path a run of the block would import from (the
article's folder and the configured paths), which finds a module without executing any
of it: a missing one fails the block with the ModuleNotFoundError its import would raise,
at the line of that import.

An import that the code guards itself is an optional one and not looked up: inside a `try`
that catches ImportError (or a broader class), inside `contextlib.suppress(ImportError)`,
or under `if TYPE_CHECKING:`, which no run reaches.

This module never imports pytest: the child process imports it.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.run.included import Places

__all__ = ["check_block", "check_imports", "imported"]

# Handlers that catch a failed import: the module is optional to the code that tries it.
_CATCHING = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def check_block(
    kind: str, source: str, code_line: int, path: str, flags: int, places: Places | None = None
) -> None:
    """Compile a block as its run would, then look up its imports; raise what fails first.

    `source` starts at article line `code_line` of `path`; `flags` are the compiler flags of
    the run (the futures the blocks above imported, top-level await). A pycon block is
    compiled one prompt at a time, as its run compiles it. `places`: where the lines of a
    block that includes files come from, so that each statement compiles, and each import
    fails, at its own file and line (`mdverify.run.included`).
    """
    if kind == "pycon":
        import doctest  # noqa: PLC0415 -- as in the child: only pycon blocks need it

        parts = [
            ("\n" * (code_line + example.lineno - 1) + example.source, "single")
            for example in doctest.DocTestParser().get_examples(source)
        ]
    else:
        parts = [("\n" * (code_line - 1) + source, "exec")]
    checked: list[tuple[ast.AST, str]] = []
    for text, mode in parts:
        try:
            tree = ast.parse(text, filename=path)
        except SyntaxError as err:
            raise err if places is None else places.syntax_error(err)  # noqa: B904 -- the same one
        if mode == "single":
            compile(text, path, mode, flags=flags, dont_inherit=True)
            checked.append((tree, path))
        for statement in tree.body if mode == "exec" else []:
            # One statement at a time, as the run compiles them: what compiles there
            # compiles here (a `from __future__` import below other statements).
            own = path if places is None else places.place(statement)
            unit = ast.Module(body=[statement], type_ignores=[])
            compile(unit, own, mode, flags=flags, dont_inherit=True)
            checked.append((unit, own))
    for node, filename in checked:
        check_imports(node, filename)


def check_imports(tree: ast.AST, path: str) -> None:
    """Raise ModuleNotFoundError, at its line of `path`, for the first import not found."""
    importlib.invalidate_caches()  # a module an earlier block wrote is there, as for a run
    for name, line in imported(tree):
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            _raise_at(path, line, name)


def imported(tree: ast.AST) -> list[tuple[str, int]]:
    """(top-level module name, line) of each import `tree` makes unguarded, in order.

    Relative imports are left out: they name no module to look up on the path.
    """
    finder = _Imports()
    finder.visit(tree)
    return finder.found


class _Imports(ast.NodeVisitor):
    """The imports of a tree, at any depth, outside the guards of optional ones."""

    def __init__(self) -> None:
        self.found: list[tuple[str, int]] = []
        self.guarded = 0

    def visit_Import(self, node: ast.Import) -> None:
        if not self.guarded:
            self.found += [(alias.name.partition(".")[0], node.lineno) for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not self.guarded and not node.level and node.module:
            self.found.append((node.module.partition(".")[0], node.lineno))

    def visit_Try(self, node: ast.Try) -> None:
        guard = any(_catches(handler.type) for handler in node.handlers)
        self._guarded(node.body, guard=guard)
        self._guarded([*node.handlers, *node.orelse, *node.finalbody], guard=False)

    visit_TryStar = visit_Try  # noqa: N815 -- the visitor's name for `try: ... except*`

    def visit_With(self, node: ast.With) -> None:
        guard = any(_suppresses(item.context_expr) for item in node.items)
        self._guarded(node.body, guard=guard)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        typing_only = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        self._guarded(node.body, guard=typing_only)
        self._guarded(node.orelse, guard=False)

    def _guarded(self, nodes: Sequence[ast.AST], *, guard: bool) -> None:
        self.guarded += guard
        for child in nodes:
            self.visit(child)
        self.guarded -= guard


def _catches(kind: ast.expr | None) -> bool:
    """Whether an `except` clause of this type catches a failed import."""
    if kind is None:
        return True  # a bare `except:`
    if isinstance(kind, ast.Tuple):
        return any(_catches(element) for element in kind.elts)
    name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", "")
    return name in _CATCHING


def _suppresses(context: ast.expr) -> bool:
    """Whether a `with` item is `suppress(ImportError)` (or `contextlib.suppress(...)`)."""
    if not isinstance(context, ast.Call):
        return False
    func = context.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name == "suppress" and any(_catches(arg) for arg in context.args)


def _raise_at(path: str, line: int, name: str) -> None:
    """Raise the error `import name` raises, from line `line` of `path`.

    Raised by code compiled at that line, so that its traceback shows the article's import
    as a run's would, and names the missing module as Python does; nothing is imported.
    """
    source = "\n" * (line - 1) + f"raise ModuleNotFoundError({f'No module named {name!r}'!r}, "
    source += f"name={name!r})"
    exec(compile(source, path, "exec", dont_inherit=True), {"__builtins__": builtins})  # noqa: S102
