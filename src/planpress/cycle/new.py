"""`planpress evaluation new`: a year's evaluation file listing every item, nothing graded yet."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from planpress import japanese
from planpress.content.files import EVALUATIONS_DIR
from planpress.cycle import yamlfile
from planpress.errors import PlanpressError
from planpress.output import WriteError
from planpress.content import Content
from planpress.content.model import Plan, PolicyTree
from planpress.project import Project

HEADER = """\
{plan}の施策評価（{year}までの取組）。planpress evaluation new で作成しました。
評価（grade）と評価の解説（commentary）は、部署から戻った評価シートを
planpress collect {fiscal_year} で取り込むと埋まります（ここで直接書いても構いません）。
全項目が埋まると planpress build で議会報告を作成します。
前文の {{…}} は planpress が評価項目から計算して埋めます（数や割合は書かないでください）。"""

INTRO = (
    "{計画名}の施策評価は、計画に示された{運営方針数}項目の運営方針と{基本施策数}項目の基本施策を対象として実施しており、"
    "それぞれの項目を良い評価の順に{評価段階}で評価しています。",
    "{計画名}の{計画年目}年目に当たる{対象年度}までの取組に係る施策評価においては、{評価結果}という結果となりました。",
)


def evaluation_path(project: Project, fiscal_year: int) -> Path:
    return project.content_dir / EVALUATIONS_DIR / f"{fiscal_year}.yaml"


def new_evaluation(project: Project, content: Content, fiscal_year: int) -> Path:
    """Write content/evaluations/<year>.yaml for the plan whose period holds the year."""
    path = evaluation_path(project, fiscal_year)
    if path.exists():
        raise PlanpressError(f"{project.display(path)}: すでにあります（上書きはしません）")
    plan = content.plan_for_year(fiscal_year)
    if plan is None:
        periods = "、".join(f"{p.name} {p.start}〜{p.end}年度" for p in content.city.plans)
        raise PlanpressError(f"{fiscal_year}年度を計画期間に含む基本計画がありません（{periods}）")
    tree = content.trees.get(plan.number)
    if tree is None:
        raise PlanpressError(f"{plan.location}: {plan.name}の施策の体系（tree）がないため、評価項目を並べられません")
    try:
        yamlfile.write(path, _document(plan, tree, fiscal_year))
    except WriteError as error:
        raise PlanpressError(f"{project.display(path)}: 書き込めません（{error.reason}）。作成していません") from None
    return path


def _document(plan: Plan, tree: PolicyTree, fiscal_year: int) -> CommentedMap:
    data = CommentedMap()
    data["fiscal_year"] = fiscal_year
    data["plan"] = plan.number
    data["title"] = f"{plan.name}の施策評価"
    data["intro"] = CommentedSeq(INTRO)
    data["items"] = CommentedSeq(_item(policy.kind, policy.number, policy.name) for policy in tree.policies())
    header = HEADER.format(plan=plan.name, year=japanese.fiscal_year_short(fiscal_year), fiscal_year=fiscal_year)
    data.yaml_set_start_comment(header)
    return data


def _item(kind: str, number: int, name: str) -> CommentedMap:
    item = CommentedMap()
    item["kind"], item["number"], item["name"] = kind, number, name
    item["grade"], item["commentary"] = "", ""
    return item
