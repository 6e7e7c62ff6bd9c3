"""A batch's pages made independent of the batch: each page (and each form and pattern it draws)
names only the resources it uses, under names that depend on the page alone.

WeasyPrint writes one /Resources dictionary for a whole pass, shared by all its pages, and numbers
the forms, patterns and shadings it makes (``x3``, ``p12``, ``s1``) across the pass. A section's
pages would then differ with the sections laid out beside it. Once every page carries its own
resources, numbered in the order its content first uses them, a section laid out alone gives the
pages it gives in any batch, so an edit lays out only the sections it changed and the merged PDF
still has the bytes of a cold build (render/pdf/parts.py; merge.py shares what pages still hold
twice, such as an image drawn in two sections).

WeasyPrint also names table header cells (/ID, and each data cell's /Headers) by the table's
object number in the pass; they are named here by the table's page in the whole document and its
order on that page, which also keeps them unique in the merged document.

WeasyPrint writes content streams one token per line, text as hexadecimal strings; a content
stream with a literal string (a parenthesis) is read with pikepdf's content parser instead.
"""

from __future__ import annotations

import io
import re
import sys
from array import array
from collections.abc import Iterable, Mapping

import pikepdf
from pikepdf import Dictionary, Name

from planpress.render.pdf import shadings, tags

#: A resource used by an operator: its name, a font size for Tf, the operator.
_USE = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+(?:[-+.\d]+\s+)?(Do|scn|SCN|sh|gs|cs|CS|Tf)(?=\s|$)")
#: The resource category each of those operators names.
_CATEGORY = {b"Do": "/XObject", b"scn": "/Pattern", b"SCN": "/Pattern", b"sh": "/Shading", b"gs": "/ExtGState",
             b"cs": "/ColorSpace", b"CS": "/ColorSpace", b"Tf": "/Font"}
_OPERATORS = " ".join(operator.decode() for operator in _CATEGORY)
#: Names WeasyPrint numbers in the order it makes them, across a whole pass.
_NUMBERED = re.compile(r"[xps]\d+")
#: A table header cell's id as WeasyPrint writes it: the table's object number in the pass, row, column.
_HEADER_ID = re.compile(r"(\d+)(-\d+-\d+)")
#: Resource categories this module reads uses of; any other is kept whole.
_KNOWN = frozenset(_CATEGORY.values())


#: What a page draws with each composite font: glyph ids by /BaseFont; None where it cannot be read.
Drawn = dict[str, set[int]] | None


def canonical(data: bytes, start: int, *, tables: bool = True) -> tuple[bytes, list[Drawn]]:
    """The PDF (of pages ``start``… of the document) with every page's resources its own, named by
    the page, and table header ids named by their page (see the module's docstring); and the
    glyphs each page draws (the merge keeps only those in its fonts: render/pdf/fontmerge.py).
    ``tables``: whether the pages may have table header cells (the HTML has a ``<th``)."""
    pdf = pikepdf.open(io.BytesIO(data))
    done: dict[tuple[int, int], Drawn] = {}
    drawn = [_own_resources(pdf, page.obj, _page_content(pdf, page.obj), done) for page in pdf.pages]
    if tables:
        _header_ids(pdf, start)
    shadings.mark(pdf)
    tags.flatten_text_spans(pdf)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)  # each stream compressed here, once: the worker writes it uncompressed (pool.work)
    return out.getvalue(), drawn


def joined(drawn: Iterable[Mapping[str, Iterable[int]] | None]) -> Drawn:
    """What pages (or sections: cache.PageRange.drawn) draw together (None if one of them cannot be read)."""
    together: dict[str, set[int]] = {}
    for each in drawn:
        if each is None:
            return None
        for font, ids in each.items():
            together.setdefault(font, set()).update(ids)
    return together


def _page_content(pdf: pikepdf.Pdf, page: Dictionary) -> pikepdf.Stream | None:
    """The page's content as one stream (WeasyPrint writes one)."""
    contents = page.get("/Contents")
    if contents is None or isinstance(contents, pikepdf.Stream):
        return contents
    joined = pikepdf.Stream(pdf, b"\n".join(part.read_bytes() for part in contents))
    page.Contents = pdf.make_indirect(joined)
    return page.Contents


