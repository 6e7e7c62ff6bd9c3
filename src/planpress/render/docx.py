"""Word (.docx) from the document model, with the named styles of layouts/reference.docx."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timezone

from docx import Document as open_docx
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Twips
from docx.enum.section import WD_SECTION
from docx.table import Table as WordTable

from planpress.document import (Bar, BarChart, Block, Cell, Document, Figure, Heading, Paragraph, Photos, Section,
                                Table, TitleBlock, Toc, word_style)
from planpress import memo
from planpress.cache import CACHE_DIR
from planpress.errors import PlanpressError
from planpress.render import docx_parts, docx_svg, docx_toc, docx_widths, raster
from planpress.render.html import build_date, environment
from planpress.source import Project

REFERENCE = "reference.docx"
#: The section style of a cover page (title block placed by the Cover styles, no running header).
COVER = "cover"

# A4 with the margins of layouts/print.css.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(22), "bottom": Mm(20), "left": Mm(20), "right": Mm(20)}


def render(document: Document, project: Project) -> bytes:
    """Fill a copy of the reference document and return the .docx bytes."""
    word = _open_reference(project)
    _clear_body(word)
    _page_setup(word)
    environment_ = memo.environment(project)
    token = _STATE.set(_RenderState())
    ids = docx_parts.STYLE_IDS.set(docx_parts.style_ids(word))
    svgs = docx_svg.SVG_PARTS.set(docx_svg.SvgParts(environment(project.layouts_dir)))
    shelf = raster.SHELF.set((memo.Shelf(project, "png"), memo.fingerprint(environment_, memo.versions("pillow"))))
    pictures = docx_parts.PICTURES.set(docx_parts.Pictures())
    try:
        for index, section in enumerate(document.sections):
            _add_section(word, section, first=index == 0)
    finally:
        _STATE.reset(token)
        docx_parts.STYLE_IDS.reset(ids)
        docx_svg.SVG_PARTS.reset(svgs)
        raster.SHELF.reset(shelf)
        docx_parts.PICTURES.reset(pictures)
    _properties(word, document, build_date(project))
    tocs = [block for section in document.sections for block in section.blocks if isinstance(block, Toc)]
    if not tocs:
        return _saved(word, project)
    # LibreOffice's page numbers in the contents when it is installed; else Word adds them on opening.
    numbers = _toc_numbers(document, project, word, tocs[0], environment_)
    if numbers:
        docx_toc.fill(word, {docx_parts.style_ids(word)[f"TOC {level}"] for level in (1, 2)}, numbers)
    else:
        _update_fields_on_open(word)
    return _saved(word, project)


def _toc_numbers(document: Document, project: Project, word: WordDocument, toc: Toc,
                 environment_: tuple[str, ...]) -> list[int] | None:
    """The contents' page numbers as LibreOffice lays the file out, kept in the cache under all that
    shapes that layout: the document model (the file's dates move no page), layouts, fonts, code,
    python-docx and the LibreOffice installed. Laying the booklet out takes LibreOffice seconds."""
    key = memo.fingerprint("docx-toc", memo.document_print(document), environment_, memo.versions("python-docx"),
                           memo.tool_identity("soffice"), memo.tool_identity("pdftotext"))
    slot = memo.Slot(project, f"{document.name}.toc.json")
    cached = slot.get(key)
    if cached is not None:
        return json.loads(cached)
    pages = docx_toc.laid_out_pages(_saved(word, project), profile=project.root / CACHE_DIR / "libreoffice")
    if pages is None:
        return None  # no LibreOffice (or it failed): nothing worth keeping
    numbers = docx_toc.page_numbers(pages, toc.entries)
    slot.put(key, json.dumps(numbers).encode("utf-8"))
    return numbers


def _saved(word: WordDocument, project: Project) -> bytes:
    buffer = io.BytesIO()
    word.save(buffer)
    return _fixed_zip_times(buffer.getvalue(), build_date(project))


def _open_reference(project: Project) -> WordDocument:
    path = project.layouts_dir / REFERENCE
    try:
        return open_docx(str(path))
    except Exception as error:  # python-docx raises several kinds for a bad package
        raise PlanpressError(f"layouts/{REFERENCE}: Wordのスタイル見本を開けません（{error}）") from None


def _clear_body(word: WordDocument) -> None:
    body = word.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _page_setup(word: WordDocument) -> None:
    """A4 portrait and explicit margins: python-docx's template is US Letter."""
    section = word.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = section.footer_distance = Mm(10)
    footer = section.footer.paragraphs[0]
    footer.style = word.styles["Footer"]
    footer.add_run("－ ")
    _page_field(footer)
    footer.add_run(" －")


def _page_field(paragraph) -> None:  # noqa: ANN001 - python-docx paragraph
    """A PAGE field with a cached result, so readers that never update fields still show a number."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text


class _RenderState:
    """What handlers share while one document is written: the next bookmark id."""

    def __init__(self) -> None:
        self.bookmarks = 0
        self.cover = False


_STATE: ContextVar[_RenderState] = ContextVar("docx_state")


def _add_section(word: WordDocument, section: Section, *, first: bool) -> None:
    """Each section starts a new page; a Word section of its own carries its running header."""
    if not first:
        word.add_section(WD_SECTION.NEW_PAGE)
        word.sections[-1].header.is_linked_to_previous = False
    _STATE.get().cover = section.style == COVER
    # A cover's page has its own (empty) header and footer: no page number, as in the PDF.
    word.sections[-1].different_first_page_header_footer = section.style == COVER
    header = word.sections[-1].header.paragraphs[0]
    if not header.text:
        docx_parts.set_style(header, "Header")
        # A cover carries no running header, as in the PDF.
        header.add_run("" if section.style == COVER else section.running_title or section.title)
    for block in section.blocks:
        HANDLERS[type(block)](word, block)


def _update_fields_on_open(word: WordDocument) -> None:
    """Word refreshes the contents' page numbers on opening (LibreOffice shows the filled ones)."""
    settings = word.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # Schema order: updateFields comes before these (Word rejects a settings part out of order).
    later = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "attachedSchema",
             "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
             "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "shapeDefaults",
             "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")
    following = next((child for child in settings if child.tag in {qn(f"w:{name}") for name in later}
                      or child.tag.endswith("}mathPr") or child.tag.endswith("}schemaLibrary")), None)
    if following is not None:
        following.addprevious(update)
    else:
        settings.append(update)


