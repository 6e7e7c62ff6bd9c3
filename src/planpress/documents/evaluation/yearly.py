"""The parts of a 7th-plan council report that compare: grade distribution chart, year over year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from planpress import japanese
from planpress.document import Bar, BarChart, Block, Cell, Column, Paragraph, Table
from planpress.figures import EvaluationFigures
from planpress.content.model import GRADES, KINDS, Evaluation, EvaluationItem, Plan


@dataclass(frozen=True)
class Change:
    """How an item's grade moved since the year before: the word printed and its style."""

    word: str
    style: str


UP, DOWN, SAME = Change("↑ 上昇", "change-up"), Change("↓ 低下", "change-down"), Change("→ 維持", "change-same")


def grade_chart(figures: EvaluationFigures) -> BarChart:
    """One bar per grade, as long as the grade's share of all items as its label prints it."""
    bars = tuple(
        Bar(f"{row.grade}評価", f"{row.total}項目（{row.share}）", _length(row.total, figures.total), f"bar-{row.grade.lower()}")
        for row in figures.grades
    )
    return BarChart(bars, caption=f"評価ごとの項目数（全{figures.total}項目に占める割合）")


def _length(part: int, whole: int) -> Decimal:
    """The share the label prints (rounded half up to one decimal): Python's round() to a whole
    percent drew 12.5％ at 12 % but 37.5％ at 38 % (half to even)."""
    return japanese.percent_value(part, whole) if whole else Decimal(0)


def change(before: str, after: str) -> Change:
    """A is the best grade: moving towards it is 上昇."""
    rank_before, rank_after = GRADES.index(before), GRADES.index(after)
    return UP if rank_after < rank_before else DOWN if rank_after > rank_before else SAME


def year_over_year(evaluation: Evaluation, previous: Evaluation | None, plan: Plan) -> Block:
    """Each item's grade against the year before, or why there is nothing to compare."""
    if previous is None:
        first = "初年度" if plan.year_of(evaluation.fiscal_year) == 1 else f"{plan.year_of(evaluation.fiscal_year)}年目"
        return Paragraph(
            f"{japanese.fiscal_year_short(evaluation.fiscal_year)}は{plan.name}の{first}で、"
            f"比較できる前年度の評価がないため、前年度との比較はありません。"
        )
    before = {item.code: item for item in previous.items}
    order = {kind: index for index, kind in enumerate(KINDS)}
    items = sorted(evaluation.items, key=lambda item: (order[item.kind], item.number))
    last, this = japanese.fiscal_year_short(previous.fiscal_year), japanese.fiscal_year_short(evaluation.fiscal_year)
    rows = tuple(_row(item, before.get(item.code), last) for item in items)
    columns = (Column("項目", 46), Column(last, 18, "table-center"), Column(this, 18, "table-center"), Column("変化", 18, "table-center"))
    return Table(columns, rows, caption=_tally(items, before, last))


def _row(item: EvaluationItem, before: EvaluationItem | None, last: str) -> tuple[Cell, ...]:
    grade = Cell((item.grade,), f"grade-{item.grade.lower()}")
    code = item.code
    if before is not None and before.name != item.name:
        # The grades compared are the same number's: a reader must see that it was named otherwise.
        code = f"{item.code}（{last}は「{before.name}」）"
    if before is None or not before.grade:
        return (Cell((code, item.name), "table-item"), Cell(("－",), "table-center"), grade, Cell(("－",), "change-same"))
    moved = change(before.grade, item.grade)
    return (
        Cell((code, item.name), "table-item"),
        Cell((before.grade,), f"grade-{before.grade.lower()}"),
        grade,
        Cell((moved.word,), moved.style),
    )


def _tally(items: list[EvaluationItem], before: dict[str, EvaluationItem], last: str) -> str:
    """上昇3項目、維持40項目、低下5項目: counted, never typed."""
    moves = [change(before[i.code].grade, i.grade) for i in items if i.code in before and before[i.code].grade]
    counts = "、".join(f"{c.word.split()[-1]}{sum(1 for m in moves if m is c)}項目" for c in (UP, SAME, DOWN))
    if len(moves) < len(items):  # last year's file not filled in whole: its rows print －
        counts += f"、{last}の評価がない項目（－）{len(items) - len(moves)}項目"
    return f"{last}の評価との比較（{counts}）。評価は{'・'.join(GRADES)}の{len(GRADES)}段階でAが最も良い評価"
