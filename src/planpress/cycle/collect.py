"""`planpress collect`: check returned sheets, show what would change, merge into the year's YAML.

Nothing is merged silently: every problem in every file is listed, and with any
problem nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from planpress.checks.glyphs import layout_fonts, missing_glyphs
from planpress.cycle import sheetxml as xml
from planpress.cycle import yamlfile
from planpress.cycle.plan import YearPlan, year_plan
from planpress.cycle.readsheet import FieldValue, ReturnedSheet, Unreadable, read_sheet
from planpress.content.departments import Department
from planpress.content.fields import Invalid, check_characters
from planpress.content.files import EVALUATIONS_DIR
from planpress.content import Content
from planpress.content.model import COMMENTARY_LIMIT, GRADES, Policy, grade_as_meant, item_code
from planpress.figures import unfilled_placeholders
from planpress.output import WriteError
from planpress.project import Project


@dataclass(frozen=True)
class Answer:
    """One item's grade and commentary as a sheet returned them."""

    code: str
    grade: str
    commentary: str
    source: str


def collect(
    project: Project, content: Content, fiscal_year: int, files: Sequence[str], *, dry_run: bool, out: TextIO, err: TextIO
) -> bool:
    """Check every file, print the changes, write them unless anything is wrong or ``dry_run``."""
    year = year_plan(project, content, fiscal_year)
    target = project.display(year.path)
    problems: list[str] = []
    notes: list[str] = []  # what is merged all the same, said after the summary
    answers: dict[str, Answer] = {}
    for name in files:
        path = Path(name)
        for answer in _read_answers(path, project.display(path), year, problems, notes):
            _merge(answer, answers, year, problems)
    # As build checks the year: a character no layout font has would make every later build fail.
    fonts = layout_fonts(project)
    for answer in answers.values():
        problems += [f"{answer.source}: {answer.code}: 評価の解説の{message}" for _, message in missing_glyphs(answer.commentary, fonts)]
    if problems:
        _print_lines(problems, err)
        print(f"問題が{len(problems)}件あるため、取り込みませんでした（{target} は変更していません）", file=err)
        return False
    changed = _print_diff(year, answers, out)
    remaining = sum(1 for item in year.evaluation.items if not item.filled and item.code not in answers)
    if dry_run:
        print(f"--dry-run のため書き込みませんでした（変更される項目: {changed}項目）", file=err)
        _print_lines(notes, err)
        return True
    if changed:
        try:
            in_place = _write(year, answers)
        except WriteError as error:
            print(f"{target}: 書き込めません（{error.reason}）。取り込みませんでした（{target} は変更していません）", file=err)
            return False
        if not in_place:
            notes.append(f"{target}: 値の書き方（別名 *… で繰り返した値など）のため、変わった値だけを置き換えられず、"
                         "ファイル全体を書き直しました（コメントとキーの順序は残っています。差分を確かめてください）")
    done = "全項目がそろいました（planpress build で議会報告を作成できます）" if not remaining else f"未記入は残り{remaining}項目です"
    print(f"{target}: {changed}項目を更新しました。{done}", file=err)
    _print_lines(notes, err)
    return True


def _print_lines(lines: list[str], err: TextIO) -> None:
    for line in lines:
        print(line, file=err)


def _read_answers(path: Path, display: str, year: YearPlan, problems: list[str], notes: list[str]) -> list[Answer]:
    """The answers of one file; what is wrong with it goes to ``problems``, what it lacks that
    is no fault of the file to ``notes``."""
    try:
        sheet = read_sheet(path)
    except Unreadable as error:
        problems.append(f"{display}: {error}")
        return []
    if sheet.year is None or sheet.department is None:
        problems.append(f"{display}: 施策評価シートではありません（表紙の「対象年度」「担当部署」欄が見つかりません）")
        return []
    if sheet.year != year.fiscal_year:
        problems.append(f"{display}: {sheet.year}年度の評価シートです（{year.fiscal_year}年度には取り込めません）")
        return []
    department = year.departments.find(sheet.department)
    if department is None:
        problems.append(f"{display}: 部署「{sheet.department}」は content/departments.yaml にありません")
        return []
    if sheet.tracked_changes:
        problems.append(f"{display}: 変更履歴が{sheet.tracked_changes}か所残っています（すべて承諾するか元に戻し、変更履歴の記録を止めて保存し直してください）")
    if sheet.comments:
        problems.append(f"{display}: コメントが{sheet.comments}件残っています（コメントを削除して保存し直してください）")
    return _answers(sheet, department, display, year, problems, notes)


def _answers(sheet: ReturnedSheet, department: Department, display: str, year: YearPlan, problems: list[str],
             notes: list[str]) -> list[Answer]:
    owned = department.codes()
    on_sheet = {item_code(kind, number) for kind, number, _ in sheet.fields}
    for code in sorted(on_sheet - owned):
        owner = year.departments.owner(code)
        where = f"content/departments.yaml では「{owner.name}」の担当" if owner else f"{year.plan.name}にない項目"
        problems.append(f"{display}: {code}: 「{department.name}」の担当ではありません（{where}）")
    found = []
    for policy in year.tree.policies():
        if policy.code in owned and policy.code not in sheet.named:
            # The sheet went out before the item was the department's: nothing of it was deleted,
            # and the rest of the sheet is good. Merged; the item stays unfilled, and is said.
            notes.append(f"{display}: {policy.code}（{policy.name}）: この評価シートにないため未記入のままです（シートを作った後で "
                         f"content/departments.yaml で「{department.name}」の担当になった項目です。作り直したシート"
                         f"（planpress sheets {year.fiscal_year}）で記入してもらうか、content/{EVALUATIONS_DIR}/{year.path.name} に直接書いてください）")
        elif policy.code in owned:
            answer = _answer(policy, sheet, display, problems)
            if answer is not None:
                found.append(answer)
    return found


