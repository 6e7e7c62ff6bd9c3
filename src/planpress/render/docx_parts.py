"""Word handlers for pictures, the filled table of contents and photo grids."""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import re
from contextvars import ContextVar
from typing import Any

from docx.document import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement, parse_xml
from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.image.image import Image
from docx.opc.packuri import PackURI
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Tbl
from docx.parts.hdrftr import HeaderPart
from docx.parts.image import ImagePart
from docx.section import Section as WordSection
from docx.shared import Emu, Inches, Length, Mm, Twips
from docx.table import Table as WordTable, _Cell
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run

from planpress import design, images
from planpress.document import Figure, Photos, PhotoSlot, Toc, word_style
from planpress.drawing import Drawing
from planpress.render import docx_svg, docx_widths, raster

#: Style name → style id of the reference document being filled. python-docx looks a style
#: up by scanning every style on each assignment, which made a booklet take 15 s.
STYLE_IDS: ContextVar[dict[str, str]] = ContextVar("style_ids")


def style_ids(word: WordDocument) -> dict[str, str]:
    return {style.name: style.style_id for style in word.styles}


_PPR, _PSTYLE, _VAL = qn("w:pPr"), qn("w:pStyle"), qn("w:val")


def set_style(paragraph: WordParagraph, name: str) -> None:
    """Give the paragraph a named style of the reference document (docx_widths.MissingStyle if it has none)."""
    ids = STYLE_IDS.get()
    if name not in ids:
        raise docx_widths.MissingStyle(name)
    # As python-docx's ``pPr.style = ...`` writes it, without its schema-order search: w:pStyle is
    # the first child of w:pPr, w:pPr the first of w:p.
    element = paragraph._p
    properties = element.find(_PPR)  # ``element.pPr``, without the schema's lookup
    if properties is None:
        properties = element.makeelement(_PPR, {})
        element.insert(0, properties)
    style = properties.find(_PSTYLE)
    if style is None:
        style = properties.makeelement(_PSTYLE, {})
        properties.insert(0, style)
    style.set(_VAL, ids[name])


def set_table_style(word: WordDocument, table: WordTable, name: str) -> None:
    """``table.style = word.styles[name]``, the style's id worked out once per document (python-docx
    compares the style with the default table style, found by scanning every style, each time)."""
    table._tbl.tblStyle_val = docx_widths.style_fact(
        word, name, "table style id", lambda style: word.styles.get_style_id(style, WD_STYLE_TYPE.TABLE))


def styled(container, text: str, name: str) -> WordParagraph:  # noqa: ANN001 - document, cell or header
    """A new paragraph with ``text`` in the named style."""
    paragraph = body_paragraph(container) if isinstance(container, WordDocument) else container.add_paragraph()
    if text:
        add_text(paragraph, text)
    set_style(paragraph, name)
    return paragraph


_SECTPR = qn("w:sectPr")


def _at_end(body: Any, element: Any) -> None:
    """Add the element at the end of the body, before its own w:sectPr, which is its last child:
    python-docx looks for the w:sectPr from the body's first child, for each paragraph and table."""
    last = _last(body)
    if last is not None and last.tag == _SECTPR:
        last.addprevious(element)
    else:
        body.insert_element_before(element, "w:sectPr")


def _last(body: Any) -> Any:
    """The body's last child, or None (``len`` of an lxml element counts its children one by one)."""
    return next(body.iterchildren(reversed=True), None)


def body_paragraph(word: WordDocument) -> WordParagraph:
    """``word.add_paragraph()``."""
    body = word.element.body
    paragraph = body._new_p()
    _at_end(body, paragraph)
    return WordParagraph(paragraph, word._body)


