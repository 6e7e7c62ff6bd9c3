"""The document model: sections of typed blocks that every renderer shows the same way.

A block kind is a dataclass with a ``kind`` name; the HTML renderer has a template
``layouts/blocks/<kind>.html`` for it and the DOCX renderer a handler. Style names
are one vocabulary: the CSS class ``grade-a`` is the Word style "Grade A".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from planpress.drawing import Drawing
from planpress.errors import Location


def word_style(css_class: str) -> str:
    """grade-a → Grade A, body-text → Body Text, heading-1 → Heading 1."""
    return " ".join(part.capitalize() for part in css_class.split("-"))


@dataclass(frozen=True)
class Block:
    """Something shown in the flow of a section."""

    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class TitleBlock(Block):
    """The report's title, its subtitle (the year) and the issuing city."""

    kind: ClassVar[str] = "title"
    title: str
    subtitle: str
    issuer: str


@dataclass(frozen=True)
class Heading(Block):
    """A heading inside a section; level 2 is the highest inside a section."""

    kind: ClassVar[str] = "heading"
    text: str
    level: int = 2
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph(Block):
    """A paragraph of running text."""

    kind: ClassVar[str] = "paragraph"
    text: str
    style: str = "body-text"


@dataclass(frozen=True)
class Cell:
    """A table cell: one or more lines, each a paragraph in the given style."""

    lines: tuple[str, ...]
    style: str = "table-text"
    #: Pictures shown in the cell before its lines (SDG icons in the goals table).
    drawings: tuple[Drawing, ...] = ()


@dataclass(frozen=True)
class Column:
    """A table column: header text, width as a share of the table, cell alignment.

    Columns with the same ``group`` next to each other share a spanning header above theirs.
    """

    header: str
    width: int
    style: str = "table-text"
    group: str = ""


@dataclass(frozen=True)
class HeaderGroup:
    """A cell of a grouped table's first header row: a group over ``span`` columns, or an ungrouped column."""

    label: str
    span: int
    grouped: bool


@dataclass(frozen=True)
class Table(Block):
    """A table whose header row repeats on every page and whose rows never split."""

    kind: ClassVar[str] = "table"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    #: CSS classes; the first is also the Word table style, the others are print-only modifiers.
    style: str = "data-table"

    @property
    def fixed_widths(self) -> bool:
        """Whether print may keep the columns' declared widths as they are (CSS table-layout: fixed)
        instead of first measuring every cell's narrowest width, which WeasyPrint does for Japanese
        text one character at a time: true when every cell holds text that may break anywhere, no
        figures (a figure is never broken, so the automatic layout widens its column) and no pictures."""
        return not any(cell.drawings or "table-number" in cell.style.split() for row in self.rows for cell in row)

    @property
    def header_groups(self) -> tuple[HeaderGroup, ...]:
        """The first header row when some columns are grouped, else nothing."""
        if not any(column.group for column in self.columns):
            return ()
        groups: list[HeaderGroup] = []
        for column in self.columns:
            if column.group and groups and groups[-1].grouped and groups[-1].label == column.group:
                groups[-1] = HeaderGroup(column.group, groups[-1].span + 1, True)
            else:
                groups.append(HeaderGroup(column.group or column.header, 1, bool(column.group)))
        return tuple(groups)


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart: its label, the figure printed beside it, its length in percent
    (the share that figure prints, to its decimal: a bar of 12.5％ is not drawn at 12 %)."""

    label: str
    value: str
    percent: Decimal
    style: str


@dataclass(frozen=True)
class BarChart(Block):
    """Horizontal bars whose lengths are shares of a whole (0–100 %)."""

    kind: ClassVar[str] = "bar-chart"
    bars: tuple[Bar, ...]
    caption: str = ""


@dataclass(frozen=True)
class Figure(Block):
    """One or more drawings side by side: vector in the PDF, images in Word; alt text from each drawing."""

    kind: ClassVar[str] = "figure"
    drawings: tuple[Drawing, ...]
    caption: str = ""
    style: str = "figure"
    #: What a chart shows, as a table: the web edition shows it under the drawing (print has the alt text).
    data: Table | None = None


@dataclass(frozen=True)
class TocEntry:
    """A line of the table of contents pointing at a heading's anchor."""

    title: str
    anchor: str
    level: int = 1


@dataclass(frozen=True)
class Toc(Block):
    """The table of contents: entries with the page each anchor lands on."""

    kind: ClassVar[str] = "toc"
    entries: tuple[TocEntry, ...]


@dataclass(frozen=True)
class PhotoSlot:
    """A photo with its caption; without an image file it prints as a marked placeholder."""

    caption: str
    image: Path | None = None
    placeholder: str = "写真未登録"


@dataclass(frozen=True)
class Photos(Block):
    """Photos in a grid, three to a row."""

    kind: ClassVar[str] = "photos"
    slots: tuple[PhotoSlot, ...]
    title: str = ""


@dataclass(frozen=True)
class Section:
    """A part of the document that starts on a new page and names the running header."""

    title: str
    anchor: str
    blocks: tuple[Block, ...]
    running_title: str = ""
    #: CSS class of the section (the cover has its own); chapters start on a new page.
    style: str = "section"
    #: Where the section sits in the plan's tree, outermost first (自治体運営, 第2 …): the web
    #: edition's breadcrumbs; print states it in the text.
    trail: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunningHead:
    """A running header a document prints from a name written in content/: the header, the item
    it names and where that name is written (check warns there of a header too long for its line).
    Not part of a Section: a section's model holds no position in a file."""

    text: str
    item: str
    location: Location


@dataclass(frozen=True)
class Link:
    """A cross-reference between two headings (by anchor) that the web edition shows as a link.

    Print states the relation in its text (a policy page names the projects citing it); the web
    edition lists the links under ``group`` on the page of ``source``.
    """

    source: str
    target: str
    text: str
    group: str


@dataclass(frozen=True)
class Document:
    """A whole output document, the same for every format."""

    name: str
    title: str
    author: str
    sections: tuple[Section, ...]
    subject: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)
    lang: str = "ja"
    #: Cross-references for the web edition (print and Word ignore them).
    links: tuple[Link, ...] = ()
    #: The document's own stylesheets in layouts/, read after the shared print.css (html.stylesheets).
    stylesheets: tuple[str, ...] = ()


BLOCK_KINDS: tuple[type[Block], ...] = (TitleBlock, Heading, Paragraph, Table, BarChart, Figure, Toc, Photos)


@dataclass(frozen=True)
class DocumentSpec:
    """A document the content can produce: its name and how to lay it out."""

    name: str
    title: str
    make: Callable[[], Document]