def _title(word: WordDocument, block: TitleBlock) -> None:
    # On a cover the block is placed down the page by the Cover styles' space before (LibreOffice
    # ignores a section's vertical alignment, and line feeds as spacing break when text is edited).
    prefix = "Cover " if _STATE.get().cover else ""
    docx_parts.styled(word, block.title, f"{prefix}Title")
    docx_parts.styled(word, block.subtitle, f"{prefix}Subtitle")
    docx_parts.styled(word, block.issuer, f"{prefix}Issuer")


def _heading(word: WordDocument, block: Heading) -> None:
    paragraph = docx_parts.styled(word, block.text, f"Heading {block.level}")
    if block.anchor:
        state = _STATE.get()
        state.bookmarks += 1
        docx_parts.bookmark(paragraph, block.anchor, state.bookmarks)


def _paragraph(word: WordDocument, block: Paragraph) -> None:
    docx_parts.styled(word, block.text, word_style(block.style))


def _table(word: WordDocument, block: Table) -> None:
    headers = 2 if block.header_groups else 1
    table = word.add_table(rows=headers + len(block.rows), cols=len(block.columns))
    table.style = word.styles[word_style(block.style.split()[0])]
    heading = _heading_style(word, block)
    _full_width(table, [column.width for column in block.columns], _minimum_widths(word, block, heading))
    if block.header_groups:
        _grouped_header(table, block, heading)
    else:
        for cell, column in zip(table.rows[0].cells, block.columns):
            _fill(cell, (column.header,), heading)
    for row, cells in zip(table.rows[headers:], block.rows):
        for cell, content in zip(row.cells, cells):
            _fill(cell, content.lines, word_style(content.style), content)
            _shade_cell(word, cell, word_style(content.style))
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index < headers:
            properties.append(OxmlElement("w:tblHeader"))
    if block.caption:
        docx_parts.styled(word, block.caption, "Caption")


def _heading_style(word: WordDocument, block: Table) -> str:
    """A figures table (print.css table.figures) sets its header smaller, as the PDF does (a
    reference document made before that style existed keeps the usual heading)."""
    small = "figures" in block.style.split() and "Figure Heading" in [style.name for style in word.styles]
    return "Figure Heading" if small else "Table Heading"


def _minimum_widths(word: WordDocument, block: Table, heading: str) -> list[int]:
    """Per column, the twips its longest word needs in the header's and the cells' own fonts."""
    font = docx_widths.style_font(word, heading)
    minimums = []
    for index, column in enumerate(block.columns):
        need = docx_widths.min_width((column.header,), font)
        for row in block.rows:
            cell = row[index]
            need = max(need, docx_widths.min_width(cell.lines, docx_widths.style_font(word, word_style(cell.style))))
        minimums.append(need)
    return minimums


def _grouped_header(table: WordTable, block: Table, heading: str) -> None:
    """Two header rows as in the PDF: a group's name merged over its columns (gridSpan), an
    ungrouped column's header merged over both rows (vMerge)."""
    top, below = table.rows[0].cells, table.rows[1].cells
    start = 0
    for group in block.header_groups:
        end = start + group.span - 1
        if group.grouped:
            _fill(top[start].merge(top[end]) if end > start else top[start], (group.label,), heading)
            for index in range(start, end + 1):
                _fill(below[index], (block.columns[index].header,), heading)
        else:
            _fill(top[start].merge(below[start]), (group.label,), heading)
        start = end + 1


