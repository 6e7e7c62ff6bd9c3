"""Who owns which item (content/departments.yaml), and the year-over-year part of a 7th-plan report."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from conftest import docx_part, run_cli, squash
from planpress.cycle import yamlfile
from sheetfill import NS, grade_for


def test_the_shipped_assignment_is_a_labelled_sample_owning_every_item_once(project: Path) -> None:
    text = (project / "content" / "departments.yaml").read_text(encoding="utf-8")
    assert "これは見本（SAMPLE）です。冊子（seed）には担当部署が書かれていないため" in text
    result = run_cli(project, "check", "--no-layout")  # ownership is checked as the content loads
    assert result.returncode == 0, result.stderr


def test_check_reports_items_owned_by_nobody_or_by_two(project: Path) -> None:
    path = project / "content" / "departments.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("policies: [35]", "policies: [35, 36, 41]").replace("policies: [19, 20, 21]", "policies: [19, 20]")
    path.write_text(text, encoding="utf-8")
    result = run_cli(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/departments.yaml:12:3: 基本施策21（生涯学習の推進）: 担当部署がありません",
        "content/departments.yaml:36:20: 基本施策36（防災体制の充実）: 担当部署が「総務部」と「消防本部」の2つ書かれています（最初は17行目）",
        "content/departments.yaml:36:24: 消防本部: 基本施策41は第7次基本計画にありません",
    ]


def test_a_mistake_in_a_list_of_numbers_is_one_line(project: Path) -> None:
    """A typo in one department's list (read as empty) was followed by 担当部署がありません for each of
    the items the list does name: nine lines for one mistake, eight of them untrue."""
    path = project / "content" / "departments.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("policies: [8, 9, 10, 11, 12, 13, 14, 15]", "policies: [8, 9, x10, 11, 12, 13, 14, 15]"), encoding="utf-8")
    result = run_cli(project, "check", "--no-layout")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "警告" not in line]
    assert errors == ["content/departments.yaml:30:15: 産業経済部: 担当する基本施策の番号（policies）: 整数で書いてください（今の値: x10）"]


def test_a_department_name_must_make_a_file_name(project: Path) -> None:
    path = project / "content" / "departments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 財政部", "name: 財政/部"), encoding="utf-8")
    result = run_cli(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["content/departments.yaml:18:11: 財政/部: 「財政/部」はファイル名に使えません（/を除いてください）"]


def complete(project: Path, year: int, grade) -> None:  # noqa: ANN001 - code → grade
    """Fill a new year's file directly (the cycle test fills it through sheets)."""
    assert run_cli(project, "evaluation", "new", str(year)).returncode == 0
    path = project / "content" / "evaluations" / f"{year}.yaml"
    data = yamlfile.load_for_update(path)
    for entry in data["items"]:
        code = ("M" if entry["kind"] == "運営方針" else "P") + f"{entry['number']:02d}"
        entry["grade"], entry["commentary"] = grade(code), f"{year}年度の{code}の解説。"
    yamlfile.write(path, data)


def test_second_year_report_compares_with_the_first(project: Path) -> None:
    complete(project, 2023, grade_for)
    complete(project, 2024, lambda code: {"M01": "B", "P17": "A", "P40": "C"}.get(code, grade_for(code)))
    result = run_cli(project, "build", "evaluation-2024", "--format", "html", "--format", "docx")
    assert result.returncode == 0, result.stderr
    html = (project / "output" / "evaluation-2024.html").read_text(encoding="utf-8")
    text = squash(etree.HTML(html).xpath("string(//body)"))
    assert "前年度との比較" in text
    assert "令和5年度の評価との比較（上昇2項目、維持45項目、低下1項目）" in text
    assert "運営方針01地域活動の促進AB↓低下" in text
    assert "基本施策17港湾整備とポートセールスの推進BA↑上昇" in text
    assert "基本施策40消費生活の安定DC↑上昇" in text
    assert "基本施策18苫東開発の推進BB→維持" in text
    word = docx_part(project / "output" / "evaluation-2024.docx")
    assert word.count('w:val="ChangeUp"') == 2 and word.count('w:val="ChangeDown"') == 1


def test_next_years_sheet_shows_last_years_evaluation(project: Path) -> None:
    complete(project, 2023, grade_for)
    assert run_cli(project, "evaluation", "new", "2024").returncode == 0
    assert run_cli(project, "sheets", "2024").returncode == 0
    document = docx_part(project / "output" / "sheets" / "2024" / "消防本部.docx")
    root = etree.fromstring(document.encode("utf-8"))
    rows = ["".join(row.xpath(".//w:t/text()", namespaces=NS)) for row in root.xpath("//w:tr", namespaces=NS)]
    assert "前年度の評価（令和5年度）C" in rows
    assert "前年度の評価の解説2023年度のP35の解説。" in rows


def test_an_item_renamed_since_last_year_shows_its_former_name(project: Path) -> None:
    """Items are compared by number: one named otherwise last year (the tree revised, or numbers
    moved) was printed under this year's name alone, as if nothing but its grade had changed."""
    complete(project, 2023, grade_for)
    complete(project, 2024, lambda code: "A" if code == "P17" else grade_for(code))
    path = project / "content" / "evaluations" / "2024.yaml"
    data = yamlfile.load_for_update(path)
    data["items"][8 + 16]["name"] = "港湾の整備と利用の促進"
    yamlfile.write(path, data)
    result = run_cli(project, "build", "evaluation-2024", "--format", "html", "--format", "docx")
    assert result.returncode == 0, result.stderr
    html = (project / "output" / "evaluation-2024.html").read_text(encoding="utf-8")
    text = squash(etree.HTML(html).xpath("string(//body)"))
    assert "基本施策17（令和5年度は「港湾整備とポートセールスの推進」）港湾の整備と利用の促進BA↑上昇" in text
    assert "基本施策18苫東開発の推進BB→維持" in text  # unchanged names carry no note
    word = docx_part(project / "output" / "evaluation-2024.docx")
    assert "基本施策17（令和5年度は「港湾整備とポートセールスの推進」）" in word


def test_items_last_year_left_unevaluated_are_counted_in_the_caption(project: Path) -> None:
    """A previous year still in progress compares only the items it graded; the others print －,
    and the caption's counts (上昇, 維持, 低下) added up to fewer items than the report holds."""
    complete(project, 2023, grade_for)
    path = project / "content" / "evaluations" / "2023.yaml"
    data = yamlfile.load_for_update(path)
    for entry in data["items"][:3]:
        entry["grade"], entry["commentary"] = "", ""
    yamlfile.write(path, data)
    complete(project, 2024, lambda code: "B" if code == "P01" else grade_for(code))
    result = run_cli(project, "build", "evaluation-2024", "--format", "html")
    assert result.returncode == 0, result.stderr
    html = (project / "output" / "evaluation-2024.html").read_text(encoding="utf-8")
    text = squash(etree.HTML(html).xpath("string(//body)"))
    assert "令和5年度の評価との比較（上昇0項目、維持44項目、低下1項目、令和5年度の評価がない項目（－）3項目）" in text
    assert "運営方針01地域活動の促進－A－" in text
