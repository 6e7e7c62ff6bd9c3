"""Rules across the content: every item once, known plans, fillable placeholders."""

from __future__ import annotations

from pathlib import PurePosixPath

from planpress.checks.tree import check_tree
from planpress.content import Content
from planpress.content.model import GRADES, KINDS, Evaluation, EvaluationItem, Plan, item_code
from planpress.errors import Location, Problems
from planpress.figures import PLACEHOLDERS, unfilled_placeholders, unknown_placeholders


def validate(content: Content, problems: Problems, *, unreadable: dict[str, set[str]]) -> None:
    """Check what no single field can: cross-references and completeness."""
    _check_plans(content, problems)
    for number, tree in content.trees.items():
        if number not in content.partial_trees:  # an item that could not be read is no gap in the numbering
            check_tree(tree, problems)
    for evaluation in content.evaluations:
        _check_evaluation(content, evaluation, problems, unreadable.get(evaluation.location.path, set()))


def _check_plans(content: Content, problems: Problems) -> None:
    seen: dict[int, Plan] = {}
    for plan in content.city.plans:
        if plan.number in seen:
            problems.error(plan.location, f"{plan.name}: 同じ計画が2回書かれています（最初は{seen[plan.number].location}）")
        seen.setdefault(plan.number, plan)
        wrong = plan.period_problem()
        if wrong is not None:
            problems.error(plan.positions["end"], wrong)


def _check_evaluation(content: Content, evaluation: Evaluation, problems: Problems, unreadable: set[str]) -> None:
    where = evaluation.positions
    expected_name = f"{evaluation.fiscal_year}.yaml"
    if PurePosixPath(evaluation.location.path).name != expected_name:
        problems.error(
            where["fiscal_year"],
            f"対象年度 {evaluation.fiscal_year} とファイル名が一致しません（evaluations/{expected_name} にしてください）",
        )
    for index, paragraph in enumerate(evaluation.intro):
        for name in unknown_placeholders(paragraph):
            problems.error(
                where["intro"],
                f"前文の{index + 1}段落目: {{{name}}} は使えません（使えるもの: {'、'.join(PLACEHOLDERS)}）",
            )
    # Only the 前文 is filled: a {placeholder} in the title or a commentary prints with its braces.
    texts = [(where["title"], evaluation.title)] + [(item.positions["commentary"], item.commentary) for item in evaluation.items]
    for location, text in texts:
        for message in unfilled_placeholders(text):
            problems.error(location, message)
    plan = content.city.plan(evaluation.plan)
    if plan is None:
        known = "、".join(p.name for p in content.city.plans)
        problems.error(where["plan"], f"第{evaluation.plan}次基本計画は city.yaml にありません（あるもの: {known}）")
        return
    if not plan.start <= evaluation.fiscal_year <= plan.end:
        problems.error(
            where["fiscal_year"],
            f"対象年度 {evaluation.fiscal_year} は{plan.name}の計画期間（{plan.start}〜{plan.end}年度）の外です",
        )
    _check_items(content, evaluation, plan, problems, unreadable)


def _check_items(content: Content, evaluation: Evaluation, plan: Plan, problems: Problems, unreadable: set[str]) -> None:
    numbers = {kind: content.item_numbers(plan, kind) for kind in KINDS}
    if any(found is None for found in numbers.values()):
        where = plan.positions.get("counts", plan.location)  # `counts:` left empty: at that line
        problems.error(where, f"{plan.name}: 施策の体系（tree）も項目数（counts）もないため、評価項目を確かめられません")
        return
    seen: dict[str, int] = {}
    for item in evaluation.items:
        if item.code in seen:
            first = evaluation.items[seen[item.code]].location
            problems.error(item.location, f"{item.code}: 同じ項目が2回あります（最初は{first.line}行目）")
            continue
        seen[item.code] = evaluation.items.index(item)
        _check_half_filled(item, problems)
        # A tree read in part lost items: one message says why (load.py), none per item it lost.
        if item.number not in numbers[item.kind] and plan.number not in content.partial_trees:
            last = item_code(item.kind, max(numbers[item.kind]))
            problems.error(item.positions["number"], f"{item.code}: {plan.name}にない項目です（{item.kind}の最後は{last}）")
    expected = {item_code(kind, number) for kind in KINDS for number in numbers[kind]}
    if any(label not in expected for label in unreadable):
        return  # an item whose number could not be read: which one is missing is unknown
    for kind in KINDS:
        for number in numbers[kind]:
            code = item_code(kind, number)
            if code not in seen and code not in unreadable:
                problems.error(where_items(evaluation), f"{code}: 評価がありません（{plan.name}の全項目を書いてください）")


def _check_half_filled(item: EvaluationItem, problems: Problems) -> None:
    """Both empty is an item not evaluated yet (the year is incomplete); one of the two is a mistake."""
    if item.grade and not item.commentary.strip():
        problems.error(item.positions["commentary"], f"{item.code}: 評価の解説（commentary）: 空です。内容を書いてください")
    elif item.commentary.strip() and not item.grade:
        problems.error(item.positions["grade"], f"{item.code}: 評価（grade）: 空です。{'・'.join(GRADES)}のいずれかで書いてください")


def where_items(evaluation: Evaluation) -> Location:
    """Missing items are reported at the items: list itself."""
    return evaluation.positions.get("items", evaluation.location)
