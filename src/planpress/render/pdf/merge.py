"""Join laid-out parts (sections, each with its pages in a batch's PDF) into one PDF that reads
as a single-pass render.

The batch file of the first part is the base: its catalog (language), document information
(title, author, dates) and trailer identifier are the whole document's, since every batch is
rendered with the whole document's metadata. Pages of the other parts are appended; named destinations
of all parts become one sorted name tree; links that a part could not resolve
(``planpress-part:NAME``) point at the named destination again; the outline is rebuilt from
every part's bookmarks with WeasyPrint's nesting rule, so a part's level-2 bookmarks sit
under the previous part's level-1 bookmark as they would in one pass.
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from planpress.render.pdf import objstreams
from planpress.render.pdf.cache import PageRange, PartCache, PartMeta, Placed, batch_name
from planpress.render.pdf.canonical import joined
from planpress.document import Document
from planpress.memo import checked, sealed
from planpress.render.pdf.fontmerge import glyph_digests, join_fonts
from planpress.render.pdf.shadings import SharedShadings
from planpress.render.pdf.standards import sync_xmp_dates
from planpress.render.pdf.tags import StructureMerge, copy_value

#: A link from one part to an anchor in another, as the part's PDF holds it until the merge.
PART_LINK = "planpress-part:"
#: How the cache names a merged PDF (``merged``); the next build's merge reads the sections it
#: did not lay out again from it (``_rebase``).
MERGED = "merged-"


@dataclass
class _Bookmark:
    title: str
    page: int
    x: Decimal
    y: Decimal
    state: str
    children: list[_Bookmark] = field(default_factory=list)


@dataclass(frozen=True)
class MergePart:
    """A section ready to merge: its cache keys, what its layout found out, where its pages are."""

    content: str
    variant: str
    meta: PartMeta
    pages: PageRange


#: How a merge is run: ``merge_files`` itself, or a call that runs it elsewhere with the same
#: arguments (a worker process: pool.Workers.merge).
Merger = Callable[[dict[str, Path], Sequence[MergePart], dict[str, str], Placed | None], bytes]


def merged(document: Document, cache: PartCache, parts: Sequence[MergePart], dates: dict[str, str],
           run: Merger | None = None) -> tuple[bytes, bool]:
    """The merged PDF of the sections, and whether it came whole from the cache (nothing changed).

    ``dates`` (/CreationDate, /ModDate) replace those of the cached sections, which may be older.
    ``run``: where the merge runs (by default here).
    """
    names = [part.variant for part in parts] + [f"{name}={value}" for name, value in sorted(dates.items())]
    key = MERGED + hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()[:32]
    batches = {part.pages.batch for part in parts}
    cache.keep_only(document.name, [key, *batches, *(k for part in parts for k in (part.content, part.variant))])
    if cache.has_pdf(key):
        found = checked(cache.pdf_path(key).read_bytes())  # after the line of its digest (memo.sealed)
        if found is not None:
            _rebase(cache, document.name, key, parts)
            return found, True
        cache.forget_pdf(key)  # damaged outside planpress (a copy of the project stopped halfway): merged again
    last = cache.placed(document.name)  # what the last merged PDF's fonts were joined for (merge_files)
    data = (run or merge_files)({batch: cache.pdf_path(batch) for batch in sorted(batches)}, parts, dates, last)
    cache.store_pdf(key, sealed(data))
    _rebase(cache, document.name, key, parts)
    return data, False


def _rebase(cache: PartCache, document: str, key: str, parts: Sequence[MergePart]) -> None:
    """Each section's pages are henceforth those in the merged PDF ``key`` (``PartCache.placed``,
    one record for the document): the next build merges the sections it does not lay out again
    from there, one file to open instead of one per batch, and each font's program joined from
    two instead of one per batch (×16 booklet after an edit: merge 3.1 -> 2.0 s, the same bytes).
    The next ``keep_only`` deletes the batches: no section's pages are read from them any more.

    The merge gives the same bytes from either: a merged page is a batch page with the fonts
    joined (fontjoin keeps what the pages draw, whichever subsets it joins), the repeated shadings
    and images shared (shadings.py knows a merged PDF's by their text's digest, as a batch's), its
    links resolved and its structure under one element (each kid with its page, as in a batch).
    The record also says which glyphs each font of ``key`` was joined for: a merge in it keeps
    a font whose glyphs are the same (fontmerge.keep_joined)."""
    first, offset = {}, 0
    for part in parts:
        first[part.variant] = offset
        offset += part.pages.count
    known = cache.placed(document)
    if known is None or known.pdf != key or known.first != first:  # else this very merge's: the same glyphs
        cache.store_placed(document, Placed(key, first, glyph_digests(_drawn(parts))))


class _Source:
    """A batch PDF, or the last build's merged PDF, opened once, with its destinations and outline
    items by page (read once)."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        if path.stem.startswith(MERGED):
            data = checked(data) or b""  # after the line of its digest (memo.sealed); damaged: empty
        elif path.stem.startswith("batch-") and path.stem != batch_name(data):
            data = b""  # not the bytes its name (their hash) says
        if not data:
            raise OSError(f"{path.name}: damaged outside planpress")
        self.pdf = pikepdf.open(io.BytesIO(data))
        self.index = {page.objgen: number for number, page in enumerate(self.pdf.pages)}
        # By page: a merged PDF is the source of hundreds of sections, each asking for its own.
        self.dests: dict[int, list[tuple[str, Decimal, Decimal]]] = {}
        for name, number, x, y in _dests(self.pdf, self.index):
            self.dests.setdefault(number, []).append((name, x, y))
        self.marks: dict[int, list[_Bookmark]] = {}
        for mark in _outline(self.pdf, self.index):  # in document order, which is page order
            self.marks.setdefault(mark.page, []).append(mark)


def merge_files(paths: dict[str, Path], parts: Sequence[MergePart], dates: dict[str, str], last: Placed | None = None,
                keep: list[pikepdf.Pdf] | None = None) -> bytes:
    """The merged PDF of the parts, whose pages are in the batch PDFs ``paths`` (by batch name).

    When most pages come from the last merged PDF, in their order there (a build after an edit),
    the merge is made in it (``_in_place``): the pages of the sections laid out anew are deleted
    and the new ones inserted, rather than every page copied into a new PDF. The bytes are the
    same either way (objstreams.py: they follow the objects, not the order they were made).

    ``last``: the record of the last merge (cache.Placed); a merge in its PDF keeps the fonts
    whose glyphs did not change as that merge joined them (fontmerge.keep_joined).

    ``keep``: takes the PDFs still open at the end (the merged one, the sources last used), for
    the caller to free when it chooses; by default they are freed before this returns.
    """
    sources: dict[str, _Source] = {}
    drawn = _drawn(parts)  # read once: the merge in place needs it known, the fonts keep only it
    into = _in_place(parts, drawn)
    own = _opened(paths, into) if into is not None else None
    base = own.pdf if own is not None else pikepdf.new()
    shadings = SharedShadings(base)
    names: dict[str, Array] = {}
    flat: list[tuple[int, _Bookmark]] = []
    structure = StructureMerge.in_place(base) if own is not None else None
    kept = _drop_unkept(base, parts, into) if into is not None else []  # the base's pages as read
    shadings.hold(list(base.pages) if own is not None else [])
    fresh: list[pikepdf.Object] = []  # the pages copied, whose links _relink resolves
    last_use = {part.pages.batch: number for number, part in enumerate(parts)}
    version = base.pdf_version if own is not None else "1.7"
    offset = 0  # pages so far, counted here: asking pikepdf costs a walk of the page tree after a copy
    try:
        for number, part in enumerate(parts):
            first, count = part.pages.first, part.pages.count
            if own is not None and part.pages.batch == into:
                _collect(own, kept[first:first + count], part, offset, names, flat)
                assert structure is not None
                structure.keep(kept[first:first + count], first)
                offset += count
                continue
            if part.pages.batch not in sources:
                sources[part.pages.batch] = _opened(paths, part.pages.batch)
            source = sources[part.pages.batch]
            if number == 0:
                _copy_document_level(source.pdf, base)
                version = source.pdf.pdf_version
            if structure is None:
                structure = StructureMerge(base, source.pdf)
            shadings.take(source.pdf, first, count)  # one copy of each, not one per box
            fresh += _append(base, source, part, offset, names, flat, insert=own is not None)
            structure.add(base, source.pdf, first, count, offset)
            offset += count
            if last_use[part.pages.batch] == number:  # copied: only parts, never every batch, in memory
                structure.forget(source.pdf)
                sources.pop(part.pages.batch).pdf.close()
        assert structure is not None, "a document without sections has nothing to merge"
        structure.finish(base)
        _write_dates(base, dates)
        sync_xmp_dates(base)
        _relink(fresh)
        _write_names(base, names)
        _write_outline(base, _nest(flat))
        fonts = last.fonts if last is not None and own is not None and last.pdf == into else None  # joined for
        gone = [kept[number] for number in _unkept(parts, into, len(kept))] if into is not None else []
        join_fonts(base, drawn, joined=fonts, fresh=fresh, gone=gone)  # one program and one dictionary per font
        return objstreams.saved(base, min_version=version)  # bytes that follow the objects, not their making
    except pikepdf.PdfError:  # a batch that opened but is damaged inside: which one is not known
        raise DamagedBatch(sorted(paths)) from None
    finally:
        for source in sources.values():
            source.pdf.close()
        if keep is not None:
            keep += [base, *(source.pdf for source in sources.values())]


def _opened(paths: dict[str, Path], batch: str) -> _Source:
    try:
        return _Source(paths[batch])
    except (pikepdf.PdfError, OSError):
        raise DamagedBatch([batch]) from None


def _in_place(parts: Sequence[MergePart], drawn: dict[str, set[int]] | None) -> str | None:
    """The last merged PDF to merge in place: the one more than half the pages come from, if the
    sections taken from it keep its order (a section moved ahead of another: a new merge) and
    every section's glyphs are known (``drawn``: the fonts are then written anew whatever they held).

    ×16 booklet after one commentary edited (778 of its 780 sections from there), the merge
    alone on its captured inputs, best of 3 in each of 3 processes alternating with a new merge:
    1.42–1.65 s of CPU against 2.13–2.64 s; a new merge still reads and writes every object."""
    counts: Counter[str] = Counter()
    for part in parts:
        if part.pages.batch.startswith(MERGED):
            counts[part.pages.batch] += part.pages.count
    if not counts or drawn is None:
        return None
    into, pages = counts.most_common(1)[0]
    if pages * 2 <= sum(part.pages.count for part in parts):
        return None
    end = 0
    for part in parts:
        if part.pages.batch == into:
            if part.pages.first < end:
                return None
            end = part.pages.first + part.pages.count
    return into


def _drop_unkept(base: pikepdf.Pdf, parts: Sequence[MergePart], into: str) -> list[pikepdf.Object]:
    """Delete the pages of the merged PDF ``base`` that no section keeps (laid out anew, or gone);
    return its pages as they were, by their number then. What only they reached is no longer
    reached: QPDF writes what the trailer reaches."""
    pages = [page.obj for page in base.pages]
    for number in reversed(_unkept(parts, into, len(pages))):
        del base.pages[number]
    if "/Names" in base.Root:  # written anew (_write_names), as a merge of the batches writes it
        del base.Root["/Names"]
    return pages


def _unkept(parts: Sequence[MergePart], into: str, count: int) -> list[int]:
    """The numbers of the ``count`` pages of the merged PDF ``into`` that no section keeps."""
    used = {number for part in parts if part.pages.batch == into
            for number in range(part.pages.first, part.pages.first + part.pages.count)}
    return [number for number in range(count) if number not in used]


class DamagedBatch(Exception):
    """Batch PDFs of the cache that pikepdf cannot read (changed or cut short outside planpress):
    their sections are laid out again."""

    def __init__(self, batches: list[str]) -> None:
        super().__init__(batches)
        self.batches = batches


def _drawn(parts: Sequence[MergePart]) -> dict[str, set[int]] | None:
    """The glyphs the document's pages draw, by font; None if a section's are unknown."""
    return joined([part.pages.drawn for part in parts])


def _copy_document_level(source: pikepdf.Pdf, base: pikepdf.Pdf) -> None:
    """Language, document information and identifier: every part carries the whole document's."""
    for key, value in source.Root.items():
        if key not in ("/Type", "/Pages", "/Outlines", "/Names", "/StructTreeRoot"):
            base.Root[key] = copy_value(base, value)
    for key in ("/Info", "/ID"):
        if key in source.trailer:
            base.trailer[key] = copy_value(base, source.trailer[key])


def _write_dates(base: pikepdf.Pdf, dates: dict[str, str]) -> None:
    if dates and "/Info" not in base.trailer:
        base.trailer.Info = base.make_indirect(Dictionary())
    for name, value in dates.items():
        base.trailer.Info[name] = String(value)


def _append(base: pikepdf.Pdf, source: _Source, part: MergePart, offset: int, names: dict[str, Array],
            flat: list[tuple[int, _Bookmark]], *, insert: bool = False) -> list[pikepdf.Object]:
    """Put a section's pages after the ``offset`` pages so far (appended, or ``insert``ed among
    the pages of a merge in place); collect its named destinations and bookmarks; return them."""
    first, count = part.pages.first, part.pages.count
    # Copied one by one and appended: pikepdf's extend costs about twice as much (it looks for
    # named destinations to carry over, which the merge carries over below, by hand).
    pages = [base.copy_foreign(page.obj) for page in source.pdf.pages[first:first + count]]
    for number, page in enumerate(pages, start=offset):
        if insert:
            base.pages.insert(number, pikepdf.Page(page))
        else:
            base.pages.append(pikepdf.Page(page))
    _collect(source, pages, part, offset, names, flat)
    return pages


def _collect(source: _Source, pages: list[pikepdf.Object], part: MergePart, offset: int, names: dict[str, Array],
             flat: list[tuple[int, _Bookmark]]) -> None:
    """A section's named destinations (to its ``pages`` in the merged PDF) and bookmarks."""
    first, count = part.pages.first, part.pages.count
    for number in range(first, first + count):
        for name, x, y in source.dests.get(number, ()):
            names.setdefault(name, Array([pages[number - first], Name.XYZ, x, y, 0]))
    marks = [mark for number in range(first, first + count) for mark in source.marks.get(number, ())]
    assert len(marks) == len(part.meta.bookmarks), "a section's outline and its bookmarks disagree"
    for (level, _, state), mark in zip(part.meta.bookmarks, marks):
        flat.append((level, _Bookmark(mark.title, mark.page - first + offset, mark.x, mark.y, state)))


def _page_of(dest: Array, index: dict[tuple[int, int], int]) -> tuple[int, Decimal, Decimal]:
    """(page index in the batch, x, y) of a destination."""
    return index[dest[0].objgen], dest[2], dest[3]


def _dests(pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]) -> list[tuple[str, int, Decimal, Decimal]]:
    """Named destinations of a batch, as (name, page index, x, y); WeasyPrint writes a flat tree."""
    tree = pdf.Root.get("/Names", Dictionary()).get("/Dests")
    if tree is None:
        return []
    flat = tree.get("/Names", Array())
    return [(str(flat[i]), *_page_of(flat[i + 1], index)) for i in range(0, len(flat), 2)]


