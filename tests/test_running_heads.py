"""The running header (柱) stays one line inside the top margin, however long the name it prints;
check says where a name makes it too long, with the header as the PDF prints it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import NamedTuple

from docx import Document

from conftest import run_cli, squash
from planpress import design

#: The running header's line on the page, in points: inside the side margins, above the text area.
_LEFT, _RIGHT = design.PAGE_MARGINS[3] * 72 / 25.4, (design.PAGE[0] - design.PAGE_MARGINS[1]) * 72 / 25.4
_TOP_MARGIN = design.PAGE_MARGINS[0] * 72 / 25.4


class Line(NamedTuple):
    """A line pdftotext found on a page, with its box in points from the page's top left."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


def _lines(pdf: Path) -> list[list[Line]]:
    """Each page's lines as pdftotext -bbox-layout reads them."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pattern = r'<line xMin="([^"]+)" yMin="([^"]+)" xMax="([^"]+)" yMax="([^"]+)">(.*?)</line>'
    return [[Line("".join(re.findall(r">([^<]*)</word>", words)), *map(float, box)) for *box, words in re.findall(pattern, page, re.S)]
            for page in out.split("<page ")[1:]]


def _rename(path: Path, old: str, new: str) -> tuple[int, int]:
    """Write ``new`` where the file says ``old`` (once); where it now stands (line, column)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(f": {old}\n") == 1, old
    text = text.replace(f": {old}\n", f": {new}\n")
    path.write_text(text, encoding="utf-8")
    line = next(number for number, line in enumerate(text.splitlines(), 1) if line.endswith(f": {new}"))
    return line, text.splitlines()[line - 1].index(new) + 1


def test_a_header_too_long_for_its_line_prints_cut_short_inside_the_margin_and_check_says_where(project: Path) -> None:
    """A policy name of 80 characters (the most policy.yaml takes) and a chapter title of 40 (the
    most chapters.yaml takes; 第1～第5's header joins five titles) make headers wider than the
    170 mm between the side margins, which wrapped onto a second line towards the sheet's edge.
    Each now prints as one line inside the margin, cut short with …, exactly as check's warning at
    the name says it will; the shipped names give no warning and print whole."""
    content = project / "content"
    name = ("港湾整備とポートセールスの推進による物流拠点機能の強化と" * 4)[:80]
    title = ("計画の期間と計画期間中の進行管理の方法" * 3)[:40]
    at_name = _rename(content / "policy.yaml", "港湾整備とポートセールスの推進", name)
    at_title = _rename(content / "booklet" / "chapters.yaml", "計画の期間", title)

    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    warned = {line.split(": 警告: ")[0]: line for line in check.stderr.splitlines() if "柱" in line}
    items = {f"content/policy.yaml:{at_name[0]}:{at_name[1]}": "基本施策17",
             f"content/booklet/chapters.yaml:{at_title[0]}:{at_title[1]}": "第3"}
    assert sorted(warned) == sorted(items), check.stderr
    printed = {}
    for where, item in items.items():
        found = re.fullmatch(rf"{where}: 警告: {item}: 名称が長いため、ページ上部の柱（見出し）が1行に収まりません。"
                             r"PDFでは「(.+)」のように末尾を省略して印刷します（省略させないときは名称を短くしてください）", warned[where])
        assert found, warned[where]
        printed[item] = found.group(1)
    assert printed["基本施策17"].startswith(f"施策ごとの計画　基本施策17　{name[:20]}") and printed["基本施策17"].endswith("…")
    assert printed["第3"].startswith("第1～第5　計画の名称・計画の趣旨・") and printed["第3"].endswith("…")

    build = run_cli(project, "build", "booklet", "--format", "pdf")
    assert build.returncode == 0, build.stderr
    pages = _lines(project / "output" / "booklet.pdf")
    headers = []
    for number, lines in enumerate(pages, 1):
        margin = [line for line in lines if line.bottom <= _TOP_MARGIN]
        assert len(margin) <= 1, (number, margin)  # one line, or none (the cover, a chapter's opening page)
        for line in margin:
            assert _LEFT - 0.5 <= line.left and line.right <= _RIGHT + 0.5, (number, line)
            headers.append(squash(line.text))
    for header in printed.values():
        assert squash(header) in headers, header
    whole = [header for header in headers if header.startswith("施策ごとの計画基本施策16")]
    assert whole and not whole[0].endswith("…")  # a neighbour's name of the shipped length prints whole

    # The Word booklet's headers print the same: cut short as the PDF's (whole, they wrapped onto a
    # second line and pushed the page's text down), a name of the shipped length whole.
    build = run_cli(project, "build", "booklet", "--format", "docx")
    assert build.returncode == 0, build.stderr
    word = {squash(paragraph.text) for section in Document(str(project / "output" / "booklet.docx")).sections
            for paragraph in section.header.paragraphs if paragraph.text}
    for header in printed.values():
        assert squash(header) in word, header
    assert not any(header.startswith(f"施策ごとの計画基本施策17{name[:10]}") and not header.endswith("…") for header in word)
    assert whole[0] in word
