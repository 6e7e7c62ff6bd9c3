"""Word (.docx) from the document model, with the named styles of layouts/reference.docx."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from contextvars import ContextVar
from dataclasses import replace
from typing import Any
from pathlib import Path

import jinja2
from docx.document import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section as WordSection
from docx.shared import Emu
from docx.table import Table as WordTable

from planpress.document import (Bar, BarChart, Block, Cell, Document, Figure, Heading, Paragraph, Photos, Section,
                                Table, TitleBlock, Toc, word_style)
from planpress import memo
from planpress.design import word_colour
from planpress.cache import CACHE_DIR
from planpress.checks.running_heads import as_printed
from planpress.render import docx_parts, docx_sections, docx_svg, docx_toc, docx_widths, raster, wordxml
from planpress.render.html import environment, template_error
from planpress.project import Project

#: The section style of a cover page (title block placed by the Cover styles, no running header).
COVER = "cover"


def render(document: Document, project: Project) -> bytes:
    """Fill a copy of the reference document and return the .docx bytes."""
    try:
        return _render(document, project)
    except jinja2.TemplateError as error:  # layouts/drawing.svg, the drawings' SVG pictures
        raise template_error(error, project) from None


def _render(document: Document, project: Project) -> bytes:
    tocs = [block for section in document.sections for block in section.blocks if isinstance(block, Toc)]
    keyed, missing, early = _STARTED.get(document, take=True) or _contents_layouts(document, project, tocs)
    try:
        # Kept sections as their text (docx_sections.SectionCache.take), unless LibreOffice lays
        # the whole file out from its elements (every section's layout missing: a cold build).
        word, starts = _filled(document, project, keep=True, splice=missing < len(document.sections))
    finally:
        if early is not None and not early.done():
            early.exception()  # no LibreOffice left running when the file cannot be made
    if not tocs:
        return _saved(word, project)
    # LibreOffice's page numbers in the contents when it is installed; else Word adds them on opening.
    numbers = _toc_numbers(document, project, word, starts, tocs[0], keyed, early)
    if numbers:
        docx_toc.fill(word, {docx_parts.style_ids(word)[f"TOC {level}"] for level in (1, 2)}, numbers)
    else:
        wordxml.update_fields_on_open(word)
    return _saved(word, project)


def _filled(document: Document, project: Project, *, keep: bool = False,
            splice: bool = False) -> tuple[WordDocument, list[Any]]:
    """The reference document with every section of ``document`` written into it, and the first
    paragraph each section wrote (where a mark tells LibreOffice's layout where it starts).
    ``keep``: each section's blocks are taken from the cache, or kept there (docx_sections; not
    for a file of some sections only, laid out for the contents' page numbers). ``splice``: the
    sections taken from the cache stand in the body as their text, except the contents (whose page
    numbers are filled in later): the first paragraphs are then not all known (None)."""
    word = wordxml.open_reference(project)
    wordxml.clear_body(word)
    wordxml.page_setup(word)
    environment_ = memo.environment(project)
    cache = docx_sections.SectionCache(project, document.name) if keep else None
    state = _RenderState()
    token = _STATE.set(state)
    ids = docx_parts.STYLE_IDS.set(docx_parts.style_ids(word))
    svg_parts = docx_svg.SvgParts(environment(project.layouts_dir), (
        memo.Shelf(project, "svg"), memo.fingerprint(environment_, memo.versions("jinja2", "markupsafe"))))
    svgs = docx_svg.SVG_PARTS.set(svg_parts)
    shelf = raster.SHELF.set((memo.Shelf(project, "png"), memo.fingerprint(environment_, memo.versions("pillow"))))
    given = docx_parts.Pictures(word.part.package)
    pictures = docx_parts.PICTURES.set(given)
    if cache is not None:
        state.journal = given.journal = svg_parts.journal = cache.journal
    # This package's own next_partname (an instance attribute over the class's): new headers' names.
    word.part.package.next_partname = docx_parts.PartNames(word.part.package)
    try:
        body, starts = word.element.body, []
        for index, section in enumerate(document.sections):
            # The body's own sectPr stays last: a section's elements come between it and ``before``.
            before = body[-1].getprevious()
            _add_section(word, section, first=index == 0, cache=cache, splice=splice)
            starts.append(_first_paragraph(before.itersiblings() if before is not None else body.iterchildren()))
        if cache is not None:
            cache.close()
    finally:
        _STATE.reset(token)
        docx_parts.STYLE_IDS.reset(ids)
        docx_svg.SVG_PARTS.reset(svgs)
        raster.SHELF.reset(shelf)
        docx_parts.PICTURES.reset(pictures)
    wordxml.properties(word, document, project.build_date())
    return word, starts


#: The contents entries each section holds (``_entries_by_section``) and each section's layout key.
Keyed = tuple[list[list[str]], list[str]]


def _keyed(document: Document, project: Project, toc: Toc) -> Keyed | None:
    """The entries each section holds and the sections' layout keys, or None if the contents is
    not in the sections' order (then only the whole file's layout places its entries)."""
    owned = _entries_by_section(document, toc)
    return None if owned is None else (owned, _layout_keys(document, project, owned))


#: What the contents' numbers need, found before the whole file is written: the sections' entries
#: and layout keys (None: no contents, or not in the sections' order), how many layouts are
#: missing, and LibreOffice's run for them under way after an edit (``_early_layouts``).
Started = tuple[Keyed | None, int, Future[Any] | None]
#: Runs started ahead of their file's turn on the Word thread (``start``), by document.
_STARTED = memo.ByObject(4)  # more are left only by builds stopped before their turn (serve)


def start(document: Document, project: Project) -> None:
    """Start LibreOffice's layout of the sections an edit changed before this file's turn on the
    Word thread comes (the files before it are written meanwhile); ``render`` takes it up. A
    failure here is left for the render, which meets it again in its turn."""
    tocs = [block for section in document.sections for block in section.blocks if isinstance(block, Toc)]
    if not tocs:
        return
    try:
        found = _contents_layouts(document, project, tocs)
    except Exception:  # noqa: BLE001 - met again, and reported, when the file is made
        return
    _STARTED.put(document, value=found)


def _contents_layouts(document: Document, project: Project, tocs: list[Toc]) -> Started:
    # The sections' layout keys once for the whole render (at ×16 a tenth of a second each time).
    keyed = _keyed(document, project, tocs[0]) if tocs else None
    if keyed is None:
        return None, 0, None
    found, missing = _kept_layouts(project, keyed[1])
    return keyed, len(missing), _early_layouts(document, project, keyed, found, missing)


def _early_layouts(document: Document, project: Project, keyed: Keyed, found: dict[int, tuple[int, list[int]]],
                   missing: list[int]) -> Future[Any] | None:
    """After an edit (the layouts ``found`` kept, those of the ``missing`` sections not),
    LibreOffice lays out the changed sections on a thread of its own while the whole file is
    written: a file of just those, written here first (0.06 s of CPU at ×16; written on that thread
    beside the whole file, it took Python's lock in turns with it, and LibreOffice started 0.6-1.0 s
    into the booklet's Word file, bench/timeline.py on a busy machine). None on a cold build (the
    whole file is laid out) or with nothing to lay out."""
    if len(missing) < len(document.sections):
        _yield_cores()  # before the thread below starts: it and its LibreOffice inherit the priority
    if not 0 < len(missing) < len(document.sections):
        return None
    future: Future[Any] = Future()
    try:
        word, starts = _filled(replace(document, sections=tuple(document.sections[index] for index in missing)), project)
        data = _marked(word, starts, project)
    except BaseException as error:  # noqa: BLE001 - handed to the render, as the thread's would be
        future.set_exception(error)
        return future

    def run() -> None:
        try:
            future.set_result(_laid_out_layouts(project, keyed, found, missing, data))
        except BaseException as error:  # noqa: BLE001 - handed to the thread that waits for it
            future.set_exception(error)

    threading.Thread(target=run, name="planpress-word-layout", daemon=True).start()
    return future


def _toc_numbers(document: Document, project: Project, word: WordDocument, starts: list[Any],
                 toc: Toc, keyed: Keyed | None, early: Future[Any] | None = None) -> list[int] | None:
    """The contents' page numbers as LibreOffice lays the file out: from each section's own layout
    (kept in the cache), or, if a heading cannot be placed that way, from the whole file's."""
    if keyed is not None:
        layouts = early.result() if early is not None else _section_layouts(document, project, keyed, (word, starts))
        if layouts is not None:
            numbers, start = [], 1
            for pages, offsets in layouts:
                numbers.extend(start + offset for offset in offsets)
                start += pages
            return numbers
    pages = docx_toc.laid_out_pages(_saved(word, project), profile=_profile(project))
    return None if pages is None else docx_toc.page_numbers(pages, toc.entries)


