"""Word (.docx) from the document model, with the named styles of layouts/reference.docx."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextvars import ContextVar

from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.enum.section import WD_SECTION
from docx.table import Table as WordTable

from planpress.document import (Bar, BarChart, Block, Cell, Document, Figure, Heading, Paragraph, Photos, Section,
                                Table, TitleBlock, Toc, word_style)
from planpress import memo
from planpress.cache import CACHE_DIR
from planpress.render import docx_parts, docx_svg, docx_toc, docx_widths, raster, wordxml
from planpress.render.html import build_date, environment
from planpress.source import Project

#: The section style of a cover page (title block placed by the Cover styles, no running header).
COVER = "cover"


def render(document: Document, project: Project) -> bytes:
    """Fill a copy of the reference document and return the .docx bytes."""
    word = wordxml.open_reference(project)
    wordxml.clear_body(word)
    wordxml.page_setup(word)
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
    wordxml.properties(word, document, build_date(project))
    tocs = [block for section in document.sections for block in section.blocks if isinstance(block, Toc)]
    if not tocs:
        return _saved(word, project)
    # LibreOffice's page numbers in the contents when it is installed; else Word adds them on opening.
    numbers = _toc_numbers(document, project, word, tocs[0], environment_)
    if numbers:
        docx_toc.fill(word, {docx_parts.style_ids(word)[f"TOC {level}"] for level in (1, 2)}, numbers)
    else:
        wordxml.update_fields_on_open(word)
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
    return wordxml.fixed_zip_times(buffer.getvalue(), build_date(project))


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
    wordxml.full_width(table, [column.width for column in block.columns], _minimum_widths(word, block, heading))
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
    shading = docx_widths.style_fact(word, style, "shading", lambda found: found.element.find(f"{qn('w:pPr')}/{qn('w:shd')}"))
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
    wordxml.full_width(table, [label * 100, *steps, value * 100])
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
