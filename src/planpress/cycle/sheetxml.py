"""The evaluation sheet's WordprocessingML: field names, content controls, bookmarks, protection.

A field is the cell to the right of a bookmarked label cell. The label is protected,
so its bookmark cannot be typed over, and LibreOffice keeps bookmarks when it
re-saves a file (it drops content-control tags). The control's tag repeats the
name for Word and is checked when it is still there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import count

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from planpress.content.model import KINDS
from planpress.render.wordxml import insert_in_order

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

#: Bookmark names are ASCII letters, digits and "_"; the kind becomes one letter.
_KIND_LETTERS = dict(zip(KINDS, ("M", "P")))

GRADE, COMMENTARY = "grade", "commentary"
YEAR_FIELD, DEPARTMENT_FIELD = "pp_year", "pp_department"

GRADE_PROMPT = "ここをクリックしてA〜Dから選択"
COMMENTARY_PROMPT = "ここをクリックして評価の解説を入力"
PROMPTS = (GRADE_PROMPT, COMMENTARY_PROMPT)


def field_name(kind: str, number: int, field: str) -> str:
    """pp_P17_grade: the bookmark (and tag) naming one field of one item."""
    return f"pp_{_KIND_LETTERS[kind]}{number:02d}_{field}"


def parse_field_name(name: str) -> tuple[str, int, str] | None:
    """(kind, number, field) of a field bookmark, or None for any other bookmark."""
    parts = name.split("_")
    if len(parts) != 3 or parts[0] != "pp" or parts[2] not in (GRADE, COMMENTARY):
        return None
    kinds = {letter: kind for kind, letter in _KIND_LETTERS.items()}
    code = parts[1]
    if code[:1] not in kinds or not code[1:].isdigit():
        return None
    return kinds[code[:1]], int(code[1:]), parts[2]


class Ids:
    """Unique numbers for bookmarks and content controls within one document."""

    def __init__(self) -> None:
        self._counter: Iterator[int] = count(1)

    def next(self) -> str:
        return str(next(self._counter))


def _w(tag: str, **attributes: str) -> OxmlElement:
    element = OxmlElement(f"w:{tag}")
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def bookmark(paragraph: OxmlElement, name: str, ids: Ids) -> None:
    """Bookmark the paragraph's whole content (call it once the paragraph is filled)."""
    number = ids.next()
    properties = paragraph.find(qn("w:pPr"))
    paragraph.insert(0 if properties is None else 1, _w("bookmarkStart", id=number, name=name))
    paragraph.append(_w("bookmarkEnd", id=number))


def content_control(name: str, alias: str, prompt: str, ids: Ids, *, choices: Sequence[str] = (),
                    value: str = "") -> OxmlElement:
    """An inline content control holding ``value`` (its lines as Shift+Enter breaks), or empty and
    showing ``prompt``: a drop-down if ``choices``, else rich text.

    Not a plain-text control (w:text): LibreOffice 7.4 repeats a plain-text control's
    text several times over when it re-saves the file (measured); rich text survives.
    """
    sdt = _w("sdt")
    properties = _w("sdtPr")
    properties.append(_w("alias", val=alias))
    properties.append(_w("tag", val=name))
    properties.append(_w("id", val=ids.next()))
    # The control cannot be deleted; what is inside it can be changed.
    properties.append(_w("lock", val="sdtLocked"))
    if not value:
        properties.append(_w("showingPlcHdr"))
    if choices:
        listing = _w("dropDownList")
        if value:
            listing.set(qn("w:lastValue"), value)  # the choice made, as Word writes it
        for choice in choices:
            listing.append(_w("listItem", displayText=choice, value=choice))
        properties.append(listing)
    sdt.append(properties)
    body = _w("sdtContent")
    run = _w("r")
    if not value:
        run_properties = _w("rPr")
        run_properties.append(_w("rStyle", val="PlaceholderText"))
        run.append(run_properties)
    run.text = value or prompt  # python-docx's CT_R: a line break as w:br, edge spaces kept (xml:space)
    body.append(run)
    sdt.append(body)
    return sdt


def protect_for_forms(settings: OxmlElement) -> None:
    """Word lets the user change only the content controls ("filling in forms"), no password."""
    protection = _w("documentProtection", edit="forms", enforcement="1")
    # Schema order: documentProtection comes before defaultTabStop and everything after it.
    insert_in_order(settings, protection, ("defaultTabStop",))
