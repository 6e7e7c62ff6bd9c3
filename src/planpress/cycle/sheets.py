"""`planpress sheets`: one Word evaluation sheet per department, with content controls to fill."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from docx.document import Document as WordDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement
from docx.shared import Mm

from planpress import japanese
from planpress.cycle import sheetxml as xml
from planpress.cycle.plan import YearPlan, year_plan
from planpress.content.departments import Department
from planpress.errors import PlanpressError
from planpress.content import Content
from planpress.content.model import COMMENTARY_LIMIT, GRADES, EvaluationItem, Policy
from planpress.output import WriteError, write_all
from planpress.render.wordxml import clear_body, fixed_zip_times, full_width, open_reference, own_package, page_setup
from planpress.project import Project

SHEETS_DIR = "sheets"

LABEL_WIDTH, VALUE_WIDTH = 26, 74
#: Label and value styles of the grade row (kept with the next row) and of the last row.
CHOICE_ROW = ("Sheet Label", "Sheet Choice")
LAST_ROW = ("Sheet Last Label", "Sheet Field")
COMMENTARY_HEIGHT = Mm(45)


@dataclass(frozen=True)
class SheetItem:
    """One item on a sheet: the policy, for reference last year's evaluation of it, and this
    year's as the year file holds it (a sheet made again after a collect shows what was taken in)."""

    policy: Policy
    previous: EvaluationItem | None
    current: EvaluationItem | None = None


@dataclass(frozen=True)
class Sheet:
    """What one department's sheet shows."""

    year: YearPlan
    department: Department
    items: tuple[SheetItem, ...]


def sheets_dir(project: Project, fiscal_year: int) -> Path:
    return project.output_dir / SHEETS_DIR / str(fiscal_year)


def write_sheets(project: Project, content: Content, fiscal_year: int) -> list[Path]:
    """Render every department's sheet, then write them all (a failure writes none)."""
    project = project.pinned()  # one date for every sheet
    year = year_plan(project, content, fiscal_year)
    finished = [(sheets_dir(project, fiscal_year) / f"{sheet.department.name}.docx", render_sheet(project, sheet))
                for sheet in _sheets(year)]
    try:
        write_all(finished)
    except WriteError as error:
        raise PlanpressError(f"{project.display(error.path)}: 書き込めません（{error.reason}）。"
                             "評価シートはどれも前のままです") from None
    return [path for path, _ in finished]


def _sheets(year: YearPlan) -> list[Sheet]:
    previous = {item.code: item for item in year.previous.items} if year.previous else {}
    current = {item.code: item for item in year.evaluation.items}
    found = []
    for department in year.departments.departments:
        codes = department.codes()
        policies = [p for p in year.tree.policies() if p.code in codes]
        items = tuple(SheetItem(policy, previous.get(policy.code), current.get(policy.code)) for policy in policies)
        if items:  # a department that owns nothing this year gets no sheet
            found.append(Sheet(year, department, items))
    return found


#: Styles a sheet is written with: all checked before one is written (an older or edited
#: layouts/reference.docx may lack some).
SHEET_STYLES = ("Header", "Footer", "Title", "Subtitle", "Issuer", "Heading 2", "Instruction", "Sheet Table", *CHOICE_ROW,
                *LAST_ROW, "Sheet Text", "Placeholder Text")


def render_sheet(project: Project, sheet: Sheet) -> bytes:
    word = open_reference(project)
    _require_styles(word, SHEET_STYLES)
    clear_body(word)
    page_setup(word)
    header = word.sections[0].header.paragraphs[0]
    header.style = word.styles["Header"]
    header.add_run(f"施策評価シート　{japanese.fiscal_year_short(sheet.year.fiscal_year)}　{sheet.department.name}")
    ids = xml.Ids()
    _cover(word, sheet, ids)
    for item in sheet.items:
        _item(word, sheet, item, ids)
    xml.protect_for_forms(word.settings.element)
    _properties(word, sheet, project.build_date())
    buffer = io.BytesIO()
    word.save(buffer)
    return fixed_zip_times(buffer.getvalue(), project.build_date())


def _require_styles(word: WordDocument, names: tuple[str, ...]) -> None:
    known = {style.name for style in word.styles}
    missing = [name for name in names if name not in known]
    if missing:
        raise PlanpressError(
            f"layouts/reference.docx: スタイル「{'」「'.join(missing)}」がありません（make reference-docx で作り直してください）"
        )


def _cover(word: WordDocument, sheet: Sheet, ids: xml.Ids) -> None:
    year = sheet.year
    word.add_paragraph("施策評価シート", style="Title")
    word.add_paragraph(f"{japanese.fiscal_year(year.fiscal_year)}までの取組に係る施策評価（{year.plan.name}）", style="Subtitle")
    word.add_paragraph(year.city, style="Issuer")
    codes = "、".join(item.policy.code for item in sheet.items)
    _table(word, [
        ("対象年度", japanese.fiscal_year(year.fiscal_year), xml.YEAR_FIELD),
        ("担当部署", sheet.department.name, xml.DEPARTMENT_FIELD),
        ("評価する項目", f"{len(sheet.items)}項目（{codes}）", None),
    ], ids)
    word.add_paragraph("記入のしかた", style="Heading 2")
    for number, text in enumerate(_instructions(sheet), start=1):
        word.add_paragraph(f"{number}　{text}", style="Instruction")


