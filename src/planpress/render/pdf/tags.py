"""The structure tree (tagged PDF) of a merged PDF, built from the sections' batch PDFs.

WeasyPrint writes one /Document element whose kids are each page's top-level elements, each
with its page (/Pg), and a parent tree numbered as pages 0…n-1 first, then link annotations n…
in page order. The merge moves each section's kids under one new /Document element and numbers
the parent tree the same way over the merged pages: each page's marked content under its
element, each link annotation under the element that refers to it.

Before any of that, each batch (render/pdf/canonical.py) and the one-pass PDF lose the /Span
elements WeasyPrint makes around single runs of text (``flatten_text_spans``): fewer objects to
open, copy and write in every merge (×16 booklet after an edit: 4.85 s -> 4.47 s).

The parent tree names only elements of the merged tree. A batch's parent tree also names
elements outside its tree (WeasyPrint tags the page margins' text without linking it to the
tree); a merged parent tree that named them carried a second, unseen copy of every such link.
The merge tells them apart without walking the tree: it copies a section's elements first, then
the batch's parent-tree entries of its pages; an entry's element that this second copy had to
make anew (its object number is above every one made before) is outside the tree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name


class _Batch:
    """What a batch's structure gives the merge, read once: its document kids with their page
    numbers, and its parent tree's entries by number."""

    def __init__(self, source: pikepdf.Pdf, *, read_only: bool = False) -> None:
        root = source.Root.StructTreeRoot
        document = root.K[0]
        index = {page.objgen: number for number, page in enumerate(source.pages)}
        #: the document's kids by page, in their order (a merged PDF is the source of hundreds of sections)
        self.kids: dict[int, list[pikepdf.Object]] = {}
        for kid in document.K:
            self.kids.setdefault(index.get(kid.Pg.objgen, -1), []).append(kid)
        numbers = list(root.ParentTree.Nums) if "/Nums" in root.get("/ParentTree", Dictionary()) else []
        self.entries = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers) - 1, 2)}
        if read_only:  # the merged PDF a merge in place writes
            return
        # Copying a kid must not follow its parent into the batch's whole tree (the other
        # sections' kids, the batch's parent tree): the source is only read, never saved.
        document.K = Array()
        for key in ("/P", "/ParentTree"):
            for holder in (document, root):
                if key in holder:
                    del holder[key]


class StructureMerge:
    """Collects the structure of each appended section; ``finish`` writes the tree."""

    def __init__(self, base: pikepdf.Pdf, first: pikepdf.Pdf) -> None:
        source_root = first.Root.get("/StructTreeRoot")
        self._start(active=source_root is not None)
        if source_root is None:
            return
        self.root = base.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self.document = base.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(), P=self.root))
        for key in ("/Namespaces", "/RoleMap", "/ClassMap"):
            if key in source_root:
                self.root[key] = copy_value(base, source_root[key])
        source_document = source_root.K[0]
        if "/NS" in source_document:
            self.document.NS = copy_value(base, source_document.NS)

    @classmethod
    def in_place(cls, base: pikepdf.Pdf) -> StructureMerge:
        """The structure of a merge into the last merged PDF ``base`` (merge.py: in place): its
        tree's root and document element kept, its kids and parent-tree entries read once, for
        ``keep`` to take those of the pages kept; ``finish`` writes the kids and parent tree anew,
        so that those of the pages deleted are no longer reached. Reading them costs little (×16
        booklet: 0.010 s of CPU): a profile that charges ~0.3 s here charges QPDF's parsing of the
        file's object streams, which the save pays if nothing reads them first (bench/merge_steps.py)."""
        merge = cls.__new__(cls)
        root = base.Root.get("/StructTreeRoot")
        merge._start(active=root is not None)
        if root is not None:
            merge.root, merge.document = root, root.K[0]
            merge.own = _Batch(base, read_only=True)
        return merge

    def _start(self, *, active: bool) -> None:
        """What a merge collects, into a new tree or the base's own (``in_place``); set whether or
        not there is a tree to write, as ``forget`` is called either way."""
        self.active = active
        self.sources: dict[str, _Batch] = {}
        self.kids: list[pikepdf.Object] = []
        self.marked: list[pikepdf.Array] = []  # by merged page: its marked content's elements by MCID
        self.linked: dict[tuple[int, int], pikepdf.Object] = {}  # merged link annotation -> its element

    def keep(self, pages: Sequence[pikepdf.Object], first: int) -> None:
        """Take the structure of the base's own pages (``in_place``), once at ``first`` among its
        pages as read: their kids, their marked content's elements, their links' elements."""
        if not self.active:
            return
        for number, page in enumerate(pages, start=first):
            self.kids += self.own.kids.get(number, ())
            self.marked.append(self.own.entries.get(int(page.get("/StructParents", -1)), Array()))
            for annotation in page.get("/Annots", Array()):
                element = self.own.entries.get(int(annotation.get("/StructParent", -1)))
                if isinstance(element, Dictionary):
                    self.linked[annotation.objgen] = element

    def _read(self, source: pikepdf.Pdf) -> _Batch:
        if source.filename not in self.sources:
            self.sources[source.filename] = _Batch(source)
        return self.sources[source.filename]

    def forget(self, source: pikepdf.Pdf) -> None:
        """Drop what was read from a batch that no later section uses."""
        self.sources.pop(source.filename, None)

    def add(self, base: pikepdf.Pdf, source: pikepdf.Pdf, first: int, count: int, offset: int) -> None:
        """Take the structure of ``source``'s pages first…first+count, appended at ``offset``."""
        if not self.active:
            return
        batch = self._read(source)
        kids = [kid for number in range(first, first + count) for kid in batch.kids.get(number, ())]
        if kids:  # one copy for the section: copying object by object costs a call each
            for copied in base.copy_foreign(source.make_indirect(Array(kids))):
                copied.P = self.document
                self.kids.append(copied)
        pages, annotations, entries = source.pages[first:first + count], [], []
        for page in pages:
            entries.append(batch.entries.get(int(page.obj.get("/StructParents", -1)), Array()))
            for annotation in page.obj.get("/Annots", Array()):
                entries += [annotation, batch.entries.get(int(annotation.get("/StructParent", -1)))]
                annotations.append(annotation)
        fresh = base.make_indirect(Dictionary()).objgen[0]  # every object copied from here on is new
        copied = list(base.copy_foreign(source.make_indirect(Array(entries))))
        position = 0
        for page in pages:
            self.marked.append(_in_tree(copied[position], fresh))
            position += 1
            for _ in page.obj.get("/Annots", Array()):
                annotation, element = copied[position], copied[position + 1]
                if isinstance(element, Dictionary) and element.objgen[0] < fresh:
                    self.linked[annotation.objgen] = element
                position += 2

    def finish(self, base: pikepdf.Pdf) -> None:
        """Number the parent tree as WeasyPrint does (pages 0…n-1, then link annotations in page
        order) and attach the tree to the catalog."""
        if not self.active:
            return
        self.document.K = Array(self.kids)
        numbers: list[object] = []  # one Array at the end: growing a pikepdf Array item by item is slow
        for number, (page, found) in enumerate(zip(base.pages, self.marked, strict=True)):
            page.obj.StructParents = number
            numbers += [number, found]
        number = len(base.pages)
        for page in base.pages:
            for annotation in page.obj.get("/Annots", Array()):
                element = self.linked.get(annotation.objgen)
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