def body_table(word: WordDocument, rows: int, cols: int) -> WordTable:
    """``word.add_table(rows, cols)``: as wide as the last section's text (python-docx finds that
    section by searching the whole document for section properties, for each table)."""
    body = word.element.body
    if _last(body) is None or _last(body).tag != _SECTPR:
        return word.add_table(rows, cols)
    last = WordSection(_last(body), word.part)
    width = Emu((last.page_width or Inches(8.5)) - (last.left_margin or Inches(1)) - (last.right_margin or Inches(1)))
    element = CT_Tbl.new_tbl(rows, cols, width)
    _at_end(body, element)
    table = WordTable(element, word._body)
    # ``table.style = None`` as Document.add_table does (the default table style), without
    # python-docx finding the styles part among all the document's relationships first.
    element.tblStyle_val = None
    return table


_MERGES = (qn("w:gridSpan"), qn("w:vMerge"))


def row_cells(table: WordTable, row: Any) -> tuple[_Cell, ...]:
    """``row.cells``: a cell per w:tc when none is merged (python-docx asks each cell for its
    span and vertical merge through the schema's element lookups), else python-docx's own."""
    tr = row._tr
    if next(tr.iter(*_MERGES), None) is not None:
        return row.cells
    return tuple(_Cell(tc, table) for tc in tr.tc_lst)


def new_section(word: WordDocument) -> WordSection:
    """``word.add_section(WD_SECTION.NEW_PAGE)`` (CT_Body.add_section_break), the body's own
    w:sectPr taken as its last child rather than searched for."""
    body = word.element.body
    sentinel = _last(body)
    if sentinel is None or sentinel.tag != _SECTPR:
        return word.add_section(WD_SECTION.NEW_PAGE)
    paragraph = body._new_p()
    sentinel.addprevious(paragraph)
    # ``paragraph.set_sectPr(sentinel.clone())``, ``sentinel.xpath("w:headerReference|w:footerReference")``
    # and ``sentinel.start_type = NEW_PAGE`` (which takes w:type out) by lxml's own calls:
    # python-docx compiled the XPath and searched the schema's order for each of a ×16 booklet's
    # 780 sections (0.03 s of each build).
    properties = paragraph.makeelement(_PPR, {})
    paragraph.insert(0, properties)
    properties.append(sentinel.clone())
    for child in [child for child in sentinel if child.tag in _REFERENCES_AND_TYPE]:
        sentinel.remove(child)
    return WordSection(sentinel, word.part)


_REFERENCES_AND_TYPE = frozenset(qn(name) for name in ("w:headerReference", "w:footerReference", "w:type"))


def own_header(word: WordDocument, section: WordSection) -> WordParagraph | None:
    """``section.header.is_linked_to_previous = False`` (python-docx's _Header._add_definition),
    the new header part related through Pictures: python-docx compares it with every relationship
    of the document part (some 2,400 at ×16) for each section. The new header's one (empty)
    paragraph, or None where python-docx added the header (then ask ``section.header``)."""
    state = PICTURES.get()
    # A section new_section just made has no header of its own (its references were taken out).
    if state is None or section._sectPr.find(_HEADER_REFERENCE) is not None:
        section.header.is_linked_to_previous = False
        return None
    package = word.part.package
    # HeaderPart.new, python-docx's template parsed once and copied, not read for each section.
    part = HeaderPart(package.next_partname("/word/header%d.xml"), CT.WML_HEADER, copy.deepcopy(_header()), package)
    # ``sectPr.add_headerReference(PRIMARY, rId)``: the element made by lxml and put before the
    # first of its successors in the schema, its attributes set in python-docx's order once it is
    # in the tree (where the r: prefix is declared).
    rid = state.relate(word.part, part, RT.HEADER)
    properties = section._sectPr
    reference = properties.makeelement(_HEADER_REFERENCE, {})
    properties.insert_element_before(reference, *_HEADER_REFERENCE_SUCCESSORS)
    reference.set(_TYPE, "default")
    reference.set(_RID, rid)
    return WordParagraph(part.element.find(_P), section.header)


