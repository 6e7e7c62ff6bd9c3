"""Japanese typesetting of the shipped documents, measured on the real layout and the PDF it writes.

Each document is laid out once by planpress's own PDF path (WeasyPrint with planpress's hooks);
the line boxes say where each line of a paragraph ends, and ``pdftotext -bbox-layout`` on the
PDF of that very layout says where its last glyph was drawn.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

import pytest
from weasyprint.formatting_structure import boxes

from conftest import REPO
from planpress.build import load
from planpress.documents import available
from planpress.render import html
from planpress.render.pdf import weasy as pdf
from planpress.project import Project
from planpress.typeset import _NUMBER

#: How far short of its box a justified line may end (PDF points): rounding of Pango units.
TOLERANCE = 0.5
PX_TO_PT = 0.75
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
CLOSING = "。、，．」』）】〕”,.!?！？"


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    #: right edges in PDF points: of the line's content, and of the box it is set in
    right: float
    box_right: float


@dataclass(frozen=True)
class Paragraph:
    justified: bool
    lines: tuple[Line, ...]
    #: a table's header cell: a label broken at its column's width (a unit breaks after its "/")
    header: bool = False


@dataclass(frozen=True)
class Laid:
    paragraphs: list[Paragraph]
    #: page index -> (text of a PDF line without spaces, its right edge)
    pdf_lines: dict[int, list[tuple[str, float]]]
    #: each mark set closer to the next (typeset's ``tight``): (page, the pair, the mark's advance
    #: to the next character in ems, less the justification's spacing after it)
    tight: list[tuple[int, str, float]]


def _line_text(box: boxes.Box) -> str:
    if isinstance(box, boxes.TextBox):
        return box.text
    return "".join(_line_text(child) for child in getattr(box, "children", ()) if child.is_in_normal_flow())


def _paragraphs(box: boxes.Box, page: int) -> list[Paragraph]:
    """Every block of the page holding line boxes, with its lines."""
    found: list[Paragraph] = []
    lines = [child for child in getattr(box, "children", ()) if isinstance(child, boxes.LineBox)]
    if lines:
        right = (box.content_box_x() + box.width) * PX_TO_PT
        laid = tuple(Line(page, _line_text(line), (line.position_x + line.width) * PX_TO_PT, right) for line in lines)
        header = box.element_tag == "th"
        found.append(Paragraph(box.style["text_align_all"] == "justify", laid, header=header))
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.LineBox):
            # A photo's figure is an inline-block, three to a line: its caption is a paragraph of its own.
            for inline in child.children:
                if isinstance(inline, boxes.InlineBlockBox):
                    found.extend(_paragraphs(inline, page))
        else:
            found.extend(_paragraphs(child, page))
    return found


def _tight_marks(box: boxes.Box, page: int) -> list[tuple[int, str, float]]:
    """Every ``tight`` mark's advance to the character after it, in ems, less the spacing the
    line's justification put between its characters. A face that sets its marks in half an em
    already (the proportional BIZ UDP faces of headings and labels) must not be set closer: the
    advance given for a mark in it is its letter spacing beyond the line's, 0 when untouched."""
    found: list[tuple[int, str, float]] = []
    for line in _line_boxes(box):
        texts = _texts_in(line, tight=False)
        spread = next((_spacing(text) for text, tight in texts if not tight), 0.0)
        for (mark, tight), (after, _) in zip(texts, [*texts[1:], (None, False)]):
            if not tight:
                continue
            if after is None:  # the line's last: its taken half em would leave the line short
                found.append((page, f"{mark.text}|", float("inf")))
                continue
            size = mark.style["font_size"]
            pair = mark.text + after.text[:1]
            if "UDP" in mark.style["font_family"][0]:
                found.append((page, f"{pair} (proportional)", (_spacing(mark) - spread) / size))
            else:
                found.append((page, pair, (after.position_x - mark.position_x - spread) / size))
    return found


def _spacing(box: boxes.TextBox) -> float:
    spacing = box.style["letter_spacing"]
    return 0.0 if spacing == "normal" else spacing


def _line_boxes(box: boxes.Box) -> list[boxes.LineBox]:
    if isinstance(box, boxes.LineBox):
        return [box]
    return [line for child in getattr(box, "children", ()) for line in _line_boxes(child)]


def _texts_in(box: boxes.Box, *, tight: bool) -> list[tuple[boxes.TextBox, bool]]:
    if isinstance(box, boxes.TextBox):
        return [(box, tight)] if box.text else []
    tight = tight or "tight" in (box.element.get("class") or "").split() if isinstance(box, boxes.InlineBox) else tight
    return [found for child in getattr(box, "children", ()) if child.is_in_normal_flow() for found in _texts_in(child, tight=tight)]