def _instructions(sheet: Sheet) -> list[str]:
    scale = f"{'・'.join(GRADES)}の{len(GRADES)}段階（{GRADES[0]}が最も良い評価）"
    steps = [
        f"この下に、担当する項目ごとの表があります。各表の「評価」欄で{scale}から1つを選び、"
        f"「評価の解説」欄に{japanese.fiscal_year_short(sheet.year.fiscal_year)}の取組の成果と課題を{COMMENTARY_LIMIT}文字以内で書いてください。",
        "記入できるのは、各表の薄い黄色の2つの欄（「評価」と「評価の解説」）だけです。ほかの部分は変更できません。"
        "表や項目を追加・削除しないでください。",
        "変更履歴の記録は使わず、コメントも残さずに保存してください。変更履歴やコメントが残っているシートは取り込めません。",
        "ファイル名を変えずに、Word形式（.docx）のまま返送してください（LibreOfficeで編集した場合も、Word形式で保存してください。"
        "LibreOfficeで「評価の解説」の行を改めるときは、Enterではなく Shift+Enter を使ってください）。",
    ]
    if sheet.year.previous is not None:
        last = japanese.fiscal_year_short(sheet.year.previous.fiscal_year)
        steps.insert(1, f"「前年度の評価」欄は{last}の評価です。参考として載せています（変更できません）。")
    if any(item.current and (item.current.grade or item.current.commentary) for item in sheet.items):
        steps.insert(1, "記入済みの欄は、すでに取り込んだ内容です。変更がなければそのままにしてください。")
    return steps


def _item(word: WordDocument, sheet: Sheet, item: SheetItem, ids: xml.Ids) -> None:
    policy = item.policy
    word.add_paragraph(f"{policy.code}　{policy.name}", style="Heading 2")
    rows: list[tuple[str, str, str | None]] = [
        ("施策", "\n".join(f"{number}　{name}" for number, name in enumerate(policy.measures, start=1)), None),
    ]
    if sheet.year.previous is not None:
        last = japanese.fiscal_year_short(sheet.year.previous.fiscal_year)
        grade = item.previous.grade if item.previous and item.previous.grade else "（記入なし）"
        commentary = item.previous.commentary if item.previous and item.previous.commentary else "（記入なし）"
        rows += [(f"前年度の評価\n（{last}）", grade, None), ("前年度の評価の解説", commentary, None)]
    table = _table(word, rows, ids)
    grade = xml.field_name(policy.kind, policy.number, xml.GRADE)
    current = item.current
    control = xml.content_control(grade, "評価", xml.GRADE_PROMPT, ids, choices=GRADES, value=current.grade if current else "")
    _field_row(table, f"評価\n（{GRADES[0]}〜{GRADES[-1]}から選択）", control, grade, ids, styles=CHOICE_ROW)
    commentary = xml.field_name(policy.kind, policy.number, xml.COMMENTARY)
    control = xml.content_control(commentary, "評価の解説", xml.COMMENTARY_PROMPT, ids,
                                  value=current.commentary if current else "")
    row = _field_row(table, f"評価の解説\n（{COMMENTARY_LIMIT}文字以内）", control, commentary, ids, styles=LAST_ROW)
    _min_height(row, COMMENTARY_HEIGHT)
    _keep_rows_whole(table)


def _table(word: WordDocument, rows: list[tuple[str, str, str | None]], ids: xml.Ids):  # noqa: ANN202 - python-docx table
    """A two-column label/value table; a value with a bookmark name is bookmarked (read back later)."""
    table = word.add_table(rows=0, cols=2)
    table.style = word.styles["Sheet Table"]
    for label, value, name in rows:
        label_cell, value_cell = table.add_row().cells
        _lines(label_cell, label, "Sheet Label")
        _lines(value_cell, value, "Sheet Text")
        if name:
            xml.bookmark(label_cell.paragraphs[0]._p, name, ids)
    full_width(table, [LABEL_WIDTH, VALUE_WIDTH])
    return table


def _field_row(table, label: str, control, name: str, ids: xml.Ids, *, styles: tuple[str, str]):  # noqa: ANN001, ANN202 - python-docx objects
    """A row whose label cell is bookmarked with the field's name and whose value is a content control."""
    row = table.add_row()
    label_cell, value_cell = row.cells
    _lines(label_cell, label, styles[0])
    xml.bookmark(label_cell.paragraphs[0]._p, name, ids)
    paragraph = value_cell.paragraphs[0]
    paragraph.style = styles[1]
    paragraph._p.append(control)
    full_width(table, [LABEL_WIDTH, VALUE_WIDTH])
    return row


def _min_height(row, height: Mm) -> None:  # noqa: ANN001 - python-docx row
    """Room to write in: the commentary box is drawn about as tall as its text may become."""
    row.height = height
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def _lines(cell, text: str, style: str) -> None:  # noqa: ANN001 - python-docx cell
    first, *rest = text.split("\n")
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.add_run(first)
    for line in rest:
        cell.add_paragraph(line, style=style)


def _keep_rows_whole(table) -> None:  # noqa: ANN001 - python-docx table
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _properties(word: WordDocument, sheet: Sheet, timestamp: float) -> None:
    date = datetime.fromtimestamp(int(timestamp), tz=timezone.utc).replace(tzinfo=None)
    core = word.core_properties
    core.title = f"施策評価シート {japanese.fiscal_year(sheet.year.fiscal_year)} {sheet.department.name}"
    core.author = core.last_modified_by = sheet.year.city
    core.subject = f"{sheet.year.plan.name} 施策評価"
    core.language = "ja-JP"
    core.created = core.modified = date
    core.revision = 1
    own_package(word, f"{core.author} {core.title}")  # the city's sheet of a year for a department
