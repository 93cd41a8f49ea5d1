"""The evaluation app's imports run one way: reads never import writes, and no module needs itself back.

Read from the source (module- and function-level imports alike), so an import hidden inside a function
counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1]
READS = ("selectors", "reports")  # evaluation/selectors*.py and evaluation/reports.py read, never write


def modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(APP.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ours that `name` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    resolved = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            resolved.add(target)
    return resolved


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def test_evaluation_reads_never_import_its_services() -> None:
    offending = {
        name: sorted(dep for dep in deps if dep.startswith("evaluation.services"))
        for name, deps in graph().items()
        if name.partition(".")[2].startswith(READS)
    }
    assert {name: deps for name, deps in offending.items() if deps} == {}


def test_no_evaluation_module_imports_itself_back_through_others() -> None:
    edges = graph()
    cycles = []
    for start in edges:
        seen, frontier = set(), list(edges[start])
        while frontier:
            node = frontier.pop()
            if node == start:
                cycles.append(start)
                break
            if node not in seen:
                seen.add(node)
                frontier.extend(edges.get(node, ()))
    assert cycles == []


def test_the_graph_sees_imports_inside_functions(tmp_path: Path) -> None:
    # The checks above would pass vacuously if an import inside a function were missed.
    source = tmp_path / "selectors_x.py"
    source.write_text("def f():\n    from .services.results import compute\n    return compute\n")
    known = {"evaluation.selectors_x": source, "evaluation.services.results": source}
    assert imported("evaluation.selectors_x", source, known) == {"evaluation.services.results"}
