"""The plan booklet, built for real from the shipped content and read back from PDF, Word and HTML."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from ruamel.yaml import YAML

from conftest import (BANDED_PHOTOS, colour_box, docx_part, pdf_pages, read_html, register_banded_photos,
                      run_cli, squash)

#: Chapter headings in the booklet's order (第1–第5 share a section, each has its own heading).
CHAPTERS = (
    "目次", "第6次基本計画の総括について", "第1　計画の名称", "第2　計画の趣旨", "第3　計画の期間",
    "第4　計画の対象区域", "第5　施策の範囲", "第6　人口の想定", "第7　SDGsについて", "第8　重点プロジェクト",
    "第9　施策の体系", "施策ごとの計画", "用語解説",
)


def _yaml(path: Path):  # noqa: ANN202 - plain data
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _tree_codes(root: Path) -> list[tuple[str, str]]:
    tree = _yaml(root / "content" / "policy.yaml")
    codes = [(f"運営方針{p['number']:02d}", p["name"]) for g in tree["management"] for p in g["policies"]]
    codes += [(f"基本施策{p['number']:02d}", p["name"]) for s in tree["sectors"] for g in s["groups"] for p in g["policies"]]
    return codes


def _docx_text(path: Path) -> str:
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", docx_part(path)))


def _section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    end = html.find("<section ", start)
    return html[start:end if end != -1 else None]


def _svg_texts(html: str) -> str:
    """Text drawn inside the SVG drawings (data URLs) of an HTML fragment."""
    data = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    return "".join(base64.b64decode(item).decode("utf-8") for item in data)


@pytest.fixture(scope="session")
def booklet_pdf(built: Path) -> Path:
    return built / "output" / "booklet.pdf"


def test_every_chapter_is_in_the_pdf_in_order(booklet_pdf: Path) -> None:
    text = squash("".join(pdf_pages(booklet_pdf)))
    for chapter in CHAPTERS:
        assert squash(chapter) in text, chapter
    # Each title's last occurrence (its heading or running header) comes in the booklet's order.
    body = [text.rfind(squash(chapter)) for chapter in CHAPTERS[1:]]
    assert body == sorted(body)


def test_every_chapter_is_in_word(built: Path) -> None:
    text = squash(_docx_text(built / "output" / "booklet.docx"))
    for chapter in CHAPTERS:
        assert squash(chapter) in text, chapter
    # Word merges a group's name over its columns as the PDF does (no group name repeated per column).
    assert "人口の増減（対前年比）／" not in text
    xml = docx_part(built / "output" / "booklet.docx")
    spanning = re.search(r'<w:tc><w:tcPr>(?:(?!</w:tcPr>).)*<w:gridSpan w:val="5"/>(?:(?!</w:tc>).)*</w:tc>', xml)
    assert spanning and "人口の増減（対前年比）" in spanning.group(0)
    assert '<w:vMerge w:val="restart"/>' in xml
    html = read_html(built / "output" / "booklet.html")
    assert '<th class="table-heading" scope="colgroup" colspan="5">人口の増減（対前年比）</th>' in html


def test_word_opens_in_libreoffice_with_every_chapter(word_in_libreoffice: Path, booklet_pdf: Path) -> None:
    converted = word_in_libreoffice
    text = squash("".join(pdf_pages(converted)))
    for chapter in CHAPTERS:
        assert squash(chapter) in text, chapter
    # The contents is filled: LibreOffice shows its entries without updating the field.
    contents = squash("".join(pdf_pages(converted)[1:4]))
    assert squash("第9　施策の体系") in contents and "基本施策40" in contents
    # Every contents line's page number is the page LibreOffice lays its heading on.
    pages = pdf_pages(converted)
    lines = re.findall(r"^\s*(\S.*?)\.{3,}\s*(\d+)\s*$", "\n".join(pdf_pages(converted, "-layout")[1:4]), re.M)
    assert len(lines) > 60
    for title, number in lines:
        assert squash(title) in squash(pages[int(number) - 1]), (title, number)
    # The cover's title block sits where the PDF's does (not one line at the top of the page).
    assert abs(_title_top(converted) - _title_top(booklet_pdf)) < 15, (_title_top(converted), _title_top(booklet_pdf))
    assert _title_top(converted) > 70


def test_word_tables_in_libreoffice_keep_merges_and_whole_figures(built: Path, word_in_libreoffice: Path,
                                                                  tmp_path: Path) -> None:
    """LibreOffice reads the grouped headers as merged cells, and no figure or unit breaks inside."""
    from planpress.render.docx_widths import words

    docx = built / "output" / "booklet.docx"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "html", "--outdir", str(tmp_path), str(docx)], capture_output=True, check=True, timeout=300)
    html = re.sub(r"\s+", " ", (tmp_path / "booklet.html").read_text(encoding="utf-8"))
    assert re.search(r'<th colspan="5"[^>]*>(?:(?!</th>).)*人口の増減（対前年比）', html)
    assert re.search(r'<th rowspan="2"[^>]*>(?:(?!</th>).)*総人口（人）', html)
    # Every word with a figure in a table cell (100,297,503, （1,000t−CO2/, ▲1,229) is on one line.
    cells = re.findall(r"<w:tc>.*?</w:tc>", docx_part(docx), re.S)
    figures = {word.strip("（）()，、\u200b") for cell in cells
               for word in words("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", cell))) if re.search(r"\d", word)}
    assert {"100,297,503", "1,000t−CO2/", "▲1,229"} <= figures
    lines = "\n".join(pdf_pages(word_in_libreoffice))
    broken = [figure for figure in sorted(figures) if figure not in lines]
    assert not broken, broken
    # The pictures LibreOffice shows (the PNG beside each SVG, the icons) are print quality.
    listing = subprocess.run(["pdfimages", "-list", str(word_in_libreoffice)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    resolutions = [int(row.split()[12]) for row in listing]
    assert len(resolutions) >= 10 and min(resolutions) >= 295, sorted(resolutions)[:5]


def _title_top(pdf: Path) -> float:
    """Millimetres from the top of page 1 to the top of the title (its first word naming the city)."""
    found = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    tops = [float(top) for top, word in re.findall(r'<word xMin="[^"]+" yMin="([^"]+)"[^>]*>([^<]*)</word>', found)
            if "苫小牧" in word]
    return min(tops) * 25.4 / 72


def test_cover_metadata_and_tags(booklet_pdf: Path) -> None:
    with pikepdf.open(booklet_pdf) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == "苫小牧市総合計画　第7次基本計画"
        assert str(info["/Author"]) == "苫小牧市"
        assert str(pdf.Root.Lang) == "ja"
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        assert len(pdf.pages) > 60
    cover = squash(pdf_pages(booklet_pdf)[0])
    assert "令和5年度～令和9年度" in cover and "苫小牧市" in cover


def test_all_17_goals_in_the_sdgs_table(built: Path, booklet_pdf: Path) -> None:
    goals = _yaml(built / "content" / "booklet" / "sdgs.yaml")["goals"]
    assert len(goals) == 17
    text = squash("".join(pdf_pages(booklet_pdf)))
    word = _docx_text(built / "output" / "booklet.docx")
    html = read_html(built / "output" / "booklet.html")
    table = _section(html, "sec-chapter-7")
    for goal in goals:
        # A long title wraps in its cell and pdftotext may interleave columns: its start is enough.
        assert squash(f"【{goal['title']}")[:7] in text
        assert f"【{goal['title']}】" in word
        assert f'alt="SDGsゴール{goal["number"]}「{goal["title"]}」のアイコン"' in table
    descriptions = re.findall(r'descr="SDGsゴール(\d+)', docx_part(built / "output" / "booklet.docx"))
    assert set(map(int, descriptions)) == set(range(1, 18))


def test_48_policy_pages_with_bookmarks(built: Path, booklet_pdf: Path) -> None:
    codes = _tree_codes(built)
    assert len(codes) == 48
    with pikepdf.open(booklet_pdf) as pdf, pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        for chapter in CHAPTERS[1:]:
            assert chapter in top, (chapter, top)
        policies = next(item for item in outline.root if item.title == "施策ごとの計画")
        assert [child.title for child in policies.children] == [f"{code}　{name}" for code, name in codes]
        project_titles = [c.title for c in next(i for i in outline.root if i.title.startswith("第8")).children]
        assert len(project_titles) == 3
    pages = [squash(page) for page in pdf_pages(booklet_pdf)]
    for code, name in codes:
        starts = [page for page in pages if squash(f"{code}　{name}") in page and "現状と課題" in page]
        assert starts, code


def test_sdg_icons_on_a_policy_page_are_the_goals_that_list_it(built: Path) -> None:
    goals = _yaml(built / "content" / "booklet" / "sdgs.yaml")["goals"]
    expected = {g["number"] for g in goals if 3 in g["policies"]}
    html = read_html(built / "output" / "booklet.html")
    page = _section(html, "sec-policy-p03")
    shown = {int(n) for n in re.findall(r'alt="SDGsゴール(\d+)「', page)}
    assert shown == expected == {1, 3, 4, 5, 10, 11, 17}
    management = {g["number"] for g in goals if 3 in g["management"]}
    shown = {int(n) for n in re.findall(r'alt="SDGsゴール(\d+)「', _section(html, "sec-policy-m03"))}
    assert shown == management


def test_policy_page_shows_projects_grade_and_empty_slots(built: Path) -> None:
    html = read_html(built / "output" / "booklet.html")
    page = _section(html, "sec-policy-p17")
    # 基本施策17 is cited by project 1 (17-3) and by projects 2 and 3 (17-1).
    assert page.count("重点プロジェクト") >= 1 and "親しまれる港づくり" in page and "港湾機能の強化" in page
    assert {"1　人が集まる魅力の創造", "2　ゼロカーボンシティへの挑戦", "3　産業都市としてのさらなる飛躍"} <= set(
        re.findall(r"<p>(\d　[^<]+)</p>", page))
    assert 'class="grade-b"' in page and "東港区周文ふ頭" in page
    assert page.count('class="missing"') == 3


def test_a_projects_name_in_a_policy_pages_table_takes_one_line(built: Path, booklet_pdf: Path) -> None:
    """関連する重点プロジェクト's columns are worked out from their longest text (pages.column_shares),
    the same on every policy page: the projects' names, the narrowest column, each print on one
    line. Typed as 30 / 35 / 35, 「3　産業都市としてのさらなる飛躍」 broke before its last character."""
    names = [f"{project['number']}{project['title']}" for project in _yaml(built / "content" / "booklet" / "projects.yaml")["projects"]]
    lines = [squash(line) for page in pdf_pages(booklet_pdf, "-layout") if "関連する重点プロジェクト" in page
             for line in page.splitlines()]
    for name in names:
        starts = [line for line in lines if name[:6] in line]
        assert starts and all(name in line for line in starts), (name, [line for line in starts if name not in line])


def test_unreviewed_definitions_print_as_drafts(built: Path, booklet_pdf: Path) -> None:
    """planpress's authors wrote the definitions: each prints （案） until the office reviews it."""
    terms = _yaml(built / "content" / "glossary.yaml")["terms"]
    assert terms and not any(term.get("reviewed") for term in terms)
    pages = [squash(page) for page in pdf_pages(booklet_pdf)]
    start = next(i for i, page in enumerate(pages) if "本文中の※印の用語" in page)
    glossary = "".join(pages[start:])
    assert glossary.count("（案）") == len(terms)
    for term in terms:
        assert "（案）" + squash(term["definition"])[:12] in glossary, term["term"]
    word = squash(_docx_text(built / "output" / "booklet.docx"))
    assert word.count("（案）") == len(terms)


