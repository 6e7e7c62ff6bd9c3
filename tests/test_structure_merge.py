"""The structure tree of a merge (render/pdf/tags.py StructureMerge), on PDFs WeasyPrint really
made, read back with pikepdf."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from weasyprint import HTML

from planpress.render.pdf.tags import StructureMerge

PAGE = """<html lang="ja"><style>@page { size: 120mm 80mm; margin: 5mm }</style>
<h1>第NUMBER章</h1><p>本文</p><p style="break-before: page">続き</p></html>"""


def _untagged(path: Path, number: int) -> Path:
    """A PDF without a structure tree: WeasyPrint without ``pdf_tags``."""
    HTML(string=PAGE.replace("NUMBER", str(number))).write_pdf(path)
    return path


def _merge(structure: StructureMerge | None, base: pikepdf.Pdf, sources: list[Path], offset: int) -> None:
    """Append the sources' pages to ``base`` as merge.merge_files does, structure and all (a new
    merge: ``structure`` None, made from the first source)."""
    for path in sources:
        with pikepdf.open(path) as source:
            if structure is None:
                structure = StructureMerge(base, source)
            count = len(source.pages)
            for page in source.pages:
                base.pages.append(pikepdf.Page(base.copy_foreign(page.obj)))
            structure.add(base, source, 0, count, offset)
            structure.forget(source)
            offset += count
    assert structure is not None
    structure.finish(base)


def test_untagged_pdfs_merge_without_a_tree_new_or_in_place(tmp_path: Path) -> None:
    """PDFs without a structure tree merge into one without a tree, into a new PDF or in place into
    the last merged one (``forget`` once asked an inactive merge for what only an active one had)."""
    batches = [_untagged(tmp_path / f"batch{number}.pdf", number) for number in range(3)]
    base = pikepdf.new()
    _merge(None, base, batches[:2], 0)
    base.save(tmp_path / "merged.pdf")
    base.close()
    with pikepdf.open(tmp_path / "merged.pdf") as merged:
        assert len(merged.pages) == 4 and "/StructTreeRoot" not in merged.Root
        structure = StructureMerge.in_place(merged)
        kept = [page.obj for page in merged.pages]
        structure.keep(kept, 0)
        _merge(structure, merged, batches[2:], len(kept))
        merged.save(tmp_path / "in-place.pdf")
    with pikepdf.open(tmp_path / "in-place.pdf") as merged:
        assert len(merged.pages) == 6 and "/StructTreeRoot" not in merged.Root
