"""Returned sheets that must not be merged: each refused with a Japanese reason, content/ untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree
from ruamel.yaml import YAML

from conftest import copy_project, run_cli
from planpress.content.model import GRADES
from sheetfill import NS, edit_document, fill_all, w
from test_cycle import content_bytes, sheet


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FY2023 and FY2024 created, FY2023's sheets written."""
    root = copy_project(tmp_path_factory.mktemp("refusals") / "project")
    for command in (("evaluation", "new", "2023"), ("evaluation", "new", "2024"), ("sheets", "2023")):
        assert run_cli(root, *command).returncode == 0
    return root


@pytest.fixture
def cycle(issued: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(issued, root)
    return root


def refused(root: Path, *files: Path) -> str:
    """Collect ``files``: it must fail, write nothing, show no traceback; returns stderr."""
    before = content_bytes(root)
    result = run_cli(root, "collect", "2023", *map(str, files))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "取り込みませんでした（content/evaluations/2023.yaml は変更していません）" in result.stderr
    assert content_bytes(root) == before
    return result.stderr


def filled(root: Path, tmp_path: Path, department: str = "総務部", **options) -> Path:  # noqa: ANN003
    target = tmp_path / "returned" / f"{department}.docx"
    target.parent.mkdir(exist_ok=True)
    fill_all(sheet(root, department), target, **options)
    return target


def test_tracked_changes_are_refused(cycle: Path, tmp_path: Path) -> None:
    path = filled(cycle, tmp_path)

    def track(root: etree._Element) -> None:
        (run,) = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='pp_M05_commentary']/w:sdtContent/w:r", namespaces=NS)
        inserted = etree.Element(w("ins"), {w("id"): "901", w("author"): "総務課", w("date"): "2024-05-01T09:00:00Z"})
        run.addprevious(inserted)
        inserted.append(run)
        deleted = etree.SubElement(run.getparent().getparent(), w("del"), {w("id"): "902", w("author"): "総務課"})
        etree.SubElement(etree.SubElement(deleted, w("r")), w("delText")).text = "古い文"

    edit_document(path, path, track)
    assert "総務部.docx: 変更履歴が2か所残っています" in refused(cycle, path)


def test_comments_are_refused(cycle: Path, tmp_path: Path) -> None:
    path = filled(cycle, tmp_path)

    def comment(root: etree._Element) -> None:
        (run,) = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='pp_M04_commentary']/w:sdtContent/w:r", namespaces=NS)
        reference = etree.Element(w("r"))
        etree.SubElement(reference, w("commentReference"), {w("id"): "0"})
        run.addnext(reference)

    edit_document(path, path, comment)
    assert "総務部.docx: コメントが1件残っています（コメントを削除して保存し直してください）" in refused(cycle, path)


def test_conflicting_returns_are_refused(cycle: Path, tmp_path: Path) -> None:
    first = filled(cycle, tmp_path)
    second = tmp_path / "second" / "総務部.docx"
    second.parent.mkdir()
    fill_all(sheet(cycle, "総務部"), second, grade=lambda code: "D")
    stderr = refused(cycle, first, second)
    assert f"運営方針05: {first} と {second} で内容が違います（評価 B／D）。どちらか一方にしてください" in stderr


def test_a_sheet_of_another_year_is_refused(cycle: Path, tmp_path: Path) -> None:
    assert run_cli(cycle, "sheets", "2024").returncode == 0
    other = cycle / "output" / "sheets" / "2024" / "総務部.docx"
    target = tmp_path / "総務部.docx"
    fill_all(other, target)
    assert f"{target}: 2024年度の評価シートです（2023年度には取り込めません）" in refused(cycle, target)


