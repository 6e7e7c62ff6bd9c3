"""The booklet's 第8 重点プロジェクト and its per-policy pages (one page per 運営方針 / 基本施策)."""

from __future__ import annotations

import math

from planpress import design, japanese
from planpress.design import SDG_ICON_ROW
from planpress.drawing import text_width
from planpress.content.booklet import Booklet
from planpress.documents.booklet import charts, diagrams
from planpress.content.booklet import FigureTable, Goal, PolicyPage, PriorityProject
from planpress.document import Block, Cell, Column, Figure, Heading, Paragraph, Photos, PhotoSlot, RunningHead, Section, Table
from planpress.content.model import KINDS, Policy, PolicyTree

MISSING = "未入力"


def project_sections(booklet: Booklet, heading: Heading, text: tuple[Block, ...]) -> list[Section]:
    """第8: the introduction with the overview diagram, then one section per project."""
    overview = Figure((diagrams.projects_overview(booklet.projects),))
    intro = Section(heading.text, "sec-chapter-8", (heading, *text, Heading("重点プロジェクトの体系図", 3), overview))
    return [intro, *(_project(booklet, p) for p in booklet.projects.projects)]


def _project(booklet: Booklet, project: PriorityProject) -> Section:
    title = _project_title(project)
    blocks: list[Block] = [Heading(title, 2, anchor=f"project-{project.number}"),
                           *(Paragraph(text) for text in project.background)]
    for approach in project.approaches:
        blocks += [Heading(f"アプローチ{diagrams.circled(approach.number)}　{approach.title}", 3),
                   *(Paragraph(text) for text in approach.paragraphs)]
        examples = booklet.examples.get((project.number, approach.number), [])
        if examples:
            blocks.append(Paragraph("≪代表的な取組事例≫", "label"))
            blocks += [Paragraph(f"〇 {e.code}　{e.name}", "example-item") for e in examples]
    if project.figures:
        blocks.append(Heading("【目安となる主な数値】", 3))
        blocks += [_figure_table(table) for table in project.figures]
    if project.photos:
        slots = tuple(PhotoSlot(photo.caption, booklet.images.get((project.number, index)))
                      for index, photo in enumerate(project.photos))
        blocks.append(Photos(slots, "写真"))
    # The running header spells the project as its heading does (重点プロジェクト1, not 第8 重点プロジェクト 1).
    return Section(title, f"sec-project-{project.number}", tuple(blocks), running_title=title)


def _project_title(project: PriorityProject) -> str:
    return f"重点プロジェクト{project.number}　{project.title}"


def _policy_running_title(policy: Policy) -> str:
    return f"施策ごとの計画　{policy.code}　{policy.name}"


def running_heads(booklet: Booklet) -> list[RunningHead]:
    """The running headers of the project and policy pages, at the titles and names they print."""
    heads = [RunningHead(_project_title(p), f"重点プロジェクト{p.number}", p.positions["title"]) for p in booklet.projects.projects]
    return heads + [RunningHead(_policy_running_title(p), p.code, p.positions["name"]) for p in booklet.tree.policies()]


def _figure_table(table: FigureTable) -> Table:
    columns = tuple(Column(f"{c.label}（{c.unit}）", 1, "table-number", c.group or "") for c in table.columns)
    row = tuple(Cell((japanese.number(value),), "table-number") for value in table.values)
    caption = f"（{table.as_of}）" if table.as_of else ""
    return Table(columns, (row,), caption=caption, style="data-table figures")


def policy_sections(booklet: Booklet) -> list[Section]:
    """One section per 運営方針 and 基本施策, in tree order; the first opens the chapter."""
    pages = {page.item.code: page for page in booklet.pages.pages}
    where = trails(booklet.tree)
    citing = _citing_projects(booklet)
    sections = []
    for index, policy in enumerate(booklet.tree.policies()):
        blocks = _policy_blocks(booklet, policy, pages.get(policy.code), where.get(policy.code, ()), citing.get(policy.code))
        if index == 0:
            blocks = (Heading("施策ごとの計画", 1, anchor="policies"), *blocks)
        sections.append(Section(policy.code, f"sec-policy-{anchor(policy)}", blocks, running_title=_policy_running_title(policy),
                                trail=where.get(policy.code, ())))
    return sections


