"""The design values in one place: colours, font families and the sizes the layouts share.

The stylesheets read them as CSS custom properties (``var(--navy)``), which html.render puts in a
<style> element of their own before the layouts' stylesheets; the drawings (documents/booklet/diagrams.py,
documents/booklet/charts.py, render/raster.py) and the Word reference document
(tools/make_reference_docx.py) read them from here. Change a colour here and the PDF, the
drawings and Word follow (run ``make reference-docx`` for Word's styles).
"""

from __future__ import annotations

import re

#: Colours by role, as #RRGGBB.
COLOURS: dict[str, str] = {
    "ink": "#1A1A1A",        # running text
    "navy": "#1F4E79",       # headings, rules, table headers, the city's colour
    "grey": "#4A4A4A",       # notes, captions, running headers
    "rule": "#7F8C99",       # table grid, neutral lines
    "white": "#FFFFFF",
    "pale": "#DCE6F2",       # light fills in diagrams
    "grid": "#C8CED6",       # chart grid lines, diagram frames
    "mist": "#EEF2F7",       # the period chart's band
    "frame": "#F7F9FB",      # a diagram's column background
    "sky": "#2E75B6",        # the third bar colour of the period chart
    "accent": "#C0392B",     # marks and the projection line of the population chart
    "missing": "#8F1D14",    # 未入力 / 写真未登録: text and dashed frame
    "missing-bg": "#FBEAEA",
    "placeholder-bg": "#F3F3F3",
    "photo-mat": "#EBEBEB",  # the frame around a photo not of the frame's shape (shown whole)
    "grade-a": "#0B5D2A", "grade-a-bg": "#D4ECD9",
    "grade-b": "#174A85", "grade-b-bg": "#DBE8F6",
    "grade-c": "#7A4F00", "grade-c-bg": "#FBECC8",
    "grade-d": "#8F1D14", "grade-d-bg": "#F6D5D2",
    "bar-a": "#2E7D4F", "bar-b": "#2F6DB5", "bar-c": "#C98A12", "bar-d": "#B3392B",
    "field-bg": "#FFF6D5",   # the fields departments fill on their sheets
    "prompt": "#808080",     # a content control's prompt
    "focus": "#FFD43D",      # the web edition's focus ring, inside an ink one (12:1 apart)
}

#: Font families by role, as CSS names them (the PDF embeds them, Word names them), each with the
#: generic family the CSS falls back to.
FONTS: dict[str, tuple[str, str]] = {
    "mincho": ("BIZ UDMincho", "serif"),              # running text
    "mincho-latin": ("BIZ UDPMincho", "serif"),       # half-width Latin in running text (proportional)
    "gothic": ("BIZ UDPGothic", "sans-serif"),        # headings, labels, captions
    "gothic-fixed": ("BIZ UDGothic", "sans-serif"),   # table figures (even widths)
}

#: The printed page, (width, height) in mm, and its margins (top, right, bottom, left) in mm; the
#: running header (柱) is one line of RUNNING_HEAD_PT type across the top margin's width. print.css
#: reads them as var(--page-width), var(--page-margins) and var(--running-head-size); check measures a
#: header against that width (checks/running_heads.py).
PAGE: tuple[float, float] = (210.0, 297.0)
PAGE_MARGINS: tuple[float, float, float, float] = (22.0, 20.0, 20.0, 20.0)
#: A table's text in points and its cells' padding on either side in mm (print.css table.data-table:
#: var(--table-text-size), var(--cell-padding)), for column widths worked out from their text.
TABLE_TEXT_PT, CELL_PADDING_MM = 9.0, 2.0
RUNNING_HEAD_PT = 8.0

#: A photo's frame in the booklet, (width, height) in mm: a photo is shown whole, as large as fits
#: in it. layouts/booklet.css reads it as var(--photo-width) and var(--photo-height), Word places
#: a photo in it (render/docx_parts.py) and check measures a photo's resolution at the size it
#: prints in it (images.print_resolution).
PHOTO_FRAME: tuple[float, float] = (53.0, 36.0)

