"""Rules of the code's shape that a reader relies on."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

SOURCE = REPO / "src" / "planpress"
PDF_ENGINE = SOURCE / "render" / "pdf"


def _imports(path: Path) -> list[str]:
    """The modules a file imports, as ``from X import Y`` names them: X.Y (Y may be a module)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    """A name starting with _ is its module's own: shared helpers are public where they live
    (the Word XML helpers in render/wordxml.py, say). A private module (render/pdf/_weasy_internals.py)
    is imported whole by the modules it serves."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("planpress"):
                package = REPO / "src" / Path(*node.module.split("."))
                found += [f"{path.relative_to(SOURCE)}: {node.module}.{alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")
                          and not (package / f"{alias.name}.py").exists()]  # a private module is imported whole
    assert found == []


def test_weasyprint_and_the_pdf_engine_each_have_one_door() -> None:
    """WeasyPrint is imported by render/pdf/weasy.py (its public API) and reached below that API
    through render/pdf/_weasy_internals.py only; outside render/pdf/, code uses the PDF engine
    through its entry point (``planpress.render.pdf``), never through one of its modules."""
    weasyprint, engine = [], []
    for path in sorted(SOURCE.rglob("*.py")):
        inside = path.is_relative_to(PDF_ENGINE)
        for name in _imports(path):
            if name.split(".")[0] == "weasyprint" and path.name not in ("weasy.py", "_weasy_internals.py"):
                weasyprint.append(f"{path.relative_to(SOURCE)}: {name}")
            if not inside and name.startswith("planpress.render.pdf.") and name != "planpress.render.pdf.render":
                engine.append(f"{path.relative_to(SOURCE)}: {name}")
    assert weasyprint == [] and engine == []


def _module_name(path: Path, source: Path) -> str:
    parts = path.relative_to(source.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(module: str, path: Path, node: ast.AST, modules: set[str]) -> set[str]:
    """The planpress modules one import statement names (a name imported from a package may be
    one of its modules: ``from planpress.content import booklet_rules``)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if not isinstance(node, ast.ImportFrom):
        return set()
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    found = {f"{base}.{alias.name}" for alias in node.names} & modules
    return found | ({base} & modules if len(found) < len(node.names) else set())


def import_cycles(source: Path) -> list[list[str]]:
    """The modules under ``source`` that import each other in a circle, one sorted list per circle
    (modules that all reach each other). Imports inside functions and under TYPE_CHECKING count
    too: a circle hidden in a function is still a circle to a reader."""
    graph = import_graph(source)
    reach = {module: _reachable(graph, module) for module in graph}
    circles = {tuple(sorted(m for m in reach[module] if module in reach[m])) for module in graph if module in reach[module]}
    return sorted(list(circle) for circle in circles)


def import_graph(source: Path) -> dict[str, set[str]]:
    """Which modules under ``source`` each module imports, anywhere in it."""
    paths = {_module_name(path, source): path for path in sorted(source.rglob("*.py"))}
    graph: dict[str, set[str]] = {module: set() for module in paths}
    for module, path in paths.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            graph[module] |= _imported(module, path, node, set(paths)) - {module}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(graph[start])
    while stack:
        module = stack.pop()
        if module not in seen:
            seen.add(module)
            stack.extend(graph[module])
    return seen


def test_no_import_cycles() -> None:
    """No modules import each other in a circle, even lazily or only for type checking: each can
    be read knowing only what it imports."""
    assert import_cycles(SOURCE) == []


def test_loading_imports_no_later_stage() -> None:
    """Reading content/ (planpress.content) comes before the documents, their rendering and the
    commands: none of it imports them, so the loading stage can be read and tested on its own."""
    later = ("planpress.documents", "planpress.render", "planpress.build", "planpress.site", "planpress.serve",
             "planpress.cycle", "planpress.cli")
    graph = import_graph(SOURCE)
    found = sorted(f"{module} -> {target}" for module, targets in graph.items() if module.startswith("planpress.content")
                   for target in targets if target.startswith(later))
    assert found == []
