"""Which blocks print a value that no later run can print again: the time of day, a pid.

An article shows the date and time its writer ran a block at, and the id of the process
that ran it. The default filters `wall_clock` and `pids` (`mdverify.article.filters`)
hide such values, but only in the output of a block whose code reads them: elsewhere a
date or a number is a value the writer may mean (`date(2024, 1, 31) + timedelta(days=1)`).

A block reads the wall clock when its code, at any depth, calls `now()`, `today()`,
`utcnow()` (on `datetime`, `date` or anything else), `time.time()`, or `time.ctime()`,
`asctime()`, `localtime()`, `gmtime()` or `strftime(format)` of the `time` module without a
time given;
it reads a pid when it calls `getpid()` or `getppid()` or reads a `.pid` attribute. It also
reads them when it uses a name that a statement of a block above it (or of its own)
binds from such a reading: `now = datetime.now()` in one block and `print(now)` in the
next, or a function whose body calls `time.ctime()`, until a statement binds that name anew
from no reading.

The statements that read them are kept too (`Example.volatile_lines`): a comment on one
shows what the writer's run printed (`print(today.year)  # 2019`), which no filter can
mend when the value is a bare number, so a claim there that differs is not compared.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mdverify.article.syntax import BlockSyntax
    from mdverify.model import Example

__all__ = ["CLOCK", "PID", "volatile", "with_volatile"]

CLOCK = "clock"
"""The block reads the wall clock."""
PID = "pid"
"""The block reads a process id."""

_NOW = frozenset({"now", "today", "utcnow"})
# These read the clock only when no time is passed to them: `time.ctime(0)` is a constant.
_UNLESS_GIVEN = {"ctime": 0, "asctime": 0, "localtime": 0, "gmtime": 0, "strftime": 1}
_PIDS = frozenset({"getpid", "getppid"})


def with_volatile(examples: list[Example], read: Sequence[BlockSyntax | None]) -> list[Example]:
    """`examples` with what each reads and where (`Example.volatile`, `volatile_lines`).

    `read` is each one's reading.
    """
    found = volatile(read)
    return [
        replace(e, volatile=found[i][0], volatile_lines=found[i][1]) if i in found else e
        for i, e in enumerate(examples)
    ]


Reads = tuple[frozenset[str], frozenset[int]]
"""What a block reads of `CLOCK` and `PID`, and the article lines of the statements that do."""


def volatile(read: Sequence[BlockSyntax | None]) -> dict[int, Reads]:
    """What each block reads, and where (`Reads`, at any depth), by example index.

    Blocks that read none are left out; a block that does not parse, or a pycon block,
    reads nothing.
    """
    tainted: dict[str, frozenset[str]] = {}
    found: dict[int, Reads] = {}
    for index, syntax in enumerate(read):
        if syntax is None or syntax.tree is None:
            continue
        kinds: set[str] = set()
        lines: set[int] = set()
        for statement in syntax.tree.body:
            reads = _reads(statement, tainted)
            kinds |= reads
            bound = _bound(statement)
            if reads:
                lines |= {syntax.article_line(n) for n in _reading_lines(statement, tainted)}
            for name in bound:
                if reads:
                    tainted[name] = tainted.get(name, frozenset()) | reads
                else:  # bound anew from values that are no reading: `day = new_year.day`
                    tainted.pop(name, None)
        if kinds:
            found[index] = (frozenset(kinds), frozenset(lines))
    return found


def _reading_lines(statement: ast.stmt, tainted: dict[str, frozenset[str]]) -> set[int]:
    """Block lines of the simple statements within `statement` that read a volatile value.

    In source order, as they bind: `now = datetime.now()` then `print(now.year)` in one
    function body, until `now` is bound anew from no reading.
    """
    local = dict(tainted)
    lines: set[int] = set()
    simple = [c for c in ast.walk(statement) if isinstance(c, ast.stmt) and not _compound(c)]
    for child in sorted(simple, key=lambda c: (c.lineno, c.col_offset)):
        reads = _reads(child, local)
        if reads:
            lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
        for name in _bound(child):
            if reads:
                local[name] = reads
            else:
                local.pop(name, None)
    return lines


def _compound(statement: ast.stmt) -> bool:
    return any(isinstance(getattr(statement, f, None), list) for f in ("body", "orelse"))


def _reads(node: ast.AST, tainted: dict[str, frozenset[str]]) -> frozenset[str]:
    kinds: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            kinds |= _call(child)
        elif isinstance(child, ast.Attribute) and child.attr == "pid":
            kinds.add(PID)
        elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
            kinds |= tainted.get(child.id, frozenset())
    return frozenset(kinds)


def _call(call: ast.Call) -> set[str]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in _NOW:
        return {CLOCK}
    if name == "time" and isinstance(func, ast.Attribute) and not call.args:
        return {CLOCK}  # time.time(); a bare `time()` may be anything
    if (
        name in _UNLESS_GIVEN
        and len(call.args) <= _UNLESS_GIVEN[name]
        and not call.keywords
        and (isinstance(func, ast.Name) or _on_time_module(func))
    ):
        return {CLOCK}
    if name in _PIDS:
        return {PID}
    return set()


def _on_time_module(func: ast.expr) -> bool:
    """`time.ctime()`, not a datetime's own `ctime()`, which shows that datetime."""
    return isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "time"


def _bound(statement: ast.stmt) -> set[str]:
    """The names a top-level statement binds, at its own level."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    names: set[str] = set()
    for child in ast.walk(statement):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(child.name)
    return names
