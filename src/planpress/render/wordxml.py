"""Word XML helpers shared by the Word renderer (render/docx.py) and the department sheets
(cycle/sheets.py): the reference document, A4 page setup with a PAGE field in the footer, tables
as wide as the text, fields updated on opening, schema-order insertion, document properties, a
package without the template's leftovers and with fixed times (equal content, equal bytes)."""

from __future__ import annotations

import hashlib
import io
import posixpath
import time
import zipfile
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from docx import Document as open_docx
from docx.document import Document as WordDocument
from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Twips
from docx.table import Table as WordTable
from lxml import etree

from planpress.document import Document
from planpress.errors import PlanpressError
from planpress.render import docx_widths
from planpress.project import Project

REFERENCE = "reference.docx"

# A4 with the margins of layouts/print.css.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(22), "bottom": Mm(20), "left": Mm(20), "right": Mm(20)}


def open_reference(project: Project) -> WordDocument:
    path = project.layouts_dir / REFERENCE
    if not path.is_file():
        raise PlanpressError(f"layouts/{REFERENCE}: Wordのスタイル見本のファイルがありません")
    try:
        return open_docx(str(path))
    except Exception:  # python-docx raises several kinds for a bad package, in English ("Package not found")
        raise PlanpressError(f"layouts/{REFERENCE}: Wordのスタイル見本を開けません（.docx として読めません。"
                             "壊れているか、別の形式で保存されています）") from None


def clear_body(word: WordDocument) -> None:
    body = word.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def page_setup(word: WordDocument) -> None:
    """A4 portrait and explicit margins: python-docx's template is US Letter."""
    section = word.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = section.footer_distance = Mm(10)
    footer = section.footer.paragraphs[0]
    footer.style = docx_widths.style_fact(word, "Footer", "style", lambda style: style)  # MissingStyle if none
    footer.add_run("－ ")
    page_field(footer)
    footer.add_run(" －")


def page_field(paragraph) -> None:  # noqa: ANN001 - python-docx paragraph
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