def test_reviewed_definition_prints_plain_and_stops_warning(project: Path) -> None:
    path = project / "content" / "glossary.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("    reviewed: false", "    reviewed: true", 1), encoding="utf-8")
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    unreviewed = [line for line in check.stderr.splitlines() if "解説が未確認です" in line]
    assert len(unreviewed) == source.count("reviewed: false") - 1
    assert unreviewed[0].startswith("content/glossary.yaml:") and "用語「ジェンダー平等」" in unreviewed[0]
    assert not any("地域包括ケアシステム」: 解説" in line for line in unreviewed)
    result = run_cli(project, "build", "booklet", "--format", "html")
    assert result.returncode == 0, result.stderr
    glossary = _section(read_html(project / "output" / "booklet.html"), "sec-glossary")
    assert "<p>高齢者が住み慣れた地域で" in glossary and "<p>（案）性別にかかわりなく" in glossary


def test_a_flag_left_empty_means_not_yet_and_is_warned_at_its_line(project: Path) -> None:
    """``reviewed:`` with nothing after the colon was refused (true か false で書いてください) at the next
    term's line. Left so it says nothing was reviewed: the default, （案） printed and a warning at its line."""
    path = project / "content" / "glossary.yaml"
    source = path.read_text(encoding="utf-8").replace("    reviewed: false\n", "    reviewed:\n", 1)
    path.write_text(source, encoding="utf-8")
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    assert (f"content/glossary.yaml:{source.splitlines().index('    reviewed:') + 1}:5: 警告: 用語「地域包括ケアシステム」: 解説が未確認です"
            "（「（案）」と印刷します。担当課で確認したら reviewed: true にしてください）") in check.stderr.splitlines()
    result = run_cli(project, "build", "booklet", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert "<p>（案）高齢者が住み慣れた地域で" in _section(read_html(project / "output" / "booklet.html"), "sec-glossary")


def test_glossary_is_in_gojuon_order_whatever_kana_a_reading_is_typed_in(project: Path) -> None:
    """A reading typed in katakana or half-width katakana sorts with the hiragana ones: by code
    point every katakana came after every hiragana, and ICT (アイシーティー) was listed last."""
    path = project / "content" / "glossary.yaml"
    source = path.read_text(encoding="utf-8")
    terms = _yaml(path)["terms"]
    typed = source.replace("reading: あいしーてぃー", "reading: アイシーティー").replace("reading: さてらいとおふぃす", "reading: ｻﾃﾗｲﾄｵﾌｨｽ")
    assert typed.count("reading: アイシーティー") == typed.count("reading: ｻﾃﾗｲﾄｵﾌｨｽ") == 1
    path.write_text(typed, encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "html")
    assert result.returncode == 0, result.stderr
    glossary = _section(read_html(project / "output" / "booklet.html"), "sec-glossary")
    printed = re.findall(r'class="glossary-term"><p>([^<]*)</p>', glossary)
    assert printed == [t["term"] for t in sorted(terms, key=lambda t: t["reading"])]
    assert printed[0] == "ICT"


def test_a_paragraph_written_as_a_block_value_has_no_empty_line_in_word(project: Path) -> None:
    """``- |`` keeps the line break the block ends with: the Word paragraph printed it as a line
    break after its text (an empty line), the PDF as nothing."""
    path = project / "content" / "booklet" / "chapters.yaml"
    text = "この計画の名称は、「苫小牧市総合計画　第7次基本計画」とします。"
    source = path.read_text(encoding="utf-8")
    assert source.count(f"      - {text}\n") == 1
    path.write_text(source.replace(f"      - {text}\n", f"      - |\n        {text}\n"), encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "docx")
    assert result.returncode == 0, result.stderr
    paragraphs = [p for p in re.findall(r"<w:p[ >].*?</w:p>", docx_part(project / "output" / "booklet.docx"), re.S)
                  if text in p]
    assert len(paragraphs) == 1 and "<w:br" not in paragraphs[0]


def test_a_term_is_marked_at_its_first_use_after_a_longer_term_holding_it(project: Path) -> None:
    """ゼロカーボン inside ゼロカーボンシティ is not a use of ゼロカーボン; its own use later in the
    same paragraph is, and takes the mark (the paragraph was passed over, and the mark went to a
    later paragraph)."""
    glossary = project / "content" / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "  - term: ゼロカーボン\n    reading: ぜろかーぼん\n"
                        "    definition: 温室効果ガスの排出を実質ゼロにすること。\n", encoding="utf-8")
    projects = project / "content" / "booklet" / "projects.yaml"
    written, edited = "8月にゼロカーボンシティへの挑戦を宣言しました。", "8月にゼロカーボンシティへの挑戦を宣言し、ゼロカーボンの取組を始めました。"
    source = projects.read_text(encoding="utf-8")
    assert source.count(written) == 1
    projects.write_text(source.replace(written, edited), encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "html")
    assert result.returncode == 0, result.stderr
    html = read_html(project / "output" / "booklet.html")
    paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", html[: html.index('id="sec-glossary"')], re.S)
    first = next(p for p in paragraphs if re.search("ゼロカーボン(?!シティ)", p))
    assert "への挑戦を宣言し、ゼロカーボン※の取組" in first
    assert sum(p.count("ゼロカーボン※") for p in paragraphs) == 1


