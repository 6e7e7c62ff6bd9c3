"""Rules of the code's shape that a reader relies on."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

SOURCE = REPO / "src" / "planpress"


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