def update_fields_on_open(word: WordDocument) -> None:
    """Word refreshes the contents' page numbers on opening (LibreOffice shows the filled ones)."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # Schema order: updateFields comes before these (Word rejects a settings part out of order).
    later = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "attachedSchema",
             "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
             "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "shapeDefaults",
             "doNotEmbedSmartTags", "decimalSymbol", "listSeparator", "m:mathPr", "sl:schemaLibrary")
    insert_in_order(word.settings.element, update, later)


def insert_in_order(parent: OxmlElement, element: OxmlElement, later: Sequence[str]) -> None:
    """Insert ``element`` before the first child the schema puts after it (``later``: tags such as
    ``defaultTabStop``, ``w:`` unless prefixed), else at the end: Word rejects a part out of order."""
    tags = {qn(name if ":" in name else f"w:{name}") for name in later}
    following = next((child for child in parent if child.tag in tags), None)
    if following is not None:
        following.addprevious(element)
    else:
        parent.append(element)


def full_width(table: WordTable, shares: list[int], minimums: list[int] | None = None) -> None:
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
    if next(table._tbl.iter(qn("w:gridSpan"), qn("w:vMerge")), None) is None:
        # No merged cell: each w:tc is a column's cell (python-docx's row.cells asks every cell
        # for its span and merge, through the schema's element lookups).
        for tr in table._tbl.tr_lst:
            for tc, value in zip(tr.tc_lst, widths):
                tc.width = value
        return
    for row in table.rows:
        for cell, value in zip(row.cells, widths):
            cell.width = value


def properties(word: WordDocument, document: Document, timestamp: float) -> None:
    date = datetime.fromtimestamp(int(timestamp), tz=timezone.utc).replace(tzinfo=None)
    core = word.core_properties
    core.title = document.title
    core.author = document.author
    core.last_modified_by = document.author
    core.subject = document.subject
    core.keywords = ", ".join(document.keywords)
    core.language = "ja-JP"
    core.created = core.modified = date
    core.revision = 1
    own_package(word, f"{document.name} {document.title}")  # a file name and its city's title


#: The second copy of the styles Word 2010 wrote beside styles.xml (Word 2013 and later write none).
#: The reference document's is python-docx's template's, never updated: Calibri and Cambria, none of
#: planpress's styles. A copy that disagrees with styles.xml can only mislead a reader of it.
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

#: docProps/app.xml: the program that wrote the file and nothing more. Every extended property may
#: be left out (ECMA-376 Part 1, 22.2); Word counts pages and words itself when it shows them.
EXTENDED_PROPERTIES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                       b'<Application>planpress</Application></Properties>')


def own_package(word: WordDocument, name: str) -> None:
    """Take out of the package what describes python-docx's template rather than this document:
    the thumbnail (a blank US Letter page, which Explorer and Finder show as the file's preview),
    the extended properties ("Microsoft Macintosh Word" and the template's page, word and
    character counts; replaced by planpress's own), Word 2010's stale copy of the styles, the
    core properties' comment ("generated by python-docx") and print date (the file was never
    printed), both shown under ファイル > 情報, an empty bibliography store (customXml, the APA
    style of Word for Mac's 資料文献), the template's editing sessions (rsids) and the settings
    that speak of the template's last save in Word (``_fresh_settings``). The document's own id
    (``w14:docId``) is made from its ``name``."""
    _own_settings(word, name)
    _fresh_settings(word.settings.element)
    core = word.core_properties
    core.comments = ""
    printed = core._element.find(qn("cp:lastPrinted"))
    if printed is not None:
        core._element.remove(printed)
    package = word.part.package
    for source, kinds in ((package, (RT.THUMBNAIL, RT.EXTENDED_PROPERTIES)), (word.part, (STYLES_WITH_EFFECTS, RT.CUSTOM_XML))):
        for rid, relationship in list(source.rels.items()):
            if relationship.reltype in kinds:
                del source.rels[rid]  # its part goes with it: a package holds the parts its relationships reach
    app = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, EXTENDED_PROPERTIES, package)
    package.relate_to(app, RT.EXTENDED_PROPERTIES)


_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_DOC_ID, _W14_VAL = f"{{{_W14}}}docId", f"{{{_W14}}}val"
#: The settings the schema puts after w14:docId ([MS-DOCX] 2.2.2: Word 2010's, then Word 2013's).
_AFTER_DOC_ID = tuple(f"{{{namespace}}}{name}" for namespace, name in (
    (_W14, "conflictMode"), (_W14, "discardImageEditingData"), (_W14, "defaultImageDpi"),
    ("http://schemas.microsoft.com/office/word/2012/wordml", "chartTrackingRefBased"),
    ("http://schemas.microsoft.com/office/word/2012/wordml", "docId")))


def _own_settings(word: WordDocument, name: str) -> None:
    """The document's own id, not the template's 24062061 in every file planpress writes: derived
    from its name, so equal content still gives equal bytes. ``w14:docId`` is the context of the
    paragraph ids Word adds as it edits ([MS-DOCX] 2.3.1: greater than 0, less than 0x80000000).
    The revision save ids (``w:rsids`` and the styles' ``w:rsid``) name the template's editing
    sessions, none of which made this file: Word adds its own when it saves."""
    settings = word.settings.element
    for element in settings.findall(qn("w:rsids")):
        settings.remove(element)
    for element in list(word.styles.element.iter(qn("w:rsid"))):
        element.getparent().remove(element)
    number = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big") & 0x7FFFFFFF
    identifier = settings.find(_DOC_ID)
    if identifier is None:  # a reference document LibreOffice saved has none
        identifier = settings.makeelement(_DOC_ID, {})
        following = next((child for child in settings if child.tag in _AFTER_DOC_ID), None)
        if following is not None:
            following.addprevious(identifier)
        else:
            settings.append(identifier)
    identifier.set(_W14_VAL, f"{number or 1:08X}")


def _fresh_settings(settings: OxmlElement) -> None:
    """Settings python-docx's template kept from its last save in Word, none of them true of a file
    planpress writes: ``w:proofState`` clean told Word the spelling and grammar had been checked,
    so an official's typos went without their wavy underline until Word checked again;
    ``w:savePreviewPicture`` had Word save a thumbnail again (``own_package`` takes the
    template's out); and the template's zoom (ページ幅を基準に表示, Word for Mac's) is replaced by
    100 %, as Japanese Word opens a new document."""
    for tag in ("w:proofState", "w:savePreviewPicture"):
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    for zoom in settings.findall(qn("w:zoom")):
        zoom.attrib.clear()
        zoom.set(qn("w:percent"), "100")


#: Parts stored as they are: pictures already compressed, which deflate would only make bigger.
STORED_TYPES = ("image/png", "image/jpeg")


def package_bytes(word: WordDocument, timestamp: float) -> bytes:
    """The .docx as python-docx saves it (the same parts, in the same order) with fixed entry times
    (equal content, equal bytes), written once: ``word.save`` then ``fixed_zip_times`` deflated
    every part twice. Pictures are stored, not deflated (ZIP allows both; Word and LibreOffice read both)."""
    package = word.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        writer = _FixedTimes(target, time.gmtime(max(timestamp, 315532800))[:6], {
            part.partname.membername for part in parts if part.content_type in STORED_TYPES})
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        for part in parts:  # PackageWriter._write_parts, the document's stand-ins written out
            writer.write(part.partname, _spliced(part.blob) if part is word.part else part.blob)
            if len(part.rels):
                writer.write(part.partname.rels_uri, _relationships_xml(part.rels, part.partname.baseURI))
    return out.getvalue()


_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _relationships_xml(rels: Any, base: str) -> bytes:
    """``rels.xml``, the part's relationships (``base``: its folder), as python-docx writes them:
    it parsed a document of one element for each relationship and worked each target's path out
    with posixpath.relpath (a document part with the ×16 booklet's 1,090: 15-22 ms, 10 ms by
    lxml, best of 7)."""
    root = etree.Element(f"{{{_RELATIONSHIPS}}}Relationships", nsmap={None: _RELATIONSHIPS})
    tag = f"{{{_RELATIONSHIPS}}}Relationship"
    for rel in rels.values():
        target = rel.target_ref if rel.is_external else _relative(rel.target_part.partname, base)
        child = etree.SubElement(root, tag, Id=rel.rId, Type=rel.reltype, Target=target)
        if rel.is_external:
            child.set("TargetMode", "External")
    return etree.tostring(root, encoding="UTF-8", standalone=True)


def _relative(partname: str, base: str) -> str:
    """PackURI.relative_ref: the part's name from its source's folder."""
    if base == "/":
        return partname[1:]
    inside = base + "/"
    return partname[len(inside):] if partname.startswith(inside) else posixpath.relpath(partname, base)


#: The target of a processing instruction standing in a part's tree for elements kept as their
#: serialized text (``stand_in``).
STAND_IN = "planpress-xml"
_STAND_IN_START = f"<?{STAND_IN} ".encode("ascii")


def stand_in(xml: str) -> Any:
    """A stand-in for elements given as ``xml``, their text exactly as it is serialized in the
    document part (namespaces declared where the part declares them): ``package_bytes`` writes
    that text in its place, so the elements are neither parsed nor serialized again (the ×16
    booklet's 780 sections kept by docx_sections: parsing them took 0.08-0.14 s of CPU, their
    stand-ins 0.02 s; serializing document.xml 0.04-0.06 s, then 0.02 s). None if a processing
    instruction cannot hold ``xml`` (it contains ``?>``: serialized elements never do, lxml
    escapes ``>``, unless they hold a processing instruction) or it is empty."""
    if not xml:
        return None
    try:
        return etree.ProcessingInstruction(STAND_IN, xml)
    except ValueError:
        return None


def _spliced(xml: bytes) -> bytes:
    """The serialized part with each stand-in replaced by the text it holds (the text of a part
    holds ``<?`` only in a processing instruction: lxml escapes ``<`` in text and attributes)."""
    found = xml.find(_STAND_IN_START)
    if found < 0:
        return xml
    pieces, at = [], 0
    while found >= 0:
        end = xml.index(b"?>", found)
        pieces += (xml[at:found], xml[found + len(_STAND_IN_START):end])
        at = end + 2
        found = xml.find(_STAND_IN_START, at)
    pieces.append(xml[at:])
    return b"".join(pieces)


class _FixedTimes:
    """python-docx's physical package writer, writing each entry with the fixed time."""

    def __init__(self, target: zipfile.ZipFile, stamp: tuple[int, ...], stored: set[str]) -> None:
        self.target, self.stamp, self.stored = target, stamp, stored

    def write(self, uri: PackURI, blob: bytes) -> None:
        entry = zipfile.ZipInfo(uri.membername, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_STORED if uri.membername in self.stored else zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        self.target.writestr(entry, blob)


def fixed_zip_times(data: bytes, timestamp: float) -> bytes:
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
