"""The FY2021 council report, built for real and read back as a reader would see it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import NamedTuple

import pikepdf
import pytest

from conftest import copy_project, docx_part, libreoffice_pdf, pdf_pages, read_html, run_cli, squash
from planpress.content.load import load_content
from planpress.errors import Problems
from planpress.project import Project

SUMMARY = "全48項目のうち、A評価が18項目（37.5％）、B評価が30項目（62.5％）、C評価及びD評価は0という結果となりました。"
INTRO_2 = "第6次基本計画の施策評価は、計画に示された8項目の運営方針と40項目の基本施策を対象として実施しており、それぞれの項目を良い評価の順にA・B・C・Dの4段階で評価しています。"
INTRO_5 = "この令和3年度までの取組に係る評価について、令和4年度に作成した施策評価の内容の一部を抜粋し、以下に記載します。"


def items(root: Path):  # noqa: ANN201 - list of EvaluationItem
    problems = Problems()
    content = load_content(Project.at(root), problems)
    return content.evaluation(2021).items


@pytest.fixture(scope="module")
def pdf(built: Path) -> Path:
    return built / "output" / "evaluation-2021.pdf"


@pytest.fixture(scope="module")
def docx(built: Path) -> Path:
    return built / "output" / "evaluation-2021.docx"


def test_pdf_prints_title_year_and_computed_summary(pdf: Path) -> None:
    text = squash("".join(pdf_pages(pdf)))
    assert "第6次基本計画の総括について" in text
    assert "令和3年度（2021年度）までの取組に係る施策評価" in text
    assert "苫小牧市" in text
    assert SUMMARY in text
    assert INTRO_2 in text
    assert INTRO_5 in text
    assert "第6次基本計画の4年目に当たる令和3年度までの取組" in text


def test_pdf_distribution_table_is_counted_per_kind(pdf: Path) -> None:
    text = pdf_pages(pdf, "-layout")[0]
    rows = {m.group(1): m.group(2).split() for m in re.finditer(r"^\s*([ABCD])評価\s+(.+)$", text, flags=re.M)}
    assert rows["A"] == ["3項目", "15項目", "18項目", "37.5％"]
    assert rows["B"] == ["5項目", "25項目", "30項目", "62.5％"]
    assert rows["C"] == ["0項目", "0項目", "0項目", "0.0％"]
    assert rows["D"] == ["0項目", "0項目", "0項目", "0.0％"]


def test_shares_that_do_not_add_up_to_the_total_say_so(pdf: Path, tmp_path: Path) -> None:
    """18, 27 and 3 of 48 items: 37.5 + 56.3 + 6.3 = 100.1％ in the column whose total row says
    100.0％. The caption says the rounding is why (the shipped 37.5 + 62.5 adds up: it does not)."""
    assert "割合は小数第2位を四捨五入）" in squash("".join(pdf_pages(pdf)))
    root = copy_project(tmp_path / "project")
    path = root / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("    grade: B\n") == 30
    path.write_text(text.replace("    grade: B\n", "    grade: C\n", 3), encoding="utf-8")
    result = run_cli(root, "build", "evaluation-2021", "--format", "html", "--format", "docx")
    assert result.returncode == 0, result.stderr
    note = "評価ごとの項目数と割合（割合は小数第2位を四捨五入しているため、各評価の割合の合計は100.0％になりません）"
    page = squash(read_html(root / "output" / "evaluation-2021.html"))
    assert "56.3％" in page and "6.3％" in page and note in page
    assert note in squash(re.sub(r"<[^>]+>", "", docx_part(root / "output" / "evaluation-2021.docx")))


def test_a_grade_typed_in_full_width_or_lower_case_is_the_grade(tmp_path: Path) -> None:
    """An official editing the year's file with the Japanese IME on types Ａ (or ａ, b): it means A,
    as it does on a returned sheet (collect reads a sheet's grade so). check passed nothing of it
    and refused 「Ａ」は使えません, while collect took the same Ａ from a sheet."""
    root = copy_project(tmp_path / "project", warm=False)
    path = root / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    for name, grade, typed in (("地域活動の促進", "B", "Ａ"), ("行政組織の活性化", "A", "ａ"), ("広域連携の推進", "B", "c")):
        old = f"    name: {name}\n    grade: {grade}\n"
        assert text.count(old) == 1
        text = text.replace(old, f"    name: {name}\n    grade: {typed}\n")
    path.write_text(text, encoding="utf-8")
    checked = run_cli(root, "check", "--no-layout")
    assert checked.returncode == 0 and "grade" not in checked.stderr, checked.stderr
    grades = {item.code: item.grade for item in items(root)}
    assert (grades["運営方針01"], grades["運営方針05"], grades["運営方針08"]) == ("A", "A", "C")
    result = run_cli(root, "build", "evaluation-2021", "--format", "html")
    assert result.returncode == 0, result.stderr
    html = read_html(root / "output" / "evaluation-2021.html")
    row = re.search(r"地域活動の促進.*?</tr>", html, flags=re.S).group(0)
    assert '<td class="grade-a"><p>A</p></td>' in row
    assert '<td class="grade-c"><p>C</p></td>' in re.search(r"広域連携の推進.*?</tr>", html, flags=re.S).group(0)


def test_pdf_table_has_every_item_whole_on_one_page(pdf: Path, built: Path) -> None:
    pages = [squash(page) for page in pdf_pages(pdf)]
    for item in items(built):
        holding = [i for i, page in enumerate(pages) if squash(item.commentary) in page]
        assert len(holding) == 1, f"{item.code} commentary split or missing"
        page = pages[holding[0]]
        assert f"{item.code}{item.name}" in page, item.code


def test_pdf_header_row_repeats_on_every_table_page(pdf: Path) -> None:
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    table_pages = [page for page in pages if re.search(r"(運営方針|基本施策)\d\d", page)]
    for page in table_pages:
        assert "評 価 の 解 説" in page or "評価の解説" in squash(page)


def test_pdf_header_row_tops_every_page_a_tall_row_runs_over(tmp_path: Path) -> None:
    """Commentaries typed as many short lines make one row taller than a page less the table's
    header (50 lines: WeasyPrint printed it whole on a page without the header) and one taller
    than a page (62 lines: its first part was printed without the header). The header tops every
    page the table runs over, and the commentary column, read down the pages under it, holds every
    line of every commentary once, in order."""
    root = copy_project(tmp_path / "project", warm=False)
    path = root / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    for number, count in ((17, 50), (18, 62)):
        old = re.search(rf"    number: {number}\n(?:    .*\n){{2}}(    commentary: .*\n)", text).group(1)
        lines = "".join(f"      第{line:02d}行\n" for line in range(1, count + 1))
        text = text.replace(old, "    commentary: |-\n" + lines)
    path.write_text(text, encoding="utf-8")
    result = run_cli(root, "build", "evaluation-2021", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    pages = _page_words(root / "output" / "evaluation-2021.pdf")
    first = next(i for i, words in enumerate(pages) if _word(words, "評価の解説"))
    last = next(i for i, words in enumerate(pages) if "（Aが最も良い評価）" in "".join(w.text for w in words))  # the caption
    assert last - first >= 4  # 2 pages more than the shipped table's 3
    column = ""
    for index in range(first, last + 1):
        words, header = pages[index], _word(pages[index], "評価の解説")
        assert header is not None, f"page {index + 1} holds no header row"
        below = [w for w in words if header.bottom <= w.top and w.bottom < FOOTER_TOP]
        if index > first:  # on the pages it continues on, the header is the first line under the running title
            assert min(w.top for w in words if w.top > RUNNING_TITLE_BOTTOM) == pytest.approx(header.top)
        grade = _word(words, "評価")
        column += "".join(w.text for w in sorted(below, key=lambda w: w.top) if w.left > grade.right)
    assert column == "".join(squash(item.commentary) for item in items(root))


def test_the_items_heading_never_ends_a_page_without_its_table(tmp_path: Path) -> None:
    """項目別の評価 heads the item table and never ends a page without it. A first item whose
    commentary (70 short lines) makes its row taller than a page could not follow the heading
    whole anywhere: WeasyPrint moved the table on and left the heading alone on its page. Now the
    heading, the table's header row and the first row's start share a page, the row split under
    them and its rest under the header on the next; a row shorter than a page (30 lines) goes whole
    with the heading, as before."""
    for count in (30, 70):
        root = copy_project(tmp_path / f"lines-{count}", warm=False)
        path = root / "content" / "evaluations" / "2021.yaml"
        text = path.read_text(encoding="utf-8")
        first = re.search(r"    number: 1\n(?:    .*\n){2}(    commentary: .*\n)", text).group(1)  # 運営方針01
        path.write_text(text.replace(first, "    commentary: |-\n" + "".join(f"      第{n:02d}行\n" for n in range(1, count + 1)), 1),
                        encoding="utf-8")
        result = run_cli(root, "build", "evaluation-2021", "--format", "pdf")
        assert result.returncode == 0, result.stderr
        pages = _page_words(root / "output" / "evaluation-2021.pdf")
        at = next(index for index, words in enumerate(pages) if _word(words, "項目別の評価"))
        heading, header, start = (_word(pages[at], text) for text in ("項目別の評価", "評価の解説", "第01行"))
        assert header is not None and start is not None, (count, at + 1)
        assert heading.bottom < header.top < start.top
        end = next(index for index, words in enumerate(pages) if _word(words, f"第{count:02d}行"))
        assert end == at + (count > 30), (count, at + 1, end + 1)


class Word(NamedTuple):
    """A word pdftotext found on a page, with its box in points from the page's top left."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


#: Below the running title (the top margin is 22 mm) and above the page number (bottom margin 20 mm), in points.
RUNNING_TITLE_BOTTOM, FOOTER_TOP = 40.0, (297 - 20) * 72 / 25.4


def _page_words(pdf: Path) -> list[list[Word]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = out.split("<page ")[1:]
    pattern = r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="([^"]+)" yMax="([^"]+)">([^<]*)</word>'
    return [[Word(text, *map(float, box)) for *box, text in re.findall(pattern, page)] for page in pages]


def _word(words: list[Word], text: str) -> Word | None:
    return next((word for word in words if word.text == text), None)


def test_pdf_has_page_numbers_and_running_header(pdf: Path) -> None:
    pages = [squash(page) for page in pdf_pages(pdf)]
    header = "第6次基本計画の総括について令和3年度（2021年度）"
    # Margin boxes are drawn after the page body: header, then footer, close the page's text.
    assert pages[0].endswith("－1－") and not pages[0].endswith(f"{header}－1－")
    for number, page in enumerate(pages[1:], start=2):
        assert page.endswith(f"{header}－{number}－")


def test_pdf_fonts_are_biz_ud_subsets_embedded(pdf: Path) -> None:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = listing.splitlines()[2:]
    assert fonts
    for line in fonts:
        name, *_ = line.split()
        assert re.match(r"[A-Z]{6}\+BIZ-UD", name), line
        assert " yes yes yes " in line, line  # embedded, subset, unicode map


def test_pdf_metadata_bookmarks_language_and_a4(pdf: Path) -> None:
    with pikepdf.open(pdf) as document:
        info = document.docinfo
        assert str(info["/Title"]).startswith("第6次基本計画の総括について")
        assert str(info["/Author"]) == "苫小牧市"
        assert str(document.Root.Lang) == "ja"
        for page in document.pages:
            width, height = (float(v) for v in page.mediabox[2:])
            assert round(width * 25.4 / 72) == 210 and round(height * 25.4 / 72) == 297
        with document.open_outline() as outline:
            top = [(item.title, [child.title for child in item.children]) for item in outline.root]
    assert top == [("第6次基本計画の総括について", ["概要", "評価の内訳", "項目別の評価"])]


def test_html_is_japanese_and_escaped(built: Path) -> None:
    html = read_html(built / "output" / "evaluation-2021.html")
    assert '<html lang="ja">' in html
    assert "<title>第6次基本計画の総括について" in html


def test_docx_is_a4_with_explicit_margins(docx: Path) -> None:
    xml = docx_part(docx)
    assert re.search(r'<w:pgSz w:w="11906" w:h="16838"', xml)
    margins = re.search(r"<w:pgMar ([^>]*)/>", xml).group(1)
    assert 'w:top="1247"' in margins and 'w:left="1134"' in margins and 'w:right="1134"' in margins


def test_docx_uses_named_styles_without_direct_formatting(docx: Path) -> None:
    xml = docx_part(docx)
    assert "<w:rPr>" not in xml.split("<w:sectPr")[0]
    used = set(re.findall(r'<w:pStyle w:val="([^"]+)"/>', xml))
    assert {"Title", "Subtitle", "Heading2", "BodyText", "TableHeading", "GradeA", "GradeB"} <= used
    assert all(p.startswith("<w:pPr><w:pStyle") for p in re.findall(r"<w:p>(<w:pPr>.{0,20})", xml))


def test_docx_styles_set_east_asian_biz_ud_font_and_japanese(docx: Path) -> None:
    styles = docx_part(docx, "word/styles.xml")
    assert "Theme=" not in styles  # theme fonts would override the BIZ UD names
    for style_id in ("Normal", "Title", "Heading1", "Heading2", "BodyText", "TableText", "GradeA"):
        block = re.search(rf'<w:style [^>]*w:styleId="{style_id}".*?</w:style>', styles, flags=re.S).group(0)
        assert re.search(r'w:eastAsia="BIZ UD(P?Gothic|Mincho)"', block), style_id
        # Japanese for East Asian text; half-width Latin text is English so that no word of it breaks.
        assert 'w:eastAsia="ja-JP"' in block and 'w:val="en-US"' in block, style_id


def test_docx_a_paragraph_added_after_a_heading_or_caption_is_body_text(docx: Path) -> None:
    """Enter at the end of a heading or caption starts the style the office types prose in, with
    the body's first-line indent, not bare "Normal" (the headings' next style in python-docx's template)."""
    from docx import Document as open_docx

    styles = open_docx(str(docx)).styles
    for name in ("Heading 1", "Heading 2", "Heading 3", "Caption"):
        assert styles[name].next_paragraph_style.name == "Body Text", name


def test_docx_properties_are_the_documents_own(docx: Path) -> None:
    """ファイル > 情報 shows the report's title and author, no comment left from python-docx's
    template and no print date for a file never printed."""
    from docx import Document as open_docx

    core = open_docx(str(docx)).core_properties
    assert core.title.startswith("第6次基本計画の総括について") and core.author == "苫小牧市"
    assert core.comments == "" and core.last_printed is None
    assert "python-docx" not in docx_part(docx, "docProps/core.xml")


def test_docx_table_header_repeats_and_rows_do_not_split(docx: Path) -> None:
    xml = docx_part(docx)
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S)
    assert len(tables) == 2
    for table in tables:
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", table, flags=re.S)
        assert "<w:tblHeader/>" in rows[0]
        assert all("<w:cantSplit/>" in row for row in rows)
        assert all("<w:tblHeader/>" not in row for row in rows[1:])
    assert len(re.findall(r"<w:tr[ >]", tables[1])) == 49


def test_docx_row_taller_than_a_page_is_shown_whole(tmp_path: Path) -> None:
    """A commentary typed as many short lines makes a row taller than a page: Word and LibreOffice
    cut off what of a row kept whole (w:cantSplit) passes the page's foot, so that row may split
    (as it does in the PDF); every other row stays whole."""
    root = copy_project(tmp_path / "project", warm=False)
    path = root / "content" / "evaluations" / "2021.yaml"
    old = "    commentary: 男女平等参画の推進について、様々な施策等を展開しており、前進している部分もあるが、見直しが必要な部分もあった。\n"
    lines = [f"第{number:02d}行" for number in range(1, 81)]
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, "    commentary: |-\n" + "".join(f"      {line}\n" for line in lines)), encoding="utf-8")
    result = run_cli(root, "build", "evaluation-2021", "--format", "docx")
    assert result.returncode == 0, result.stderr
    docx = root / "output" / "evaluation-2021.docx"
    shown = squash("".join(pdf_pages(libreoffice_pdf(docx, tmp_path))))
    assert [line for line in lines if line not in shown] == []
    rows = re.findall(r"<w:tr[ >].*?</w:tr>", docx_part(docx), flags=re.S)
    splitting = [row for row in rows if "<w:cantSplit/>" not in row]
    assert len(splitting) == 1 and "第80行" in splitting[0]


