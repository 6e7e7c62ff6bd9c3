"""The Word booklet as LibreOffice lays it out, held against the PDF: where a heading's bar and text
stand, and how the pictures and captions of a row of photos line up."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from conftest import BANDED_PHOTOS, colour_box, libreoffice_pdf, register_banded_photos, run_cli, squash
from planpress.design import COLOURS

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="needs LibreOffice and poppler-utils")

DPI = 288  # four pixels a point

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