def _own_resources(pdf: pikepdf.Pdf, holder: Dictionary | pikepdf.Stream, content: pikepdf.Stream | None,
                   done: dict[tuple[int, int], Drawn]) -> Drawn:
    """Give ``holder`` (a page, form or pattern) a /Resources of what ``content`` uses, renamed;
    return the glyphs it draws (with its forms and patterns)."""
    resources = holder.get("/Resources")
    if content is None:
        return {}
    data = content.read_bytes()
    if not isinstance(resources, Dictionary):
        return {} if b"Tj" not in data and b"TJ" not in data else None
    uses = _uses(data) if b"(" not in data else _parsed_uses(content)
    renames = _renames(uses, resources)
    drawn = [_glyphs(data, resources.get("/Font"))]
    own = Dictionary()
    for category, value in resources.items():
        if category not in _KNOWN or not isinstance(value, Dictionary):
            own[category] = value
    for category, name in uses:
        if category not in resources or name not in resources[category]:
            continue  # a device colour space, /Pattern: not a resource
        value = resources[category][name]
        if category not in own:
            own[category] = Dictionary()
        own[category][renames.get((category, name), name)] = value
        drawn.append(_descend(pdf, value, done))
    holder.Resources = pdf.make_indirect(own)  # as WeasyPrint writes it: one object
    if any(old != new for (_, old), new in renames.items()):
        data = _renamed(data, renames) if b"(" not in data else _parsed_renamed(content, renames)
    content.write(data)  # compressed on saving, renamed or not: the same bytes in any batch
    return joined(drawn)


def _descend(pdf: pikepdf.Pdf, value: object, done: dict[tuple[int, int], Drawn]) -> Drawn:
    """Forms and tiling patterns have resources of their own (WeasyPrint gives them the pass's fonts);
    so has a soft mask's group. Returns what they draw."""
    if isinstance(value, Dictionary) and isinstance(value.get("/SMask"), Dictionary):
        value = value.SMask.get("/G")
    if not isinstance(value, pikepdf.Stream) or "/Resources" not in value:
        return {}
    if not value.is_indirect:
        return _own_resources(pdf, value, value, done)
    if value.objgen not in done:
        done[value.objgen] = {}  # a form drawing itself draws nothing more
        done[value.objgen] = _own_resources(pdf, value, value, done)
    return done[value.objgen]


#: Text as WeasyPrint writes it: q and Q on lines of their own, a font set with Tf, glyphs in
#: hexadecimal strings (two bytes a glyph with Identity-H); ``<<`` opens a dictionary, not a string.
_TEXT = re.compile(rb"(?m)^(q|Q)$|/([^\s/\[\]<>(){}%]+)\s+[-+.\d]+\s+Tf(?=\s|$)|(?<!<)<((?:[0-9A-Fa-f]{4})*)>|((?<!<)<(?!<)[^<>]*>)")


def _glyphs(data: bytes, fonts: object) -> Drawn:
    """The glyph ids a content stream draws with each composite (Identity-H) font, by /BaseFont;
    None if it draws text this cannot follow (a literal string, a string before any font)."""
    if b"(" in data or re.search(rb"(?m)^BI$", data):
        return None
    names: dict[bytes, str | None] = {}
    if isinstance(fonts, Dictionary):
        for name, font in fonts.items():
            identity = font.get("/Subtype") == Name.Type0 and font.get("/Encoding") == Name("/Identity-H")
            names[name[1:].encode("latin-1")] = str(font.BaseFont) if identity else None
    strings: dict[str, list[bytes]] = {}
    stack: list[bytes | None] = []
    current: bytes | None = None
    for state, font, digits, other in _TEXT.findall(data):
        if other:  # a string of other than four digits a glyph
            return None
        if state == b"q":
            stack.append(current)
        elif state == b"Q":
            current = stack.pop() if stack else None
        elif font:
            current = font
        elif current is None or current not in names:
            return None
        elif names[current] is not None:
            strings.setdefault(names[current], []).append(digits)  # type: ignore[arg-type]
    found: dict[str, set[int]] = {}
    for base_font, chunks in strings.items():
        glyphs = array("H", bytes.fromhex(b"".join(chunks).decode("ascii")))
        if sys.byteorder == "little":
            glyphs.byteswap()
        found[base_font] = set(glyphs)
    return found


def _uses(data: bytes) -> list[tuple[str, str]]:
    """(category, name) of every resource the content uses, in order of first use."""
    found = dict.fromkeys((_CATEGORY[match.group(2)], "/" + match.group(1).decode("latin-1")) for match in _USE.finditer(data))
    return list(found)