def test_glossary_marks_come_from_the_glossary(built: Path) -> None:
    html = read_html(built / "output" / "booklet.html")
    terms = _yaml(built / "content" / "glossary.yaml")["terms"]
    body = html[: html.index('id="sec-glossary"')]
    for term in terms:
        assert body.count(f"{term['term']}※") + body.count(f"{term['term']}（") >= 1, term["term"]
    assert body.count("※") == len(terms)
    assert "DX（デジタルトランスフォーメーション）※" in body
    glossary = _section(html, "sec-glossary")
    for term in terms:
        assert term["definition"] in glossary


def test_printed_numbers_follow_japanese_conventions(booklet_pdf: Path) -> None:
    text = squash("".join(pdf_pages(booklet_pdf)))
    assert "▲1,229" in text and "168,299" in text and "100,297,503" in text
    assert "（令和４年12月31日時点）" in text
    assert "〇基本施策17−3親しまれる港づくり" in text
    # The seed's 03-3 citation prints the tree's name for 03-3 (check warns about it).
    assert "〇運営方針03−3配偶者等からの暴力の根絶" in text


def test_renamed_measure_changes_every_place_that_prints_it(project: Path) -> None:
    path = project / "content" / "policy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- 親しまれる港づくり", "- 市民に親しまれる港づくり"),
                    encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "html", "--format", "docx")
    assert result.returncode == 0, result.stderr
    html = read_html(project / "output" / "booklet.html")
    text = html + _svg_texts(html)
    assert "市民に親しまれる港づくり" in _section(html, "sec-project-1")
    assert "市民に親しまれる港づくり" in _section(html, "sec-policy-p17")
    assert "市民に親しまれる港づくり" in _svg_texts(_section(html, "sec-chapter-9"))
    assert "親しまれる港づくり" not in text.replace("市民に親しまれる港づくり", "")
    word = _docx_text(project / "output" / "booklet.docx")
    assert "市民に親しまれる港づくり" in word and "親しまれる港づくり" not in word.replace("市民に親しまれる港づくり", "")


def test_missing_image_is_listed_and_shown_as_placeholder(project: Path) -> None:
    from PIL import Image

    path = project / "content" / "booklet" / "projects.yaml"
    source = path.read_text(encoding="utf-8")
    source = source.replace("キラキラ公園で行われたキッチンカーイベント\n        image: null",
                            "キラキラ公園で行われたキッチンカーイベント\n        image: booklet/photos/kitchen-car.png", 1)
    source = source.replace("苫小牧市スマートシティ官民連携協議会\n        image: null",
                            "苫小牧市スマートシティ官民連携協議会\n        image: booklet/photos/no-such-file.jpg", 1)
    path.write_text(source, encoding="utf-8")
    (project / "content" / "booklet" / "photos").mkdir()
    # Pixels enough for print (300 ppi in its frame): a smaller one is warned of (tests/test_preflight.py).
    Image.new("RGB", (630, 420), "#3a7").save(project / "content" / "booklet" / "photos" / "kitchen-car.png")
    check = run_cli(project, "check")
    assert check.returncode == 0, check.stderr
    lines = check.stderr.splitlines()
    missing = [line for line in lines if "no-such-file.jpg" in line]
    assert missing == [f"content/booklet/projects.yaml:{_line_of(source, 'no-such-file.jpg')}:16: 警告: 重点プロジェクト1: "
                       "写真「苫小牧市スマートシティ官民連携協議会」: 画像ファイル「booklet/photos/no-such-file.jpg」がありません（仮の枠を印刷します）"]
    assert not [line for line in lines if "キッチンカー" in line]
    result = run_cli(project, "build", "booklet", "--format", "html")
    assert result.returncode == 0, result.stderr
    html = _section(read_html(project / "output" / "booklet.html"), "sec-project-1")
    assert 'kitchen-car.png" alt="キラキラ公園で行われたキッチンカーイベント"' in html
    assert 'aria-label="写真未登録：苫小牧市スマートシティ官民連携協議会"' in html