def test_docx_url_in_a_commentary_leaves_the_other_columns_their_width(tmp_path: Path) -> None:
    """A Word column is widened to its longest word so that no figure breaks; a URL is no figure:
    counted, it squeezed the item column to one character a line (every name of the table stood
    letter by letter, 16 pages for 5). Word and LibreOffice break the URL at the cell's edge."""
    root = copy_project(tmp_path / "project", warm=False)
    path = root / "content" / "evaluations" / "2021.yaml"
    old = "    commentary: 基本目標に沿った取組が行われ、多くの成果が得られている。\n"
    url = "https://www.city.tomakomai.hokkaido.jp/shisei/gyoseikeiei/soshiki/kasseika/torikumi/reiwa3nendo/houkokusho_0001.html"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, old[:-1] + f"詳細は{url}を参照。\n"), encoding="utf-8")
    result = run_cli(root, "build", "evaluation-2021", "--format", "docx")
    assert result.returncode == 0, result.stderr
    converted = libreoffice_pdf(root / "output" / "evaluation-2021.docx", tmp_path)
    lines = [squash(line) for page in pdf_pages(converted, "-layout") for line in page.splitlines()]
    names = ("地域活動の促進", "行政組織の活性化", "広域連携の推進", "農業の振興", "道路の整備")
    assert [name for name in names if not any(name in line for line in lines)] == []
    assert url in "".join(lines)