def _pdf_lines(data: bytes) -> dict[int, list[tuple[str, float]]]:
    out = subprocess.run(["pdftotext", "-bbox-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    text = re.sub(rb"<!DOCTYPE[^>]*>", b"", out).replace(b' xmlns="http://www.w3.org/1999/xhtml"', b"")
    pages: dict[int, list[tuple[str, float]]] = {}
    for index, page in enumerate(ElementTree.fromstring(text).iter("page")):
        pages[index] = [("".join(w.text or "" for w in line.iter("word")), float(line.get("xMax"))) for line in page.iter("line")]
    return pages


def _lay_out(name: str) -> Laid:
    """The document laid out in one pass; ``booklet-sections``: the booklet without the policy
    pages other than SAMPLE_POLICIES."""
    project = Project(REPO)
    content, _ = load(project, keep=False)  # read only: nothing written into the repository's .planpress-cache
    whole = name.removesuffix("-sections")
    spec = next(spec for spec in available(content) if spec.name == whole)
    made = spec.make()
    if name != whole:
        kept = tuple(s for s in made.sections if not s.anchor.startswith("sec-policy-") or s.anchor in SAMPLE_POLICIES)
        assert len(kept) == len(made.sections) - 48 + len(SAMPLE_POLICIES)
        made = replace(made, sections=kept)
    document = pdf.weasy_html(html.render(made, project), project).render(**pdf.write_options(made))
    paragraphs = [p for index, page in enumerate(document.pages) for p in _paragraphs(page._page_box, index)]
    tight = [mark for index, page in enumerate(document.pages) for mark in _tight_marks(page._page_box, index)]
    return Laid(paragraphs, _pdf_lines(document.write_pdf()), tight)


#: The booklet's policy pages laid out in make test: the 48 share one template, so three (a
#: management policy, a basic policy, one cited by a priority project) stand for all of them;
#: every other section is laid out whole. make test-all lays out the whole booklet too.
SAMPLE_POLICIES = ("sec-policy-m01", "sec-policy-p01", "sec-policy-p17")


@pytest.fixture(scope="module", params=["booklet-sections", "evaluation-2021", pytest.param("booklet", marks=pytest.mark.slow)])
def laid(request: pytest.FixtureRequest) -> Laid:
    return _lay_out(request.param)


def _justified_lines(laid: Laid) -> list[Line]:
    """Lines of justified Japanese paragraphs that are not a paragraph's last line."""
    return [
        line for p in laid.paragraphs if p.justified and len(p.lines) > 1
        for line in p.lines[:-1] if JAPANESE.search(line.text)
    ]


def test_justified_lines_reach_the_right_edge_in_the_layout(laid: Laid) -> None:
    lines = _justified_lines(laid)
    assert len(lines) > 20  # the documents have justified body text to measure
    short = [(line.page + 1, line.text, round(line.box_right - line.right, 2)) for line in lines if line.right < line.box_right - TOLERANCE]
    assert short == []


def test_justified_lines_reach_the_right_edge_in_the_pdf(laid: Laid) -> None:
    """The glyphs are drawn where the layout put them: the PDF line ends at its box's right edge."""
    measured = 0
    for line in _justified_lines(laid):
        wanted = re.sub(r"\s", "", line.text)
        drawn = [right for text, right in laid.pdf_lines[line.page] if text == wanted]
        if len(drawn) == 1:  # a line whose text is unique on its page
            measured += 1
            assert abs(drawn[0] - line.box_right) <= TOLERANCE, (line.page + 1, line.text, drawn[0], line.box_right)
    assert measured > 20


def test_two_marks_meeting_are_set_half_an_em_closer(laid: Laid) -> None:
    """JLREQ 3.1.4: 」、「 takes two ems, not three: the blank half em after a mark that meets
    another goes (a closing mark before any mark, an opening bracket before another). Measured on
    the layout: the mark's advance, less the justification's spacing after it, is half an em."""
    fixed = [(page, pair, advance) for page, pair, advance in laid.tight if not pair.endswith("(proportional)")]
    assert len(fixed) >= 2  # each document has such pairs (the booklet 」、, 、「, ）」; the report ）、)
    wide = [(page + 1, pair, round(advance, 3)) for page, pair, advance in fixed if abs(advance - 0.5) > 0.01]
    assert wide == []
    closer = [(page + 1, pair, round(advance, 3)) for page, pair, advance in laid.tight if pair.endswith("(proportional)") and abs(advance) > 0.01]
    assert closer == []


def test_no_line_starts_with_a_glossary_mark(laid: Laid) -> None:
    starts = [(l.page + 1, l.text) for p in laid.paragraphs for l in p.lines if l.text.lstrip().startswith("※")]
    assert starts == []
    pdf_starts = [(page + 1, text) for page, lines in laid.pdf_lines.items() for text, _ in lines if text.startswith("※")]
    assert pdf_starts == []


def test_no_number_is_cut_from_its_unit(laid: Laid) -> None:
    cut = []
    for paragraph in laid.paragraphs:
        text = "".join(line.text for line in paragraph.lines)
        breaks = set()
        position = 0
        for line in paragraph.lines[:-1]:
            position += len(line.text)
            breaks.add(position)
        for match in _NUMBER.finditer(text):
            if any(match.start() < at < match.end() for at in breaks):
                cut.append((paragraph.lines[0].page + 1, match.group()))
    assert cut == []


def test_no_paragraph_ends_with_a_line_of_one_character(laid: Laid) -> None:
    lonely = [
        (p.lines[-1].page + 1, p.lines[-2].text[-6:] + "／" + p.lines[-1].text)
        for p in laid.paragraphs if not p.header and len(p.lines) > 1 and len(p.lines[-1].text.strip().rstrip(CLOSING)) == 1
    ]
    assert lonely == []
