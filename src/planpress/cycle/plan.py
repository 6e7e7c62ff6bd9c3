"""What every cycle step needs about one year: its evaluation, plan, tree and departments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planpress.content.departments import DEPARTMENTS_FILE, Departments
from planpress.errors import PlanpressError
from planpress.content import Content
from planpress.content.model import Evaluation, Plan, PolicyTree
from planpress.project import Project


@dataclass(frozen=True)
class YearPlan:
    """One evaluation year, resolved: the file, the plan's tree and who owns which item."""

    fiscal_year: int
    path: Path
    evaluation: Evaluation
    previous: Evaluation | None
    plan: Plan
    tree: PolicyTree
    departments: Departments
    city: str


def year_plan(project: Project, content: Content, fiscal_year: int) -> YearPlan:
    """Resolve the year or explain, in Japanese, what is missing first."""
    evaluation = content.evaluation(fiscal_year)
    if evaluation is None:
        raise PlanpressError(f"{fiscal_year}年度の評価ファイルがありません（先に planpress evaluation new {fiscal_year} を実行してください）")
    plan = content.city.plan(evaluation.plan)
    tree = content.trees.get(evaluation.plan)
    if plan is None or tree is None:
        raise PlanpressError(f"{evaluation.positions['plan']}: 第{evaluation.plan}次基本計画の施策の体系が content/ にありません")
    departments = content.departments
    if departments is None:
        raise PlanpressError(f"content/{DEPARTMENTS_FILE} がありません（担当部署を書いてください）")
    if departments.plan != evaluation.plan:
        raise PlanpressError(
            f"{departments.positions['plan']}: 担当部署は第{departments.plan}次基本計画のもので、"
            f"{fiscal_year}年度（{plan.name}）には使えません"
        )
    path = project.root / evaluation.location.path
    return YearPlan(fiscal_year, path, evaluation, content.previous(evaluation), plan, tree, departments, content.city.city)
