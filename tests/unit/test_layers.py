"""The shape of the package: imports go one way, with no cycle; pytest stays in the shell."""

import ast
import functools
from pathlib import Path

import mdverify

_ROOT = Path(mdverify.__file__).parent


@functools.cache
def _tree(path: Path) -> ast.Module:
    """Each module parsed once for all the tests here: parsing is most of their cost."""
    return ast.parse(path.read_text(encoding="utf-8"))


@functools.cache
def _import_nodes(path: Path) -> tuple[ast.Import | ast.ImportFrom, ...]:
    return tuple(n for n in ast.walk(_tree(path)) if isinstance(n, (ast.Import, ast.ImportFrom)))


@functools.cache
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
        for node in _import_nodes(path):
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


def _external(path: Path) -> set[str]:
    """The top-level names of what `path` imports from outside mdverify."""
    found = set()
    for node in _import_nodes(path):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.partition(".")[0])
    return found


def test_pytest_and_xdist_are_imported_only_by_the_plugin():
    wrong = {
        (str(path.relative_to(_ROOT)), name)
        for path in _ROOT.rglob("*.py")
        if path.relative_to(_ROOT).parts[0] != "plugin"
        for name in _external(path) & {"pytest", "_pytest", "xdist", "pluggy"}
    }
    assert wrong == set()


def test_mkdocs_is_imported_only_by_its_own_shell():
    """The MkDocs plugin is a second shell over the core: neither shell imports the other."""
    wrong = {
        (str(path.relative_to(_ROOT)), "mkdocs")
        for path in _ROOT.rglob("*.py")
        if path.relative_to(_ROOT).parts[0] != "mkdocs" and "mkdocs" in _external(path)
    }
    graph = _imports()
    wrong |= {
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if (_in(module, "mdverify.mkdocs") and _in(target, "mdverify.plugin"))
        or (not _in(module, "mdverify.mkdocs") and _in(target, "mdverify.mkdocs"))
    }
    assert wrong == set()


def test_the_tree_shows_the_stages():
    """At most six modules at the top of the package, and none over 400 lines."""
    top = sorted(p.name for p in _ROOT.glob("*.py"))
    assert len(top) <= 6, top
    long = {
        str(p.relative_to(_ROOT)): n
        for p in _ROOT.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}


def test_no_import_cycle_anywhere():
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

    assert [m for m in graph if reaches(m, m)] == []
