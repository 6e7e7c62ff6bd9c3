"""The merged PDF's fonts (render/pdf/fontmerge.py, fontjoin.py): one program per font, every glyph
drawn as the font draws it, on subsets that WeasyPrint and HarfBuzz really made.

A font made here has what the BIZ UD fonts lack and the join must survive: a composite glyph
whose component lies above every glyph the page draws. HarfBuzz's second subsetting pass gives
that component the id after the highest drawn one, the id another page's subset uses for a real
glyph (the 緑 that once printed as 社).
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import GlyphComponent

from planpress.render.pdf import fontjoin
from planpress.render.pdf.fontmerge import share_subsets

#: Glyph order of the test font: B is a composite of A and "bar", the last glyph, which no
#: character maps to; C sits at the id just above B.
ORDER = [".notdef", "A", "B", "C", "D", "bar"]


def _polygon(points: list[tuple[int, int]]) -> object:
    pen = TTGlyphPen(None)
    pen.moveTo(points[0])
    for point in points[1:]:
        pen.lineTo(point)
    pen.closePath()
    return pen.glyph()


def _composite(parts: list[tuple[str, int, int]]) -> object:
    glyph = _polygon([(0, 0), (1, 0), (1, 1)])
    glyph.numberOfContours, glyph.components = -1, []
    for name, x, y in parts:
        component = GlyphComponent()
        component.glyphName, component.x, component.y, component.flags = name, x, y, 0
        glyph.components.append(component)
    for attribute in ("coordinates", "endPtsOfContours", "flags", "program"):
        if hasattr(glyph, attribute):
            delattr(glyph, attribute)
    return glyph


def _font(path: Path) -> Path:
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(ORDER)
    builder.setupCharacterMap({ord("A"): "A", ord("B"): "B", ord("C"): "C", ord("D"): "D"})
    glyphs = {
        ".notdef": _polygon([(50, 0), (450, 0), (450, 700), (50, 700)]),
        "A": _polygon([(100, 0), (500, 0), (300, 700)]),
        "C": _polygon([(100, 100), (500, 100), (500, 500), (100, 500)]),
        "D": _polygon([(0, 0), (600, 300), (0, 600)]),
        "bar": _polygon([(0, 0), (80, 0), (80, 700), (0, 700)]),
    }
    builder.setupGlyf(glyphs)
    builder.glyphSet = builder.font["glyf"].glyphs  # the composite refers to the others by name
    builder.font["glyf"]["B"] = _composite([("A", 0, 0), ("bar", 520, 0)])
    builder.setupHorizontalMetrics({name: (600, 0) for name in ORDER})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Planpress Test", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(path)
    return path


def _page(font: Path, text: str) -> bytes:
    """A page WeasyPrint lays out with the test font: its own subset of it."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    css = CSS(string=f"@font-face {{ font-family: PT; src: url({font.as_uri()}) }} body {{ font: 40px PT }}",
              font_config=config)
    return HTML(string=f"<p>{text}</p>").write_pdf(stylesheets=[css], font_config=config)


def _outline(font: TTFont, gid: int) -> list[object]:
    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[font.getGlyphOrder()[gid]].draw(pen)
    return pen.value


def _programs(pdf: pikepdf.Pdf) -> list[tuple[bytes, set[int]]]:
    """Each font dictionary's program and the glyph ids its /W gives (those its pages draw)."""
    found = []
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descendant = font.DescendantFonts[0]
            ids, items, index = set(), list(descendant.W), 0
            while index < len(items):
                ids |= set(range(int(items[index]), int(items[index]) + len(items[index + 1])))
                index += 2
            found.append((descendant.FontDescriptor.FontFile2.read_bytes(), ids))
    return found


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    font = _font(tmp_path_factory.mktemp("font") / "test.ttf")
    return font, {text: _page(font, text) for text in ("AB", "C", "D")}


@pytest.mark.parametrize("texts", [("AB", "C", "D"), ("C", "AB", "D"), ("D", "C", "AB")])
def test_subsets_joined_draw_every_glyph_as_the_font(pages: tuple[Path, dict[str, bytes]], texts: tuple[str, ...],
                                                     tmp_path: Path) -> None:
    font_path, made = pages
    original = TTFont(font_path)
    merged = pikepdf.new()
    for text in texts:
        merged.pages.extend(pikepdf.open(io.BytesIO(made[text])).pages)
    before = _programs(merged)
    # The case is really there: the subset drawing B (id 2) holds bar above it, at the id of C.
    [(with_b, _)] = [(data, ids) for data, ids in before if 2 in ids]
    assert TTFont(io.BytesIO(with_b))["maxp"].numGlyphs == 4
    assert _outline(TTFont(io.BytesIO(with_b)), 3) == _outline(original, ORDER.index("bar"))
    share_subsets(merged)
    merged.save(tmp_path / "merged.pdf")
    with pikepdf.open(tmp_path / "merged.pdf") as back:
        after = _programs(back)
    assert len({data for data, _ in after}) == 1  # one program for the three pages
    joined = TTFont(io.BytesIO(after[0][0]))
    drawn = set().union(*(ids for _, ids in after))
    assert drawn == {1, 2, 3, 4}
    for gid in sorted(drawn):
        assert _outline(joined, gid) == _outline(original, gid), ORDER[gid]


def test_a_join_keeps_the_subsets_bounds_and_maps(pages: tuple[Path, dict[str, bytes]]) -> None:
    """The joined program reads back whole (fontTools compiles every table again) and its
    character map and maxp are the union and the bounds of the parts'."""
    _, made = pages
    programs = [(data, max(ids) + 1) for text in ("AB", "C", "D")
                for data, ids in _programs(pikepdf.open(io.BytesIO(made[text])))]
    joined = fontjoin.join(programs)
    assert joined is not None
    font = TTFont(io.BytesIO(joined))
    for tag in font.keys():
        if tag != "GlyphOrder":
            font[tag].compile(font)
    assert {chr(code) for code in font.getBestCmap()} == set("ABCD")
    assert font["maxp"].maxComponentElements == 2 and font["maxp"].numGlyphs == 6  # bar again, at id 5
    assert fontjoin.join([(b"not a font", 1), *programs]) is None
