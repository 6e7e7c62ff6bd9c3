"""The structure tree (tagged PDF) of a merged PDF, built from the sections' batch PDFs.

WeasyPrint writes one /Document element whose kids are the page's top-level elements, each
with the page it starts on (/Pg), and a parent tree numbered as pages 0…n-1 first, then link
annotations n… in page order. The merge keeps exactly that numbering over the whole document:
a section's kids move under one new /Document element, each page's /StructParents becomes its
page index in the whole document, and annotations are renumbered after the last page.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name


class StructureMerge:
    """Collects the structure of each appended section; ``finish`` writes the tree."""

    def __init__(self, base: pikepdf.Pdf, first: pikepdf.Pdf) -> None:
        source_root = first.Root.get("/StructTreeRoot")
        self.active = source_root is not None
        if not self.active:
            return
        self.root = base.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = base.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(), P=self.root))
        for key in ("/Namespaces", "/RoleMap", "/ClassMap"):
            if key in source_root:
                self.root[key] = copy_value(base, source_root[key])
        source_document = source_root.K[0]
        if "/NS" in source_document:
            self.document.NS = copy_value(base, source_document.NS)
        self.pages: list[pikepdf.Object] = []
        self.annotations: list[tuple[pikepdf.Dictionary, pikepdf.Object]] = []
        self.sources: dict[str, tuple[dict[int, pikepdf.Object], list[tuple[int, pikepdf.Object]]]] = {}

    def _read(self, source: pikepdf.Pdf) -> tuple[dict[int, pikepdf.Object], list[tuple[int, pikepdf.Object]]]:
        """A batch's parent tree and its document's kids with their page numbers, read once."""
        if source.filename not in self.sources:
            root = source.Root.StructTreeRoot
            index = {page.objgen: number for number, page in enumerate(source.pages)}
            kids = [(index.get(kid.Pg.objgen, -1), kid) for kid in root.K[0].K]
            self.sources[source.filename] = (_numbers(root.ParentTree), kids)
        return self.sources[source.filename]

    def forget(self, source: pikepdf.Pdf) -> None:
        """Drop what was read from a batch that no later section uses."""
        self.sources.pop(source.filename, None)

    def add(self, base: pikepdf.Pdf, source: pikepdf.Pdf, first: int, count: int, offset: int) -> None:
        """Take the structure of ``source``'s pages first…first+count, appended at ``offset``."""
        if not self.active:
            return
        numbers, kids = self._read(source)
        for page_number, kid in kids:
            if first <= page_number < first + count:
                copied = copy_value(base, kid)
                copied.P = self.document
                self.document.K.append(copied)
        for number in range(first, first + count):
            key = int(source.pages[number].obj.StructParents)
            self.pages.append(copy_value(base, numbers[key]))
            page = base.pages[offset + number - first].obj
            for annotation in page.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    self.annotations.append((annotation, copy_value(base, numbers[int(annotation.StructParent)])))

    def finish(self, base: pikepdf.Pdf) -> None:
        """Number the parent tree as WeasyPrint does and attach the tree to the catalog."""
        if not self.active:
            return
        numbers: list[object] = []  # one Array at the end: growing a pikepdf Array item by item is slow
        for number, (page, elements) in enumerate(zip(base.pages, self.pages)):
            page.obj.StructParents = number
            numbers += [number, elements]
        for number, (annotation, element) in enumerate(self.annotations, start=len(base.pages)):
            annotation.StructParent = number
            numbers += [number, element]
        self.root.ParentTree = base.make_indirect(Dictionary(Nums=Array(numbers)))
        self.root.K = Array([self.document])
        base.Root.StructTreeRoot = self.root


def copy_value(base: pikepdf.Pdf, value: object) -> object:
    """A value of another PDF in ``base``: indirect objects are copied, direct ones rebuilt."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return base.copy_foreign(value)
    if isinstance(value, pikepdf.Dictionary):
        return Dictionary({key: copy_value(base, item) for key, item in value.items()})
    if isinstance(value, pikepdf.Array):
        return Array([copy_value(base, item) for item in value])
    return value


def _numbers(tree: pikepdf.Dictionary) -> dict[int, pikepdf.Object]:
    """A number tree as a dict (WeasyPrint writes it flat; kids are read too)."""
    found: dict[int, pikepdf.Object] = {}
    flat = tree.get("/Nums", Array())
    for position in range(0, len(flat), 2):
        found[int(flat[position])] = flat[position + 1]
    for kid in tree.get("/Kids", Array()):
        found.update(_numbers(kid))
    return found