def test_docx_footer_has_page_field(docx: Path) -> None:
    footer = docx_part(docx, "word/footer1.xml")
    assert 'w:fldCharType="begin"' in footer and "PAGE" in footer


def test_docx_opens_in_libreoffice_with_text_and_fonts(docx: Path, tmp_path: Path, built: Path) -> None:
    converted = libreoffice_pdf(docx, tmp_path)
    text = squash("".join(pdf_pages(converted)))
    assert SUMMARY in text
    for item in items(built):
        assert squash(item.commentary) in text, item.code
    fonts = subprocess.run(["pdffonts", str(converted)], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert names and all(name.startswith("BIZUD") for name in names), names
    with pikepdf.open(converted) as document:
        width, height = (float(v) for v in document.pages[0].mediabox[2:])
    assert round(width * 25.4 / 72) == 210 and round(height * 25.4 / 72) == 297


def test_word_grade_cells_are_shaded_as_cells(built: Path) -> None:
    """A grade's colour fills its whole table cell (w:tcPr/w:shd), in the colour its style defines."""
    import zipfile

    xml = docx_part(built / "output" / "evaluation-2021.docx")
    with zipfile.ZipFile(built / "output" / "evaluation-2021.docx") as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    fills = dict(re.findall(r'<w:style [^>]*w:styleId="(Grade[A-D])".*?<w:shd [^>]*w:fill="([0-9A-F]{6})"', styles, re.S))
    assert set(fills) == {"GradeA", "GradeB", "GradeC", "GradeD"}
    cells = re.findall(r"<w:tc>(.*?)</w:tc>", xml, re.S)
    graded = [(re.search(r'<w:pStyle w:val="(Grade[A-D])"/>', c).group(1), c) for c in cells if re.search(r'<w:pStyle w:val="Grade[A-D]"/>', c)]
    assert len(graded) >= 48
    for style, cell in graded:
        assert re.search(rf'<w:tcPr>.*<w:shd [^>]*w:fill="{fills[style]}"', cell, re.S), style


