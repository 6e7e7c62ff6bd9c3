"""The merged PDF's fonts (render/pdf/fontmerge.py, fontjoin.py): one program and one font
dictionary per font, every glyph drawn as the font draws it and read as the text one pass gives,
on subsets and dictionaries that WeasyPrint and HarfBuzz really made.

A font made here has what the BIZ UD fonts lack and the join must survive: a composite glyph
whose component lies above every glyph the page draws. HarfBuzz's second subsetting pass gives
that component the id after the highest drawn one, the id another page's subset uses for a real
glyph (the 緑 that once printed as 社).
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import GlyphComponent

from conftest import pdf_pages, run_cli
from planpress.render.pdf import fontjoin
from planpress.render.pdf.fontmerge import join_fonts, share_subsets

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


def _page(font: Path, *texts: str) -> bytes:
    """Pages WeasyPrint lays out in one pass with the test font, one per text: its own subset of it."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    css = CSS(string=f"@font-face {{ font-family: PT; src: url({font.as_uri()}) }} body {{ font: 40px PT }}"
              " p { break-after: page }", font_config=config)
    html = "".join(f"<p>{text}</p>" for text in texts)
    return HTML(string=html).write_pdf(stylesheets=[css], font_config=config)


def _merged(parts: list[bytes], path: Path, change: object = None) -> Path:
    """The parts' pages in one PDF, ``change`` applied to it, its fonts joined, saved at ``path``."""
    merged = pikepdf.new()
    for data in parts:
        merged.pages.extend(pikepdf.open(io.BytesIO(data)).pages)
    if callable(change):
        change(merged)
    join_fonts(merged)
    merged.save(path, deterministic_id=True)
    return path


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


def _widths(descendant: pikepdf.Dictionary) -> dict[int, float]:
    items, found, index = list(descendant.W), {}, 0
    while index < len(items):
        if isinstance(items[index + 1], pikepdf.Array):
            found.update((int(items[index]) + i, float(w)) for i, w in enumerate(items[index + 1]))
            index += 2
        else:
            found.update((gid, float(items[index + 2])) for gid in range(int(items[index]), int(items[index + 1]) + 1))
            index += 3
    return found


def _text(font: pikepdf.Dictionary) -> dict[int, str]:
    mappings = font.ToUnicode.read_bytes().split(b"endcodespacerange", 1)[1]  # after <0000> <ffff>
    pairs = re.findall(rb"<([0-9a-f]{4})> <([0-9a-f]*)>", mappings)
    return {int(gid, 16): bytes.fromhex(chars.decode()).decode("utf-16-be") for gid, chars in pairs}


def fonts_by_name(pdf: pikepdf.Pdf) -> dict[str, dict[tuple[int, int], pikepdf.Dictionary]]:
    """Every font dictionary the pages and their forms name, by /BaseFont."""
    found: dict[str, dict[tuple[int, int], pikepdf.Dictionary]] = {}
    pending, seen = [page.obj.get("/Resources") for page in pdf.pages], set()
    while pending:
        resources = pending.pop()
        if not isinstance(resources, pikepdf.Dictionary) or resources.objgen in seen:
            continue
        seen.add(resources.objgen)
        for font in resources.get("/Font", {}).values():
            found.setdefault(str(font.BaseFont), {})[font.objgen] = font
        pending += [form.get("/Resources") for form in resources.get("/XObject", {}).values()]
    return found


def font_dictionaries(path: Path) -> dict[str, list[tuple[dict[int, float], dict[int, str], str]]]:
    """Each font's dictionaries as what a reader takes from them: widths, text by glyph id, box."""
    with pikepdf.open(path) as pdf:
        return {name: [(_widths(font.DescendantFonts[0]), _text(font), str(font.DescendantFonts[0].FontDescriptor.FontBBox))
                       for font in found.values()] for name, found in sorted(fonts_by_name(pdf).items())}


def drawn_glyphs(pdf: pikepdf.Pdf) -> dict[tuple[int, int], set[int]]:
    """The glyph ids each font dictionary's text shows, read from every page's and form's content."""
    drawn: dict[tuple[int, int], set[int]] = {}

    def walk(content: object, resources: pikepdf.Dictionary) -> None:
        fonts, stack, font = resources.get("/Font", {}), [], None
        for operands, operator in pikepdf.parse_content_stream(content):
            name = str(operator)
            if name == "q":
                stack.append(font)
            elif name == "Q" and stack:
                font = stack.pop()
            elif name == "Tf":
                font = fonts[operands[0]]
            elif name in ("Tj", "TJ", "'", '"') and font is not None:
                strings = operands[-1] if name == "TJ" else [operands[-1]]
                codes = b"".join(bytes(item) for item in strings if isinstance(item, pikepdf.String))
                drawn.setdefault(font.objgen, set()).update(int.from_bytes(codes[i:i + 2], "big") for i in range(0, len(codes), 2))
            elif name == "Do":
                form = resources.XObject[operands[0]]
                if form.get("/Subtype") == "/Form":
                    walk(form, form.get("/Resources", resources))

    for page in pdf.pages:
        walk(page, page.obj.Resources)
    return drawn


