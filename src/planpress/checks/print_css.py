"""Lines and type in the print stylesheets that a print shop's preflight flags as too thin or too small.

A rule thinner than 0.25 pt (0.09 mm) prints broken or not at all on an offset press, and text under
6 pt is flagged as unreadable: the office may edit layouts/*.css, and WeasyPrint prints whatever it
is given. Lengths in absolute units (pt, mm, px, …) are checked where they are written; a length
relative to the font (em, %) is not resolved here.
"""

from __future__ import annotations

import re

from planpress import design
from planpress.errors import Location, Problems
from planpress.project import Project

#: The properties whose length is a printed line's width (the first length of a shorthand).
_LINE = re.compile(r"(?<![\w-])((?:border(?:-(?:top|right|bottom|left))?|outline|column-rule)(?:-width)?"
                   r"|text-decoration-thickness)\s*:\s*([^;}]*)")
_FONT_SIZE = re.compile(r"(?<![\w-])font-size\s*:\s*([^;}]*)")
_LENGTH = re.compile(r"(?<![\w.#-])(\d*\.?\d+)(pt|mm|px|cm|in|pc|q)\b", re.IGNORECASE)
#: Points per unit (CSS: 1 in = 72 pt = 96 px = 25.4 mm).
_POINTS = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 720 / 25.4, "q": 18 / 25.4, "in": 72.0, "pc": 12.0}


def check_print_css(project: Project, problems: Problems) -> None:
    """Warn of each line or text size in layouts/*.css below the print minimums, where it is written."""
    for css in sorted(project.layouts_dir.glob("*.css")):
        text = _without_comments(css.read_text(encoding="utf-8"))
        for found in _LINE.finditer(text):
            length = _first_length(found.group(2), found.start(2))
            if length is not None and 0 < length[0] < design.MIN_LINE_PT:
                problems.warning(Location.in_text(project.display(css), text, length[1]),
                                 f"{found.group(1)}: 線の太さ {_points(length[0])}（{length[0] * 25.4 / 72:.2f}mm）は印刷でかすれるか、"
                                 f"印刷されません（印刷会社の入稿チェックで指摘されます）。{_points(design.MIN_LINE_PT)}以上にしてください")
        for found in _FONT_SIZE.finditer(text):
            length = _first_length(found.group(1), found.start(1))
            if length is not None and length[0] < design.MIN_TEXT_PT:
                problems.warning(Location.in_text(project.display(css), text, length[1]),
                                 f"font-size: 文字の大きさ {_points(length[0])} は小さすぎて印刷では読めません"
                                 f"（印刷会社の入稿チェックで指摘されます）。{_points(design.MIN_TEXT_PT)}以上にしてください")


def _first_length(value: str, start: int) -> tuple[float, int] | None:
    """The first absolute length of a declaration's value in points, and where it stands in the file."""
    found = _LENGTH.search(value)
    if found is None:
        return None
    return float(found.group(1)) * _POINTS[found.group(2).lower()], start + found.start()


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "pt"


def _without_comments(text: str) -> str:
    """The stylesheet with each comment blanked out, every character where it was (for line and column)."""
    return re.sub(r"/\*.*?\*/", lambda found: re.sub(r"[^\n]", " ", found.group(0)), text, flags=re.S)
