"""The machine-checked part of the floor plan (DESIGN.md, "Layout"): the product code keeps its
modules and functions short, core_records keeps a small top level, and no module imports
itself through others.

The checks read the source with ``ast`` and import nothing, so a cycle that would fail at
import time is reported here by name. Every ``import`` counts, including those inside
functions and under ``TYPE_CHECKING``; ``from package import name`` counts as an import of
``package.name`` when that is a module, else of ``package``. A package's ``__init__`` is not
counted as imported by importing one of its submodules, as in import-linter's graph.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("gatehouse", "core_records", "routing", "adapters", "schemas", "monitoring")
NOT_PRODUCT_CODE = (
    Path("core_records/store/migrations/versions"),  # generated Alembic revisions
    Path("adapters/scaffold_template"),  # templates for a new adapter, not code we run
)

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
MAX_CORE_RECORDS_TOP_LEVEL_MODULES = 12


def product_files() -> Iterator[Path]:
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if not any(relative.is_relative_to(excluded) for excluded in NOT_PRODUCT_CODE):
                yield relative


def module_name(path: Path) -> str:
    parts = path.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=str(path))


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in product_files()}


def test_no_module_is_over_400_lines() -> None:
    too_long = {
        str(path): lines
        for path in product_files()
        if (lines := len((ROOT / path).read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_no_function_is_over_80_lines() -> None:
    too_long = {
        f"{path}:{node.lineno} {node.name}": lines
        for path in product_files()
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (lines := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES
    }
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_core_records_has_at_most_12_modules_at_its_top_level() -> None:
    top_level = sorted(
        path.name for path in (ROOT / "core_records").glob("*.py") if path.name != "__init__.py"
    )
    assert len(top_level) <= MAX_CORE_RECORDS_TOP_LEVEL_MODULES, (
        f"core_records/ has {len(top_level)} modules at its top level "
        f"(at most {MAX_CORE_RECORDS_TOP_LEVEL_MODULES}; the rest belong in an area package): "
        f"{top_level}"
    )


def imported_modules(
    importer: str, tree: ast.Module, *, is_package: bool, known: Collection[str]
) -> Iterator[tuple[str, int]]:
    """The modules among ``known`` that ``importer`` imports, each with the line of the import."""
    package = importer if is_package else importer.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    yield f"{source}.{alias.name}", node.lineno
                elif source in known:
                    yield source, node.lineno


@cache
def import_graph() -> dict[str, dict[str, int]]:
    """Importer -> {imported module: line of the first such import}."""
    known = modules()
    graph: dict[str, dict[str, int]] = {}
    for importer, path in known.items():
        edges = graph.setdefault(importer, {})
        imports = imported_modules(
            importer, parsed(path), is_package=path.name == "__init__.py", known=known
        )
        for imported, line in imports:
            if imported != importer:
                edges[imported] = min(line, edges.get(imported, line))
    return graph


def strongly_connected_components(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that a deep import chain cannot hit the recursion limit."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowlink[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def shortest_cycle(graph: dict[str, dict[str, int]], component: list[str]) -> str:
    """One shortest cycle through the component's first module, with the line of each import."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier and start not in came_from:
        next_frontier = []
        for node in frontier:
            for successor in sorted(graph[node]):
                if successor in members and successor not in came_from:
                    came_from[successor] = node
                    next_frontier.append(successor)
        frontier = next_frontier
    chain = [start]
    while len(chain) == 1 or chain[-1] != start:
        chain.append(came_from[chain[-1]])
    chain.reverse()
    return (
        " -> ".join(
            f"{importer} (l.{graph[importer][imported]})" for importer, imported in pairwise(chain)
        )
        + f" -> {start}"
    )


def test_no_module_imports_itself_through_others() -> None:
    graph = import_graph()
    cycles = [
        f"{len(component)} modules {component}, e.g. {shortest_cycle(graph, component)}"
        for component in strongly_connected_components(graph)
        if len(component) > 1
    ]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_import_graph_counts_deferred_relative_and_submodule_imports() -> None:
    source = """
from . import sibling
from .sibling import name
import area.deep.leaf
from area import deep


def later():
    from area.other import thing
"""
    known = {"area", "area.deep", "area.deep.leaf", "area.other", "area.sibling", "area.me"}
    imports = imported_modules("area.me", ast.parse(source), is_package=False, known=known)
    assert sorted(set(imports)) == [
        ("area.deep", 5),
        ("area.deep.leaf", 4),
        ("area.other", 9),
        ("area.sibling", 2),
        ("area.sibling", 3),
    ]


def test_a_cycle_is_found_and_named_with_its_lines() -> None:
    graph = {"a": {"b": 3}, "b": {"c": 7}, "c": {"a": 1, "d": 2}, "d": {}}
    components = strongly_connected_components(graph)
    assert sorted(components) == [["a", "b", "c"], ["d"]]
    assert shortest_cycle(graph, ["a", "b", "c"]) == "a (l.3) -> b (l.7) -> c (l.1) -> a"


def test_the_import_graph_covers_the_product_code() -> None:
    graph = import_graph()
    assert len(graph) == len(modules()) > 100
    assert "routing.transport" in graph["routing.relay"]
