"""The grade distribution chart of a 7th-plan council report, measured where it is drawn."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from conftest import libreoffice_pdf, run_cli
from planpress.design import COLOURS
from sheetfill import grade_for
from test_departments_and_comparison import complete


def page_image(pdf: Path, page: int = 1, dpi: int = 100) -> Image.Image:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)], check=True)
    return Image.open(prefix.with_suffix(".png")).convert("RGB")


def longest_run(image: Image.Image, colour: str, *, vertical: bool = False) -> int:
    """The longest line of pixels (across, or down) in a colour of design.COLOURS."""
    if vertical:
        image = image.transpose(Image.Transpose.ROTATE_90)
    rgb = tuple(int(COLOURS[colour][i:i + 2], 16) for i in (1, 3, 5))
    red, green, blue = ImageChops.difference(image, Image.new("RGB", image.size, rgb)).split()
    mask = ImageChops.lighter(ImageChops.lighter(red, green), blue).point(lambda v: 255 if v <= 8 else 0).tobytes()
    rows = (mask[y * image.width:(y + 1) * image.width] for y in range(image.height))
    return max((len(run) for row in rows for run in re.findall(rb"\xff+", row)), default=0)


def bar_lengths(pdf: Path) -> dict[str, int]:
    """Per grade, the longest horizontal run of pixels in its bar colour on the first page."""
    image = page_image(pdf)
    return {grade: longest_run(image, f"bar-{grade.lower()}") for grade in "ABCD"}


def test_word_bars_are_as_long_as_their_shares(project: Path, tmp_path: Path) -> None:
    """Word's bars were shaded paragraphs inside cells with 1.5 mm margins each side: every bar
    was 3 mm short (a tenth of the track showed as a fifteenth) and a bar of one item (2.1％, one
    step of the track) was no bar at all, in LibreOffice and Word alike."""
    complete(project, 2023, lambda code: "B" if code == "P39" else grade_for(code))  # A 14, B 25, C 8, D 1
    result = run_cli(project, "build", "evaluation-2023", "--format", "pdf", "--format", "docx")
    assert result.returncode == 0, result.stderr
    shares = {"A": 14 / 48, "B": 25 / 48, "C": 8 / 48, "D": 1 / 48}
    word = bar_lengths(libreoffice_pdf(project / "output" / "evaluation-2023.docx", tmp_path))
    pdf = bar_lengths(project / "output" / "evaluation-2023.pdf")
    for lengths in (pdf, word):
        assert all(lengths[grade] > 0 for grade in "ABCD"), lengths
        for grade in "ACD":  # against the longest bar, within a step of the track (2 %) and a pixel
            assert abs(lengths[grade] / lengths["B"] - shares[grade] / shares["B"]) < 0.03, (grade, lengths)


def test_word_chart_rules_the_zero_line_as_print_does(project: Path, tmp_path: Path) -> None:
    """print.css rules the track's left edge, where every bar starts; Word had no line, so a grade
    of no items (D here) was an empty row and the bars had nothing to start from."""
    complete(project, 2023, lambda code: "B" if code in {"P39", "P40"} else grade_for(code))  # D 0
    result = run_cli(project, "build", "evaluation-2023", "--format", "pdf", "--format", "docx")
    assert result.returncode == 0, result.stderr
    pdf = longest_run(page_image(project / "output" / "evaluation-2023.pdf"), "grey", vertical=True)
    word = longest_run(page_image(libreoffice_pdf(project / "output" / "evaluation-2023.docx", tmp_path)), "grey", vertical=True)
    assert pdf > 80  # four rows of bars at 100 dpi: over 2 cm
    assert word > 0.8 * pdf, (word, pdf)


def test_pdf_bars_are_drawn_at_the_shares_their_labels_print(project: Path) -> None:
    """6, 18, 18 and 6 of 48 items: 12.5％, 37.5％, 37.5％, 12.5％. The bars were lengthened by
    Python's round() to whole percents, which rounds halves to even: 12 % and 38 %, a bar of A a
    third shorter than the one of B beside a label saying it is a third as long. Each bar is the
    track's share its label prints (the bars add up to the track here: the shares add up to 100)."""
    complete(project, 2023, eighths)
    result = run_cli(project, "build", "evaluation-2023", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    pdf = project / "output" / "evaluation-2023.pdf"
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    labels = dict(re.findall(r"([ABCD])評価 \d+項目（(\d+\.\d)％）", text))
    assert labels == {"A": "12.5", "B": "37.5", "C": "37.5", "D": "12.5"}
    widths = bar_widths(pdf)
    track = sum(widths.values())
    for grade, share in labels.items():
        assert widths[grade] / track == pytest.approx(float(share) / 100, abs=1e-6), (grade, widths)


def eighths(code: str) -> str:
    """運営方針01–06 A; 運営方針07–08 and 基本施策01–16 B; 基本施策17–34 C; 35–40 D."""
    number = int(code[1:])
    if code.startswith("M"):
        return "A" if number <= 6 else "B"
    return "B" if number <= 16 else "C" if number <= 34 else "D"


def bar_widths(pdf: Path) -> dict[str, float]:
    """Per grade, the width of the rectangle filled in its bar colour on the first page, read from
    the page's drawing operators (rg sets the colour; re then f fills the rectangle)."""
    colours = {grade: tuple(int(COLOURS[f"bar-{grade.lower()}"][i:i + 2], 16) / 255 for i in (1, 3, 5)) for grade in "ABCD"}
    widths: dict[str, float] = {}
    with pikepdf.open(pdf) as document:
        colour, rectangle = None, None
        for operands, operator in pikepdf.parse_content_stream(document.pages[0]):
            if str(operator) == "rg":
                colour = tuple(float(value) for value in operands)
            elif str(operator) == "re":
                rectangle = float(operands[2])
            elif str(operator) == "f" and colour is not None:
                widths.update({grade: rectangle for grade, rgb in colours.items()
                               if all(abs(a - b) < 0.5 / 255 for a, b in zip(rgb, colour))})
    return widths