@pytest.mark.parametrize("make", ["truncated", "text"])
def test_a_damaged_or_non_word_file_is_refused(cycle: Path, tmp_path: Path, make: str) -> None:
    target = tmp_path / "総務部.docx"
    if make == "truncated":
        data = filled(cycle, tmp_path).read_bytes()
        target.write_bytes(data[: len(data) // 2])
    else:
        target.write_text("評価: A\n解説: よくできました\n", encoding="utf-8")
    stderr = refused(cycle, target)
    assert f"{target}: Wordファイル（.docx）として開けません（壊れているか、Word形式ではありません）" in stderr


def test_a_sheet_saved_as_strict_open_xml_is_refused_as_such(cycle: Path, tmp_path: Path) -> None:
    """Word's "Strict Open XML Document" names every element in another namespace: said, not
    taken for a file that is no sheet."""
    import zipfile

    path = filled(cycle, tmp_path)
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main", b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    assert f"{path}: 「Strict Open XML 文書」の形式で保存されています" in refused(cycle, path)


def test_a_word_file_that_is_no_sheet_is_refused(cycle: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.docx"
    assert run_cli(cycle, "build", "evaluation-2021", "--format", "docx").returncode == 0
    shutil.copy(cycle / "output" / "evaluation-2021.docx", report)
    assert f"{report}: 施策評価シートではありません" in refused(cycle, report)


def test_deleted_fields_are_refused(cycle: Path, tmp_path: Path) -> None:
    path = filled(cycle, tmp_path)

    def delete_row(root: etree._Element) -> None:
        (row,) = root.xpath("//w:tr[.//w:bookmarkStart/@w:name='pp_P36_commentary']", namespaces=NS)
        row.getparent().remove(row)

    edit_document(path, path, delete_row)
    assert "総務部.docx: 基本施策36（防災体制の充実）: 「評価の解説」欄が削除されています" in refused(cycle, path)


def test_an_item_the_department_no_longer_owns_is_refused(cycle: Path, tmp_path: Path) -> None:
    path = filled(cycle, tmp_path, "財政部")
    departments = cycle / "content" / "departments.yaml"
    text = departments.read_text(encoding="utf-8")
    text = text.replace("management: [4, 5]", "management: [4, 5, 7]").replace("  - name: 財政部\n    management: [7]\n", "  - name: 財政部\n")
    departments.write_text(text, encoding="utf-8")
    stderr = refused(cycle, path)
    assert "財政部.docx: 運営方針07: 「財政部」の担当ではありません（content/departments.yaml では「総務部」の担当）" in stderr


def test_an_item_given_to_the_department_after_its_sheet_was_made_stays_unfilled_and_is_named(cycle: Path, tmp_path: Path) -> None:
    """基本施策36 moved to 財政部 after the sheets went out: its sheet never had the fields, so
    nothing was deleted (as collect said before) and the sheet is good. Its items are merged; the
    moved one stays unfilled, and the office is told how to fill it."""
    path = filled(cycle, tmp_path, "財政部")
    departments = cycle / "content" / "departments.yaml"
    text = departments.read_text(encoding="utf-8")
    text = text.replace("    management: [4, 5]\n    policies: [36]\n", "    management: [4, 5]\n")
    text = text.replace("  - name: 財政部\n    management: [7]\n", "  - name: 財政部\n    management: [7]\n    policies: [36]\n")
    departments.write_text(text, encoding="utf-8")
    result = run_cli(cycle, "collect", "2023", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("content/evaluations/2023.yaml: 1項目を更新しました。未記入は残り")
    assert lines[-1] == (f"{path}: 基本施策36（防災体制の充実）: この評価シートにないため未記入のままです（シートを作った後で "
                         "content/departments.yaml で「財政部」の担当になった項目です。作り直したシート（planpress sheets 2023）"
                         "で記入してもらうか、content/evaluations/2023.yaml に直接書いてください）")
    assert "削除されています" not in result.stderr
    items = YAML(typ="safe").load((cycle / "content" / "evaluations" / "2023.yaml").read_text(encoding="utf-8"))["items"]
    by_code = {(item["kind"], item["number"]): item for item in items}
    assert (by_code[("基本施策", 36)]["grade"], by_code[("基本施策", 36)]["commentary"]) == ("", "")
    assert by_code[("運営方針", 7)]["grade"] in GRADES  # the sheet's own item merged


def test_a_placeholder_in_a_commentary_is_refused(cycle: Path, tmp_path: Path) -> None:
    """Only the 前文 is filled: merged, 「{評価結果}」 would print with its braces and check refuse the year."""
    path = filled(cycle, tmp_path, commentary={"M05": "{評価結果}のとおり成果が出ている。"})
    assert ("総務部.docx: 運営方針05（行政組織の活性化）: 評価の解説: 「{評価結果}」は差し込み項目の書き方ですが、"
            "この文章では置き換えられません") in refused(cycle, path)


def test_invalid_and_empty_fields_are_each_reported(cycle: Path, tmp_path: Path) -> None:
    path = filled(cycle, tmp_path, grade=lambda code: {"M04": "E", "M05": "Ｂ"}.get(code, "A"))
    target = tmp_path / "long.docx"

    def edit(root: etree._Element) -> None:
        texts = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='pp_P36_commentary']//w:t", namespaces=NS)
        texts[0].text = "長" * 401

    edit_document(path, target, edit)
    stderr = refused(cycle, target, sheet(cycle, "財政部"))
    assert "long.docx: 運営方針04（平和の推進）: 評価「E」は使えません（A・B・C・Dから選んでください）" in stderr
    assert "運営方針05" not in stderr  # a full-width Ｂ is B
    assert "long.docx: 基本施策36（防災体制の充実）: 評価の解説が401文字あります（400文字以内にしてください）" in stderr
    assert "財政部.docx: 運営方針07（健全な財政運営と財政基盤の強化）: 評価が選ばれていません" in stderr
    assert "財政部.docx: 運営方針07（健全な財政運営と財政基盤の強化）: 評価の解説が書かれていません" in stderr


def test_control_characters_in_commentary_are_refused(cycle: Path, tmp_path: Path) -> None:
    path = filled(cycle, tmp_path, note="\x80")
    assert "運営方針04（平和の推進）: 評価の解説: 使えない文字 U+0080" in refused(cycle, path)


def test_a_control_showing_its_placeholder_is_empty(cycle: Path, tmp_path: Path) -> None:
    path = filled(cycle, tmp_path)

    def emptied(root: etree._Element) -> None:
        """What Word stores when the text of a control is deleted: its own prompt, flagged."""
        (sdt,) = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='pp_M04_commentary']", namespaces=NS)
        sdt.find(w("sdtPr")).append(etree.Element(w("showingPlcHdr")))
        sdt.xpath(".//w:t", namespaces=NS)[0].text = "ここをクリックまたはタップしてテキストを入力してください。"

    edit_document(path, path, emptied)
    assert "総務部.docx: 運営方針04（平和の推進）: 評価の解説が書かれていません" in refused(cycle, path)


def test_sheets_need_the_years_file_first(cycle: Path) -> None:
    result = run_cli(cycle, "sheets", "2025")
    assert result.returncode == 1
    assert result.stderr == "2025年度の評価ファイルがありません（先に planpress evaluation new 2025 を実行してください）\n"


def test_characters_no_font_has_are_refused_and_a_corrected_sheet_then_merges(cycle: Path, tmp_path: Path) -> None:
    """𠮷 or an emoji would make every later build fail: collect refuses them, naming file and item,
    and the same department's corrected sheet is taken afterwards."""
    bad = filled(cycle, tmp_path, note="𠮷野家😀")
    message = refused(cycle, bad)
    assert "総務部.docx: 運営方針04: 評価の解説の文字「𠮷」（U+20BB7）はフォント" in message
    assert "評価の解説の文字「😀」（U+1F600）" in message
    corrected = filled(cycle, tmp_path, note="吉野家")
    result = run_cli(cycle, "collect", "2023", str(corrected))
    assert result.returncode == 0, result.stderr
    assert run_cli(cycle, "check", "--no-layout").returncode == 0


def test_every_files_problems_are_reported_in_one_run(cycle: Path, tmp_path: Path) -> None:
    first = filled(cycle, tmp_path, department="総務部", note="😀")
    second = filled(cycle, tmp_path, department="財政部", note="\x80")
    message = refused(cycle, first, second)
    assert "総務部.docx:" in message and "財政部.docx:" in message