def _shade_cell(word: WordDocument, cell, style: str) -> None:  # noqa: ANN001 - python-docx cell
    """A style that shades its text (a grade) shades the whole cell, in the style's own colour."""
    shading = word.styles[style].element.find(f"{qn('w:pPr')}/{qn('w:shd')}")
    if shading is None:
        return
    properties = cell._tc.get_or_add_tcPr()
    fill = OxmlElement("w:shd")
    for name in ("w:val", "w:color", "w:fill"):
        fill.set(qn(name), shading.get(qn(name)))
    # Schema order of w:tcPr: tcW, gridSpan, vMerge, tcBorders, shd, noWrap, tcMar, textDirection, tcFitText, vAlign
    later = [child for child in properties if child.tag in {qn(n) for n in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")}]
    if later:
        later[0].addprevious(fill)
    else:
        properties.append(fill)


#: A bar chart's track is this many equal grid columns; a bar spans its share of them.
#: Word allows at most 63 columns in a table.
CHART_STEPS = 50
CHART_SHARES = (12, 68, 20)  # label, track, value: percent of the text width


def _bar_chart(word: WordDocument, block: BarChart) -> None:
    """A native Word chart: a borderless table whose shaded cells are the bars."""
    label, track, value = CHART_SHARES
    table = word.add_table(rows=len(block.bars), cols=CHART_STEPS + 2)
    table.style = word.styles["Chart Table"]
    steps = [track * 100 // CHART_STEPS] * CHART_STEPS
    _full_width(table, [label * 100, *steps, value * 100])
    for row, bar in zip(table.rows, block.bars):
        _bar_row(row, bar)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if block.caption:
        word.add_paragraph(block.caption, style="Caption")


def _bar_row(row, bar: Bar) -> None:  # noqa: ANN001 - python-docx row
    cells = row.cells
    span = round(bar.percent * CHART_STEPS / 100)
    _fill(cells[0], (bar.label,), "Chart Label")
    _fill(cells[-1], (bar.value,), "Chart Value")
    if span:
        _fill(cells[1].merge(cells[span]), ("",), word_style(bar.style))
    if span < CHART_STEPS:
        cells[span + 1].merge(cells[CHART_STEPS])


def _fill(cell, lines: tuple[str, ...], style: str, content: Cell | None = None) -> None:  # noqa: ANN001 - python-docx cell
    paragraph = cell.paragraphs[0]
    docx_parts.set_style(paragraph, style)
    if content is not None and content.drawings:
        for drawing in content.drawings:
            docx_parts.add_picture(paragraph.add_run(), drawing)
        if not lines:
            return
        paragraph = docx_parts.styled(cell, "", style)
    first, *rest = [docx_widths.breakable(line) for line in lines or ("",)]
    paragraph.add_run(first)
    for line in rest:
        docx_parts.styled(cell, line, style)


def _full_width(table: WordTable, shares: list[int], minimums: list[int] | None = None) -> None:
    """Table as wide as the text area, columns in the model's proportions, each at least as wide
    as its minimum (twips: its longest word)."""
    text_width = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]
    twips = [int(width) for width in docx_widths.column_widths(shares, minimums or [0] * len(shares), text_width // Twips(1))]
    widths = [Twips(value) for value in twips]
    table.autofit = False
    properties = table._tbl.tblPr
    width = properties.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        properties.append(width)
    width.set(qn("w:w"), "5000")
    width.set(qn("w:type"), "pct")
    for column, value in zip(table.columns, widths):
        column.width = value
    for row in table.rows:
        for cell, value in zip(row.cells, widths):
            cell.width = value


def _properties(word: WordDocument, document: Document, timestamp: float) -> None:
    date = datetime.fromtimestamp(int(timestamp), tz=timezone.utc).replace(tzinfo=None)
    core = word.core_properties
    core.title = document.title
    core.author = document.author
    core.last_modified_by = document.author
    core.subject = document.subject
    core.keywords = ", ".join(document.keywords)
    core.language = "ja-JP"
    core.created = core.modified = date
    core.last_printed = date
    core.revision = 1


def _fixed_zip_times(data: bytes, timestamp: float) -> bytes:
    """Rewrite the package with fixed entry times so equal content gives equal bytes."""
    stamp = time.gmtime(max(timestamp, 315532800))[:6]  # zip cannot store dates before 1980
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


#: One handler per block kind; a kind missing here is caught by the tests.
HANDLERS: dict[type[Block], Callable[[WordDocument, Block], None]] = {
    TitleBlock: _title,
    Heading: _heading,
    Paragraph: _paragraph,
    Table: _table,
    BarChart: _bar_chart,
    Figure: docx_parts.figure,
    Toc: docx_parts.toc,
    Photos: docx_parts.photos,
}
