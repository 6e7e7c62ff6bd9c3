"""Read a returned evaluation sheet with XPath: its year, department, fields and leftovers.

Never python-docx's paragraph API: it skips text inside content controls and
tracked insertions. A file that is not a readable .docx becomes a problem
message, never a traceback.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from planpress.content.model import KINDS
from planpress.cycle import sheetxml as xml

NS = {"w": xml.W_NS}
#: Word's "Strict Open XML Document" names every element in this namespace instead.
STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
DOCUMENT_PART = "word/document.xml"
COMMENTS_PART = "word/comments.xml"
#: A sheet's text is a few hundred kilobytes at most; refuse to unpack anything huge.
MAX_PART_BYTES = 50 * 1024 * 1024

_TRACKED_CHANGES = " | ".join(
    f"//w:{tag}" for tag in ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange", "tblPrChange",
                             "trPrChange", "tcPrChange", "sectPrChange", "tblGridChange", "numberingChange")
)
_YEAR = re.compile(r"（(\d{4})年度）")
_CODE = re.compile(f"(?:{'|'.join(KINDS)})\\d{{2,}}")


class Unreadable(Exception):
    """The file is not a Word document planpress can read; the message says why, in Japanese."""


@dataclass(frozen=True)
class FieldValue:
    """What a field holds, and the content-control tags found in its cell."""

    text: str
    tags: tuple[str, ...]
    #: Content controls in the cell: more than one in a text field means LibreOffice split the
    #: control when it re-saved paragraphs typed in it, repeating their text (LibreOffice 7.4).
    controls: int = 1


@dataclass
class ReturnedSheet:
    """Everything collect needs from one returned file."""

    year: int | None = None
    department: str | None = None
    #: (kind, number, field name) → value, for every field bookmark found.
    fields: dict[tuple[str, int, str], FieldValue] = field(default_factory=dict)
    tracked_changes: int = 0
    comments: int = 0
    #: Every item code (基本施策17) the sheet's text names: the items it was issued for.
    named: frozenset[str] = frozenset()


def read_sheet(path: Path) -> ReturnedSheet:
    """Read one returned sheet or raise Unreadable."""
    try:
        with zipfile.ZipFile(path) as package:
            main = _related(package, "", "officeDocument") or DOCUMENT_PART
            document = _parse(package, main)
            comments_part = _related(package, main, "comments") or COMMENTS_PART
            comments = _parse(package, comments_part) if comments_part in package.namelist() else None
    except FileNotFoundError:
        raise Unreadable("ファイルがありません") from None
    except IsADirectoryError:
        raise Unreadable("フォルダです（評価シートのファイルを指定してください）") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError):
        raise Unreadable("Wordファイル（.docx）として開けません（壊れているか、Word形式ではありません）") from None
    except OSError as error:
        raise Unreadable(f"ファイルを読めません（{error.strerror}）") from None
    if etree.QName(document).namespace == STRICT_NS:
        raise Unreadable("「Strict Open XML 文書」の形式で保存されています（Word の「名前を付けて保存」で「Word 文書 (*.docx)」を選んで保存し直してください）")
    return _sheet(document, comments)


def _related(package: zipfile.ZipFile, source: str, kind: str) -> str | None:
    """The part a relationship of ``kind`` of ``source`` (the package: "") points to, or None.

    Word for the web and Microsoft 365 may name the main part word/document2.xml: the package's
    officeDocument relationship, not the name, says which part it is."""
    folder, _, name = source.rpartition("/")
    relationships = f"{folder}/_rels/{name}.rels" if source else "_rels/.rels"
    if relationships not in package.namelist() or package.getinfo(relationships).file_size > MAX_PART_BYTES:
        return None
    try:
        root = _xml(package.read(relationships))
    except etree.XMLSyntaxError:
        return None
    for relationship in root:
        target = relationship.get("Target", "")
        if relationship.get("Type", "").endswith(f"/{kind}") and relationship.get("TargetMode") != "External":
            joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            return posixpath.normpath(joined)
    return None


def _parse(package: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        info = package.getinfo(name)
    except KeyError:
        raise Unreadable(f"Wordファイルの本文（{name}）がありません（Word形式ではないか、壊れています）") from None
    if info.file_size > MAX_PART_BYTES:
        raise Unreadable(f"Wordファイルの本文が大きすぎます（{info.file_size:,}バイト）")
    try:
        return _xml(package.read(name))
    except etree.XMLSyntaxError:
        raise Unreadable(f"Wordファイルの本文（{name}）が壊れています") from None


def _xml(data: bytes) -> etree._Element:
    """A part of the package parsed without entities, a DTD or the network (XMLSyntaxError if broken)."""
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))


def _sheet(document: etree._Element, comments: etree._Element | None) -> ReturnedSheet:
    sheet = ReturnedSheet()
    sheet.tracked_changes = len(document.xpath(_TRACKED_CHANGES, namespaces=NS))
    sheet.comments = len(document.xpath("//w:commentReference", namespaces=NS))
    if comments is not None:
        sheet.comments = max(sheet.comments, len(comments.xpath("//w:comment", namespaces=NS)))
    year = _bookmarked_value(document, xml.YEAR_FIELD)
    match = _YEAR.search(year.text) if year else None
    sheet.year = int(match.group(1)) if match else None
    department = _bookmarked_value(document, xml.DEPARTMENT_FIELD)
    sheet.department = department.text if department else None
    sheet.named = frozenset(_CODE.findall("".join(document.xpath("//w:t/text()", namespaces=NS))))
    for start in document.xpath("//w:bookmarkStart[starts-with(@w:name, 'pp_')]", namespaces=NS):
        key = xml.parse_field_name(start.get(f"{{{xml.W_NS}}}name"))
        if key is not None:
            value = _value_beside(start)
            if value is not None:
                sheet.fields[key] = value
    return sheet


def _bookmarked_value(document: etree._Element, name: str) -> FieldValue | None:
    found = document.xpath("//w:bookmarkStart[@w:name=$name]", name=name, namespaces=NS)
    return _value_beside(found[0]) if found else None


#: A paragraph's text, line breaks and tabs. Not a ruby's reading (ルビ, w:rt): Word keeps it
#: beside the characters it reads (w:rubyBase), and it would be printed in the line as text.
_PARTS = ".//w:t[not(ancestor::w:rt)]/text() | .//w:br | .//w:cr | .//w:tab[not(ancestor::w:rt)]"


def _cell_text(cell: etree._Element) -> str:
    """The cell's text as the official typed it: paragraphs and line breaks as line breaks."""
    paragraphs = []
    for paragraph in cell.xpath(".//w:p", namespaces=NS):
        parts = paragraph.xpath(_PARTS, namespaces=NS)
        paragraphs.append("".join(part if isinstance(part, str) else "\t" if part.tag.endswith("}tab") else "\n" for part in parts))
    lines = "\n".join(paragraphs).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n").strip()


def _value_beside(bookmark: etree._Element) -> FieldValue | None:
    """The value in the cell right of the bookmarked label cell (None if the layout is broken)."""
    cells = bookmark.xpath("ancestor::w:tc[1]/following-sibling::w:tc[1]", namespaces=NS)
    if not cells:
        return None
    cell = cells[0]
    tags = tuple(cell.xpath(".//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS))
    text = _cell_text(cell)
    # An emptied control shows a placeholder (w:showingPlcHdr; Word may put its own
    # prompt there). LibreOffice may drop the flag when it re-saves, so our prompt
    # text means "empty" too.
    placeholder = bool(cell.xpath(".//w:sdt/w:sdtPr/w:showingPlcHdr", namespaces=NS))
    controls = len(cell.xpath(".//w:sdt", namespaces=NS))
    return FieldValue("" if placeholder or text in xml.PROMPTS else text, tags, controls)
