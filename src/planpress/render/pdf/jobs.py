"""A batch's job and result, as the build's process and its workers exchange them (pickled).

They live apart from render/pdf/batch.py, which imports WeasyPrint: the build's own process
makes jobs and reads results without importing it (only the workers lay out).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planpress.render.pdf.cache import PartMeta


@dataclass(frozen=True)
class BatchJob:
    """A run of consecutive sections to lay out in one WeasyPrint pass (a batch)."""

    #: index of the batch's first section in the whole document
    first: int
    #: how many sections the batch holds (one <section> child of <body> each)
    count: int
    html: str
    #: the first page's number in the whole document; None: ask ``await_start`` after pagination
    start: int | None
    #: page numbers of anchors in sections outside the batch (final, or a guess to be replaced)
    targets: dict[str, int]
    #: the page number to show for an anchor not in ``targets`` while other sections are unknown
    guess: int | None = None


@dataclass
class SectionResult:
    """What the layout found out about one section of a batch."""

    meta: PartMeta
    #: 0-based index of the section's first page in the batch PDF
    first_page: int
    #: page numbers of anchors outside the section that its layout looked up
    used_targets: dict[str, int] = field(default_factory=dict)
    #: False when page numbers in its content may be wrong (unknown start, guessed anchor):
    #: then its pages are only good for learning its page count and anchors
    sound: bool = True
    #: the glyphs its pages draw, by font (canonical.Drawn)
    drawn: dict[str, set[int]] | None = None


@dataclass
class BatchResult:
    """A laid-out batch: its PDF and one result per section."""

    first: int
    start: int
    pdf: bytes
    sections: list[SectionResult]
    warnings: list[str] = field(default_factory=list)


class NotSplittable(Exception):
    """Two sections share a page: the layout does not start each section on a new page."""