def _in_tree(entry: object, fresh: int) -> pikepdf.Array:
    """A page's parent-tree entry (elements by MCID) with the elements outside the tree as null
    and no trailing nulls: read from its text in one call, changed only where an element is
    outside (item by item, pikepdf costs a call each: some 75k in the x16 booklet)."""
    if not isinstance(entry, Array):
        return Array()
    items = _ITEM.findall(bytes(entry.unparse())[1:-1])
    if any(other for _, _, other in items):  # not only references and nulls: item by item
        kept = [item if isinstance(item, Dictionary) and item.objgen[0] < fresh else None for item in entry]
        while kept and kept[-1] is None:
            kept.pop()
        return Array(kept)
    keep = [bool(number) and int(number) < fresh for number, _, _ in items]
    while keep and not keep[-1]:
        keep.pop()
        del entry[len(keep)]
    for index in (index for index, kept in enumerate(keep) if not kept):
        entry[index] = None
    return entry


def flatten_text_spans(pdf: pikepdf.Pdf) -> None:
    """Each run of text as marked content of its element, not of a /Span element of its own.

    WeasyPrint gives every text box of a line a /Span element with one marked-content id and
    nothing else, and each HTML ``<span>`` one more around those: half the objects of the file
    (the ×4 booklet has 14,378 objects without them, 29,216 with). Such a span says nothing a
    reader uses: its text is read as its parent's, where its id now sits in the span's place, and
    the parent tree names the parent. A span with anything more (attributes, alternate text,
    several kids) or on another page than its parent is kept. The spans left without a reference
    are not written (pikepdf saves what the file reaches).
    """
    root = pdf.Root.get("/StructTreeRoot")
    tree = root.get("/ParentTree") if root is not None else None
    numbers = tree.get("/Nums") if tree is not None else None
    if numbers is None:
        return
    while _flatten_once(numbers):  # a <span> around one text run has one id left once that run's span is gone
        pass


def _flatten_once(numbers: Array) -> bool:
    """One pass of ``flatten_text_spans`` over the parent tree's entries; whether a span went."""
    parents: dict[tuple[int, int], tuple[Dictionary, dict[tuple[int, int], int]]] = {}
    for position in range(1, len(numbers), 2):
        entry = numbers[position]
        if not isinstance(entry, Array):
            continue
        kept, changed = list(entry), False
        for index, element in enumerate(kept):
            if not isinstance(element, Dictionary) or element.get("/S") != Name.Span or set(element.keys()) != _BARE_SPAN:
                continue
            kids, parent = element.K, element.P
            if not (isinstance(kids, Array) and len(kids) == 1 and isinstance(kids[0], int)
                    and isinstance(parent, Dictionary) and "/K" in parent and parent.get("/Pg") is not None
                    and parent.Pg.objgen == element.Pg.objgen):
                continue
            parents.setdefault(parent.objgen, (parent, {}))[1][element.objgen] = int(kids[0])
            kept[index], changed = parent, True
        if changed:
            numbers[position] = Array(kept)
    for parent, ids in parents.values():
        kids = parent.K if isinstance(parent.K, Array) else Array([parent.K])
        parent.K = Array([ids.get(kid.objgen, kid) if isinstance(kid, Dictionary) else kid for kid in kids])
    return bool(parents)


#: The keys of a span WeasyPrint makes for a text box (anything more: the span is kept).
_BARE_SPAN = {"/Type", "/S", "/K", "/P", "/Pg"}


#: An item of an array's text: a reference (its object number), null, or anything else.
_ITEM = re.compile(rb"(\d+) \d+ R|(null)|(\S+)")


def copy_value(base: pikepdf.Pdf, value: object) -> object:
    """A value of another PDF in ``base``: indirect objects are copied, direct ones rebuilt."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return base.copy_foreign(value)
    if isinstance(value, pikepdf.Dictionary):
        return Dictionary({key: copy_value(base, item) for key, item in value.items()})
    if isinstance(value, pikepdf.Array):
        return Array([copy_value(base, item) for item in value])
    return value
