"""The structure tree (tagged PDF) of a merged PDF, built from the sections' batch PDFs.

WeasyPrint writes one /Document element whose kids are the page's top-level elements, each
with the page it starts on (/Pg), and a parent tree numbered as pages 0…n-1 first, then link
annotations n… in page order. The merge moves each section's kids under one new /Document
element and then reads the parent tree off the merged tree in that numbering: each page's
marked content under its element, each link annotation under the element that refers to it.
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
        self.sources: dict[str, list[tuple[int, pikepdf.Object]]] = {}

    def _read(self, source: pikepdf.Pdf) -> list[tuple[int, pikepdf.Object]]:
        """A batch's document kids with their page numbers, read once."""
        if source.filename not in self.sources:
            root = source.Root.StructTreeRoot
            index = {page.objgen: number for number, page in enumerate(source.pages)}
            self.sources[source.filename] = [(index.get(kid.Pg.objgen, -1), kid) for kid in root.K[0].K]
        return self.sources[source.filename]

    def forget(self, source: pikepdf.Pdf) -> None:
        """Drop what was read from a batch that no later section uses."""
        self.sources.pop(source.filename, None)

    def add(self, base: pikepdf.Pdf, source: pikepdf.Pdf, first: int, count: int, offset: int) -> None:
        """Take the structure of ``source``'s pages first…first+count, appended at ``offset``."""
        if not self.active:
            return
        for page_number, kid in self._read(source):
            if first <= page_number < first + count:
                # Not through its parent, the batch's /Document: that would copy the structure
                # of every section of the batch (and the objects' numbers would then depend
                # on which sections were laid out together; see render/pdf/canonical.py).
                parent = kid.get("/P")
                if parent is not None:
                    del kid["/P"]
                copied = copy_value(base, kid)
                if parent is not None:
                    kid.P = parent
                copied.P = self.document
                self.document.K.append(copied)

    def finish(self, base: pikepdf.Pdf) -> None:
        """Number the parent tree as WeasyPrint does (pages 0…n-1, then link annotations in page
        order) and attach the tree to the catalog.

        The parent tree is read off the merged tree itself, not copied from the batches: a
        batch's parent tree may name elements of pages the merge took from another batch, which
        left link elements outside the tree and a second, unseen copy of every link.
        """
        if not self.active:
            return
        pages = {page.obj.objgen: number for number, page in enumerate(base.pages)}
        marked: list[dict[int, pikepdf.Object]] = [{} for _ in base.pages]
        linked: dict[tuple[int, int], pikepdf.Object] = {}
        _collect(self.document, None, pages, marked, linked)
        numbers: list[object] = []  # one Array at the end: growing a pikepdf Array item by item is slow
        for number, page in enumerate(base.pages):
            page.obj.StructParents = number
            found = marked[number]
            numbers += [number, Array([found.get(mcid) for mcid in range(max(found, default=-1) + 1)])]
        number = len(base.pages)
        for page in base.pages:
            for annotation in page.obj.get("/Annots", Array()):
                element = linked.get(annotation.objgen)
                if element is None:
                    if "/StructParent" in annotation:
                        del annotation["/StructParent"]
                    continue
                annotation.StructParent = number
                numbers += [number, element]
                number += 1
        self.root.ParentTree = base.make_indirect(Dictionary(Nums=Array(numbers)))
        self.root.K = Array([self.document])
        base.Root.StructTreeRoot = self.root


def _collect(element: pikepdf.Dictionary, page: int | None, pages: dict[tuple[int, int], int],
             marked: list[dict[int, pikepdf.Object]], linked: dict[tuple[int, int], pikepdf.Object]) -> None:
    """Every marked-content id of the tree under its page, every annotation under its element."""
    if "/Pg" in element:
        page = pages.get(element.Pg.objgen, page)
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, Array) else [] if kids is None else [kids]):
        if isinstance(kid, int):
            if page is not None:
                marked[page][int(kid)] = element
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
            where = pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page
            if where is not None:
                marked[where][int(kid.MCID)] = element
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR:
            linked[kid.Obj.objgen] = element
        elif isinstance(kid, Dictionary):
            _collect(kid, page, pages, marked, linked)


def copy_value(base: pikepdf.Pdf, value: object) -> object:
    """A value of another PDF in ``base``: indirect objects are copied, direct ones rebuilt."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return base.copy_foreign(value)
    if isinstance(value, pikepdf.Dictionary):
        return Dictionary({key: copy_value(base, item) for key, item in value.items()})
    if isinstance(value, pikepdf.Array):
        return Array([copy_value(base, item) for item in value])
    return value