def _outline(pdf: pikepdf.Pdf, index: dict[tuple[int, int], int]) -> list[_Bookmark]:
    """A batch's outline items in document order (pre-order), with their destinations."""
    found: list[_Bookmark] = []

    def walk(item: Dictionary | None) -> None:
        while item is not None:
            found.append(_Bookmark(str(item.Title), *_page_of(item.Dest, index), "open"))
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


def _relink(pages: list[pikepdf.Object]) -> None:
    """Links a part kept as planpress-part:NAME go to the named destination NAME, described (the
    tagged profiles' /Contents) by NAME as a link laid out in one pass is, not by that URI."""
    for page in pages:
        for annotation in page.get("/Annots", Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(PART_LINK):
                del annotation["/A"]
                annotation.Dest = String(uri.removeprefix(PART_LINK))
                if "/Contents" in annotation:
                    annotation.Contents = annotation.Dest


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
    pages = [page.obj for page in pdf.pages]  # one walk: indexing pdf.pages cost each bookmark one
    first, last, count = _outline_items(pdf, pages, tree, root)
    root.Count, root.First, root.Last = count, first, last
    pdf.Root.Outlines = root


def _outline_items(pdf: pikepdf.Pdf, pages: list[pikepdf.Object], marks: list[_Bookmark],
                   parent: Dictionary) -> tuple[Dictionary, Dictionary, int]:
    count = len(marks)
    items: list[Dictionary] = []
    for mark in marks:
        dest = Array([pages[mark.page], Name.XYZ, mark.x, mark.y, 0])
        item = pdf.make_indirect(Dictionary(Title=String(mark.title), Dest=dest, Parent=parent))
        children = 0
        if mark.children:
            item.First, item.Last, children = _outline_items(pdf, pages, mark.children, item)
        item.Count = -children if mark.state == "closed" else children
        count += 0 if mark.state == "closed" else children
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    return items[0], items[-1], count
