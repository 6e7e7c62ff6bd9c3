"""Japanese justification (両端揃え) for WeasyPrint: spare width spread between characters.

WeasyPrint 70 justifies a line by widening its spaces only (``layout.inline.justify_line``), so a
Japanese line, which has no spaces, stays short of the right edge whenever a half-width digit or
letter, or a line-start rule (kinsoku), leaves less than one full-width character of room. JLREQ
(3.8, 両端揃え) distributes that remainder between the characters of the line instead. This module
replaces ``justify_line`` while planpress lays documents out: lines holding Japanese text get the
remainder as letter spacing, spread evenly over every gap between two characters of the line (so
its last character ends at the right edge); lines without Japanese keep WeasyPrint's word spacing.

The replacement depends on WeasyPrint's box tree and Pango layout objects: it is installed only
for the WeasyPrint version it was written for, and any other version lays out as WeasyPrint does,
with a warning (see ``install``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from planpress.render.pdf import _weasy_internals as weasy

log = logging.getLogger(__name__)

#: The WeasyPrint version whose layout internals this module was written against.
SUPPORTED = weasy.SUPPORTED

_JAPANESE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_original_justify_line: Any = None  # WeasyPrint's, kept by install()


def install() -> bool:
    """Replace WeasyPrint's ``justify_line`` (once); False, with a warning, on another version."""
    global _original_justify_line
    _original_justify_line = weasy.replace("inline", "justify_line", justify_line, log, "和文の両端揃え（文字間の調整）を行いません")
    return _original_justify_line is not None


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    """Spread ``extra_width`` over the line: between characters when it holds Japanese."""
    texts = list(_text_boxes(line))
    if not any(_JAPANESE.search(box.text) for box in texts):
        _original_justify_line(context, line, extra_width)
        return
    gaps = sum(_clusters(box.text) for box in texts) - 1
    if gaps <= 0 or extra_width <= 0:
        return
    _spread(context, line, extra_width / gaps, 0.0, last=texts[-1])


def _text_boxes(box: Any) -> Any:
    """The line's text boxes in order, inline boxes opened."""
    if isinstance(box, weasy.TextBox):
        if box.text:
            yield box
    elif isinstance(box, (weasy.LineBox, weasy.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def _clusters(text: str) -> int:
    """Characters that take a share of the spacing (combining marks go with their base)."""
    return sum(1 for char in text if not unicodedata.combining(char))


def _spread(context: Any, box: Any, spacing: float, advance: float, *, last: Any) -> float:
    """Move ``box`` by ``advance``, widen its text by ``spacing`` per gap; return the new advance.

    Every character is followed by ``spacing`` except the line's last one, so a text box that
    another follows on the line also gains one gap at its end.
    """
    if isinstance(box, weasy.TextBox):
        box.position_x += advance
        if not box.text:
            return advance
        before = box.width
        _letter_space(context, box, spacing)
        # Pango leaves the spacing off after the box's last character; the next box gets it.
        gain = box.width - before + (0 if box is last else spacing)
        return advance + gain
    if isinstance(box, (weasy.LineBox, weasy.InlineBox)):
        box.position_x += advance
        start = advance
        for child in box.children:
            if child.is_in_normal_flow():
                advance = _spread(context, child, spacing, advance, last=last)
        box.width += advance - start
        return advance
    box.translate(advance, 0)  # an atomic inline box (an image) moves along
    return advance


def _letter_space(context: Any, box: Any, spacing: float) -> None:
    """Lay the text box out again with ``spacing`` added between its characters."""
    style = box.style.copy()
    current = style["letter_spacing"]
    style["letter_spacing"] = (0 if current == "normal" else current) + spacing
    layout = weasy.create_layout(box.text, style, context, max_width=None, justification_spacing=box.justification_spacing)
    first_line, _ = layout.get_first_line()
    # line_size counts the spacing after the last character too; the box ends at that character.
    width, _ = weasy.line_size(first_line, style)
    layout.deactivate()
    box.style = style
    box.pango_layout = layout
    box.width = width - spacing
