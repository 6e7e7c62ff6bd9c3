"""Figures computed from an evaluation: counts, shares and the summary sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from planpress import japanese
from planpress.content.model import GRADES, KINDS, Evaluation, Plan

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class GradeRow:
    """One grade's count per kind, its total and its share of all items."""

    grade: str
    by_kind: tuple[int, ...]
    total: int
    share: str


@dataclass(frozen=True)
class EvaluationFigures:
    """Everything the report prints that is counted rather than written."""

    total: int
    by_kind: tuple[int, ...]
    grades: tuple[GradeRow, ...]
    summary: str
    fields: dict[str, str]


def evaluation_figures(evaluation: Evaluation, plan: Plan) -> EvaluationFigures:
    """Count the items by kind and grade and word the result the way the report does."""
    items = evaluation.items
    total = len(items)
    by_kind = tuple(sum(1 for item in items if item.kind == kind) for kind in KINDS)
    rows = []
    for grade in GRADES:
        counts = tuple(sum(1 for i in items if i.kind == kind and i.grade == grade) for kind in KINDS)
        rows.append(GradeRow(grade, counts, sum(counts), japanese.percent(sum(counts), total)))
    summary = japanese.grade_summary([(row.grade, row.total) for row in rows])
    fields = {
        "計画名": plan.name,
        "計画年目": str(plan.year_of(evaluation.fiscal_year)),
        "対象年度": japanese.fiscal_year_short(evaluation.fiscal_year),
        "作成年度": japanese.fiscal_year_short(evaluation.fiscal_year + 1),
        "項目数": str(total),
        "評価段階": f"{'・'.join(GRADES)}の{len(GRADES)}段階",
        "評価結果": summary,
    }
    fields.update({f"{kind}数": str(count) for kind, count in zip(KINDS, by_kind)})
    return EvaluationFigures(total, by_kind, tuple(rows), summary, fields)


#: The placeholders an evaluation's 前文 may use, for messages and the README.
PLACEHOLDERS = ("計画名", "計画年目", "対象年度", "作成年度", "項目数", "評価段階", "評価結果") + tuple(
    f"{kind}数" for kind in KINDS
)


#: {名前} written where nothing fills it (any text but an evaluation's 前文) prints braces and all.
_WRITTEN = re.compile(r"\{[^{}\s]{1,30}\}")


def unfilled_placeholders(text: str) -> list[str]:
    """A message for each ``{名前}`` in a text that no placeholder filling reaches."""
    return [f"「{found}」は差し込み項目の書き方ですが、この文章では置き換えられません（このまま印刷されます。数値や語句を直接書いてください）"
            for found in _WRITTEN.findall(text)]


def unknown_placeholders(text: str) -> list[str]:
    """Names in ``{…}`` that the report cannot fill."""
    return [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]


def fill(text: str, fields: dict[str, str]) -> str:
    """Replace each ``{name}`` with its computed value."""
    return _PLACEHOLDER.sub(lambda match: fields[match.group(1)], text)