def test_one_font_dictionary_per_font_as_one_pass_writes_it(pages: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    """Three parts, each with its own dictionary of the font, become one dictionary whose widths
    and text are those of the same pages laid out in one pass; every page reads as before."""
    font = pages[0]
    texts = ("AB", "AC", "DA")
    path = _merged([_page(font, text) for text in texts], tmp_path / "merged.pdf")
    (tmp_path / "one.pdf").write_bytes(_page(font, *texts))
    with pikepdf.open(path) as merged, pikepdf.open(tmp_path / "one.pdf") as one:
        [[joined]] = [list(found.values()) for found in fonts_by_name(merged).values()]
        [[single]] = [list(found.values()) for found in fonts_by_name(one).values()]
        assert _widths(joined.DescendantFonts[0]) == _widths(single.DescendantFonts[0])
        assert _text(joined) == _text(single) == {1: "A", 2: "B", 3: "C", 4: "D"}
        assert str(joined.DescendantFonts[0].FontDescriptor.FontBBox) == str(single.DescendantFonts[0].FontDescriptor.FontBBox)
        assert set(drawn_glyphs(merged)) == {joined.objgen}
    assert pdf_pages(path) == pdf_pages(tmp_path / "one.pdf")


def test_font_dictionaries_that_disagree_stay_apart(pages: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    """A glyph id with two widths is not joined, and neither are two dictionaries that each gave a
    missing character (no font has U+10FFFC or U+10FFFD) the same glyph id: their pages keep
    their own. Text that differs for one glyph id in two dictionaries that agree otherwise reads
    as the first page has it (one pass keeps the first text drawn)."""
    font = pages[0]

    def widen(pdf: pikepdf.Pdf) -> None:  # the second page's A wider
        descendant = next(iter(pdf.pages[1].Resources.Font.values())).DescendantFonts[0]
        descendant.W = pikepdf.Array([1, pikepdf.Array([599]), 3, pikepdf.Array([600])])

    parts = [_page(font, text) for text in ("AB", "AC", "DA")]
    path = _merged(parts, tmp_path / "widths.pdf", widen)
    with pikepdf.open(path) as merged:
        [found] = fonts_by_name(merged).values()
        assert len(found) == 2
        page_fonts = [next(iter(page.Resources.Font.values())) for page in merged.pages]
        assert page_fonts[0].objgen == page_fonts[2].objgen != page_fonts[1].objgen
        assert _widths(page_fonts[1].DescendantFonts[0]) == {1: 599, 3: 600}
    path = _merged([_page(font, "A\U0010fffc"), _page(font, "A\U0010fffd")], tmp_path / "missing.pdf")
    with pikepdf.open(path) as merged:
        [found] = fonts_by_name(merged).values()
        assert len(found) == 2 and all(isinstance(f.Encoding, pikepdf.Stream) for f in found.values())
    assert [page.strip() for page in pdf_pages(path)] == ["A\U0010fffc", "A\U0010fffd"]

    def retext(pdf: pikepdf.Pdf) -> None:  # the second page's dictionary reads glyph 1 as "X"
        font = next(iter(pdf.pages[1].Resources.Font.values()))
        font.ToUnicode = pikepdf.Stream(pdf, font.ToUnicode.read_bytes().replace(b"<0001> <0041>", b"<0001> <0058>"))

    path = _merged(parts, tmp_path / "text.pdf", retext)
    with pikepdf.open(path) as merged:
        [found] = fonts_by_name(merged).values()
        assert len(found) == 1 and _text(next(iter(found.values())))[1] == "A"


def test_the_merged_booklet_has_one_font_dictionary_per_font(cold_project: Path) -> None:
    """The booklet merged from its batches (a cold build: the next build would merge from the
    merged PDF): pdffonts lists each font once, and every glyph a page or a drawing shows has a
    width and a text in that font's dictionary."""
    assert run_cli(cold_project, "build", "booklet", "--format", "pdf").returncode == 0
    assert len(list((cold_project / ".planpress-cache").glob("batch-*.pdf"))) > 3  # really merged from batches
    path = cold_project / "output" / "booklet.pdf"
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    names = [line.split()[0] for line in listed]
    assert len(names) == len(set(names)) >= 4, listed
    with pikepdf.open(path) as pdf:
        fonts = fonts_by_name(pdf)
        assert all(len(found) == 1 for found in fonts.values()), {name: len(found) for name, found in fonts.items()}
        by_id = {objgen: font for found in fonts.values() for objgen, font in found.items()}
        drawn = drawn_glyphs(pdf)
        assert set(drawn) == set(by_id)
        for objgen, ids in drawn.items():
            widths, text = _widths(by_id[objgen].DescendantFonts[0]), _text(by_id[objgen])
            assert ids <= set(widths) and ids <= set(text), (by_id[objgen].BaseFont, ids - set(widths), ids - set(text))
