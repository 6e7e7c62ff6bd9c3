"""The yearly cycle end to end: evaluation new → sheets → filled as Word stores it → collect → build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from lxml import etree

from conftest import copy_project, docx_part, issue_year, libreoffice_pdf, pdf_pages, run_cli, squash
from sheetfill import NS, fill_all, libreoffice_resave, sheet_codes

DEPARTMENTS = ("総合政策部", "総務部", "財政部", "市民生活部", "福祉部", "健康こども部", "環境衛生部",
               "産業経済部", "都市建設部", "上下水道部", "消防本部", "教育部")
SUMMARY = "全48項目のうち、A評価が14項目（29.2％）、B評価が24項目（50.0％）、C評価が8項目（16.7％）、D評価が2項目（4.2％）"


def content_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "content").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with FY2023 created and its sheets written (copy before changing)."""
    root = copy_project(tmp_path_factory.mktemp("issued") / "project")
    issue_year(root)
    return root


@pytest.fixture
def cycle(issued: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(issued, root)
    return root


def sheet(root: Path, department: str) -> Path:
    return root / "output" / "sheets" / "2023" / f"{department}.docx"


def test_new_lists_every_item_empty_and_refuses_to_overwrite(cycle: Path) -> None:
    path = cycle / "content" / "evaluations" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 第7次基本計画の施策評価（令和5年度までの取組）")
    assert text.count("  - kind: 運営方針\n") == 8 and text.count("  - kind: 基本施策\n") == 40
    assert text.count("    grade: ''\n    commentary: ''\n") == 48
    assert "    number: 17\n    name: 港湾整備とポートセールスの推進\n" in text
    again = run_cli(cycle, "evaluation", "new", "2023")
    assert again.returncode == 1
    assert again.stderr == "content/evaluations/2023.yaml: すでにあります（上書きはしません）\n"
    assert path.read_text(encoding="utf-8") == text
    outside = run_cli(cycle, "evaluation", "new", "2030")
    assert outside.returncode == 1
    assert "2030年度を計画期間に含む基本計画がありません" in outside.stderr


def test_new_prints_the_path(project: Path) -> None:
    result = run_cli(project, "evaluation", "new", "2025")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/evaluations/2025.yaml\n"
    assert run_cli(project, "check", "--no-layout").returncode == 0  # the new file loads; it lays nothing out


def test_build_skips_an_incomplete_year_and_says_why(cycle: Path) -> None:
    result = run_cli(cycle, "build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert ("content/evaluations/2023.yaml: 令和5年度（2023年度）の評価は全48項目のうち48項目が未記入のため、"
            "evaluation-2023 は作成しません（最初の未記入: 運営方針01）") in result.stderr
    assert sorted(p.name for p in (cycle / "output").glob("evaluation-*")) == ["evaluation-2021.html"]
    asked = run_cli(cycle, "build", "evaluation-2023")
    assert asked.returncode == 1 and "48項目が未記入" in asked.stderr


def test_one_sheet_per_department_with_its_items_and_fields(issued: Path) -> None:
    assert sorted(p.stem for p in (issued / "output" / "sheets" / "2023").glob("*.docx")) == sorted(DEPARTMENTS)
    assert sheet_codes(sheet(issued, "総務部")) == ["M04", "M05", "P36"]
    root = etree.fromstring(docx_part(sheet(issued, "総務部")).encode("utf-8"))
    text = "".join(root.xpath("//w:t/text()", namespaces=NS))
    for expected in ("施策評価シート", "令和5年度（2023年度）", "総務部", "記入のしかた", "運営方針05　行政組織の活性化",
                     "1　組織・職員数の適正化", "評価の解説（400文字以内）"):
        assert expected in text
    assert "前年度の評価" not in text  # FY2022 belongs to the 6th plan: nothing to compare
    grade = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='pp_M05_grade']", namespaces=NS)[0]
    assert grade.xpath("w:sdtPr/w:dropDownList/w:listItem/@w:value", namespaces=NS) == ["A", "B", "C", "D"]
    assert grade.xpath("w:sdtPr/w:lock/@w:val", namespaces=NS) == ["sdtLocked"]
    assert grade.xpath("w:sdtPr/w:showingPlcHdr", namespaces=NS)
    # The field's name is also a bookmark in the label cell beside it (LibreOffice drops tags).
    label = root.xpath("//w:tc[.//w:bookmarkStart/@w:name='pp_M05_grade']", namespaces=NS)[0]
    assert label.getnext().xpath(".//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS) == ["pp_M05_grade"]
    assert '<w:documentProtection w:edit="forms" w:enforcement="1"/>' in docx_part(sheet(issued, "総務部"), "word/settings.xml")


def test_sheet_uses_only_named_styles_of_the_reference(issued: Path) -> None:
    document = docx_part(sheet(issued, "産業経済部"))
    styles = docx_part(sheet(issued, "産業経済部"), "word/styles.xml")
    used = set(etree.fromstring(document.encode("utf-8")).xpath("//w:pStyle/@w:val | //w:rStyle/@w:val | //w:tblStyle/@w:val", namespaces=NS))
    assert used >= {"Title", "Instruction", "SheetLabel", "SheetChoice", "SheetField", "PlaceholderText", "SheetTable"}
    for style in used:
        assert f'w:styleId="{style}"' in styles
    assert "<w:b/>" not in document and "<w:color " not in document


def test_sheet_reads_well_in_libreoffice(issued: Path, tmp_path: Path) -> None:
    pages = pdf_pages(libreoffice_pdf(sheet(issued, "財政部"), tmp_path))
    assert len(pages) == 1
    text = squash(pages[0])
    assert "担当部署財政部" in text and "運営方針07健全な財政運営と財政基盤の強化" in text
    assert "ここをクリックしてA〜Dから選択" in text and "ここをクリックして評価の解説を入力" in text


def test_whole_cycle_to_the_council_report(cycle: Path, tmp_path: Path) -> None:
    returned = tmp_path / "returned"
    returned.mkdir()
    for department in DEPARTMENTS:
        fill_all(sheet(cycle, department), returned / f"{department}.docx")
    result = run_cli(cycle, "collect", "2023", *sorted(str(p) for p in returned.glob("*.docx")))
    assert result.returncode == 0, result.stderr
    assert "content/evaluations/2023.yaml: 48項目を更新しました。全項目がそろいました" in result.stderr
    assert "content/evaluations/2023.yaml:228:5: 基本施策36（防災体制の充実）: 変更（" in result.stdout
    assert "  評価: （未記入） → C\n  評価の解説: （未記入） → 「P36の取組は計画どおり進み、成果が得られた。」" in result.stdout
    text = (cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 第7次基本計画の施策評価（令和5年度までの取組）。")
    assert "    name: 苫東開発の推進\n    grade: B\n    commentary: P18の取組は計画どおり進み、成果が得られた。\n" in text

    built = run_cli(cycle, "build", "evaluation-2023")
    assert built.returncode == 0, built.stderr
    pages = pdf_pages(cycle / "output" / "evaluation-2023.pdf")
    whole = squash("".join(pages))
    assert f"{SUMMARY}という結果となりました。" in whole
    assert "A評価14項目（29.2％）B評価24項目（50.0％）C評価8項目（16.7％）D評価2項目（4.2％）" in whole  # the chart
    assert "令和5年度は第7次基本計画の初年度で、比較できる前年度の評価がないため" in whole
    assert "基本施策40消費生活の安定DP40の取組は計画どおり進み、成果が得られた。" in whole
    layout = pdf_pages(cycle / "output" / "evaluation-2023.pdf", "-layout")[0]
    rows = [line.split() for line in layout.splitlines() if line.strip()[:3] in {"A評価", "B評価", "C評価", "D評価"}]
    assert rows[1] == ["B評価", "4項目", "20項目", "24項目", "50.0％"]  # the counts table
    assert rows[5] == ["B評価", "24項目（50.0％）"]  # the chart's label and figure
    word = docx_part(cycle / "output" / "evaluation-2023.docx")
    assert word.count('w:val="BarB"') == 1 and word.count('w:val="BarD"') == 1
    # Word's native drawing of the chart: B's bar spans half of the 50 steps of the track.
    assert '<w:gridSpan w:val="25"/>' in word


def test_a_sheet_resaved_by_libreoffice_still_merges(cycle: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled" / "総務部.docx"
    filled.parent.mkdir()
    fill_all(sheet(cycle, "総務部"), filled)
    resaved = libreoffice_resave(filled, tmp_path / "resaved")
    # What the sheet's design rests on: LibreOffice drops the controls' tags and keeps the bookmarks.
    assert "<w:tag " not in docx_part(resaved)
    assert 'w:name="pp_M05_grade"' in docx_part(resaved)
    result = run_cli(cycle, "collect", "2023", str(resaved))
    assert result.returncode == 0, result.stderr
    text = (cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8")
    assert "    name: 行政組織の活性化\n    grade: B\n    commentary: M05の取組は計画どおり進み、成果が得られた。\n" in text
    assert "未記入は残り45項目です" in result.stderr


def test_dry_run_shows_the_diff_and_writes_nothing(cycle: Path, tmp_path: Path) -> None:
    fill_all(sheet(cycle, "財政部"), tmp_path / "財政部.docx")
    before = content_bytes(cycle)
    result = run_cli(cycle, "collect", "2023", "--dry-run", str(tmp_path / "財政部.docx"))
    assert result.returncode == 0, result.stderr
    assert "運営方針07（健全な財政運営と財政基盤の強化）: 変更" in result.stdout
    assert "--dry-run のため書き込みませんでした（変更される項目: 1項目）" in result.stderr
    assert content_bytes(cycle) == before


def test_collect_again_reports_no_change(cycle: Path, tmp_path: Path) -> None:
    fill_all(sheet(cycle, "財政部"), tmp_path / "財政部.docx")
    assert run_cli(cycle, "collect", "2023", str(tmp_path / "財政部.docx")).returncode == 0
    before = content_bytes(cycle)
    again = run_cli(cycle, "collect", "2023", str(tmp_path / "財政部.docx"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.endswith("運営方針07（健全な財政運営と財政基盤の強化）: 変更なし\n")
    assert content_bytes(cycle) == before


def test_collect_keeps_the_line_ends_and_byte_order_mark_of_the_year_file(cycle: Path, tmp_path: Path) -> None:
    """A year file saved by a Windows editor (CRLF, a UTF-8 byte order mark): collect changed its
    values and wrote every other line anew, with LF and without the mark (a whole-file change)."""
    import codecs

    path = cycle / "content" / "evaluations" / "2023.yaml"
    windows = codecs.BOM_UTF8 + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(windows)
    fill_all(sheet(cycle, "財政部"), tmp_path / "財政部.docx")
    result = run_cli(cycle, "collect", "2023", str(tmp_path / "財政部.docx"))
    assert result.returncode == 0, result.stderr
    written = path.read_bytes()
    assert written.startswith(codecs.BOM_UTF8) and b"\r\n" in written and b"\n" not in written.replace(b"\r\n", b"")
    changed = [(a, b) for a, b in zip(windows.split(b"\r\n"), written.split(b"\r\n")) if a != b]
    assert len(windows.split(b"\r\n")) == len(written.split(b"\r\n"))
    assert changed and all(a.strip().startswith((b"grade:", b"commentary:")) for a, _ in changed), changed


def test_a_sheet_made_again_after_a_collect_shows_what_was_taken_in(cycle: Path, tmp_path: Path) -> None:
    """Sheets made again (a department lost its file, or was given an item) were blank: the
    department typed everything again. They hold the year file's grades and commentaries; an item
    not yet filled shows its prompt; the sheet returned as it is changes nothing."""
    from planpress.cycle.readsheet import read_sheet

    two = "港湾機能の強化に取り組んだ。\n次年度は物流の効率化を進める。"
    fill_all(sheet(cycle, "財政部"), tmp_path / "財政部.docx", commentary={"M07": two})
    assert run_cli(cycle, "collect", "2023", str(tmp_path / "財政部.docx")).returncode == 0
    collected = read_sheet(tmp_path / "財政部.docx").fields
    result = run_cli(cycle, "sheets", "2023")
    assert result.returncode == 0, result.stderr
    again = read_sheet(sheet(cycle, "財政部")).fields
    assert {key: value.text for key, value in again.items()} == {key: value.text for key, value in collected.items()}
    assert again[("運営方針", 7, "commentary")].text == two
    assert all(value.text == "" for value in read_sheet(sheet(cycle, "総務部")).fields.values())
    text = squash("".join(pdf_pages(libreoffice_pdf(sheet(cycle, "財政部"), tmp_path))))
    assert "港湾機能の強化に取り組んだ。次年度は物流の効率化を進める。" in text and "記入済みの欄は、すでに取り込んだ内容です" in text
    assert "ここをクリックして評価の解説を入力" not in text
    before = content_bytes(cycle)
    unchanged = run_cli(cycle, "collect", "2023", str(sheet(cycle, "財政部")))
    assert unchanged.returncode == 0, unchanged.stderr
    assert "変更なし" in unchanged.stdout and content_bytes(cycle) == before


def test_cycle_commands_have_japanese_help(project: Path) -> None:
    for command, words in (("collect", "--dry-run"), ("sheets", "部署ごと"), ("evaluation", "new")):
        result = run_cli(project, command, "--help")
        assert result.returncode == 0
        assert result.stdout.startswith(f"使い方: planpress {command} ")  # once, not 使い方: 使い方:
        assert words in result.stdout


def test_a_commentary_of_two_paragraphs_stays_two_paragraphs(cycle: Path, tmp_path: Path) -> None:
    """Typed in the sheet as two paragraphs: two lines in the YAML, two paragraphs in PDF and Word."""
    two = "港湾機能の強化に取り組んだ。\n次年度は物流の効率化を進める。"
    returned = tmp_path / "returned"
    returned.mkdir()
    for department in DEPARTMENTS:
        fill_all(sheet(cycle, department), returned / f"{department}.docx", commentary={"P17": two})
    result = run_cli(cycle, "collect", "2023", *sorted(str(p) for p in returned.glob("*.docx")))
    assert result.returncode == 0, result.stderr
    text = (cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8")
    assert "    commentary: |-\n      港湾機能の強化に取り組んだ。\n      次年度は物流の効率化を進める。\n" in text
    built = run_cli(cycle, "build", "evaluation-2023", "--format", "pdf", "--format", "docx")
    assert built.returncode == 0, built.stderr
    lines = [line.strip() for line in "".join(pdf_pages(cycle / "output" / "evaluation-2023.pdf", "-layout")).splitlines()]
    assert any(line.endswith("港湾機能の強化に取り組んだ。") for line in lines)
    assert any(line.startswith("次年度は物流の効率化を進める。") or line.endswith("次年度は物流の効率化を進める。") for line in lines)
    word = docx_part(cycle / "output" / "evaluation-2023.docx")
    assert "<w:t>港湾機能の強化に取り組んだ。</w:t></w:r></w:p><w:p>" in word and "<w:t>次年度は物流の効率化を進める。</w:t>" in word
    again = run_cli(cycle, "collect", "2023", *sorted(str(p) for p in returned.glob("*.docx")))
    assert again.returncode == 0 and "0項目を更新しました" in again.stderr  # read back the same: nothing to change


def test_lines_of_a_commentary_survive_libreoffice_or_the_item_is_refused(cycle: Path, tmp_path: Path) -> None:
    """Saved again by LibreOffice 7.4: lines typed with Shift+Enter come through; paragraphs typed
    with Enter come back as a split control with their text repeated, and collect refuses them."""
    from lxml import etree

    from sheetfill import edit_document, fill_control, w

    def lines(root: etree._Element) -> None:
        (sdt,) = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='pp_P17_commentary']", namespaces=NS)
        fill_control(sdt, "港湾機能の強化に取り組んだ。")
        run = sdt.find(w("sdtContent")).find(w("r"))
        etree.SubElement(run, w("br"))
        etree.SubElement(run, w("t")).text = "次年度は物流の効率化を進める。"

    original = sheet(cycle, "総合政策部")
    before = content_bytes(cycle)
    fill_all(original, tmp_path / "paragraphs.docx", commentary={"P17": "港湾機能の強化に取り組んだ。\n次年度は物流の効率化を進める。"})
    split = libreoffice_resave(tmp_path / "paragraphs.docx", tmp_path / "split")
    refused = run_cli(cycle, "collect", "2023", str(split))
    assert refused.returncode == 1 and "基本施策17" in refused.stderr and "Shift+Enter" in refused.stderr
    assert content_bytes(cycle) == before
    fill_all(original, tmp_path / "filled.docx")
    edit_document(tmp_path / "filled.docx", tmp_path / "総合政策部.docx", lines)
    resaved = libreoffice_resave(tmp_path / "総合政策部.docx", tmp_path / "resaved")
    result = run_cli(cycle, "collect", "2023", str(resaved))
    assert result.returncode == 0, result.stderr
    text = (cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8")
    assert "    commentary: |-\n      港湾機能の強化に取り組んだ。\n      次年度は物流の効率化を進める。\n" in text


def test_a_commentary_still_holding_the_prompt_is_refused(cycle: Path, tmp_path: Path) -> None:
    returned = tmp_path / "returned"
    returned.mkdir()
    typed = "ここをクリックして評価の解説を入力港湾機能の強化に取り組んだ。"
    fill_all(sheet(cycle, "総合政策部"), returned / "総合政策部.docx", commentary={"P17": typed})
    before = content_bytes(cycle)
    result = run_cli(cycle, "collect", "2023", str(returned / "総合政策部.docx"))
    assert result.returncode == 1
    assert "基本施策17" in result.stderr and "記入欄の案内文「ここをクリックして評価の解説を入力」が残っています" in result.stderr
    assert content_bytes(cycle) == before


def test_a_ruby_reading_is_not_read_as_text(cycle: Path, tmp_path: Path) -> None:
    """ルビ added in Word over 苫小牧: Word writes the reading (w:rt) beside the characters
    (w:rubyBase); only the characters are the commentary."""
    from sheetfill import edit_document, w

    def ruby(root: etree._Element) -> None:
        (run,) = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='pp_P17_commentary']/w:sdtContent/w:r", namespaces=NS)
        holder = etree.Element(w("r"))
        element = etree.SubElement(holder, w("ruby"))
        etree.SubElement(element, w("rubyPr"))
        for part, text in (("rt", "とまこまい"), ("rubyBase", "苫小牧")):
            etree.SubElement(etree.SubElement(etree.SubElement(element, w(part)), w("r")), w("t")).text = text
        run.addprevious(holder)

    returned = tmp_path / "総合政策部.docx"
    fill_all(sheet(cycle, "総合政策部"), returned, commentary={"P17": "港の物流機能の強化に取り組んだ。"})
    edit_document(returned, returned, ruby)
    result = run_cli(cycle, "collect", "2023", str(returned))
    assert result.returncode == 0, result.stderr
    assert "評価の解説: （未記入） → 「苫小牧港の物流機能の強化に取り組んだ。」" in result.stdout
    year = YAML(typ="safe").load((cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8"))
    (item,) = [item for item in year["items"] if item["kind"] == "基本施策" and item["number"] == 17]
    assert item["commentary"] == "苫小牧港の物流機能の強化に取り組んだ。"


def test_a_sheet_saved_by_word_for_the_web_merges(cycle: Path, tmp_path: Path) -> None:
    """Word for the web (Microsoft 365) may save the main part as word/document2.xml: the package's
    relationship names it, and its comments are found through its own relationships."""
    import zipfile

    filled = tmp_path / "filled.docx"
    fill_all(sheet(cycle, "総合政策部"), filled)
    with zipfile.ZipFile(filled) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    parts["word/document2.xml"] = parts.pop("word/document.xml")
    parts["word/_rels/document2.xml.rels"] = parts.pop("word/_rels/document.xml.rels")
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(b'Target="word/document.xml"', b'Target="/word/document2.xml"')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"/word/document.xml", b"/word/document2.xml")
    online = tmp_path / "総合政策部.docx"
    with zipfile.ZipFile(online, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    result = run_cli(cycle, "collect", "2023", str(online))
    assert result.returncode == 0, result.stderr
    assert "content/evaluations/2023.yaml: 7項目を更新しました" in result.stderr


def test_characters_that_print_as_nothing_are_no_missing_glyphs(cycle: Path, tmp_path: Path) -> None:
    """A zero-width space (pasted from a web page) and an ideographic variation selector (葛󠄀, which the
    BIZ UD fonts map) print as nothing of their own: collect takes them, and check passes the year."""
    typed = "葛\U000E0100西の\u200b消防署を整備した。"
    returned = tmp_path / "消防本部.docx"
    fill_all(sheet(cycle, "消防本部"), returned, commentary={"P35": typed})
    result = run_cli(cycle, "collect", "2023", str(returned))
    assert result.returncode == 0, result.stderr
    year = YAML(typ="safe").load((cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8"))
    (item,) = [item for item in year["items"] if item["kind"] == "基本施策" and item["number"] == 35]
    assert item["commentary"] == typed
    checked = run_cli(cycle, "check", "--no-layout")
    assert checked.returncode == 0, checked.stderr


def test_sheets_replace_every_file_or_none(cycle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet that cannot be written (fault at its exact write) leaves every previous sheet as it was."""
    import errno

    from planpress import build as stages
    from planpress import output as writing
    from planpress.cycle.sheets import write_sheets
    from planpress.errors import PlanpressError
    from planpress.project import Project

    folder = cycle / "output" / "sheets" / "2023"
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    for path in folder.iterdir():
        path.write_bytes(b"previous " + path.name.encode())
    real = writing._temporary

    def full_disk(path: Path, data: bytes) -> str:
        if path.name == "財政部.docx":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(writing, "_temporary", full_disk)
    project = Project.at(cycle)
    content, _ = stages.load(project)
    with pytest.raises(PlanpressError) as caught:
        write_sheets(project, content, 2023)
    assert caught.value.message == "output/sheets/2023/財政部.docx: 書き込めません（ディスクの空きがありません）。評価シートはどれも前のままです"
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == {name: b"previous " + name.encode() for name in before}


@pytest.mark.parametrize("command", [("evaluation", "new", "2024"), ("collect", "2023", "filled.docx")])
def test_a_years_file_that_cannot_be_written_is_said_and_left_as_it_was(
    cycle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...],
) -> None:
    """A full disk (a fault at the year's file) while evaluation new or collect writes: one line, no traceback."""
    import errno

    from planpress import output as writing

    fill_all(sheet(cycle, "総合政策部"), tmp_path / "filled.docx")
    command = tuple(str(tmp_path / part) if part.endswith(".docx") else part for part in command)
    before = content_bytes(cycle)
    real = writing._temporary

    def full_disk(path: Path, data: bytes) -> str:
        if path.parent.name == "evaluations":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(writing, "_temporary", full_disk)
    result = run_cli(cycle, *command)
    assert result.returncode == 1
    year = "2024" if command[0] == "evaluation" else "2023"
    said = "作成していません" if command[0] == "evaluation" else f"取り込みませんでした（content/evaluations/{year}.yaml は変更していません）"
    assert result.stderr.splitlines()[-1] == f"content/evaluations/{year}.yaml: 書き込めません（ディスクの空きがありません）。{said}"
    assert content_bytes(cycle) == before


def test_collect_always_replaces_a_value_it_wrote_before(cycle: Path, tmp_path: Path) -> None:
    """Whatever a first collect wrote (YAML's own marks, quotes, a line of its own), a corrected
    sheet replaces it, and the year stays readable in between."""
    tricky = "- 目標: 達成 # 一部 'A' \"B\" | > & * ! % @ `x`\n  字下げした行：続き"
    for number, commentary in enumerate((tricky, "修正後の解説。港湾機能の強化に取り組んだ。")):
        returned = tmp_path / f"round-{number}"
        returned.mkdir()
        fill_all(sheet(cycle, "総合政策部"), returned / "総合政策部.docx", commentary={"P17": commentary},
                 grade=lambda code: "C" if number == 0 else "A")
        result = run_cli(cycle, "collect", "2023", str(returned / "総合政策部.docx"))
        assert result.returncode == 0, result.stderr
        assert run_cli(cycle, "check", "--no-layout").returncode == 0
        year = YAML(typ="safe").load((cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8"))
        (item,) = [item for item in year["items"] if item["kind"] == "基本施策" and item["number"] == 17]
        assert (item["grade"], item["commentary"]) == ("C" if number == 0 else "A", commentary)


def test_sheets_name_every_style_taken_out_of_the_word_style_sample(cycle: Path) -> None:
    """layouts/reference.docx edited in Word with styles the sheets are written with deleted (the
    running header's, the title's): all of them named at once, no traceback, no sheet written."""
    import docx

    shutil.rmtree(cycle / "output" / "sheets")
    reference = cycle / "layouts" / "reference.docx"
    word = docx.Document(str(reference))
    for style in ("Header", "Title", "Sheet Field"):
        element = word.styles[style].element
        element.getparent().remove(element)
    word.save(str(reference))
    result = run_cli(cycle, "sheets", "2023")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "layouts/reference.docx: スタイル「Header」「Title」「Sheet Field」がありません（make reference-docx で作り直してください）")
    assert not (cycle / "output" / "sheets").exists()
