"""Boxes that stick out of their page or their container after layout, and the text in them.

A long URL or number without a break opportunity, or a table wider than the page,
is printed past the margin or cut off by the page edge; the print shop will not
notice, so planpress must.
"""

from __future__ import annotations

from dataclasses import dataclass

from planpress.checks.texts import TextSpot
from planpress.errors import Location, Problem
from planpress.render.pdf._weasy_internals import BlockContainerBox, Box, LineBox, MarginBox, TextBox, page_box

#: Tolerance in CSS pixels (about 0.26 mm): rounding in layout is not an overflow.
_EPSILON = 1.0
_MM_PER_PX = 25.4 / 96


@dataclass(frozen=True)
class Overflow:
    """Text that sticks out: on which page, how far, and which way."""

    page: int
    text: str
    line: str
    amount: float
    downwards: bool = False


@dataclass(frozen=True)
class _Area:
    page: int
    right: float
    bottom: float


def find_overflows(pages: list, first_page: int = 1) -> list[Overflow]:  # noqa: ANN001 - weasyprint.Page objects
    """Every overflowing line or block of laid-out WeasyPrint pages numbered from ``first_page``."""
    found: list[Overflow] = []
    for number, page in enumerate(pages, start=first_page):
        box = page_box(page)
        area = _Area(number, box.content_box_x() + box.width, box.content_box_y() + box.height)
        for child in box.children:
            if not isinstance(child, MarginBox):
                _walk(child, area, area.right, found)
    return found


def _walk(box: Box, area: _Area, container_right: float, found: list[Overflow]) -> None:
    if box.style["overflow"] != "visible":
        return  # clipped on purpose (the hidden running title)
    if isinstance(box, LineBox):
        _check_line(box, area, container_right, found)
        return
    if isinstance(box, BlockContainerBox):
        container_right = box.content_box_x() + box.width
    right = box.border_box_x() + box.border_width()
    if right > area.right + _EPSILON and not isinstance(box, (BlockContainerBox, TextBox)):
        text = _text_of(box)
        found.append(Overflow(area.page, text, text, (right - area.right) * _MM_PER_PX))
        return
    for child in getattr(box, "children", ()):
        _walk(child, area, container_right, found)


def _check_line(line: LineBox, area: _Area, container_right: float, found: list[Overflow]) -> None:
    limit = min(container_right, area.right)
    texts = [box for box in line.descendants() if isinstance(box, TextBox)]
    for text in texts:
        right = text.position_x + text.width
        if right > limit + _EPSILON:
            found.append(Overflow(area.page, text.text, _text_of(line), (right - limit) * _MM_PER_PX))
            return
    bottom = line.position_y + line.height
    if texts and bottom > area.bottom + _EPSILON:
        found.append(Overflow(area.page, texts[0].text, _text_of(line), (bottom - area.bottom) * _MM_PER_PX, True))


def _text_of(box: Box) -> str:
    return "".join(child.text for child in box.descendants() if isinstance(child, TextBox))


def overflow_problems(overflows: list[Overflow], spots: list[TextSpot], output: str) -> list[Problem]:
    """One problem per overflow, at the content text that caused it when it can be found."""
    problems = []
    for overflow in overflows:
        piece, spot = _source_of(overflow.text.strip() or overflow.line.strip(), spots)
        where = "下" if overflow.downwards else "右"
        message = (
            f"「{_shorten(overflow.line.strip())}」が{output}の{overflow.page}ページで枠から{where}に"
            f"{overflow.amount:.1f}mmはみ出します（長い英数字やURLは短くするか、空白で区切ってください）"
        )
        if spot is None:
            problems.append(Problem(Location(output), message))
        else:
            problems.append(Problem(spot.location_of(spot.text.index(piece)), f"{spot.item}: {message}"))
    return problems


def _source_of(text: str, spots: list[TextSpot], window: int = 12) -> tuple[str, TextSpot | None]:
    """The content text holding ``text``, or (for text with computed parts) a run of it."""
    runs = [text] + [text[start : start + window] for start in range(max(len(text) - window + 1, 0))]
    for run in runs:
        spot = next((spot for spot in spots if run and run in spot.text), None)
        if spot is not None:
            return run, spot
    return text, None


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