def _entries_by_section(document: Document, toc: Toc) -> list[list[str]] | None:
    """The titles of the contents entries each section holds, or None unless the contents lists
    them in the sections' order (then only the whole file's layout can place them)."""
    owner = {}
    for index, section in enumerate(document.sections):
        owner.setdefault(section.anchor, index)
        for block in section.blocks:
            if isinstance(block, Heading) and block.anchor:
                owner.setdefault(block.anchor, index)
    held: list[list[str]] = [[] for _ in document.sections]
    last = 0
    for entry in toc.entries:
        index = owner.get(entry.anchor)
        if index is None or index < last:
            return None
        held[index].append(entry.title)
        last = index
    return held


def _layout_keys(document: Document, project: Project, owned: list[list[str]]) -> list[str]:
    """Each section's key for its layout: all that shapes it, the section (the file's dates move
    no page), its entries, the layouts, fonts, code, python-docx and the LibreOffice installed."""
    environment_ = memo.fingerprint(memo.environment(project), memo.versions("python-docx"), memo.tool_identity("soffice"),
                                    memo.tool_identity("pdftotext"))
    # The document without its sections once, not with each (its contents list alone is a few
    # hundred small records at ×16, hashed again for every section: 0.6 s).
    frame = memo.fingerprint(replace(document, sections=()))
    return [memo.fingerprint("docx-section", frame, section, index == 0, owned[index], environment_)
            for index, section in enumerate(document.sections)]