#: An SDG icon's printed side in mm: in 第7's table of the goals (documents/booklet/__init__.py) and
#: in a policy page's row of icons (documents/booklet/pages.py). check measures an official icon
#: file's resolution at the larger, where it has the fewest pixels to the inch (images.coarse_for_print).
SDG_ICON_TABLE, SDG_ICON_ROW = 16.0, 15.0

#: The period chart (第3 計画の期間), in mm: its width, its first column (the 和暦 and 西暦 headings),
#: and the size of its year labels. It has a column for each fiscal year (documents/booklet/charts.py);
#: check refuses a range of more years than there is room for columns as wide as a year's label.
PERIOD_CHART_WIDTH, PERIOD_HEAD_WIDTH, PERIOD_LABEL_SIZE = 170.0, 22.0, 3.0

#: The thinnest line and the smallest text a print shop takes, in points: a thinner rule prints
#: broken or not at all, smaller text is flagged unreadable. The drawings keep to them
#: (documents/booklet/charts.py), check warns of a stylesheet that does not (checks/print_css.py).
MIN_LINE_PT, MIN_TEXT_PT = 0.25, 6.0

#: How far inside the trim (仕上がり線) a print shop asks all text to keep, in mm: the guillotine
#: cuts up to a millimetre or two off, so text nearer the edge may be cut. The page margins
#: (PAGE_MARGINS) keep the running text 20 mm in, the header and page number about 9 mm; check warns
#: of a page margin in layouts/*.css under it (checks/print_css.py).
SAFE_MARGIN_MM = 3.0

#: The name Windows (10 and later) gives its own copy of a family, where it differs: Windows ships BIZ
#: UD Mincho in one weight, Medium, named so. Word's font table offers it as the family's alternate
#: name, which Word looks for on a PC without the family itself (tools/make_reference_docx.py).
WINDOWS_FAMILIES: dict[str, str] = {"BIZ UDMincho": "BIZ UDMincho Medium"}


def colour(name: str) -> str:
    """A colour by its role, #RRGGBB."""
    return COLOURS[name]


def font(role: str) -> str:
    """A font family by its role, as CSS and Word name it."""
    return FONTS[role][0]


def word_colour(name: str) -> str:
    """A colour by its role as Word writes it, RRGGBB."""
    return COLOURS[name].lstrip("#")


def css_variables() -> str:
    """The values as CSS custom properties on :root (--navy, --font-gothic, --photo-width, --page-width, …)."""
    lines = [f"  --{name}: {value.lower()};" for name, value in COLOURS.items()]
    lines += [f'  --font-{name}: "{family}", {generic};' for name, (family, generic) in FONTS.items()]
    lines += [f"  --photo-{side}: {length:g}mm;" for side, length in zip(("width", "height"), PHOTO_FRAME)]
    lines += [f"  --page-{side}: {length:g}mm;" for side, length in zip(("width", "height"), PAGE)]
    lines += [f"  --page-margins: {' '.join(f'{length:g}mm' for length in PAGE_MARGINS)};",
              f"  --running-head-size: {RUNNING_HEAD_PT:g}pt;",
              f"  --table-text-size: {TABLE_TEXT_PT:g}pt;", f"  --cell-padding: {CELL_PADDING_MM:g}mm;"]
    return ":root {\n" + "\n".join(lines) + "\n}\n"


_FONT_VARIABLE = re.compile(r"var\(\s*--font-([\w-]+)\s*\)")


def resolve_font(value: str) -> str:
    """A font-family value with ``var(--font-…)`` replaced by the family it names."""
    return _FONT_VARIABLE.sub(lambda found: f'"{FONTS.get(found.group(1), (found.group(0),))[0]}"', value)
