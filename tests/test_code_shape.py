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
