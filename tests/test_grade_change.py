"""Change one grade in a copy of the content: every printed figure follows."""

from __future__ import annotations

from pathlib import Path

from conftest import docx_part, pdf_pages, read_html, run_cli, squash


def set_grade(project: Path, code_number: int, kind: str, grade: str) -> None:
    path = project / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    anchor = f"  - kind: {kind}\n    number: {code_number}\n"
    start = text.index(anchor)
    grade_at = text.index("    grade: ", start)
    line_end = text.index("\n", grade_at)
    path.write_text(text[:grade_at] + f"    grade: {grade}" + text[line_end:], encoding="utf-8")


def test_one_grade_changed_changes_every_figure(project: Path) -> None:
    set_grade(project, 1, "基本施策", "C")  # was B
    result = run_cli(project, "build", "evaluation-2021", "--format", "pdf", "--format", "docx")
    assert result.returncode == 0, result.stderr
    sentence = "全48項目のうち、A評価が18項目（37.5％）、B評価が29項目（60.4％）、C評価が1項目（2.1％）、D評価は0という結果となりました。"

    pages = pdf_pages(project / "output" / "evaluation-2021.pdf")
    assert sentence in squash("".join(pages))
    layout = pdf_pages(project / "output" / "evaluation-2021.pdf", "-layout")[0]
    rows = {line.split()[0]: line.split()[1:] for line in layout.splitlines() if line.strip()[:3] in {"A評価", "B評価", "C評価", "D評価"}}
    assert rows["B評価"] == ["5項目", "24項目", "29項目", "60.4％"]
    assert rows["C評価"] == ["0項目", "1項目", "1項目", "2.1％"]
    assert "基本施策01保健予防対策の充実C新型コロナウイルス" in squash("".join(pages))

    word = squash(docx_part(project / "output" / "evaluation-2021.docx"))
    plain = "".join(part.split(">")[-1] for part in word.split("</w:t>"))
    assert sentence in plain
    assert 'w:val="GradeC"' in word


def test_no_zero_clause_when_every_grade_is_used(project: Path) -> None:
    set_grade(project, 1, "基本施策", "C")
    set_grade(project, 2, "基本施策", "D")
    result = run_cli(project, "build", "evaluation-2021", "--format", "html")
    assert result.returncode == 0, result.stderr
    html = read_html(project / "output" / "evaluation-2021.html")
    assert "全48項目のうち、A評価が18項目（37.5％）、B評価が28項目（58.3％）、C評価が1項目（2.1％）、D評価が1項目（2.1％）という結果となりました。" in html
    assert "は0" not in html


def test_every_item_of_one_grade_is_said_so(project: Path) -> None:
    path = project / "content" / "evaluations" / "2021.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    grade: A\n", "    grade: B\n"), encoding="utf-8")
    result = run_cli(project, "build", "evaluation-2021", "--format", "pdf", "--format", "docx")
    assert result.returncode == 0, result.stderr
    sentence = "令和3年度までの取組に係る施策評価においては、全48項目がB評価という結果となりました。"
    assert sentence in squash("".join(pdf_pages(project / "output" / "evaluation-2021.pdf")))
    word = squash(docx_part(project / "output" / "evaluation-2021.docx"))
    assert sentence in "".join(part.split(">")[-1] for part in word.split("</w:t>"))
