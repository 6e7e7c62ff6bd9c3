"""Join laid-out parts into one PDF that reads as a single-pass render.

The first part's file is the base: its catalog (language), document information (title,
author, dates) and trailer identifier are the whole document's, since every part is rendered
with the whole document's metadata. Pages of the other parts are appended; named destinations
of all parts become one sorted name tree; links that a part could not resolve
(``planpress-part:NAME``) point at the named destination again; the outline is rebuilt from
every part's bookmarks with WeasyPrint's nesting rule, so a part's level-2 bookmarks sit
under the previous part's level-1 bookmark as they would in one pass.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from planpress.cache import PartCache, PartMeta
from planpress.document import Document

#: A link from one part to an anchor in another, as the part's PDF holds it until the merge.
PART_LINK = "planpress-part:"


@dataclass
class _Bookmark:
    title: str
    page: int
    x: Decimal
    y: Decimal
    state: str
    children: list[_Bookmark] = field(default_factory=list)


def merged(document: Document, cache: PartCache, parts: Sequence[tuple[str, str, PartMeta]]) -> tuple[bytes, bool]:
    """The merged PDF of (content key, variant, metadata) parts, and whether it came whole from the cache."""
    variants = [variant for _, variant, _ in parts]
    key = "merged-" + hashlib.sha256("\n".join(variants).encode("ascii")).hexdigest()[:32]
    cache.keep_only(document.name, [key, *variants, *(content for content, _, _ in parts)])
    if cache.has_pdf(key):
        return cache.pdf_path(key).read_bytes(), True
    data = _merge([cache.pdf_path(v) for v in variants], [meta for _, _, meta in parts])
    cache.store_pdf(key, data)
    return data, False


def _merge(paths: Sequence[Path], metas: Sequence[PartMeta]) -> bytes:
    base = pikepdf.open(paths[0])
    names: dict[str, Array] = {}
    flat: list[tuple[int, _Bookmark]] = []
    sources = [base]
    for number, path in enumerate(paths):
        source = base if number == 0 else pikepdf.open(path)
        offset = len(base.pages) if number else 0
        index = {page.objgen: i for i, page in enumerate(source.pages)}
        part_names = _dests(source, index)
        part_bookmarks = _outline(source, index)
        if number:
            sources.append(source)
            base.pages.extend(source.pages)
        for name, (page, x, y) in part_names:
            names.setdefault(name, Array([base.pages[offset + page].obj, Name.XYZ, x, y, 0]))
        levels = metas[number].bookmarks
        assert len(levels) == len(part_bookmarks), "a part's outline and its bookmarks disagree"
        for (level, _, state), mark in zip(levels, part_bookmarks):
            mark.page += offset
            mark.state = state
            flat.append((level, mark))
    _relink(base)
    _write_names(base, names)
    _write_outline(base, _nest(flat))
    out = io.BytesIO()
    base.save(out, deterministic_id=True)
    for source in sources:
        source.close()
    return out.getvalue()


def _page_of(dest: Array, index: dict[tuple[int, int], int]) -> tuple[int, Decimal, Decimal]:
    return index[dest[0].objgen], dest[2], dest[3]


def _dests(pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]) -> list[tuple[str, tuple[int, Decimal, Decimal]]]:
    """Named destinations of a part, as (name, (page index, x, y)); WeasyPrint writes a flat tree."""
    tree = pdf.Root.get("/Names", Dictionary()).get("/Dests")
    if tree is None:
        return []
    flat = tree.get("/Names", Array())
    return [(str(flat[i]), _page_of(flat[i + 1], index)) for i in range(0, len(flat), 2)]


def _outline(pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]) -> list[_Bookmark]:
    """A part's outline items in document order (pre-order), with their destinations."""
    found: list[_Bookmark] = []

    def walk(item: Dictionary | None) -> None:
        while item is not None:
            page, x, y = _page_of(item.Dest, index)
            found.append(_Bookmark(str(item.Title), page, x, y, "open"))
            walk(item.get("/First"))
            item = item.get("/Next")

    outlines = pdf.Root.get("/Outlines")
    if outlines is not None:
        walk(outlines.get("/First"))
    return found


def _nest(flat: Sequence[tuple[int, _Bookmark]]) -> list[_Bookmark]:
    """WeasyPrint's rule (weasyprint/anchors.py make_page_bookmark_tree), over the whole document."""
    root: list[_Bookmark] = []
    skipped: list[int] = []
    last_by_depth = [root]
    previous = 0
    for level, mark in flat:
        if level > previous:
            skipped.append(level - previous - 1)
        else:
            temp = level
            while temp < previous:
                temp += 1 + skipped.pop()
            if temp > previous:
                skipped.append(temp - previous - 1)
        previous = level
        depth = level - sum(skipped)
        last_by_depth[depth - 1].append(mark)
        del last_by_depth[depth:]
        last_by_depth.append(mark.children)
    return root


def _relink(pdf: pikepdf.Pdf) -> None:
    """Links a part kept as planpress-part:NAME go to the named destination NAME."""
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(PART_LINK):
                del annotation["/A"]
                annotation.Dest = String(uri.removeprefix(PART_LINK))


def _write_names(pdf: pikepdf.Pdf, names: dict[str, Array]) -> None:
    if not names:
        return
    flat = Array()
    for name in sorted(names):  # name trees are sorted; WeasyPrint sorts the same way
        flat.append(String(name))
        flat.append(names[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(Dictionary(Names=flat))


def _write_outline(pdf: pikepdf.Pdf, tree: list[_Bookmark]) -> None:
    """Outline dictionaries as WeasyPrint's add_outlines writes them (same /Count rule)."""
    if "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
    if not tree:
        return
    root = pdf.make_indirect(Dictionary())
    first, last, count = _outline_items(pdf, tree, root)
    root.Count, root.First, root.Last = count, first, last
    pdf.Root.Outlines = root


def _outline_items(pdf: pikepdf.Pdf, marks: list[_Bookmark], parent: Dictionary) -> tuple[Dictionary, Dictionary, int]:
    count = len(marks)
    items: list[Dictionary] = []
    for mark in marks:
        dest = Array([pdf.pages[mark.page].obj, Name.XYZ, mark.x, mark.y, 0])
        item = pdf.make_indirect(Dictionary(Title=String(mark.title), Dest=dest, Parent=parent))
        children = 0
        if mark.children:
            item.First, item.Last, children = _outline_items(pdf, mark.children, item)
        item.Count = -children if mark.state == "closed" else children
        count += 0 if mark.state == "closed" else children
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    return items[0], items[-1], count
