"""The package's modules import one another without a cycle, and the grader imports none of its callers."""

from __future__ import annotations

import ast

from .helpers import ROOT


def imports() -> dict[str, set[str]]:
    """Each module of ``mnistcnn`` and the modules of ``mnistcnn`` it imports, anywhere in its code."""
    files = {}
    for path in sorted((ROOT / "mnistcnn").rglob("*.py")):
        files[".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")] = path
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module or ""
                found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in files else target for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def test_no_module_imports_itself_through_others():
    graph = imports()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(m == goal or (m not in seen and reaches(m, goal, seen | {m})) for m in graph[start])

    # A package's __init__ gathering its own modules is not a cycle between jobs.
    def same_package(a: str, b: str) -> bool:
        return a.startswith(b + ".") or b.startswith(a + ".")

    cycles = [name for name in graph if any(reaches(m, name, {m}) for m in graph[name] if not same_package(m, name))]
    assert cycles == []


def test_the_grader_imports_neither_the_command_line_nor_the_gradebook():
    graph = imports()
    for name, imported in graph.items():
        if name.startswith("mnistcnn.grader") and name != "mnistcnn.grader.gradebook":
            assert not imported & {"mnistcnn.cli", "mnistcnn.grader.gradebook"}, name