def _answer(policy: Policy, sheet: ReturnedSheet, display: str, problems: list[str]) -> Answer | None:
    prefix = f"{display}: {policy.code}（{policy.name}）"
    values = {name: sheet.fields.get((policy.kind, policy.number, name)) for name in (xml.GRADE, xml.COMMENTARY)}
    missing = [_LABELS[name] for name, value in values.items() if value is None]
    if missing:
        problems.append(f"{prefix}: 「{'」「'.join(missing)}」欄が削除されています（元の評価シートに記入し直してください）")
        return None
    found = [f"{prefix}: {message}" for message in _field_problems(policy, values)]
    problems.extend(found)
    if found:
        return None
    grade = grade_as_meant(values[xml.GRADE].text)
    return Answer(policy.code, grade, values[xml.COMMENTARY].text, display)


_LABELS = {xml.GRADE: "評価", xml.COMMENTARY: "評価の解説"}


def _field_problems(policy: Policy, values: dict[str, FieldValue | None]) -> list[str]:
    found = []
    for name, value in values.items():
        assert value is not None
        expected = xml.field_name(policy.kind, policy.number, name)
        if any(tag != expected for tag in value.tags):
            found.append(f"「{_LABELS[name]}」欄に別の項目の欄（{'、'.join(value.tags)}）が入っています")
    grade = grade_as_meant(values[xml.GRADE].text)
    if not grade:
        found.append("評価が選ばれていません")
    elif grade not in GRADES:
        found.append(f"評価「{values[xml.GRADE].text}」は使えません（{'・'.join(GRADES)}から選んでください）")
    commentary = values[xml.COMMENTARY].text
    if not commentary:
        found.append("評価の解説が書かれていません")
    elif values[xml.COMMENTARY].controls > 1:
        found.append("評価の解説の記入欄が分かれて保存され、文章が重なっている可能性があります"
                     "（段落を分けて LibreOffice で保存するとこうなります。Word で直すか、"
                     "段落を分けずに Shift+Enter の改行で書いてください）")
    elif xml.COMMENTARY_PROMPT in commentary:
        found.append(f"評価の解説に記入欄の案内文「{xml.COMMENTARY_PROMPT}」が残っています（消してから書いてください）")
    elif len(commentary) > COMMENTARY_LIMIT:
        found.append(f"評価の解説が{len(commentary)}文字あります（{COMMENTARY_LIMIT}文字以内にしてください）")
    try:
        check_characters(commentary)
    except Invalid as error:
        found.append(f"評価の解説: {error.message}")
    found += [f"評価の解説: {message}" for message in unfilled_placeholders(commentary)]  # as check refuses the year
    return found


def _merge(answer: Answer, answers: dict[str, Answer], year: YearPlan, problems: list[str]) -> None:
    """The same item from two files must say the same thing."""
    first = answers.setdefault(answer.code, answer)
    if (first.grade, first.commentary) != (answer.grade, answer.commentary):
        what = f"評価 {first.grade}／{answer.grade}" if first.grade != answer.grade else "評価の解説が異なります"
        problems.append(f"{answer.code}: {first.source} と {answer.source} で内容が違います（{what}）。どちらか一方にしてください")


def _print_diff(year: YearPlan, answers: dict[str, Answer], out: TextIO) -> int:
    """One entry per returned item, at its place in the YAML; returns how many change."""
    items = {item.code: item for item in year.evaluation.items}
    changed = 0
    for policy in year.tree.policies():
        answer, item = answers.get(policy.code), items.get(policy.code)
        if answer is None or item is None:
            continue
        lines = []
        if item.grade != answer.grade:
            lines.append(f"  評価: {item.grade or '（未記入）'} → {answer.grade}")
        if item.commentary != answer.commentary:
            lines.append(f"  評価の解説: {_quoted(item.commentary)} → {_quoted(answer.commentary)}")
        head = f"{item.location}: {policy.code}（{policy.name}）"
        if lines:
            changed += 1
            print(f"{head}: 変更（{answer.source}）", *lines, sep="\n", file=out)
        else:
            print(f"{head}: 変更なし", file=out)
    return changed


def _quoted(text: str) -> str:
    return f"「{text}」" if text else "（未記入）"


def _write(year: YearPlan, answers: dict[str, Answer]) -> bool:
    """Change only the values the diff showed as changed, each where it is written (a grade
    written Ａ that a sheet returns as A stays as the office wrote it); returns whether the rest
    of the file stayed byte for byte."""
    items = {item.code: item for item in year.evaluation.items}
    data = yamlfile.load_for_update(year.path)
    for entry in data["items"]:
        code = item_code(entry["kind"], entry["number"])
        answer, item = answers.get(code), items.get(code)
        if answer is None or item is None:
            continue
        if answer.grade != item.grade:
            entry["grade"] = yamlfile.plain(answer.grade)
        if answer.commentary != item.commentary:
            entry["commentary"] = yamlfile.text(answer.commentary)
    return yamlfile.write(year.path, data)