def _line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def test_check_reports_seed_findings_and_gaps(built: Path) -> None:
    result = run_cli(built, "check", "--no-layout")  # findings and gaps are load-time warnings
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert any("運営方針03−3" in line and "配偶者等からの暴力の根絶" in line and "運営方針03−6" in line for line in lines)
    assert any("合計 ▲1,229 が内訳から計算した ▲1,246 と一致しません" in line for line in lines)
    gaps = [line for line in lines if "現状と課題・目指す姿・成果指標が未入力です" in line]
    assert len(gaps) == 48 and gaps[0].startswith("content/booklet/pages.yaml:10:5: 警告: 運営方針01:")


def test_final_build_refuses_while_gaps_remain(project: Path) -> None:
    result = run_cli(project, "build", "booklet", "--final", "--format", "html")
    assert result.returncode == 1
    assert "--final では作成しません" in result.stderr
    assert "content/glossary.yaml:13:15: 用語「地域包括ケアシステム」: 解説が未確認です" in result.stderr
    assert not (project / "output" / "booklet.html").exists()
    # The booklet's gaps do not hold back another document.
    other = run_cli(project, "build", "evaluation-2021", "--final", "--format", "html")
    assert other.returncode == 0, other.stderr


def test_glossary_term_marked_by_hand_or_never_used_is_reported(project: Path) -> None:
    chapters = project / "content" / "booklet" / "chapters.yaml"
    chapters.write_text(chapters.read_text(encoding="utf-8").replace("持続可能なまちを目指す", "持続可能なまち※を目指す"),
                        encoding="utf-8")
    glossary = project / "content" / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "  - term: ウォーターフロント再開発計画\n"
                        "    reading: うぉーたーふろんと\n    definition: 使われない用語。\n", encoding="utf-8")
    result = run_cli(project, "check", "--no-layout")  # both are found when content is read
    assert "「…とができる持続可能なまち※」: ※印が本文に直接書かれています（この用語は用語解説（glossary.yaml）にありません）" in result.stderr
    assert "用語「ウォーターフロント再開発計画」: 冊子の本文に出てこないため" in result.stderr


def test_unresolved_citation_is_an_error_with_its_location(project: Path) -> None:
    path = project / "content" / "booklet" / "projects.yaml"
    source = path.read_text(encoding="utf-8").replace("- 基本施策29-2", "- 基本施策29-9", 1)
    path.write_text(source, encoding="utf-8")
    result = run_cli(project, "check")
    assert result.returncode == 1
    line = _line_of(source, "基本施策29-9")
    assert f"content/booklet/projects.yaml:{line}:13: 重点プロジェクト1: 基本施策29−9: 基本施策29（まちなかの活性化）の施策は3までです" in result.stderr


@pytest.mark.slow  # the whole booklet laid out in one pass; the report's print build runs in make test (test_parts)
def test_print_profile_has_bleed_and_right_hand_chapters(print_booklet: tuple[Path, object]) -> None:
    path, _ = print_booklet
    with pikepdf.open(path) as pdf:
        page = pdf.pages[1]
        bleed = [float(v) for v in page.BleedBox]
        trim = [float(v) for v in page.TrimBox]
        assert round(bleed[2] - trim[2] + trim[0] - bleed[0], 1) == pytest.approx(2 * 3 * 72 / 25.4, abs=0.2)
        assert sum(len(page.obj.get("/Annots", [])) for page in pdf.pages) == 0  # PDF/X: none inside the BleedBox
    pages = [squash(p) for p in pdf_pages(path)]
    for chapter in ("第6　人口の想定", "第7　SDGsについて", "第9　施策の体系", "用語解説"):
        first = next(i for i, text in enumerate(pages) if text.startswith(squash(chapter)) or squash(chapter) in text[:40])
        assert first % 2 == 0, (chapter, first + 1)  # 0-based even index: an odd, right-hand page


def test_an_optional_list_left_empty_means_none_and_a_slot_left_empty_prints_as_missing(project: Path) -> None:
    """A list with nothing after its colon (``management:``, as a typist empties one) was refused as
    no list; it means none, as ``[]`` does. The 将来展望の仮定 left so printed their heading over
    nothing: they print 未入力 and check lists them, as a policy page's empty slots."""
    booklet = project / "content" / "booklet"
    sdgs, population = booklet / "sdgs.yaml", booklet / "population.yaml"
    goals = sdgs.read_text(encoding="utf-8")
    assert goals.count("    management: [3]\n    policies: [3, 6, 7]\n") == 1
    sdgs.write_text(goals.replace("    management: [3]\n    policies: [3, 6, 7]\n", "    management:\n    policies: [3, 6, 7]\n"),
                    encoding="utf-8")
    projected = population.read_text(encoding="utf-8")
    projected = projected[:projected.index("assumptions:")] + "assumptions:\n"
    population.write_text(projected, encoding="utf-8")
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    assert f"content/booklet/population.yaml:{_line_of(projected, 'assumptions:')}:1: 警告: 第6 人口の想定: 将来展望の仮定が未入力です" \
        in check.stderr.splitlines()
    result = run_cli(project, "build", "booklet", "--format", "html")
    assert result.returncode == 0, result.stderr
    html = read_html(project / "output" / "booklet.html")
    chapter_6 = _section(html, "sec-chapter-6")
    assert re.search(r"将来展望の仮定</h3>\s*<p class=\"missing\">未入力</p>", chapter_6), chapter_6[chapter_6.index("将来展望の仮定"):][:300]
    goal_1 = _section(html, "sec-chapter-7").split("【貧困をなくそう】", 1)[1].split("</tr>", 1)[0]
    assert "基本施策　03，06，07" in goal_1 and "運営方針" not in goal_1