def anchor(policy: Policy) -> str:
    return f"{'m' if policy.kind == KINDS[0] else 'p'}{policy.number:02d}"


def _policy_blocks(booklet: Booklet, policy: Policy, page: PolicyPage | None, trail: tuple[str, ...],
                   citing: Table | None) -> tuple[Block, ...]:
    blocks: list[Block] = [Heading(f"{policy.code}　{policy.name}", 2, anchor=f"policy-{anchor(policy)}"),
                           Paragraph(position(trail), "tree-path"),
                           Heading("施策", 3),
                           Table((Column("番号", 10, "table-center"), Column("施策", 90)),
                                 tuple((Cell((str(n),), "table-center"), Cell((m,))) for n, m in enumerate(policy.measures, 1)))]
    goals = related_goals(booklet, policy)
    blocks.append(Heading("関連するSDGs", 3))
    blocks.append(Figure(tuple(charts.sdg_icon(g, SDG_ICON_ROW, booklet.icons.get(g.number)) for g in goals), "", "icon-row") if goals
                  else Paragraph("関連するゴールはありません", "note"))
    blocks.append(Heading("関連する重点プロジェクト", 3))
    blocks.append(citing or Paragraph("この項目を代表的な取組事例とする重点プロジェクトはありません", "note"))
    blocks += _review(booklet, policy)
    blocks += _slots(page)
    return tuple(blocks)


def trails(tree: PolicyTree) -> dict[str, tuple[str, ...]]:
    """Where each item sits, by its code: (自治体運営, 第2 健全な行財政運営の推進) or
    (部門別計画, 第1 …, 2 …); worked out once for the tree (a ×16 booklet has some 900 items)."""
    found: dict[str, tuple[str, ...]] = {}
    for goal in tree.management:
        for policy in goal.policies:
            found.setdefault(policy.code, ("自治体運営", f"第{goal.number} {goal.title}"))
    for sector in tree.sectors:
        for group in sector.groups:
            for policy in group.policies:
                found.setdefault(policy.code, ("部門別計画", f"第{sector.number} {sector.title}", f"{group.number} {group.title}"))
    return found


def position(trail: tuple[str, ...]) -> str:
    """自治体運営　第2 健全な行財政運営の推進, or 部門別計画　第1 …　＞　2 …"""
    side, *levels = trail or ("",)
    return "　＞　".join([f"{side}　{levels[0]}" if levels else side, *levels[1:]])


def related_goals(booklet: Booklet, policy: Policy) -> list[Goal]:
    """The goals whose row of the SDGs table lists this item."""
    field = "management" if policy.kind == KINDS[0] else "policies"
    return [g for g in sorted(booklet.goals.goals, key=lambda g: g.number) if policy.number in getattr(g, field)]


def _citing_projects(booklet: Booklet) -> dict[str, Table]:
    """関連する重点プロジェクト for each policy a 代表的な取組事例 cites, by its code: the same
    columns on every page, their widths from the longest entries of all (``column_shares``)."""
    citations = _citations(booklet)
    if not citations:
        return {}
    headers = ("重点プロジェクト", "アプローチ", "代表的な取組事例")
    widths = column_shares([max(text_width(row[index], _TABLE_EM) for _, row in citations) for index in range(len(headers))])
    columns = tuple(Column(header, width) for header, width in zip(headers, widths))
    rows: dict[str, list[tuple[Cell, ...]]] = {}
    for policy, row in citations:
        rows.setdefault(policy.code, []).append(tuple(Cell((text,)) for text in row))
    return {code: Table(columns, tuple(found)) for code, found in rows.items()}


