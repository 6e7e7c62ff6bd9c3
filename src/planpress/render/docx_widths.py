"""Word table column widths sized from their content, so that no figure breaks inside a number.

The model gives each column a share of the table; in print WeasyPrint widens a column whose
longest word does not fit. Word and LibreOffice do not: a column narrower than a word such as
（1,000t−CO2/ or 100,297,503 breaks it between its digits. ``column_widths`` keeps the model's
shares where they fit and otherwise widens the column to its longest unbreakable word (measured
with the style's own font), taking the room from the columns that have some to spare.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from docx.document import Document as WordDocument
from docx.shared import Pt

from planpress import memo
from planpress.errors import PlanpressError
from planpress.render.raster import text_width_pt

#: Twips per point, and the cell margins of the grid table styles (left + right, twips).
TWIPS = 20
CELL_MARGINS = 2 * 85
#: A word: opening brackets, a run of text that is not Japanese (letters, digits, −, /) or one
#: Japanese character, and the closing punctuation that may not start a line. Word and
#: LibreOffice break between such words.
_JAPANESE = "\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60"
_WORD = re.compile(rf"[（「『【〔“(\[]*(?:[^\s{_JAPANESE}]+|[{_JAPANESE}])[。、，．」』）】〕”,.)\]！？]*")


#: A list separator before a figure (03，04 or 05、08): Word and LibreOffice read the list as one
#: Latin word and break it between digits; a zero-width space after the separator lets the line
#: break there, as the PDF does.
_SEPARATOR = re.compile(r"([，、])(?=[!-~])")


def breakable(text: str) -> str:
    """The text with a break opportunity after each separator of a list of figures."""
    return _SEPARATOR.sub("\\1\u200b", text)


def words(text: str) -> list[str]:
    """The pieces a word processor may not break inside (Latin words, numbers with their brackets)."""
    return _WORD.findall(text)


#: A word wider than this (points; a third of the A4 text width) is no figure to keep whole but a
#: URL or a code: Word and LibreOffice break it at the cell's edge, as the PDF does. Counted, one
#: URL in a commentary squeezed every other column of its table to a character a line.
LONGEST_WHOLE_WORD = 160.0


def min_width(lines: Iterable[str], font: tuple[str, bool, float]) -> int:
    """Twips the longest unbreakable word of the lines needs, cell margins included (a word wider
    than LONGEST_WHOLE_WORD is left to break)."""
    widths = (_width(word, *font) for line in lines for word in words(line))
    widest = max((width for width in widths if width <= LONGEST_WHOLE_WORD), default=0.0)
    return round(widest * TWIPS) + CELL_MARGINS + TWIPS  # a point of room for rounding in the renderer


@functools.lru_cache(maxsize=65536)
def _width(word: str, family: str, bold: bool, size: float) -> float:
    # A table repeats its words (years, units, grades): each measured once per process, with the
    # fonts raster.py loads once per process.
    return text_width_pt(word, family, bold, size)


def column_widths(shares: Sequence[int], minimums: Sequence[int], total: int) -> list[int]:
    """Widths in twips summing to ``total``: the shares, each raised to its minimum where it falls short.

    The room a widened column takes comes from the others in proportion to what they have above
    their own minimum; if even the minimums do not fit, the widths follow the minimums.
    """
    widths = [total * share / sum(shares) for share in shares]
    need = sum(max(0.0, low - width) for width, low in zip(widths, minimums))
    spare = sum(max(0.0, width - low) for width, low in zip(widths, minimums))
    if need == 0:
        return [int(width) for width in widths]
    if spare < need:
        return [int(total * low / sum(minimums)) for low in minimums]
    return [int(low if width <= low else width - (width - low) * need / spare)
            for width, low in zip(widths, minimums)]


#: A line of table text is taken as this much taller than its size times its style's line
#: spacing (LibreOffice sets a 9 pt BIZ UD line at 1.02 of that): a row estimated too short would
#: be kept whole though it is taller than a page, and Word and LibreOffice cut such a row off.
LINE_ROOM = 1.3


def cell_height_pt(lines: Iterable[str], font: tuple[str, bool, float], spacing: float, width: int) -> float:
    """An upper estimate of the points a cell's lines take in a column ``width`` twips wide: each
    line wraps at the column's text width (cell margins taken off), one line at least. A line
    holding a carriage return is as many lines (Word breaks there; a text measure takes one line)."""
    room = max(1.0, (width - CELL_MARGINS) / TWIPS)
    family, bold, size = font
    count = sum(max(1, math.ceil(_width(part, family, bold, size) / room))
                for line in lines for part in line.splitlines() or [""])
    return max(1, count) * size * spacing * LINE_ROOM


def style_spacing(word: WordDocument, name: str) -> float:
    """The line spacing a paragraph style sets as a multiple of its size (following its base
    styles; an exact or at-least spacing as a multiple of the style's size; single if none)."""
    return style_fact(word, name, "spacing", lambda style: _spacing_of(style, style_font(word, name)[2]))


def _spacing_of(style: Any, size: float) -> float:
    while style is not None:
        spacing = style.paragraph_format.line_spacing
        if isinstance(spacing, float):
            return spacing
        if spacing is not None:  # a Length: exact or at least
            return max(1.0, spacing.pt / size)
        style = style.base_style
    return 1.0


#: For the last Word documents rendered, what their styles set: python-docx finds a style by name
#: by walking them all, and a booklet asks thousands of times (about a second of its Word file).
#: The Word thread and the main thread (planpress sheets) may both ask, each of its own document.
_FACTS = memo.ByObject(2)


class MissingStyle(PlanpressError):
    """A style the Word file is written with that layouts/reference.docx does not define (renamed
    or deleted when the file was edited in Word)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"layouts/reference.docx: スタイル「{name}」がありません（make reference-docx で作り直してください）")


def style_fact(word: WordDocument, name: str, what: str, find: Callable[[Any], Any]) -> Any:
    """``find(style)`` for the style named ``name``, worked out once per document."""
    def found() -> Any:
        if not has_style(word, name):
            raise MissingStyle(name)
        return find(word.styles[name])

    return _fact(word, (name, what), found)


def has_style(word: WordDocument, name: str) -> bool:
    """Whether the document defines a style of that name (the names listed once per document)."""
    return name in _fact(word, ("", "names"), lambda: {style.name for style in word.styles})


def _fact(word: WordDocument, key: tuple[str, str], compute: Callable[[], Any]) -> Any:
    facts = _FACTS.get(word)
    if facts is None:
        facts = {}
        _FACTS.put(word, value=facts)
    if key not in facts:
        facts[key] = compute()
    return facts[key]


def style_font(word: WordDocument, name: str) -> tuple[str, bool, float]:
    """The family, boldness and size (points) a paragraph style sets, following its base styles."""
    return style_fact(word, name, "font", _font_of)


def _font_of(style: Any) -> tuple[str, bool, float]:
    family, bold, size = None, None, None
    while style is not None and None in (family, bold, size):
        font = style.font
        family = family or font.name
        bold = font.bold if bold is None else bold
        size = size or (font.size.pt if font.size else None)
        style = style.base_style
    return family or "BIZ UDGothic", bool(bold), size or Pt(10.5).pt
