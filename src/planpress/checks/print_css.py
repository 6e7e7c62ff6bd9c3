"""Lines and type in the print stylesheets that a print shop's preflight flags as too thin or too small.

A rule thinner than 0.25 pt (0.09 mm) prints broken or not at all on an offset press, and text under
6 pt is flagged as unreadable: the office may edit layouts/*.css, and WeasyPrint prints whatever it
is given. A page margin under 3 mm puts the running text within 3 mm of the trim, where the print
shop's guillotine may cut it. Lengths in absolute units (pt, mm, px, …) are checked where they are
written; a length relative to the font or the page (em, %) is not resolved here.
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
    """Warn of each line, text size or page margin in layouts/*.css below the print minimums, where it is written."""
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
        _check_page_margins(project.display(css), text, problems)


def _check_page_margins(path: str, text: str, problems: Problems) -> None:
    """Warn of each page margin of a stylesheet under design.SAFE_MARGIN_MM, where it is written."""
    safe = design.SAFE_MARGIN_MM
    for name, sides, length, where in _page_margins(text):
        if length * 25.4 / 72 < safe:
            problems.warning(Location.in_text(path, text, where),
                             f"{name}: ページの余白（{sides}）{_millimetres(length)} では、文字が仕上がり線（断裁する位置）から"
                             f"{safe:g}mm以内に入り、断裁で切れることがあります（印刷会社の入稿チェックで指摘されます）。{safe:g}mm以上にしてください")


#: A page rule's opening (``@page``, ``@page cover``, ``@page :first``) and a margin declaration in it.
_PAGE_RULE = re.compile(r"@page\b[^{};]*\{")
_MARGIN = re.compile(r"(?<![\w-])margin(?:-(top|right|bottom|left))?\s*:\s*([^;}]*)")
_ABSOLUTE = re.compile(r"(-?\d*\.?\d+)(pt|mm|px|cm|in|pc|q)?", re.IGNORECASE)
_SIDE_NAMES = {"top": "上", "right": "右", "bottom": "下", "left": "左"}
#: The sides each value of a ``margin`` shorthand of one to four values sets (CSS box model).
_SHORTHAND_SIDES = {1: ("上下左右",), 2: ("上下", "左右"), 3: ("上", "左右", "下"), 4: ("上", "右", "下", "左")}


def _page_margins(text: str) -> list[tuple[str, str, float, int]]:
    """Each absolute page margin of the stylesheet: (property, the sides it sets, points, where it stands).

    Only an @page rule's own declarations count: a margin inside its margin boxes (@top-right) is
    the header's, and spacing elsewhere is inside the page's margins.
    """
    found = []
    for rule in _PAGE_RULE.finditer(text):
        own = _own_declarations(text, rule.end())
        for margin in _MARGIN.finditer(own):
            values = list(re.finditer(r"[^\s!]+", margin.group(2).split("!")[0]))  # not !important
            sides = (_SIDE_NAMES[margin.group(1)],) if margin.group(1) else _SHORTHAND_SIDES.get(len(values), ())
            name = f"margin-{margin.group(1)}" if margin.group(1) else "margin"
            for value, side in zip(values, sides):
                length = _ABSOLUTE.fullmatch(value.group(0))
                if length is not None and (length.group(2) or float(length.group(1)) == 0):  # a bare 0 is a length
                    points = float(length.group(1)) * _POINTS[(length.group(2) or "pt").lower()]
                    found.append((name, side, points, rule.end() + margin.start(2) + value.start()))
    return found


def _own_declarations(text: str, start: int) -> str:
    """The block opening at ``start`` (just after its ``{``) up to its ``}``, nested blocks blanked out,
    each character where it was counted from ``start``."""
    depth, end = 1, start
    kept = []
    while end < len(text) and depth:
        character = text[end]
        depth += {"{": 1, "}": -1}.get(character, 0)
        kept.append(character if depth == 1 and character != "}" else " ")
        end += 1
    return "".join(kept)


def _first_length(value: str, start: int) -> tuple[float, int] | None:
    """The first absolute length of a declaration's value in points, and where it stands in the file."""
    found = _LENGTH.search(value)
    if found is None:
        return None
    return float(found.group(1)) * _POINTS[found.group(2).lower()], start + found.start()


def _millimetres(points: float) -> str:
    return f"{points * 25.4 / 72:.2f}".rstrip("0").rstrip(".") + "mm"


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "pt"


def _without_comments(text: str) -> str:
    """The stylesheet with each comment blanked out, every character where it was (for line and column)."""
    return re.sub(r"/\*.*?\*/", lambda found: re.sub(r"[^\n]", " ", found.group(0)), text, flags=re.S)
