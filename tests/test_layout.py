"""The package's layout keeps the shape README.md ("Layout") describes: no class grows past ~300 lines (a sign that
it holds more than one statement kind or stage and should be split), and no module imports, at its top level, a
module that imports it back (the stages flow one way)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "interpreter"
LONGEST_CLASS = 300


def _modules() -> dict[str, tuple[ast.Module, str]]:
    """Each module of the package by its dotted name, with its tree and the package it is in (itself for an
    `__init__`), which a relative import counts from."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        package = ".".join(parts[:-1])
        name = package if parts[-1] == "__init__" else ".".join(parts)
        found[name] = (ast.parse(path.read_text(encoding="utf-8"), str(path)), package)
    return found


def _loaded(body: list[ast.stmt]):
    """The statements run when the module is loaded: its top level, and the blocks of a top-level `try` (an `if`
    is left out: `if TYPE_CHECKING` never runs)."""
    for node in body:
        yield node
        if isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _loaded(block)


def top_level_imports(name: str, tree: ast.Module, modules: set[str], package: str = "") -> set[str]:
    """The package's modules a module imports when it is loaded (imports inside functions run later).
    `from P import x` is an import of P.x when that is a module, else of P; `from . import x` counts from the
    module's package."""
    found = set()
    for node in _loaded(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in modules else base)
    return {m for m in found if m in modules and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_class_is_longer_than_about_300_lines():
    long = [(f"{module}.{node.name}", node.end_lineno - node.lineno + 1)
            for module, (tree, _) in _modules().items() for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > LONGEST_CLASS]
    assert long == []


def test_no_module_imports_one_that_imports_it_back():
    modules = _modules()
    graph = {name: top_level_imports(name, tree, set(modules), package) for name, (tree, package) in modules.items()}
    assert sum(map(len, graph.values())) > 100  # the imports are found at all
    assert cycles(graph) == []


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_name_the_module_or_its_package():
    tree = ast.parse("import interpreter.run\nfrom interpreter.run import evaluate, Event\n"
                     "def later():\n    import interpreter.check\n")
    modules = {"interpreter.run", "interpreter.run.evaluate", "interpreter.check", "m"}
    assert top_level_imports("m", tree, modules) == {"interpreter.run", "interpreter.run.evaluate"}


def test_relative_imports_and_those_under_try_count():
    tree = ast.parse("from . import evaluate\nfrom ..check import types\ntry:\n    import interpreter.cache\n"
                     "except ImportError:\n    pass\nif False:\n    import interpreter.check\n")
    modules = {"interpreter.run.evaluate", "interpreter.check.types", "interpreter.cache", "interpreter.check"}
    assert top_level_imports("interpreter.run.events", tree, modules, "interpreter.run") == {
        "interpreter.run.evaluate", "interpreter.check.types", "interpreter.cache"}