@pytest.mark.parametrize("written", ["terms:\n", "terms: []\n"])
def test_a_glossary_with_no_term_prints_missing_and_stops_a_final_build(project: Path, written: str) -> None:
    """No term (``terms:`` or ``terms: []``) printed the 用語解説 chapter as an empty table captioned
    「本文中の※印の用語（0語、五十音順）」. It is a slot to fill: 未入力 in the draft, listed by check,
    refused by --final, as a policy page's empty slots."""
    glossary = project / "content" / "glossary.yaml"
    source = glossary.read_text(encoding="utf-8")
    source = source[:source.index("terms:")] + written
    glossary.write_text(source, encoding="utf-8")
    column = 1 if written == "terms:\n" else 8  # nothing after the colon: the key; else the value
    gap = f"content/glossary.yaml:{_line_of(source, 'terms:')}:{column}: 用語解説: 用語が未入力です（冊子の用語解説に「未入力」と印刷します）"
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    assert gap.replace(": 用語解説", ": 警告: 用語解説", 1) in check.stderr.splitlines()
    final = run_cli(project, "build", "booklet", "--final", "--format", "pdf")
    assert final.returncode == 1 and gap in final.stderr.splitlines(), final.stderr
    result = run_cli(project, "build", "booklet", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    last = pdf_pages(project / "output" / "booklet.pdf")[-1]
    # The heading, 未入力 and nothing else but the running header and the page number: no table, no 0語.
    assert re.fullmatch(r"用語解説未入力用語解説－\d+－", squash(last)), last


def test_a_population_with_a_digit_typed_twice_or_lost_is_a_warning_at_its_year(project: Path) -> None:
    """1480810 for 148081 drew a spike and an axis made for it; 13299 for 132993 a dip. Each is named
    once, at its year, with the years beside it; their neighbours are not reported for being far from them."""
    path = project / "content" / "booklet" / "population.yaml"
    source = path.read_text(encoding="utf-8")
    for old, new in (("2040: 148081\n", "2040: 1480810\n"), ("2065: 127866\n", "2065: 12786\n")):
        assert source.count(old) == 1
        source = source.replace(old, new)
    path.write_text(source, encoding="utf-8")
    result = run_cli(project, "check", "--no-layout")
    assert result.returncode == 0
    assert [line for line in result.stderr.splitlines() if "桁の打ち間違い" in line] == [
        f"content/booklet/population.yaml:{_line_of(source, '2040: 1480810')}:13: 警告: 系列「H30社人研」: 2040年の値 1,480,810 が"
        "前後の年の値（2035年 155,211、2045年 140,445）の2倍を超えています（桁の打ち間違いではありませんか）",
        f"content/booklet/population.yaml:{_line_of(source, '2065: 12786')}:13: 警告: 系列「将来展望」: 2065年の値 12,786 が"
        "隣の年の値（2060年 133,338）の2分の1未満です（桁の打ち間違いではありませんか）",
    ]


def test_booklet_content_errors_name_file_line_and_item(project: Path) -> None:
    booklet = project / "content" / "booklet"
    edits = {
        "sdgs.yaml": ("    policies: [27, 31, 32]", "    policies: [27, 31, 32, 41]"),
        "period.yaml": ("    end: 2027", "    end: 2030"),
        "projects.yaml": ("values: [4577, 3267, 436, 297, 562, 15, 203]", "values: [4577, 3267, 436]"),
    }
    for name, (old, new) in edits.items():
        path = booklet / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = run_cli(project, "check")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "警告" not in line]
    sdgs = (booklet / "sdgs.yaml").read_text(encoding="utf-8")
    projects = (booklet / "projects.yaml").read_text(encoding="utf-8")
    assert errors == [
        "content/booklet/period.yaml:14:5: 基本構想: 2018〜2030年度が図の範囲（2018〜2027年度）に収まりません",
        f"content/booklet/projects.yaml:{_line_of(projects, 'values: [4577, 3267, 436]')}:17: 重点プロジェクト2: "
        "目安となる主な数値: 項目が7個、値が3個です（同じ数にしてください）",
        f"content/booklet/sdgs.yaml:{_line_of(sdgs, '[27, 31, 32, 41]')}:15: SDGsゴール6: 基本施策41は施策の体系にありません",
    ]


