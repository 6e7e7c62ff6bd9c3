"""Running headers (柱) too long for their one line across the top margin of a PDF page.

print.css keeps the header to one line and cuts a longer one short with … (wrapped, its second line
would run up towards the sheet's edge, where a print shop trims). A policy name of the 80 characters
the schema allows, or five long chapter titles joined in 第1～第5's header, make one that long:
check says where, with the header about as it will print, so the office can shorten the name or let
it be cut. Widths are measured in the header's own face (the BIZ UD fonts the PDF embeds); WeasyPrint
cuts at a word's end where this cuts at a character's, so the two may differ by a few characters.
"""

from __future__ import annotations

from planpress import design
from planpress.content import Content
from planpress.documents import running_heads
from planpress.errors import Problems
from planpress.render.raster import text_width_pt

#: Where a header is cut, as WeasyPrint (Pango) marks it.
ELLIPSIS = "…"


def check_running_heads(content: Content | None, problems: Problems) -> None:
    """Warn at each name whose running header is wider than the line it has."""
    if content is None or problems.errors:
        return  # names of content with errors may be missing: its errors come first
    for head in running_heads(content):
        if _too_long(head.text):
            problems.warning(head.location, f"{head.item}: 名称が長いため、ページ上部の柱（見出し）が1行に収まりません。"
                                            f"PDFでは「{shortened(head.text)}」のように末尾を省略して印刷します"
                                            "（省略させないときは名称を短くしてください）")


def line_width() -> float:
    """The running header's line in points: the page's width less its side margins."""
    _, right, _, left = design.PAGE_MARGINS
    return (design.PAGE[0] - left - right) * 72 / 25.4


def shortened(text: str) -> str:
    """The header as the PDF prints it: as many characters as fit with the ellipsis after them."""
    end = len(text)
    while end and _width(text[:end] + ELLIPSIS) > line_width():
        end -= 1
    return text[:end] + ELLIPSIS


def as_printed(text: str) -> str:
    """The header as the PDF prints it: whole, or cut short when too long for its line (Word's
    header prints the same, where it would wrap onto a second line)."""
    return shortened(text) if _too_long(text) else text


def _too_long(text: str) -> bool:
    """Wider than the line. No character of the header's face is wider than its size (a full-width
    character is one em): a header of no more characters than the line holds of those fits
    unmeasured (measuring each of ×16's 777 headers took 0.1 s, on the path of every build that
    reads content/ again)."""
    return len(text) * design.RUNNING_HEAD_PT > line_width() and _width(text) > line_width()


def _width(text: str) -> float:
    return text_width_pt(text, design.font("gothic"), False, design.RUNNING_HEAD_PT)