def _citations(booklet: Booklet) -> list[tuple[Policy, tuple[str, str, str]]]:
    """Each 代表的な取組事例 with the policy it cites: its project, approach and policy as printed."""
    return [(example.policy, (f"{project.number}　{project.title}", f"{diagrams.circled(approach.number)} {approach.title}",
                              f"{example.code}　{example.name}"))
            for project in booklet.projects.projects for approach in project.approaches
            for example in booklet.examples.get((project.number, approach.number), [])]


#: An em of table text in mm.
_TABLE_EM = design.TABLE_TEXT_PT * 25.4 / 72


def column_shares(longest: list[float]) -> list[int]:
    """Shares (percent) of the text's width for a table's columns, from the width (mm) of each
    column's longest text, so that every table of a kind has the same columns. The columns that
    fit take what they need; if not all fit, the narrowest takes its line whole while the others
    keep at least half of theirs (so no entry of theirs takes more than about two lines), and so on
    from the narrowest; the rest share what is left by their longest text."""
    whole = room = design.PAGE[0] - design.PAGE_MARGINS[1] - design.PAGE_MARGINS[3]
    needs = [width + 2 * design.CELL_PADDING_MM + 1.0 for width in longest]  # 1 mm: rules and rounding
    shares = [0] * len(needs)
    rest = sorted(range(len(needs)), key=needs.__getitem__)
    while len(rest) > 1 and sum(needs[index] for index in rest) > room:
        others = sum(needs[index] for index in rest[1:])
        if room - needs[rest[0]] < others / 2:
            break
        shares[rest[0]] = math.ceil(needs[rest[0]] * 100 / whole)  # its line whole: rounded up
        room -= needs[rest.pop(0)]
    total = sum(needs[index] for index in rest)
    exact = {index: (100 - sum(shares)) * needs[index] / total for index in rest}
    for index in rest:
        shares[index] = math.floor(exact[index])
    for index in sorted(rest, key=lambda index: exact[index] - shares[index], reverse=True)[:100 - sum(shares)]:
        shares[index] += 1
    return shares


def _review(booklet: Booklet, policy: Policy) -> list[Block]:
    review = booklet.review
    item = next((i for i in review.items if i.kind == policy.kind and i.number == policy.number), None) if review else None
    if review is None or item is None or booklet.review_plan is None:
        return []
    year = japanese.fiscal_year(review.fiscal_year)
    heading = Heading(f"{booklet.review_plan.name}の施策評価（{year}までの取組）", 3)
    columns = (Column("評価", 12, "table-center"), Column("評価の解説", 88))
    row = (Cell((item.grade,), f"grade-{item.grade.lower()}"), Cell(tuple(item.commentary.split("\n"))))
    return [heading, Table(columns, (row,))]


def _slots(page: PolicyPage | None) -> list[Block]:
    blocks: list[Block] = []
    for title, paragraphs in (("現状と課題", page.current if page else None), ("目指す姿", page.vision if page else None)):
        blocks.append(Heading(title, 3))
        blocks += [Paragraph(text) for text in paragraphs] if paragraphs else [Paragraph(MISSING, "missing")]
    blocks.append(Heading("成果指標", 3))
    indicators = page.indicators if page else None
    if not indicators:
        return [*blocks, Paragraph(MISSING, "missing")]
    columns = (Column("指標", 40), Column("基準値", 30, "table-number"), Column("目標値", 30, "table-number"))
    rows = tuple((Cell((i.name,)), Cell((f"{i.baseline}{i.unit}", japanese.fiscal_year_short(i.baseline_year)), "table-number"),
                  Cell((f"{i.target}{i.unit}", japanese.fiscal_year_short(i.target_year)), "table-number")) for i in indicators)
    return [*blocks, Table(columns, rows)]