def _words_on_page(pdf: Path, page: int) -> dict[str, list[float]]:
    """Each word pdftotext reads on a page with its centre's x (words printed twice: the last)."""
    out = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return {word: [float(left), float(right)] for left, right, word in
            re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', out)}


def test_the_period_chart_draws_a_plan_over_the_years_city_yaml_holds_for_it(project: Path) -> None:
    """period.yaml's bars name the plans (plan: 6): their years are city.yaml's, held once. The 6th
    plan's start moved to 2019 in city.yaml moves its bar: its label is centred under 2019–2022."""
    city = project / "content" / "city.yaml"
    source = city.read_text(encoding="utf-8")
    assert source.count("    start: 2018\n") == 1
    city.write_text(source.replace("    start: 2018\n", "    start: 2019\n"), encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    pdf = project / "output" / "booklet.pdf"
    page = next(number for number, text in enumerate(pdf_pages(pdf), 1) if "計画の期間" in text and "Ｈ30" in text)
    words = _words_on_page(pdf, page)
    centre = {word: (left + right) / 2 for word, (left, right) in words.items()}
    spanned = (centre["2019"] + centre["2022"]) / 2
    assert abs(centre["第6次基本計画"] - spanned) < 1, (centre["第6次基本計画"], spanned)
    assert abs(centre["第7次基本計画"] - (centre["2023"] + centre["2027"]) / 2) < 1


def test_word_contents_is_filled_and_pictures_have_alt_text(built: Path) -> None:
    xml = docx_part(built / "output" / "booklet.docx")
    codes = _tree_codes(built)
    projects = _yaml(built / "content" / "booklet" / "projects.yaml")["projects"]
    links = re.findall(r'<w:hyperlink w:anchor="([^"]+)"', xml)
    assert len(links) == len(CHAPTERS) - 1 + len(projects) + len(codes)
    bookmarks = set(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"', xml))
    assert set(links) <= bookmarks
    # LibreOffice is installed here: the entries carry its page numbers, so Word need not update on opening.
    assert 'TOC \\o "1-2"' in xml and "w:updateFields" not in docx_part(built / "output" / "booklet.docx", "word/settings.xml")
    assert len(re.findall(r"<w:tab/><w:t>\d+</w:t></w:r></w:hyperlink>", xml)) == len(links)
    pictures = re.findall(r"<wp:docPr [^>]*>", xml)
    assert pictures and all('descr="' in picture for picture in pictures)
    # A Word section (with its own running header) per PDF section: the cover, each chapter
    # (第1–第5 share one, 施策ごとの計画 opens with the first policy page), each project, each policy.
    assert xml.count("<w:sectPr") == 1 + (len(CHAPTERS) - 4) + len(projects) + len(codes) - 1


def _outline_levels(styles: etree._Element) -> dict[str, int]:
    """Each paragraph style's outline level (0 = level 1) through its basedOn chain; 9 is body text."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    found = {style.get(f"{w}styleId"): style for style in styles.iter(f"{w}style")}

    def level(style_id: str | None, depth: int = 0) -> int:
        style = found.get(style_id)
        if style is None or depth > 20:
            return 9
        own = style.find(f"{w}pPr/{w}outlineLvl")
        if own is not None:
            return int(own.get(f"{w}val"))
        based = style.find(f"{w}basedOn")
        return level(None if based is None else based.get(f"{w}val"), depth + 1)

    return {style_id: level(style_id) for style_id in found}


def test_updating_the_word_contents_gives_the_entries_it_holds(built: Path) -> None:
    """The TOC field (\\o "1-2") gathers every paragraph of outline level 1–2: Word's or
    LibreOffice's update of the contents must list what the filled field lists, no more (the
    contents' own title 目次 as a Heading 1 came in as its first entry)."""
    path = built / "output" / "booklet.docx"
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    levels = _outline_levels(etree.fromstring(docx_part(path, "word/styles.xml").encode("utf-8")))
    body = etree.fromstring(docx_part(path).encode("utf-8")).find(f"{w}body")
    entries, gathered = [], []
    for paragraph in body.iter(f"{w}p"):
        style = paragraph.find(f"{w}pPr/{w}pStyle")
        style_id = None if style is None else style.get(f"{w}val")
        # An entry's page number is a run of its own, after a tab.
        text = "".join(t.text or "" for t in paragraph.iter(f"{w}t") if t.getparent().find(f"{w}tab") is None)
        if style_id in ("TOC1", "TOC2"):
            entries.append(text)
        own = paragraph.find(f"{w}pPr/{w}outlineLvl")
        level = int(own.get(f"{w}val")) if own is not None else levels.get(style_id or "Normal", 9)
        if level <= 1:
            gathered.append(text)
    assert "目次" in body.xpath("string(.)")
    assert entries and gathered == entries


def test_running_headers_spell_headings_as_the_headings_do(built: Path, booklet_pdf: Path) -> None:
    """Each page's header names its chapter, project or policy exactly as its heading prints it."""
    from planpress.build import load
    from planpress.document import Heading
    from planpress.documents import available
    from planpress.project import Project

    content, _ = load(Project(built))
    document = next(spec for spec in available(content) if spec.name == "booklet").make()
    headings = {squash(block.text) for section in document.sections for block in section.blocks if isinstance(block, Heading)}
    headers = subprocess.run(["pdftotext", "-x", "0", "-y", "0", "-W", "596", "-H", "50", str(booklet_pdf), "-"],
                             capture_output=True, text=True, check=True).stdout.split("\f")
    shown = {squash(header) for header in headers if header.strip()}
    assert len(shown) > 20
    for header in shown:
        if header.startswith("施策ごとの計画") and header != "施策ごとの計画":
            assert header.removeprefix("施策ごとの計画") in headings, header  # the chapter, then the policy's heading
        elif header.startswith("第1～第5"):
            titles = header.removeprefix("第1～第5").split("・")
            assert all(any(heading.endswith(title) for heading in headings) for title in titles), header
        else:
            assert header in headings, header
    projects = sorted(header for header in shown if header.startswith("重点プロジェクト"))
    assert [header[:9] for header in projects] == ["重点プロジェクト1", "重点プロジェクト2", "重点プロジェクト3"]


def _with_official_icon(project: Path) -> None:
    """Goal 1 given an image file."""
    from PIL import Image

    icons = project / "content" / "booklet" / "sdgs"
    icons.mkdir()
    Image.new("RGB", (240, 240), "#E5243B").save(icons / "goal-01.png")
    path = project / "content" / "booklet" / "sdgs.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace('    color: "#E5243B"\n', '    color: "#E5243B"\n    image: booklet/sdgs/goal-01.png\n', 1),
                    encoding="utf-8")


@pytest.mark.slow  # the booklet's Word file alone takes about 12 s
def test_sdg_goal_with_the_official_icon_builds_in_word(project: Path) -> None:
    _with_official_icon(project)
    result = run_cli(project, "build", "booklet", "--format", "docx")
    assert result.returncode == 0, result.stderr


def test_sdg_goal_uses_the_official_icon_when_given(project: Path) -> None:
    """A goal with an image prints that image; the others print stand-ins, which check reports."""
    _with_official_icon(project)
    check = run_cli(project, "check", "--no-layout")
    stand_ins = [line for line in check.stderr.splitlines() if "仮のアイコン（色・番号・名称）を印刷します" in line]
    assert len(stand_ins) == 16 and not any("SDGsゴール1:" in line for line in stand_ins)
    assert stand_ins[0].startswith("content/booklet/sdgs.yaml:") and "SDGsゴール2:" in stand_ins[0]
    result = run_cli(project, "build", "booklet", "--format", "pdf")  # Word: the slow test above
    assert result.returncode == 0, result.stderr
    with pikepdf.open(project / "output" / "booklet.pdf") as pdf:
        pages = [squash(page) for page in pdf_pages(project / "output" / "booklet.pdf")]
        table = next(i for i, page in enumerate(pages) if "【貧困をなくそう】" in page)

        def images(obj: pikepdf.Object) -> int:
            found = 0
            for xobject in obj.get("/Resources", {}).get("/XObject", {}).values():
                found += xobject.Subtype == "/Image" or images(xobject)
            return found

        assert images(pdf.pages[table].obj) >= 1  # the icon file, drawn from the SVG's <image>
    final = run_cli(project, "build", "booklet", "--final", "--format", "html")
    assert final.returncode == 1 and "SDGsゴール2: 公式アイコンの画像（image）がないため" in final.stderr


def test_goals_table_leaves_no_mostly_empty_page(built: Path, booklet_pdf: Path) -> None:
    """The 17 icon rows of 第7 fill their pages: the last holds a good share of them, not a spill of two."""
    goals = _yaml(built / "content" / "booklet" / "sdgs.yaml")["goals"]
    pages = [squash(page) for page in pdf_pages(booklet_pdf)]
    holding = [sum(squash(f"【{goal['title']}】") in page for goal in goals) for page in pages]
    used = [count for count in holding if count]
    assert sum(used) == len(goals)
    assert used[-1] >= len(goals) // 3, used


def _photo_sizes_in_word(project: Path, name: str, suffixes: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".gif")) -> list[tuple[int, int]]:
    """Give 重点プロジェクト1's kitchen-car photo the file content/booklet/photos/NAME, build the
    booklet's Word file and HTML, and read the pixel sizes of the Word file's pictures."""
    import io
    import zipfile

    from PIL import Image

    path = project / "content" / "booklet" / "projects.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "キラキラ公園で行われたキッチンカーイベント\n        image: null",
        f"キラキラ公園で行われたキッチンカーイベント\n        image: booklet/photos/{name}", 1), encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "docx", "--format", "html")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(project / "output" / "booklet.docx") as package:
        media = [name for name in package.namelist() if name.startswith("word/media/") and name.endswith(suffixes)]
        return [Image.open(io.BytesIO(package.read(name))).size for name in media]


