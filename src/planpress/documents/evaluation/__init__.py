"""The evaluation report (施策評価) for the council: summary sentence, counts and item table.

The package is the report's document; yearly.py holds the parts that compare years."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from planpress import japanese
from planpress.document import (Block, Cell, Column, Document, DocumentSpec, Heading, Paragraph, RunningHead, Section, Table,
                                TitleBlock)
from planpress.documents.evaluation.yearly import grade_chart, year_over_year
from planpress.figures import EvaluationFigures, evaluation_figures, fill
from planpress.content import Content
from planpress.content.model import GRADES, KINDS, Evaluation, EvaluationItem, Plan


def specs(content: Content) -> list[DocumentSpec]:
    """One report per complete evaluation year whose plan is known."""
    found = []
    for evaluation in sorted(content.evaluations, key=lambda e: e.fiscal_year):
        plan = content.city.plan(evaluation.plan)
        if plan is not None and evaluation.complete:
            # Reports of plans whose tree is in content/ (the 7th on) also chart and compare.
            compare = Comparison(content.previous(evaluation)) if plan.number in content.trees else None
            make = partial(evaluation_document, evaluation, plan, content.city.city, compare)
            found.append(DocumentSpec(evaluation.name, evaluation.title, make))
    return found


def skipped(content: Content) -> dict[str, str]:
    """Years still being evaluated: their report waits until every item is filled."""
    found = {}
    for evaluation in sorted(content.evaluations, key=lambda e: e.fiscal_year):
        missing = evaluation.unfilled
        if missing:
            year = japanese.fiscal_year(evaluation.fiscal_year)
            found[evaluation.name] = (
                f"{evaluation.location.path}: {year}の評価は全{len(evaluation.items)}項目のうち"
                f"{len(missing)}項目が未記入のため、{evaluation.name} は作成しません（最初の未記入: {missing[0].code}）"
            )
    return found


@dataclass(frozen=True)
class Comparison:
    """Asks for the chart and the year-over-year table, against this previous year (if any)."""

    previous: Evaluation | None


def evaluation_document(evaluation: Evaluation, plan: Plan, city: str, compare: Comparison | None = None) -> Document:
    """Lay the evaluation out as one section: title, summary, counts, every item."""
    year = japanese.fiscal_year(evaluation.fiscal_year)
    subtitle = f"{year}までの取組に係る施策評価"
    blocks = (TitleBlock(evaluation.title, subtitle, city), *summary_blocks(evaluation, plan, compare=compare))
    section = Section(evaluation.title, "report", blocks, running_title=_running_title(evaluation))
    return Document(
        name=evaluation.name,
        title=f"{evaluation.title}（{subtitle}）",
        author=city,
        subject=f"{plan.name} 施策評価 {year}",
        keywords=("施策評価", plan.name, year),
        sections=(section,),
        stylesheets=("report.css",),
    )


def _running_title(evaluation: Evaluation) -> str:
    return f"{evaluation.title}　{japanese.fiscal_year(evaluation.fiscal_year)}"


def running_heads(content: Content) -> list[RunningHead]:
    """The running header of each report ``specs`` makes, at its title."""
    by_name = {evaluation.name: evaluation for evaluation in content.evaluations}
    return [RunningHead(_running_title(evaluation), label(evaluation), evaluation.positions["title"])
            for evaluation in (by_name[spec.name] for spec in specs(content))]


def label(evaluation: Evaluation) -> str:
    """How messages name an evaluation: 令和3年度（2021年度）の施策評価."""
    return f"{japanese.fiscal_year(evaluation.fiscal_year)}の施策評価"


def summary_blocks(
    evaluation: Evaluation, plan: Plan, *, level: int = 2, compare: Comparison | None = None
) -> tuple[Block, ...]:
    """The report's body: summary sentence, counts by grade (and the comparison) and every item.

    The booklet's 第6次基本計画の総括 reuses it, with its headings one level down.
    """
    figures = evaluation_figures(evaluation, plan)
    return (
        Heading("概要", level, anchor="summary"),
        *(Paragraph(fill(text, figures.fields)) for text in evaluation.intro),
        Heading("評価の内訳", level, anchor="distribution"),
        _distribution_table(figures),
        *(_comparison(evaluation, plan, figures, compare) if compare else ()),
        Heading("項目別の評価", level, anchor="items"),
        _items_table(evaluation.items),
    )


def _comparison(evaluation: Evaluation, plan: Plan, figures: EvaluationFigures, compare: Comparison) -> tuple[Block, ...]:
    return (
        grade_chart(figures),
        Heading("前年度との比較", anchor="year-over-year"),
        year_over_year(evaluation, compare.previous, plan),
    )


def _distribution_table(figures: EvaluationFigures) -> Table:
    columns = (
        Column("評価", 16, "table-center"),
        *(Column(kind, 21, "table-number") for kind in KINDS),
        Column("合計", 21, "table-number"),
        Column("割合", 21, "table-number"),
    )
    rows = [
        (
            Cell((f"{row.grade}評価",), f"grade-{row.grade.lower()}"),
            *(Cell((f"{count}項目",), "table-number") for count in row.by_kind),
            Cell((f"{row.total}項目",), "table-number"),
            Cell((row.share,), "table-number"),
        )
        for row in figures.grades
    ]
    rows.append(
        (
            Cell(("計",), "table-center"),
            *(Cell((f"{count}項目",), "table-number") for count in figures.by_kind),
            Cell((f"{figures.total}項目",), "table-number"),
            Cell((japanese.percent(figures.total, figures.total),), "table-number"),
        )
    )
    return Table(columns, tuple(rows), caption=f"評価ごとの項目数と割合（{_rounding_note(figures)}）")


def _rounding_note(figures: EvaluationFigures) -> str:
    """How the shares are rounded; where the grades' rounded shares do not add up to the 100.0％
    of the total row (14, 24, 8 and 2 of 48: 29.2 + 50.0 + 16.7 + 4.2 = 100.1), that too, as a
    council member adding the column would otherwise find a mistake."""
    note = "割合は小数第2位を四捨五入"
    if figures.total and sum(japanese.percent_value(row.total, figures.total) for row in figures.grades) != 100:
        note += "しているため、各評価の割合の合計は100.0％になりません"
    return note


def _items_table(items: list[EvaluationItem]) -> Table:
    order = {kind: index for index, kind in enumerate(KINDS)}
    ordered = sorted(items, key=lambda item: (order[item.kind], item.number))
    columns = (Column("項目", 30), Column("評価", 10, "table-center"), Column("評価の解説", 60))
    rows = tuple(
        (
            Cell((item.code, item.name), "table-item"),
            Cell((item.grade,), f"grade-{item.grade.lower()}"),
            Cell(tuple(item.commentary.split("\n"))),  # a paragraph per line the official wrote
        )
        for item in ordered
    )
    return Table(columns, rows, caption=f"評価は{'・'.join(GRADES)}の{len(GRADES)}段階（Aが最も良い評価）")
