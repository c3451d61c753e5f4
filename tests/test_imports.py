"""The project's import graph, read from the source with ``ast``: no module of index, qa, api or eval imports
itself through others (no cycle), and data flows one way (README, Development): index -> qa -> api, and eval and
api do not import each other.

Every import counts: at the top of a module, inside a function (a lazy import) and under ``TYPE_CHECKING``. A
package's ``__init__`` is a module of its own; importing ``a.b`` is an edge to ``a.b`` only (not to ``a``), so a
package that gathers its submodules (api/routes/__init__.py) is no cycle.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("index", "qa", "api", "eval")
# package -> the packages it must not import
FORBIDDEN = {"index": {"qa", "api", "eval"}, "qa": {"api", "eval"}, "api": {"eval"}, "eval": {"api"}}


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name -> its file, for every .py file of ``packages`` under ``root``."""
    out: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in its source)."""
    mods = modules(root, packages)

    def known(name: str) -> str | None:
        while name and name not in mods:  # qa.lexicon.units -> qa.lexicon when units is a name, not a module
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                edges.update(t for a in node.names if (t := known(a.name)))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # from . import x / from ..y import z
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([node.module] if node.module else []))
                for a in node.names:  # from pkg import submodule -> the submodule; from mod import name -> mod
                    t = f"{base}.{a.name}" if f"{base}.{a.name}" in mods else known(base)
                    if t:
                        edges.add(t)
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    found = cycles(import_graph(ROOT))
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("package", PACKAGES)
def test_data_flows_one_way(package):
    graph = import_graph(ROOT)
    wrong = sorted(f"{m} imports {t}" for m, ts in graph.items() if m.split(".")[0] == package
                   for t in ts if t.split(".")[0] in FORBIDDEN[package])
    assert not wrong, wrong


def test_the_checks_see_a_lazy_and_a_type_only_cycle(tmp_path):
    """The checker itself: a cycle closed by an import inside a function or under TYPE_CHECKING is found, a
    package gathering its own submodules is not a cycle, and a relative import is resolved."""
    pkg = tmp_path / "index"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("import index.b\n")
    (pkg / "b.py").write_text("def f():\n    from index.a import x\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .d import D\n")
    (pkg / "d.py").write_text("from index import c\n")
    (pkg / "sub" / "__init__.py").write_text("from index.sub import e\n")
    (pkg / "sub" / "e.py").write_text("from ..a import y\n")
    graph = import_graph(tmp_path, ("index",))
    assert graph["index.sub.e"] == {"index.a"}
    assert cycles(graph) == [["index.a", "index.b"], ["index.c", "index.d"]]