def test_huge_photo_is_embedded_at_print_size(project: Path) -> None:
    """A 6000-pixel photo is scaled down for the documents; the file in content/ stays as it is."""
    from PIL import Image

    from planpress.images import PRINT_SIDE

    photos = project / "content" / "booklet" / "photos"
    photos.mkdir(parents=True)
    Image.new("RGB", (6000, 4000), "#3366AA").save(photos / "kitchen-car.png")
    original = (photos / "kitchen-car.png").read_bytes()
    sizes = _photo_sizes_in_word(project, "kitchen-car.png")
    assert (PRINT_SIDE, PRINT_SIDE * 2 // 3) in sizes and (6000, 4000) not in sizes  # the photo, scaled
    html = read_html(project / "output" / "booklet.html")
    assert 'src="data:image/png;base64,' in _section(html, "sec-project-1")
    assert (photos / "kitchen-car.png").read_bytes() == original


@pytest.mark.parametrize(("stored", "upright"), [((4032, 3024), (1800, 2400)), ((1600, 1200), (1200, 1600))])
def test_a_phone_photo_turned_by_its_exif_orientation_is_upright_in_every_document(
    project: Path, stored: tuple[int, int], upright: tuple[int, int],
) -> None:
    """A phone keeps a portrait photo's pixels sideways with EXIF orientation 6: the copy scaled to
    print size keeps no EXIF, and Word and LibreOffice show a file's pixels as stored, so the
    documents embed the pixels turned upright (WeasyPrint turned the file itself)."""
    import base64
    import io

    from PIL import Image

    photos = project / "content" / "booklet" / "photos"
    photos.mkdir(parents=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    Image.new("RGB", stored, "#3366AA").save(photos / "kitchen-car.jpg", exif=exif.tobytes())
    assert _photo_sizes_in_word(project, "kitchen-car.jpg", (".jpg", ".jpeg")) == [upright]
    html = _section(read_html(project / "output" / "booklet.html"), "sec-project-1")
    (data,) = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', html)
    assert Image.open(io.BytesIO(base64.b64decode(data))).size == upright


def test_a_cmyk_photo_of_a_print_workflow_is_shown_in_srgb_in_every_document(project: Path) -> None:
    """A CMYK JPEG opens with Adobe's segment, not JFIF or Exif: python-docx refused it and the Word
    build stopped with a traceback, and the PDF embedded it as DeviceCMYK, which PDF/A's sRGB output
    intent does not allow. The documents embed an sRGB copy, its colours as the photo's."""
    from PIL import Image

    def cmyk(path: Path) -> None:
        Image.new("RGB", (800, 600), (230, 40, 40)).convert("CMYK").save(path, quality=95)
        assert path.read_bytes()[6:10] not in (b"JFIF", b"Exif")

    photo, in_pdf = _kitchen_car_photo_shown(project, cmyk)
    assert photo.mode == "RGB" and photo.size == (800, 600)
    assert all(abs(a - b) <= 12 for a, b in zip(photo.getpixel((400, 300)), (230, 40, 40))), photo.getpixel((400, 300))
    assert [space for space, _ in in_pdf] == ["/DeviceRGB"]


def _kitchen_car_photo_shown(project: Path, save) -> tuple[object, list[tuple[str, tuple]]]:  # noqa: ANN001 - save(path)
    """The キッチンカー example's photo made by ``save(path)`` and the booklet built in Word and PDF:
    the photo as the Word file holds it, and each of the PDF's 800-pixel pictures as (colour space,
    its middle pixel)."""
    import io
    import zipfile

    from PIL import Image

    photos = project / "content" / "booklet" / "photos"
    photos.mkdir(parents=True)
    save(photos / "kitchen-car.jpg")
    path = project / "content" / "booklet" / "projects.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "キラキラ公園で行われたキッチンカーイベント\n        image: null",
        "キラキラ公園で行われたキッチンカーイベント\n        image: booklet/photos/kitchen-car.jpg", 1), encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "docx", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(project / "output" / "booklet.docx") as package:
        [name] = [name for name in package.namelist() if name.startswith("word/media/") and name.endswith((".jpg", ".jpeg"))]
        photo = Image.open(io.BytesIO(package.read(name)))
        photo.load()
    with pikepdf.open(project / "output" / "booklet.pdf") as pdf:
        in_pdf = [(str(o.get("/ColorSpace")), pikepdf.PdfImage(o).as_pil_image().getpixel((400, 300))) for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image and o.get("/Width") == 800]
    return photo, in_pdf


def test_an_adobe_rgb_photo_is_shown_in_its_colours_in_every_document(project: Path, tmp_path: Path) -> None:
    """A camera's Adobe RGB JPEG: WeasyPrint 70 embedded its pixels as DeviceRGB without its ICC
    profile, so its greens printed pale ((60, 160, 60) in Adobe RGB is (0, 161, 48) in sRGB). Both
    documents embed an sRGB copy; a photo whose profile is sRGB is embedded as it is."""
    from PIL import Image, ImageCms

    from planpress import images

    adobe = Path("/usr/share/color/icc/ghostscript/a98.icc").read_bytes()  # libgs-common (make build)
    photo, [(_, in_pdf)] = _kitchen_car_photo_shown(
        project, lambda path: Image.new("RGB", (800, 600), (60, 160, 60)).save(path, quality=95, icc_profile=adobe))
    for shown in (photo.getpixel((400, 300)), in_pdf):
        assert all(abs(a - b) <= 6 for a, b in zip(shown, (0, 161, 48))), shown
    plain = tmp_path / "srgb.jpg"  # an sRGB profile, as most cameras and phones write: not copied
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (800, 600), (60, 160, 60)).save(plain, quality=95, icc_profile=srgb)
    assert images.for_documents(plain) == plain.read_bytes()