#: What follows w:headerReference in w:sectPr, as python-docx's CT_SectPr lists it (a new header's
#: reference goes after any w:footerReference).
_HEADER_REFERENCE_SUCCESSORS = (
    "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz", "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType",
    "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
    "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
_TYPE, _RID = qn("w:type"), qn("r:id")


_HEADER_REFERENCE, _P = qn("w:headerReference"), qn("w:p")


@functools.cache
def _header() -> Any:
    return parse_xml(HeaderPart._default_header_xml())


class PartNames:
    """``OpcPackage.next_partname`` for one package being filled: the names taken listed once, not
    by walking every part for each new header (a ×16 booklet has some 800 headers, 1,600 pictures).
    Only this names parts of a template while it is set (python-docx names headers and footers this
    way; pictures have their own numbering, Pictures and docx_svg.SvgParts)."""

    def __init__(self, package: Any) -> None:
        self.taken = {str(part.partname) for part in package.iter_parts()}
        self.numbers: dict[str, int] = {}  # template → the number to try first (those below are taken)

    def __call__(self, template: str) -> PackURI:
        number = self.numbers.get(template, 1)
        while template % number in self.taken:
            number += 1
        self.numbers[template] = number + 1
        self.taken.add(template % number)
        return PackURI(template % number)


_R, _T, _SPACE = qn("w:r"), qn("w:t"), qn("xml:space")


def add_text(paragraph: WordParagraph, text: str) -> None:
    """``paragraph.add_run(text)``: a run of text without python-docx clearing the new, empty run
    first (an XPath query per run), its w:r and w:t made by lxml (python-docx's adders look up
    each element's place in the schema: w:r and w:t go last); text with tabs or line breaks goes
    python-docx's way."""
    element = paragraph._p
    run = element.makeelement(_R, {})
    element.append(run)
    if not text:
        return
    if "\t" in text or "\n" in text or "\r" in text:
        Run(run, paragraph).text = text
        return
    piece = run.makeelement(_T, {})
    piece.text = text
    if len(text.strip()) < len(text):  # as CT_R.add_t keeps leading and trailing spaces
        piece.set(_SPACE, "preserve")
    run.append(piece)


class Pictures:
    """Image parts by their bytes, each story part's next shape id and its image relationships,
    and the image parts' numbers, kept while a document is filled: python-docx finds each of them
    by scanning the whole package for every picture (quadratic: seconds of a ×16 booklet). The
    ids, rIds and part names are the ones python-docx gives (the lowest free, in order)."""

    def __init__(self, package: Any = None) -> None:
        self.parts: dict[str, Any] = {}
        self.next_ids: dict[int, int] = {}
        self.images: dict[tuple[int, str], dict[int, str]] = {}  # (id(part), reltype) → id(target) → rId
        self.next_rids: dict[int, int] = {}
        self.numbers: set[int] = set()
        self.next_number = 1
        #: docx_sections.Journal of the ids given out, while the file's sections are kept
        self.journal: Any = None
        for part in package.image_parts if package is not None else ():
            self.parts.setdefault(part.sha1, part)
            self.numbers.add(part.partname.idx)

    def relate(self, part: Any, target: Any, reltype: str = RT.IMAGE) -> str:
        """``part.relate_to(target, reltype)``: the rId of the part's relationship to ``target``,
        a new one (the lowest free rId) if it has none."""
        known = self.images.get((id(part), reltype))
        if known is None:
            known = self.images[(id(part), reltype)] = {id(rel.target_part): rId for rId, rel in part.rels.items()
                                                        if not rel.is_external and rel.reltype == reltype}
        found = known.get(id(target))
        if found is None:
            number = self.next_rids.get(id(part), 1)
            while f"rId{number}" in part.rels:  # rIds are never removed: those below are taken
                number += 1
            self.next_rids[id(part)] = number + 1
            found = known[id(target)] = f"rId{number}"
            part.rels.add_relationship(reltype, target, found)
            if self.journal is not None:
                self.journal.add("rel", str(part.partname), reltype, str(target.partname), found)
        return found

    def image_part(self, package: Any, data: bytes, digest: str | None = None, ext: str | None = None) -> Any:
        """The package's image part of these bytes, added as /word/media/imageN.ext if new.
        ``digest`` and ``ext``: their SHA-1 and their kind's suffix, known already (a section
        docx_sections kept: its pictures are kept by digest, sealed, under the name they had):
        hashing a ×16 booklet's 48 MB of photos again and reading each PNG's chunks for its kind
        took ~0.1 s of each build. python-docx reads the picture's size when it is asked for it."""
        digest = digest or hashlib.sha1(data).hexdigest()
        if digest not in self.parts:
            image = Image.from_blob(data) if ext not in _KNOWN_KINDS else None
            while self.next_number in self.numbers:
                self.next_number += 1
            self.numbers.add(self.next_number)
            if image is None:
                part = ImagePart(PackURI(f"/word/media/image{self.next_number}.{ext}"), _KNOWN_KINDS[ext], data)
            else:
                part = ImagePart.from_image(image, PackURI(f"/word/media/image{self.next_number}.{image.ext}"))
            package.image_parts.append(part)
            self.parts[digest] = part
            if self.journal is not None:
                self.journal.add("image", digest, str(part.partname))
                self.journal.blobs[digest] = data
        return self.parts[digest]


PICTURES: ContextVar[Pictures | None] = ContextVar("pictures", default=None)

#: A picture's content type by the suffix python-docx names its part with (docx.image: Png, Jpeg).
_KNOWN_KINDS = {"png": CT.PNG, "jpg": CT.JPEG}


def add_image(run: Run, data: bytes, width: Length, *, height: Length | None = None) -> None:
    """A picture of ``data`` ``width`` wide at the end of the run, as ``Run.add_picture`` adds it;
    with ``height``, no taller than that (narrower, in its own proportions)."""
    state = PICTURES.get()
    if state is None:
        cx, cy = _fitted(Image.from_blob(data), width, height)
        run.add_picture(io.BytesIO(data), width=cx, height=cy)
        return
    part = run.part
    image_part = state.image_part(part.package, data)
    relation = state.relate(part, image_part)
    cx, cy = _fitted(image_part.image, width, height)
    shape_id = state.next_ids.get(id(part)) or part.next_id
    state.next_ids[id(part)] = shape_id + 1
    if state.journal is not None:
        state.journal.add("shape", shape_id)
    run._r.add_drawing(CT_Inline.new_pic_inline(shape_id, relation, image_part.image.filename, cx, cy))


def _fitted(image: Image, width: Length, height: Length | None) -> tuple[Length, Length]:
    cx, cy = image.scaled_dimensions(width, None)
    return (cx, cy) if height is None or cy <= height else image.scaled_dimensions(None, height)


def add_picture(run: Run, drawing: Drawing, *, width: float | None = None) -> None:
    """The drawing as SVG with a PNG fallback in the run, the drawing's alt text as the picture's description."""
    add_image(run, raster.picture(drawing), Mm(width or drawing.width))
    state = PICTURES.get()
    docx_svg.attach(run, drawing, None if state is None else state.relate)
    for properties in run._r.iter(qn("wp:docPr")):
        properties.set("descr", drawing.alt)
        properties.set("title", drawing.alt[:60])


def figure(word: WordDocument, block: Figure) -> None:
    # The first CSS class is the Word style: "figure" → Figure, "icon-row" → Icon Row.
    paragraph = styled(word, "", word_style(block.style.split()[0]))
    for index, drawing in enumerate(block.drawings):
        run = paragraph.add_run()
        if index:
            run.add_text(" ")
        add_picture(run, drawing)
    if block.caption:
        styled(word, block.caption, "Caption")


def _fld_char(paragraph: WordParagraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def toc(word: WordDocument, block: Toc) -> None:
    """A TOC field whose result is already filled with one entry per heading.

    planpress cannot know where Word will break pages, so the cached entries carry no page
    numbers rather than wrong ones: Word rebuilds the contents with its page numbers when it
    updates fields on opening (settings: updateFields); LibreOffice shows the entries as they are.
    Each entry links to its heading's bookmark.
    """
    entries = block.entries
    for index, entry in enumerate(entries):
        paragraph = styled(word, "", f"TOC {entry.level}")
        if index == 0:
            _fld_char(paragraph, "begin")
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = ' TOC \\o "1-2" \\h \\z '
            paragraph.add_run()._r.append(code)
            _fld_char(paragraph, "separate")
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), bookmark_name(entry.anchor))
        link.append(paragraph.add_run(entry.title)._r)
        paragraph._p.append(link)
        if index == len(entries) - 1:
            _fld_char(paragraph, "end")