#: The priority (nice value) the Word file is made at after an edit (``_yield_cores``).
YIELDING_NICE = 10


def _yield_cores() -> None:
    """After an edit (the Word sections' layouts mostly kept) the Word file does not end the
    build: the PDFs' layout and the booklet's merge do (~2.7 s at ×16, in a worker). The thread
    making the Word file, and the LibreOffice it starts, then run at a lower priority, so that on
    2 cores the workers are not slowed by a third task (×16 after an edit: 6.0 s -> 5.7 s, by
    hand). On a cold build LibreOffice's layout of the whole file can take longer than the PDFs:
    it keeps its priority. Linux only (a thread's own nice value); only a thread of its own (the
    build's Word thread: the main thread would stay lowered for the rest of the process)."""
    if not sys.platform.startswith("linux") or threading.current_thread() is threading.main_thread():
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(os.getpriority(os.PRIO_PROCESS, 0), YIELDING_NICE))
    except OSError:
        pass


def _section_layouts(document: Document, project: Project, keyed: Keyed,
                     whole: tuple[WordDocument, list[Any]] | None) -> list[tuple[int, list[int]]] | None:
    """Each section's page count and its entries' pages in it, from the cache, else laid out (the
    missing sections together, in one LibreOffice run); None if LibreOffice is absent or failed.
    ``whole``: the whole file, laid out when every section is missing (None: it is made then)."""
    found, missing = _kept_layouts(project, keyed[1])
    if not missing:
        return [found[index] for index in range(len(keyed[1]))]
    # The whole file when every section is missing (a cold build), else a file of just those.
    word, starts = whole if whole is not None and len(missing) == len(keyed[1]) else _filled(
        replace(document, sections=tuple(document.sections[index] for index in missing)), project)
    return _laid_out_layouts(project, keyed, found, missing, _marked(word, starts, project))