def test_a_16_bit_grey_photo_prints_its_greys(project: Path) -> None:
    """A scanner's 16-bit grey PNG: WeasyPrint 70 wrote its samples as 8-bit RGB and the photo
    printed as a black box. The PDF embeds an 8-bit grey copy, its grey as the photo's."""
    from PIL import Image

    photos = project / "content" / "booklet" / "photos"
    photos.mkdir(parents=True)
    Image.new("I;16", (400, 300), 40000).save(photos / "scan.png")  # 40000 / 65535: a light grey
    path = project / "content" / "booklet" / "projects.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "キラキラ公園で行われたキッチンカーイベント\n        image: null",
        "キラキラ公園で行われたキッチンカーイベント\n        image: booklet/photos/scan.png", 1), encoding="utf-8")
    result = run_cli(project, "build", "booklet", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with pikepdf.open(project / "output" / "booklet.pdf") as pdf:
        [photo] = [pikepdf.PdfImage(o).as_pil_image() for o in pdf.objects
                   if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image and o.get("/Width") == 400]
    assert abs(photo.convert("L").getpixel((200, 150)) - 40000 // 257) <= 2


def test_a_tall_and_a_wide_photo_are_shown_whole_in_their_frames_in_the_pdf_and_in_word(project: Path, tmp_path: Path) -> None:
    """A photo was cut to its 53 × 36 mm frame in the PDF (object-fit: cover): a department's tower
    lost its top and bottom, a panorama its ends, without a word. Each is shown whole, as large as
    fits in the frame (the rest of it a light mat), in its own proportions, centred, so the photos
    of a row and their captions stay in line; Word fits each in the same frame (the tower was 106 mm
    high there, and a taller photo would pass the page's foot, where Word cuts it off)."""
    from PIL import Image

    register_banded_photos(project)
    result = run_cli(project, "build", "booklet", "--format", "pdf", "--format", "docx")
    assert result.returncode == 0, result.stderr
    pdf = project / "output" / "booklet.pdf"
    [number] = [n for n, text in enumerate(pdf_pages(pdf), 1) if BANDED_PHOTOS[0][0] in squash(text)]
    dpi = 200
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(number), "-l", str(number), "-singlefile", pdf,
                    tmp_path / "page"], check=True)
    with Image.open(tmp_path / "page.png") as image:
        page = image.convert("RGB")
    in_pdf = {}
    for _, name, (width, height), (start, end) in BANDED_PHOTOS:
        first, last = colour_box(page, start), colour_box(page, end)
        assert first is not None and last is not None, (name, first, last)  # both ends of the photo are on the page
        box = (first[0], first[1], last[2], last[3])
        band = (first[3] - first[1], last[3] - last[1]) if height > width else (first[2] - first[0], last[2] - last[0])
        along = box[3] - box[1] if height > width else box[2] - box[0]
        assert all(abs(b - along / 10) <= 2 for b in band), (name, band, along)  # each end band whole: a tenth
        in_pdf[name] = ((box[2] - box[0]) * 25.4 / dpi, (box[3] - box[1]) * 25.4 / dpi, (box[1] + box[3]) / 2)
    for _, name, (width, height), _ in BANDED_PHOTOS:
        shown_width, shown_height, _ = in_pdf[name]
        assert abs(shown_width / shown_height - width / height) < 0.03, (name, in_pdf[name])  # not stretched
        assert max(shown_width / 53, shown_height / 36) == pytest.approx(1, abs=0.02), (name, in_pdf[name])  # fills the frame's width or height
    assert abs(in_pdf["tower.jpg"][2] - in_pdf["panorama.jpg"][2]) <= 2  # centred in frames of one row
    with pikepdf.open(pdf) as document:  # PDF/UA: a figure's text alternative, the caption (the web edition's alt is "")
        alts = {str(o.Alt) for o in document.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == "/Figure" and "/Alt" in o}
    assert {caption for caption, *_ in BANDED_PHOTOS} <= alts, alts
    words = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-bbox", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    tops = {m.group(2): float(m.group(1)) for m in re.finditer(r'<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]+)</word>', words)}
    assert tops[BANDED_PHOTOS[0][0]] == tops["TOMAKOMAI"]  # the captions on one line
    docx = project / "output" / "booklet.docx"
    rels = docx_part(docx, "word/_rels/document.xml.rels")
    targets = {a or b: c or d for a, c, d, b in re.findall(
        r'<Relationship (?:Id="(rId\d+)" [^>]*Target="([^"]+)"|[^>]*Target="([^"]+)"[^>]*Id="(rId\d+)")', rels)}
    in_word = [(int(cx) / 36000, int(cy) / 36000) for cx, cy, rid in re.findall(
        r'<wp:extent cx="(\d+)" cy="(\d+)"/>.*?<a:blip r:embed="(rId\d+)"', docx_part(docx)) if targets[rid].endswith(".jpg")]
    assert len(in_word) == 2
    for shown_width, shown_height in in_word:
        name = "tower.jpg" if shown_height > shown_width else "panorama.jpg"
        assert shown_width == pytest.approx(in_pdf[name][0], abs=0.6) and shown_height == pytest.approx(in_pdf[name][1], abs=0.6), (
            name, (shown_width, shown_height), in_pdf[name])


def test_word_diagrams_are_svg_with_a_300_dpi_png_fallback(built: Path) -> None:
    """Every drawing without photos is the PDF's SVG in Word; the PNG beside it is ≥ 300 dpi and fits the text block."""
    import io
    import zipfile

    from PIL import Image

    docx = built / "output" / "booklet.docx"
    xml = docx_part(docx)
    rels = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', docx_part(docx, "word/_rels/document.xml.rels")))
    rels.update((k, v) for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"',
                                               docx_part(docx, "word/_rels/document.xml.rels")))
    pictures = re.findall(r'<a:blip r:embed="(rId\d+)"><a:extLst><a:ext uri="[^"]+">'
                          r'<asvg:svgBlip [^>]*r:embed="(rId\d+)"/>.*?<a:ext cx="(\d+)"', xml)
    assert len(pictures) >= 10
    with zipfile.ZipFile(docx) as package:
        for png, svg, width in pictures:
            assert rels[png].endswith(".png") and rels[svg].endswith(".svg")
            drawing = package.read("word/" + rels[svg]).decode("utf-8")
            assert drawing.startswith("<svg") and "viewBox" in drawing
            inches = int(width) / 914400
            assert inches * 25.4 <= 170.1, rels[png]
            assert Image.open(io.BytesIO(package.read("word/" + rels[png]))).width / inches >= 295, rels[png]


def test_a_photo_scaled_for_print_keeps_a_print_quality(tmp_path: Path) -> None:
    """A phone's 4032-pixel JPEG scaled to print size is saved again: at a quality for print, not
    Pillow's default 75 (its quantisation, the coarseness of each 8×8 block, read back from the copy)."""
    import io

    from PIL import Image

    from planpress.images import scaled

    Image.effect_noise((4032, 3024), 40).convert("RGB").save(tmp_path / "photo.jpg", quality=95)
    data, mime = scaled(tmp_path / "photo.jpg")
    assert mime == "image/jpeg"

    def coarseness(quality: int | None = None) -> int:
        if quality is None:
            image = Image.open(io.BytesIO(data))
        else:
            reference = io.BytesIO()
            Image.new("RGB", (8, 8)).save(reference, format="JPEG", quality=quality)
            image = Image.open(reference)
        return sum(image.quantization[0])  # the luminance table: smaller is finer

    assert coarseness() <= coarseness(90) < coarseness(75)
