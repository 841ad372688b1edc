"""The package's modules import one another in one direction only: no cycle, counting the
imports inside functions and under TYPE_CHECKING (a cycle there still ties two modules into
one: neither can change, or be read, without the other)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules `path` imports, wherever in the file: `from .x import y`,
    `from . import x`, `import pipeline.x`, `from pipeline.x import y`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom):
            absolute = node.level == 0 and (node.module or "").split(".")[0] == "pipeline"
            if node.level == 1 or absolute:
                parts = (node.module or "").split(".")[1 if absolute else 0 :]
                if parts and parts[0]:
                    found.add(parts[0])
                else:  # from . import x: the names are modules
                    found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("pipeline."))
    return found & modules - {path.stem}


def graph() -> dict[str, set[str]]:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    return {p.stem: imports(p, modules) for p in sorted(PACKAGE.glob("*.py"))}


def test_the_module_import_graph_is_acyclic() -> None:
    try:
        order = list(TopologicalSorter(graph()).static_order())
    except CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise AssertionError(f"pipeline modules import each other: {cycle}") from None
    assert {"build", "edition", "formats", "prepare"} <= set(order)


def test_the_graph_sees_imports_inside_functions(tmp_path: Path) -> None:
    """The check would pass on a cycle it cannot see: it must see every kind of import."""
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "from .a import x\n"
        "import pipeline.b\n"
        "if TYPE_CHECKING:\n"
        "    from pipeline.c import y\n"
        "def f() -> None:\n"
        "    from . import d, e\n"
    )
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert imports(path, {"a", "b", "c", "d", "e", "f", "m"}) == {"a", "b", "c", "d", "e"}