def _kept_layouts(project: Project, keys: list[str]) -> tuple[dict[int, tuple[int, list[int]]], list[int]]:
    """The sections' layouts the cache holds, by index, and the indexes of those it does not."""
    shelf = memo.Shelf(project, "docx-layout")
    found = {}
    for index, key in enumerate(keys):
        cached = shelf.get(key)
        if cached is not None:
            pages, offsets = json.loads(cached)
            found[index] = (pages, offsets)
    return found, [index for index in range(len(keys)) if index not in found]


def _laid_out_layouts(project: Project, keyed: Keyed, found: dict[int, tuple[int, list[int]]], missing: list[int],
                      data: bytes) -> list[tuple[int, list[int]]] | None:
    """``found`` with the ``missing`` sections' layouts from LibreOffice's layout of ``data`` (those
    sections, each marked: ``_marked``), each kept by its key; None if LibreOffice is absent or failed."""
    owned, keys = keyed
    laid_out = docx_toc.laid_out_sections(data, len(missing), profile=_profile(project))
    if laid_out is None:
        return None
    shelf = memo.Shelf(project, "docx-layout")
    for index, pages in zip(missing, laid_out):
        layout = docx_toc.section_layout(pages, owned[index])
        if layout is None:
            return None
        found[index] = layout
        shelf.put(keys[index], json.dumps(layout).encode("utf-8"))
    return [found[index] for index in range(len(keys))]


def _first_paragraph(added: Iterable[Any]) -> Any:
    """The first paragraph a section wrote (not the section break before it), or None."""
    for element in added:
        if element.tag == qn("w:sectPr"):
            return None  # the body's own: the section wrote nothing
        paragraph = element if element.tag == qn("w:p") else next(element.iter(qn("w:p")), None)
        if paragraph is not None and paragraph.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is None:
            return paragraph
    return None


def _marked(word: WordDocument, starts: list[Any], project: Project) -> bytes:
    """The file saved with the bookmark docx_toc.SECTION_MARK at each section's first paragraph;
    the marks are taken out again (a bookmark moves nothing on the page)."""
    marks = []
    for index, paragraph in enumerate(starts):
        if paragraph is None:
            continue  # this section's mark is missing: LibreOffice's layout is then not used
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(90000 + index))
        start.set(qn("w:name"), docx_toc.SECTION_MARK.format(index))
        end.set(qn("w:id"), str(90000 + index))
        properties = paragraph.find(qn("w:pPr"))
        at = 0 if properties is None else list(paragraph).index(properties) + 1
        paragraph.insert(at, start)
        paragraph.insert(at + 1, end)
        marks.extend((start, end))
    try:
        return _saved(word, project)
    finally:
        for mark in marks:
            mark.getparent().remove(mark)


def _profile(project: Project) -> Path:
    return project.root / CACHE_DIR / "libreoffice"


def _saved(word: WordDocument, project: Project) -> bytes:
    return wordxml.package_bytes(word, project.build_date())


class _RenderState:
    """What handlers share while one document is written: the next bookmark id."""

    def __init__(self) -> None:
        self.bookmarks = 0
        self.cover = False
        self.journal: docx_sections.Journal | None = None


_STATE: ContextVar[_RenderState] = ContextVar("docx_state")


def _add_section(word: WordDocument, section: Section, *, first: bool,
                 cache: docx_sections.SectionCache | None = None, splice: bool = False) -> None:
    """Each section starts a new page; a Word section of its own carries its running header.
    ``cache``: the blocks' elements are taken from it (as their text with ``splice``, but for the
    contents, which docx_toc.fill numbers), or kept in it."""
    # The section being written is the last one, whose properties are the body's last element
    # (not word.sections[-1]: python-docx finds it by searching the whole body, every time).
    made = None
    if first:
        current = WordSection(word.element.body[-1], word.part)
    else:
        current = docx_parts.new_section(word)
        made = docx_parts.own_header(word, current)
    _STATE.get().cover = section.style == COVER
    # A cover's page has its own (empty) header and footer: no page number, as in the PDF.
    current.different_first_page_header_footer = section.style == COVER
    header = made if made is not None else current.header.paragraphs[0]
    if made is not None or not header.text:
        docx_parts.set_style(header, "Header")
        # A cover carries no running header, as in the PDF; a header too long for its line is cut
        # short with … as the PDF cuts it (wrapped, Word's would push the text down a line).
        docx_parts.add_text(header, "" if section.style == COVER else as_printed(section.running_title or section.title))
    if cache is not None:
        key = cache.key(section, first)
        spliced = splice and not any(isinstance(block, Toc) for block in section.blocks)
        if cache.take(word, key, docx_parts.PICTURES.get(), docx_svg.SVG_PARTS.get(), _STATE.get(), spliced=spliced):
            return
        after = word.element.body[-1].getprevious()
    blocks = section.blocks
    for block, following in zip(blocks, (*blocks[1:], None)):
        if isinstance(block, Heading) and isinstance(following, Toc):
            _contents_heading(word, block)
        else:
            HANDLERS[type(block)](word, block)
    if cache is not None:
        cache.keep(word, key, after)


