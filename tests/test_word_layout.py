"""The Word booklet as LibreOffice lays it out, held against the PDF: where a heading's bar and text
stand, and how the pictures and captions of a row of photos line up."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from ruamel.yaml import YAML

from conftest import BANDED_PHOTOS, colour_box, docx_part, libreoffice_pdf, register_banded_photos, run_cli, squash
from planpress.design import COLOURS

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="needs LibreOffice and poppler-utils")

DPI = 288  # four pixels a point
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_LINE = re.compile(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', re.S)


def _rgb(name: str) -> tuple[int, int, int]:
    return tuple(int(COLOURS[name][i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _page_image(pdf: Path, page: int) -> Image.Image:
    prefix = pdf.parent / f"{pdf.stem}-page{page}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(prefix)], check=True)
    with Image.open(prefix.with_suffix(".png")) as image:
        return image.convert("RGB")


def _lines(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """Every line of text as (page, left, top, bottom, text) in points, as pdftotext lays it out."""
    found = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [(number, float(left), float(top), float(bottom), "".join(re.findall(r">([^<]+)</word>", words)))
            for number, page in enumerate(found.split("<page ")[1:], 1)
            for left, top, bottom, words in _LINE.findall(page)]


def _heading_bar(pdf: Path, title: str) -> tuple[float, float, float]:
    """Where the heading ``title`` stands, in points from the page's left edge: its navy bar's left
    and right edges (the pixels left of its text, along the text's height) and its text's left edge."""
    for page, left, top, bottom, text in _lines(pdf):
        if not text.startswith(title):
            continue  # the contents' line of the heading has no bar: the next one
        image = _page_image(pdf, page)
        scale = DPI / 72
        strip = image.crop((0, round(top * scale), int(left * scale), round(bottom * scale)))
        bar = colour_box(strip, _rgb("navy"))
        if bar is not None:
            return bar[0] / scale, bar[2] / scale, left
    raise AssertionError(f"{title}: no heading with a bar in {pdf}")


def test_a_heading_2s_bar_and_text_stand_where_the_pdfs_do(built: Path, word_in_libreoffice: Path) -> None:
    """print.css draws a Heading 2's 5 pt bar on the text's left edge, its text 3 mm right of the
    bar. Word's style had a 3 pt bar 6 pt left of unindented text: the bar stood 9 pt outside the
    text's left edge, in the margin, and the text 13 pt left of the PDF's."""
    title = "重点プロジェクト1"
    in_pdf = _heading_bar(built / "output" / "booklet.pdf", title)
    in_word = _heading_bar(word_in_libreoffice, title)
    margin = 20 * 72 / 25.4
    assert in_pdf[0] == pytest.approx(margin, abs=0.5) and in_pdf[1] - in_pdf[0] == pytest.approx(5, abs=0.5), in_pdf
    assert in_word == pytest.approx(in_pdf, abs=0.6), (in_word, in_pdf)


def test_the_pictures_and_captions_of_a_row_of_photos_line_up_in_word(project: Path, tmp_path: Path) -> None:
    """A tower, a panorama and a slot without a photo in one row: each caption followed its own
    picture in Word, so the panorama's stood 16 mm above the tower's. The pictures are centred on one
    line in a row as tall as the photos' frame, and the captions start on one line below it, as in the PDF."""
    register_banded_photos(project)
    result = run_cli(project, "build", "booklet", "--format", "docx")
    assert result.returncode == 0, result.stderr
    converted = libreoffice_pdf(project / "output" / "booklet.docx", tmp_path)
    row = [caption for caption, *_ in BANDED_PHOTOS] + ["苫小牧市スマートシティ官民連携協議会"]
    lines = {text: (page, top) for page, _, top, _, text in _lines(converted)}
    captions = [lines[squash(caption)] for caption in row]
    assert len(set(captions)) == 1, dict(zip(row, captions))  # one page, one line
    image = _page_image(converted, captions[0][0])
    middles = []
    for _, name, _, (start, end) in BANDED_PHOTOS:
        first, last = colour_box(image, start), colour_box(image, end)
        assert first is not None and last is not None, name
        middles.append((first[1] + last[3]) / 2 * 72 / DPI)
    assert middles[0] == pytest.approx(middles[1], abs=1), middles  # centred on one line
    frame = 36 * 72 / 25.4
    assert 0 < captions[0][1] - (middles[0] + frame / 2) < 12, (captions, middles)  # the captions just below the frame


def _photo_captions(project: Path, number: int) -> list[str]:
    """The captions of project ``number``'s photos in content/booklet/projects.yaml, in order."""
    projects = YAML(typ="safe").load((project / "content" / "booklet" / "projects.yaml").read_text(encoding="utf-8"))["projects"]
    return [photo["caption"] for photo in projects[number - 1]["photos"]]


def _lengthen_background(project: Path, lines: int) -> None:
    """Project 1's background longer by ``lines`` one-line paragraphs (its title again), which
    moves everything after it, its photos too, down the pages."""
    path = project / "content" / "booklet" / "projects.yaml"
    text = path.read_text(encoding="utf-8")
    last = "「人が集まる魅力の創造」を重点プロジェクトとして設定し、以下のアプローチにより施策展開を強化します。\n"
    assert text.count(last) == 1
    path.write_text(text.replace(last, last + "      - 人が集まる魅力の創造\n" * lines), encoding="utf-8")


#: Project 1's background lines that bring its third row of photos to the foot of a page in
#: LibreOffice's layout: the row's pictures would fit above the page's foot, not with its captions.
LINES_TO_A_PAGES_FOOT = 18


def test_a_row_of_photos_at_a_pages_foot_goes_over_with_its_captions(project: Path, tmp_path: Path) -> None:
    """A row of photos is two rows of the grid, the pictures and their captions: where the pictures
    fit at a page's foot and the captions do not, both go to the next page (the pictures' row keeps
    with the next), as the PDF keeps a photo with its caption, never the pictures on one page and
    their captions on the next."""
    _lengthen_background(project, LINES_TO_A_PAGES_FOOT)
    result = run_cli(project, "build", "booklet", "--format", "docx")
    assert result.returncode == 0, result.stderr
    docx = project / "output" / "booklet.docx"
    converted = libreoffice_pdf(docx, tmp_path)
    lines = _lines(converted)
    captions = _photo_captions(project, 1)
    rows = [captions[start:start + 3] for start in range(0, len(captions), 3)]

    def caption_lines(row: list[str]) -> list[tuple[int, float, float, float, str]]:
        return [line for line in lines if any(line[4].startswith(squash(caption)[:10]) for caption in row)]

    pages = [{page for page, *_ in caption_lines(row)} for row in rows]
    moved = next(index for index in range(1, len(rows)) if pages[index] != pages[index - 1])
    [before], [page] = pages[moved - 1], pages[moved]
    assert page == before + 1, pages
    # The pictures' row would have fit on the page before: under the row above's captions (their
    # space after and the cell's margin: 12 pt at most) there is room for a row of pictures.
    row_height = int(re.search(r'<w:trHeight w:val="(\d+)"', docx_part(docx)).group(1)) / 20
    foot = (297 - 20) * 72 / 25.4
    room = foot - max(bottom for _, _, _, bottom, _ in caption_lines(rows[moved - 1])) - 12
    assert room >= row_height, (room, row_height, LINES_TO_A_PAGES_FOOT)
    first_caption = min(top for _, _, top, _, _ in caption_lines(rows[moved]))
    placeholders = [(number, top) for number, _, top, _, text in lines if text.startswith("写真未登録")]
    above_captions = [top for number, top in placeholders if number == page and top < first_caption]
    left_behind = [top for number, top in placeholders if number == before and top > foot - room]
    assert (len(above_captions), left_behind) == (len(rows[moved]), []), (above_captions, left_behind)


def test_every_paragraph_of_a_row_of_pictures_keeps_with_the_captions(built: Path) -> None:
    """Word keeps a table's row with the next where the row's paragraphs keep with the next: the
    empty cells of a last row of two photos were in Normal, which keeps with nothing."""
    document = etree.fromstring(docx_part(built / "output" / "booklet.docx").encode("utf-8"))
    styles = etree.fromstring(docx_part(built / "output" / "booklet.docx", "word/styles.xml").encode("utf-8"))
    keeping = {style.get(f"{{{W}}}styleId") for style in styles.iter(f"{{{W}}}style")
               if style.find(f"{{{W}}}pPr/{{{W}}}keepNext") is not None}
    grids = [table for table in document.iter(f"{{{W}}}tbl")
             if table.find(f"{{{W}}}tblPr/{{{W}}}tblStyle").get(f"{{{W}}}val") == "PhotoGrid"]
    pictures_rows = [row for grid in grids for row in grid.findall(f"{{{W}}}tr")[::2]]
    assert len(pictures_rows) >= 3 and any(len(row.findall(f"{{{W}}}tc")) == 3 for row in pictures_rows)
    for row in pictures_rows:
        styles_used = [paragraph.find(f"{{{W}}}pPr/{{{W}}}pStyle") for paragraph in row.iter(f"{{{W}}}p")]
        assert all(style is not None and style.get(f"{{{W}}}val") in keeping for style in styles_used), \
            [None if style is None else style.get(f"{{{W}}}val") for style in styles_used]


def _shaded_run(image: Image.Image, x: int, y: int, colour: tuple[int, int, int]) -> tuple[int, int]:
    """The rows above and below ``y`` in column ``x`` that are still ``colour`` (within 4 a channel): the
    first and the last row of the run of that colour through (x, y)."""
    def shaded(row: int) -> bool:
        return all(abs(have - want) <= 4 for have, want in zip(image.getpixel((x, row)), colour))

    top = bottom = y
    while top > 0 and shaded(top - 1):
        top -= 1
    while bottom < image.height - 1 and shaded(bottom + 1):
        bottom += 1
    return top, bottom


def test_a_missing_photos_mark_stands_in_the_middle_of_its_box_in_word(word_in_libreoffice: Path) -> None:
    """booklet.css centres 写真未登録 in its photo-sized frame. Word's box was one exact line 95 pt
    tall, and Word and LibreOffice put an exact line's extra height above the text: the mark stood at
    the foot of its box. The box is the shading padded by borders above and below, the mark in its middle."""
    page, left, top, bottom, _ = next(line for line in _lines(word_in_libreoffice) if line[4].startswith("写真未登録"))
    image = _page_image(word_in_libreoffice, page)
    scale = DPI / 72
    middle = (top + bottom) / 2
    # Left of the text, inside the box: the shading's run through the text's middle.
    box_top, box_bottom = (edge / scale for edge in _shaded_run(image, round((left - 4) * scale), round(middle * scale),
                                                                 _rgb("placeholder-bg")))
    assert box_bottom - box_top > 30 * 72 / 25.4, (box_top, box_bottom)  # a box nearly the frame's 36 mm, not a band
    assert (box_top + box_bottom) / 2 == pytest.approx(middle, abs=1.5), (box_top, box_bottom, top, bottom)