def _parsed_uses(content: pikepdf.Stream) -> list[tuple[str, str]]:
    found: dict[tuple[str, str], None] = {}
    for operands, operator in pikepdf.parse_content_stream(content, _OPERATORS):
        names = [operand for operand in operands if isinstance(operand, Name)]
        if names:
            found.setdefault((_CATEGORY[bytes(operator)], str(names[-1] if bytes(operator) != b"Tf" else names[0])))
    return list(found)


def _renames(uses: list[tuple[str, str]], resources: Dictionary) -> dict[tuple[str, str], str]:
    """New names for numbered resources: the prefix, then the order of first use in this content."""
    renames: dict[tuple[str, str], str] = {}
    counts: dict[tuple[str, str], int] = {}
    for category, name in uses:
        if _NUMBERED.fullmatch(name[1:]) and category in resources and name in resources[category]:
            prefix = (category, name[1])
            renames[(category, name)] = f"/{name[1]}{counts.get(prefix, 0)}"
            counts[prefix] = counts.get(prefix, 0) + 1
    return renames


def _renamed(data: bytes, renames: dict[tuple[str, str], str]) -> bytes:
    def rename(match: re.Match[bytes]) -> bytes:
        new = renames.get((_CATEGORY[match.group(2)], "/" + match.group(1).decode("latin-1")))
        return match.group(0) if new is None else new.encode("latin-1") + match.group(0)[len(match.group(1)) + 1:]
    return _USE.sub(rename, data)


def _parsed_renamed(content: pikepdf.Stream, renames: dict[tuple[str, str], str]) -> bytes:
    instructions = []
    for operands, operator in pikepdf.parse_content_stream(content):
        category = _CATEGORY.get(bytes(operator)) if isinstance(operator, pikepdf.Operator) else None
        if category is not None:
            operands = [Name(renames.get((category, str(operand)), str(operand))) if isinstance(operand, Name) else operand
                        for operand in operands]
        instructions.append((operands, operator))
    return pikepdf.unparse_content_stream(instructions)


def _header_ids(pdf: pikepdf.Pdf, start: int) -> None:
    """Rename table header ids ``<object>-<row>-<column>`` to ``<page>.<table on the page>-<row>-<column>``."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    pages = {page.objgen: start + index for index, page in enumerate(pdf.pages)}
    tables: dict[str, str] = {}
    on_page: dict[int, int] = {}
    renames: dict[str, str] = {}
    cells: list[Dictionary] = []
    for element, table in _elements(root):
        ident = element.get("/ID")
        match = _HEADER_ID.fullmatch(str(ident)) if ident is not None else None
        if match is not None:
            if match.group(1) not in tables:
                page = pages.get(table.Pg.objgen, 0) if table is not None and "/Pg" in table else 0
                on_page[page] = on_page.get(page, 0) + 1
                tables[match.group(1)] = f"{page}.{on_page[page]}"
            renames[str(ident)] = tables[match.group(1)] + match.group(2)
            element.ID = pikepdf.String(renames[str(ident)])
        if "/A" in element:
            cells.append(element)
    for element in cells:
        for attributes in (element.A if isinstance(element.A, pikepdf.Array) else [element.A]):
            if isinstance(attributes, Dictionary) and "/Headers" in attributes:
                attributes.Headers = pikepdf.Array([pikepdf.String(renames.get(str(value), str(value)))
                                                    for value in attributes.Headers])


def _elements(root: Dictionary) -> list[tuple[Dictionary, Dictionary | None]]:
    """Every structure element in document order, with the table it is in (if any)."""
    def kids(element: Dictionary) -> list[object]:
        value = element.get("/K")
        return list(value) if isinstance(value, pikepdf.Array) else [value]

    found: list[tuple[Dictionary, Dictionary | None]] = []
    stack: list[tuple[object, Dictionary | None]] = [(kid, None) for kid in reversed(kids(root))]
    while stack:
        kid, table = stack.pop()
        if isinstance(kid, Dictionary) and kid.get("/Type", Name.StructElem) == Name.StructElem and "/S" in kid:
            inner = kid if kid.S == Name.Table else table
            found.append((kid, inner))
            stack.extend((child, inner) for child in reversed(kids(kid)))
    return found
