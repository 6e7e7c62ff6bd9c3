"""Drawings as data: shapes in millimetres that the SVG template and the PNG painter both draw.

Charts and diagrams are computed once as a Drawing from content data; the PDF gets
vector SVG (layouts/drawing.svg), Word gets a PNG painted from the same shapes.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from planpress.design import colour
from planpress.typeset import CLOSING  # 「を」 and 「を。」 are both a last line of one character

GOTHIC = "BIZ UDPGothic"
GOTHIC_BOLD = "bold"


@dataclass(frozen=True)
class Shape:
    shape: ClassVar[str] = ""


@dataclass(frozen=True)
class Rect(Shape):
    shape: ClassVar[str] = "rect"
    x: float
    y: float
    w: float
    h: float
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 0.0
    radius: float = 0.0


@dataclass(frozen=True)
class Line(Shape):
    shape: ClassVar[str] = "line"
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#000000"
    stroke_width: float = 0.3
    dashed: bool = False


@dataclass(frozen=True)
class Polyline(Shape):
    shape: ClassVar[str] = "polyline"
    points: tuple[tuple[float, float], ...]
    stroke: str = "#000000"
    stroke_width: float = 0.5
    dashed: bool = False

    @property
    def svg_points(self) -> str:
        return " ".join(f"{x:.2f},{y:.2f}" for x, y in self.points)


@dataclass(frozen=True)
class Circle(Shape):
    shape: ClassVar[str] = "circle"
    cx: float
    cy: float
    r: float
    fill: str = "#000000"
    stroke: str = "none"
    stroke_width: float = 0.0


@dataclass(frozen=True)
class Picture(Shape):
    """An image file (PNG, JPEG or SVG) placed in a box, such as an official SDG icon."""

    shape: ClassVar[str] = "image"
    x: float
    y: float
    w: float
    h: float
    #: a Path, so that every key made from a drawing holds the file's bytes (memo.fingerprint):
    #: an icon replaced under the same name is drawn anew
    path: Path

    @property
    def url(self) -> str:
        return self.path.as_uri()


@dataclass(frozen=True)
class Label(Shape):
    """One line of text; ``y`` is the baseline, ``anchor`` start, middle or end."""

    shape: ClassVar[str] = "text"
    x: float
    y: float
    text: str
    size: float = 3.2
    fill: str = colour("ink")
    anchor: str = "start"
    bold: bool = False
    font: str = GOTHIC

    @property
    def weight(self) -> str:
        return "bold" if self.bold else "normal"


@dataclass(frozen=True)
class Drawing:
    """A picture of ``width`` × ``height`` mm with its alternative text for readers who cannot see it."""

    name: str
    width: float
    height: float
    shapes: tuple[Shape, ...]
    alt: str


def text_width(text: str, size: float) -> float:
    """Estimated advance of ``text`` at ``size`` mm: full-width 1 em, others about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WFA" else size * 0.55 for ch in text)


def label_box(label: Label) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) a label's text takes, from its estimated width."""
    width = text_width(label.text, label.size)
    left = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[label.anchor]
    return left, label.y - label.size * 0.88, left + width, label.y + label.size * 0.12


def segment_meets_box(start: tuple[float, float], end: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    """Whether the segment from ``start`` to ``end`` passes through the box (Liang–Barsky clipping)."""
    (x1, y1), (x2, y2) = start, end
    left, top, right, bottom = box
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


#: Characters that never start a line of a label (they stay with the character before them).
_NO_START = "、。）」・ー"
#: Opening brackets: they never end a line, they move down with what they open.
_NO_END = "（「『【"
#: Small kana never start a line either; as wide as any kana, they cannot hang past the width as
#: punctuation does: the character before them moves down with them (パートナー／シップ).
_SMALL_KANA = "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"


def wrap(text: str, size: float, width: float, *, more_lines: int = 0) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, keeping 、。）」 and small kana off a
    line's start and the last line at two characters or more; between phrases (BudouX:
    技術革新の／基盤を, not 技術革／新の) where that takes at most ``more_lines`` lines more than
    breaking at any character: none by default, so that a label keeps the height its drawing
    has room for (the policy tree's pages); a drawing with room to spare allows one."""
    return list(_wrapped(text, size, width, more_lines))


@functools.lru_cache(maxsize=4096)  # a policy's name is in 第9's structure and its branch's tree
def _wrapped(text: str, size: float, width: float, more_lines: int) -> tuple[str, ...]:
    by_character = _wrap_characters(text, size, width)
    if len(by_character) < 2:
        return tuple(by_character) or ("",)  # one line (most labels): no phrase to keep whole
    by_phrase = _wrap_phrases(text, size, width)
    return tuple(_no_lonely_last_line(by_phrase if len(by_phrase) <= len(by_character) + more_lines else by_character)) or ("",)


@functools.cache
def _phrases() -> Any:
    import budoux  # its model is read once, when a label is first wrapped

    return budoux.load_default_japanese_parser()


def _wrap_phrases(text: str, size: float, width: float) -> list[str]:
    """Whole phrases to a line; a phrase longer than a line is broken at its characters."""
    lines: list[str] = []
    current = ""
    for phrase in _phrases().parse(text):
        if not current or phrase[0] in _NO_START + _SMALL_KANA or current[-1] in _NO_END \
                or text_width((current + phrase).rstrip(_NO_START), size) <= width:
            current += phrase
            continue
        lines.append(current)
        current = phrase
    if current:
        lines.append(current)
    broken: list[str] = []
    for line in lines:  # a line wider than the width holds a phrase longer than a line
        too_long = text_width(line.rstrip(_NO_START), size) > width
        broken += _no_lonely_last_line(_wrap_characters(line, size, width)) if too_long else [line]
    return broken


def _wrap_characters(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    taken = 0.0  # text_width(current), summed in the same order (the same float): not measured anew per character
    for char in text:
        advance = size if unicodedata.east_asian_width(char) in "WFA" else size * 0.55  # text_width(char, size)
        if current and taken + advance > width and char not in _NO_START:
            carry = current[-1] if len(current) > 1 and (current[-1] in _NO_END or char in _SMALL_KANA) else ""
            lines.append(current[: len(current) - len(carry)])
            current = carry
            taken = text_width(carry, size)
        current += char
        taken += advance
    if current:
        lines.append(current)
    return lines


def _no_lonely_last_line(lines: list[str]) -> list[str]:
    """A last line of one character (住み続けられ／るまちづくり／を) takes characters from the line
    above until it holds two and neither line breaks a kinsoku rule; the line above only gets
    shorter and the last one stays a few characters long, so the label fits where it did."""
    if len(lines) < 2:
        return lines
    above, last = lines[-2], lines[-1]
    while len(above) > 2 and (len(last.rstrip(CLOSING)) < 2 or last[0] in _NO_START + _SMALL_KANA
                               or above[-1] in _NO_END):
        above, last = above[:-1], above[-1] + last
    return lines[:-2] + [above, last]
