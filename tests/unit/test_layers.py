"""The import graph of `mdverify.run` and `mdverify.services`: one way, no cycles."""

import ast
from pathlib import Path

import mdverify

_ROOT = Path(mdverify.__file__).parent


def _imports() -> dict[str, set[str]]:
    """Module -> the mdverify modules it imports (TYPE_CHECKING imports included)."""
    modules = {}
    for path in _ROOT.rglob("*.py"):
        parts = path.relative_to(_ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            for imported in targets:
                target = imported
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_run_imports_neither_services_nor_the_plugin():
    graph = _imports()
    wrong = {
        (module, target)
        for module, targets in graph.items()
        if _in(module, "mdverify.run")
        for target in targets
        if _in(target, "mdverify.services") or _in(target, "mdverify.plugin")
    }
    assert wrong == set()


def test_no_import_cycle_passes_through_run_or_services():
    graph = _imports()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for target in graph.get(todo.pop(), ()):
                if target == goal:
                    return True
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return False

    mine = [m for m in graph if _in(m, "mdverify.run") or _in(m, "mdverify.services")]
    assert [m for m in mine if reaches(m, m)] == []