def _title(word: WordDocument, block: TitleBlock) -> None:
    # On a cover the block is placed down the page by the Cover styles' space before (LibreOffice
    # ignores a section's vertical alignment, and line feeds as spacing break when text is edited).
    prefix = "Cover " if _STATE.get().cover else ""
    docx_parts.styled(word, block.title, f"{prefix}Title")
    docx_parts.styled(word, block.subtitle, f"{prefix}Subtitle")
    docx_parts.styled(word, block.issuer, f"{prefix}Issuer")


def _heading(word: WordDocument, block: Heading, style: str | None = None) -> None:
    paragraph = docx_parts.styled(word, block.text, style or f"Heading {block.level}")
    if block.anchor:
        state = _STATE.get()
        state.bookmarks += 1
        if state.journal is not None:
            state.journal.add("bookmark", state.bookmarks)
        docx_parts.bookmark(paragraph, block.anchor, state.bookmarks)


#: Word's own style for the title of a contents: a Heading 1 to look at, outline level "body text".
CONTENTS_HEADING = "TOC Heading"


def _contents_heading(word: WordDocument, block: Heading) -> None:
    """The contents' own title (目次) in "TOC Heading": as a Heading 1 it has outline level 1, so
    the TOC field (\\o "1-2") gathered it and Word's or LibreOffice's update of the contents added
    「目次」 as its first entry. A reference document without that style keeps the heading's."""
    style = CONTENTS_HEADING if docx_widths.has_style(word, CONTENTS_HEADING) else f"Heading {block.level}"
    _heading(word, block, style)


def _paragraph(word: WordDocument, block: Paragraph) -> None:
    docx_parts.styled(word, block.text, word_style(block.style))


def _table(word: WordDocument, block: Table) -> None:
    headers = 2 if block.header_groups else 1
    table = docx_parts.body_table(word, headers + len(block.rows), len(block.columns))
    docx_parts.set_table_style(word, table, word_style(block.style.split()[0]))
    heading = _heading_style(word, block)
    wordxml.full_width(table, [column.width for column in block.columns], _minimum_widths(word, block, heading))
    rows = list(table.rows)
    if block.header_groups:
        _grouped_header(table, block, heading)
    else:
        for cell, column in zip(docx_parts.row_cells(table, rows[0]), block.columns):
            _fill(cell, (column.header,), heading)
    for row, cells in zip(rows[headers:], block.rows):
        for cell, content in zip(docx_parts.row_cells(table, row), cells):
            _fill(cell, content.lines, word_style(content.style), content)
            _shade_cell(word, cell, word_style(content.style))
    tall = _taller_than_a_page(word, block, table, heading)
    for index, row in enumerate(rows):
        properties = row._tr.get_or_add_trPr()
        if index - headers not in tall:
            properties.append(OxmlElement("w:cantSplit"))
        if index < headers:
            properties.append(OxmlElement("w:tblHeader"))
    if block.caption:
        docx_parts.styled(word, block.caption, "Caption")