def bookmark_name(anchor: str) -> str:
    """The anchor as a Word bookmark name: letters, digits and underscores, at most 40 characters."""
    return re.sub(r"[^0-9A-Za-z_]", "_", anchor)[:40]


def bookmark(paragraph: WordParagraph, anchor: str, identifier: int) -> None:
    """A bookmark around the paragraph's content, the target of the contents' links."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(identifier))
    start.set(qn("w:name"), bookmark_name(anchor))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(identifier))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


#: A photo's frame (width, height), the PDF's (planpress.design PHOTO_FRAME): a photo is shown
#: whole, as large as fits in it; a portrait one is narrower, never cut or taller.
PHOTO_FRAME = (Mm(design.PHOTO_FRAME[0]), Mm(design.PHOTO_FRAME[1]))
#: The top and bottom margin of a "Photo Grid" cell (make_reference_docx: 57 twips each).
_PHOTO_CELL_MARGINS = Twips(2 * 57)


def photos(word: WordDocument, block: Photos) -> None:
    """Photos three to a row in a borderless grid, each whole in its frame; a missing image is a marked placeholder.

    A row of photos is two rows of the grid: the pictures, each centred in a cell at least the
    frame's height, then their captions, so the captions of a row start on one line as in the PDF
    (a caption in its picture's cell stood right under it: a panorama's higher than a tower's)."""
    if block.title:
        styled(word, block.title, "Heading 3")
    per_row = 3
    rows = -(-len(block.slots) // per_row)
    table = body_table(word, 2 * rows, per_row)
    set_table_style(word, table, "Photo Grid")
    grid_rows = table.rows
    for number in range(rows):
        pictures, captions = grid_rows[2 * number], grid_rows[2 * number + 1]
        pictures.height, pictures.height_rule = PHOTO_FRAME[1] + _PHOTO_CELL_MARGINS, WD_ROW_HEIGHT_RULE.AT_LEAST
        slots = block.slots[number * per_row:(number + 1) * per_row]
        for slot, picture, caption in zip(slots, row_cells(table, pictures), row_cells(table, captions)):
            picture.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _photo(picture.paragraphs[0], slot)
            caption_paragraph = caption.paragraphs[0]
            add_text(caption_paragraph, slot.caption)
            set_style(caption_paragraph, "Photo Caption")
        _keep_with_captions(row_cells(table, pictures)[len(slots):])
        for row in (pictures, captions):
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _keep_with_captions(empty: tuple[_Cell, ...]) -> None:
    """A pictures' row stays on the page of its captions' row because its paragraphs keep with the
    next ("Photo" and "Photo Placeholder" do): Word keeps table rows together where their
    paragraphs keep with the next, LibreOffice where the first cell's first paragraph does. The
    empty cells of a last row of one or two photos get "Photo" too: in Normal they kept with nothing."""
    for cell in empty:
        set_style(cell.paragraphs[0], "Photo")


def _photo(paragraph: WordParagraph, slot: PhotoSlot) -> None:
    """The slot's picture fitted in the frame, or its marked placeholder."""
    if slot.image is None:
        set_style(paragraph, "Photo Placeholder")
        paragraph.add_run(slot.placeholder)
        return
    set_style(paragraph, "Photo")
    width, height = PHOTO_FRAME
    add_image(paragraph.add_run(), images.for_documents(slot.image), width, height=height)
