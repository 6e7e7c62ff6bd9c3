"""The design values live in one place (planpress.design): the stylesheets, the drawings and the
Word reference document take them from there and hold no colour or font family of their own."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from conftest import docx_part
from planpress import design

ROOT = Path(__file__).resolve().parent.parent
_HEX = re.compile(r"#[0-9A-Fa-f]{6}\b|\"[0-9A-F]{6}\"")
_FAMILY = re.compile(r"BIZ UD\w+")


def _code(path: Path) -> str:
    """The file without its comments and docstrings' prose lines (where values may be named)."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_layouts_drawings_and_reference_tool_hold_no_design_value_of_their_own() -> None:
    files = [*sorted((ROOT / "layouts").glob("*.css")), ROOT / "tools" / "make_reference_docx.py",
             *(ROOT / "src" / "planpress" / name for name in ("documents/booklet/diagrams.py", "documents/booklet/charts.py", "render/raster.py"))]
    for path in files:
        code = _code(path)
        assert not _HEX.findall(code), (path.name, _HEX.findall(code))
        assert not _FAMILY.findall(code), (path.name, _FAMILY.findall(code))


def test_the_pdf_styles_and_word_styles_take_the_same_values(built: Path) -> None:
    html = (built / "output" / "booklet.html").read_text(encoding="utf-8")
    assert design.css_variables().strip() in html
    assert "var(--navy)" in html and "var(--font-gothic)" in html
    styles = docx_part(built / "output" / "booklet.docx", "word/styles.xml")

    def style(style_id: str) -> str:
        return re.search(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>', styles, re.S).group(0)

    assert f'w:color w:val="{design.word_colour("navy")}"' in style("Heading1")
    assert f'w:fill="{design.word_colour("grade-a-bg")}"' in style("GradeA")
    assert f'w:eastAsia="{design.font("mincho")}"' in style("BodyText")
    # 未入力 in a dashed box of the missing colour on every side, as booklet.css's .missing.
    assert "1pt dashed var(--missing)" in (ROOT / "layouts" / "booklet.css").read_text(encoding="utf-8")
    sides = re.findall(r'<w:(top|left|bottom|right) w:val="dashed" w:sz="8" [^>]*w:color="([0-9A-F]+)"/>', style("Missing"))
    assert sorted(sides) == sorted((side, design.word_colour("missing")) for side in ("top", "left", "bottom", "right"))
    # The drawings draw in the same navy (the SVG pictures of the diagrams).
    drawings = "".join(base64.b64decode(data).decode("utf-8")
                       for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html))
    assert design.colour("navy") in drawings


def test_each_document_reads_the_shared_stylesheet_and_its_own(built: Path) -> None:
    """print.css is every document's; booklet.css the booklet's and report.css a report's only."""
    layouts = {name: (ROOT / "layouts" / name).read_text(encoding="utf-8") for name in ("print.css", "booklet.css", "report.css")}
    for document, own, other in (("booklet", "booklet.css", "report.css"), ("evaluation-2021", "report.css", "booklet.css")):
        html = (built / "output" / f"{document}.html").read_text(encoding="utf-8")
        assert layouts["print.css"] in html and layouts[own] in html, document
        assert layouts[other] not in html, document


def test_the_photo_frame_is_one_value_for_the_stylesheet_word_and_the_resolution_check() -> None:
    """A photo's 53 × 36 mm frame is planpress.design PHOTO_FRAME: booklet.css reads it as
    var(--photo-width) and var(--photo-height), Word places a photo in it, and check measures a
    photo's print resolution in it; a length typed a second time would let them part."""
    from docx.shared import Mm

    from planpress.render.docx_parts import PHOTO_FRAME

    css = _code(ROOT / "layouts" / "booklet.css")
    assert css.count("var(--photo-width)") == 2 and css.count("var(--photo-height)") == 3
    assert not re.search(r"\b(53|36)mm", css)
    width, height = design.PHOTO_FRAME
    assert f"--photo-width: {width:g}mm;\n  --photo-height: {height:g}mm;" in design.css_variables()
    assert PHOTO_FRAME == (Mm(width), Mm(height))