def _taller_than_a_page(word: WordDocument, block: Table, table: WordTable, heading: str) -> set[int]:
    """The body rows that may be taller than a page under the repeated header: such a row must be
    let split (w:cantSplit), since Word and LibreOffice cut off what of a whole row passes the page's
    foot (the PDF splits it too)."""
    page = Emu(wordxml.PAGE_HEIGHT - wordxml.MARGINS["top"] - wordxml.MARGINS["bottom"]).pt
    widths = [column.width.twips for column in table.columns]
    header = max(docx_widths.cell_height_pt((column.header,), docx_widths.style_font(word, heading),
                                            docx_widths.style_spacing(word, heading), width)
                 for column, width in zip(block.columns, widths))
    tall = set()
    for index, cells in enumerate(block.rows):
        height = max(docx_widths.cell_height_pt(cell.lines, docx_widths.style_font(word, word_style(cell.style)),
                                                docx_widths.style_spacing(word, word_style(cell.style)), width)
                     for cell, width in zip(cells, widths))
        if height > page - header:
            tall.add(index)
    return tall


def _heading_style(word: WordDocument, block: Table) -> str:
    """A figures table (booklet.css table.figures) sets its header smaller, as the PDF does (a
    reference document made before that style existed keeps the usual heading)."""
    small = "figures" in block.style.split() and docx_widths.has_style(word, "Figure Heading")
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
    fill = OxmlElement("w:shd")
    for name in ("w:val", "w:color", "w:fill"):
        fill.set(qn(name), shading.get(qn(name)))
    _cell_property(cell, fill)


#: The schema's order of a cell's properties (w:tcPr).
_CELL_PROPERTIES = tuple(qn(name) for name in ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
                                                "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"))


def _cell_property(cell, element) -> None:  # noqa: ANN001 - python-docx cell, OxmlElement
    """Put a property into a cell's w:tcPr at its place in the schema's order."""
    properties = cell._tc.get_or_add_tcPr()
    rank = _CELL_PROPERTIES.index(element.tag)
    later = [child for child in properties if child.tag in _CELL_PROPERTIES[rank + 1:]]
    if later:
        later[0].addprevious(element)
    else:
        properties.append(element)


#: A bar chart's track is this many equal grid columns; a bar spans its share of them.
#: Word allows at most 63 columns in a table.
CHART_STEPS = 50
CHART_SHARES = (12, 68, 20)  # label, track, value: percent of the text width


def _bar_chart(word: WordDocument, block: BarChart) -> None:
    """A native Word chart: a borderless table whose shaded cells are the bars."""
    label, track, value = CHART_SHARES
    table = docx_parts.body_table(word, len(block.bars), CHART_STEPS + 2)
    docx_parts.set_table_style(word, table, "Chart Table")
    steps = [track * 100 // CHART_STEPS] * CHART_STEPS
    wordxml.full_width(table, [label * 100, *steps, value * 100])
    for row, bar in zip(table.rows, block.bars):
        _bar_row(row, bar)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if block.caption:
        docx_parts.styled(word, block.caption, "Caption")


def _bar_row(row, bar: Bar) -> None:  # noqa: ANN001 - python-docx row
    cells = row.cells
    span = int(bar.percent * CHART_STEPS + 50) // 100  # steps, rounded half up (a share has one decimal: exact)
    _fill(cells[0], (bar.label,), "Chart Label")
    _fill(cells[-1], (bar.value,), "Chart Value")
    if span:
        track = cells[1].merge(cells[span])
        _fill(track, ("",), word_style(bar.style))
        # The bar is its paragraph's shading, which stops at the cell's margins: with the table
        # style's (1.5 mm a side) every bar was 3 mm short and one step (2 %) no bar at all.
        _no_side_margins(track)
    if span < CHART_STEPS:
        cells[span + 1].merge(cells[CHART_STEPS])
    _zero_line(row.cells[1])


def _no_side_margins(cell) -> None:  # noqa: ANN001 - python-docx cell
    margins = OxmlElement("w:tcMar")
    for side in ("w:left", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    _cell_property(cell, margins)


def _zero_line(cell) -> None:  # noqa: ANN001 - python-docx cell
    """The track's left edge, where every bar starts, ruled as print.css rules .chart-track (0.8 pt
    grey): without it a grade of no items was an empty row and the bars had no common start."""
    borders = OxmlElement("w:tcBorders")
    left = OxmlElement("w:left")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", word_colour("grey"))):
        left.set(qn(name), value)
    borders.append(left)
    _cell_property(cell, borders)


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
    docx_parts.add_text(paragraph, first)
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
