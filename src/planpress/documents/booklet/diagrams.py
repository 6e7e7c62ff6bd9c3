"""Diagrams of the booklet drawn from the policy tree and the projects: structure, 施策の体系, overview."""

from __future__ import annotations

from dataclasses import dataclass

from planpress.content.booklet import Projects
from planpress.design import colour
from planpress.drawing import Drawing, Label, Line, Rect, Shape, wrap
from planpress.content.model import Policy, PolicyTree

INK = colour("ink")
NAVY = colour("navy")
PALE = colour("pale")
LINE = colour("rule")
SMALL = 2.7
ROW = SMALL * 1.35


@dataclass(frozen=True)
class Branch:
    """A top-level part of the tree for 第9: 自治体運営 第1 or 部門別計画 第3, with its groups."""

    side: str
    number: int
    title: str
    groups: tuple[tuple[str, tuple[Policy, ...]], ...]


def branches(tree: PolicyTree) -> list[Branch]:
    found = [Branch("自治体運営", g.number, g.title, (("", tuple(g.policies)),)) for g in tree.management]
    found += [Branch("部門別計画", s.number, s.title, tuple((f"{g.number}　{g.title}", tuple(g.policies)) for g in s.groups))
              for s in tree.sectors]
    return found


def _box(x: float, y: float, w: float, lines: list[str], *, fill: str = PALE, colour: str = INK,
         size: float = 3.0, bold: bool = True) -> tuple[list[Shape], float]:
    """A box of wrapped lines; returns its shapes and height."""
    height = len(lines) * size * 1.35 + size
    shapes: list[Shape] = [Rect(x, y, w, height, fill=fill, stroke=LINE, stroke_width=0.25, radius=1)]
    shapes += [Label(x + 2, y + size * 1.3 + i * size * 1.35, line, size, colour, bold=bold) for i, line in enumerate(lines)]
    return shapes, height


def _connect(parent: tuple[float, float], children: list[tuple[float, float]], trunk: float) -> list[Shape]:
    """Elbow connectors from a parent box's right edge (x, mid y) to each child's left edge.

    A horizontal line from the parent to the trunk, the trunk along the children, and a
    horizontal line from the trunk to each child: all in the gap between the two columns.
    """
    if not children:
        return []
    (px, py), ys = parent, [y for _, y in children] + [parent[1]]
    shapes: list[Shape] = [Line(px, py, trunk, py, LINE, 0.35)]
    if min(ys) < max(ys):
        shapes.append(Line(trunk, min(ys), trunk, max(ys), LINE, 0.35))
    shapes += [Line(trunk, y, x, y, LINE, 0.35) for x, y in children]
    return shapes


def structure_diagram(tree: PolicyTree, width: float = 170.0) -> Drawing:
    """第2: 理想の都市 → 自治体運営 (第1, 第2) and 部門別計画 (第1–第5), joined by connectors."""
    shapes: list[Shape] = []
    root_w, side_x, side_w, goal_x = 38.0, 46.0, 26.0, 80.0
    rows: list[tuple[str, list[str]]] = [
        ("自治体運営", [f"第{g.number}　{g.title}" for g in tree.management]),
        ("部門別計画", [f"第{s.number}　{s.title}" for s in tree.sectors]),
    ]
    y = 0.3  # the boxes' strokes stay inside the drawing
    sides: list[tuple[float, float]] = []
    for side, titles in rows:
        goals: list[tuple[float, float]] = []
        top = y
        for title in titles:
            box, h = _box(goal_x, y, width - goal_x - 0.3, [title], fill=colour("white"))
            shapes += box
            goals.append((goal_x, y + h / 2))
            y += h + 2
        middle = (goals[0][1] + goals[-1][1]) / 2
        box, h = _box(side_x, middle - 3.7, side_w, [side], size=3.4)
        shapes += box + _connect((side_x + side_w, middle), goals, (side_x + side_w + goal_x) / 2)
        sides.append((side_x, middle))
        y += 4 if y > top else 0
    height = y - 4 + 0.3
    middle = (sides[0][1] + sides[-1][1]) / 2
    shapes.insert(0, Rect(0, 0, root_w, height, fill=NAVY, radius=1.5))
    shapes += _connect((root_w, middle), sides, (root_w + side_x) / 2)
    for index, line in enumerate(("理想の都市", f"「{tree.ideal_city}」")):
        shapes.append(Label(root_w / 2, middle - 2 + index * 6, line, 3.8, colour("white"), "middle", True))
    alt = (f"計画の構成図。理想の都市「{tree.ideal_city}」の下に、自治体運営（"
           + "、".join(f"第{g.number} {g.title}" for g in tree.management) + "）と部門別計画（"
           + "、".join(f"第{s.number} {s.title}" for s in tree.sectors) + "）を置く。")
    return Drawing("structure", width, height, tuple(shapes), alt)


def _policy_rows(policy: Policy, x: float, y: float, widths: tuple[float, float]) -> tuple[list[Shape], float, float]:
    """A policy box (code, name) with its numbered 施策 to the right; returns shapes, height and
    the box's middle (where its parent's connector meets it)."""
    name_lines = [policy.code] + wrap(policy.name, 3.0, widths[0] - 4)
    measure_lines: list[str] = []
    for number, measure in enumerate(policy.measures, 1):
        wrapped = wrap(measure, SMALL, widths[1] - 6)
        measure_lines += [f"{number}　{wrapped[0]}"] + [f"　 {rest}" for rest in wrapped[1:]]
    box, box_h = _box(x, y, widths[0], name_lines, fill=colour("white"), colour=NAVY)
    height = max(box_h, len(measure_lines) * ROW + 2)
    mx = x + widths[0] + 3
    shapes = box + [Rect(mx, y, widths[1], height, fill=colour("frame"), stroke=GRID_STROKE, stroke_width=0.2)]
    shapes += [Label(mx + 1.5, y + ROW + i * ROW - 0.5, line, SMALL, INK, bold=False) for i, line in enumerate(measure_lines)]
    shapes.append(Line(x + widths[0], y + box_h / 2, mx, y + box_h / 2, LINE, 0.35))
    return shapes, height, y + box_h / 2


GRID_STROKE = colour("grid")


def branch_diagram(tree: PolicyTree, branch: Branch, width: float = 170.0) -> Drawing:
    """第9, one part of the tree: goal → policy group → 運営方針/基本施策 → numbered 施策, each box
    joined to its parent by an elbow connector."""
    widths = (28.0, 34.0, 42.0, width - 28 - 34 - 42 - 12)
    grouped = any(title for title, _ in branch.groups)
    group_x = widths[0] + 4
    policy_x = group_x + widths[1] + 4 if grouped else group_x
    shapes: list[Shape] = [Rect(0, 0, width, 7, fill=NAVY),
                           Label(2, 5, f"理想の都市「{tree.ideal_city}」　＞　{branch.side}", 3.2, colour("white"), bold=True)]
    y = top = 11.0
    children: list[tuple[float, float]] = []  # the goal's: groups, or policies where there are none
    for group_title, policies in branch.groups:
        group_top = y
        ends: list[tuple[float, float]] = []
        for policy in policies:
            rows, height, middle = _policy_rows(policy, policy_x, y, widths[2:])
            shapes += rows
            ends.append((policy_x, middle))
            y += height + 2.5
        if group_title:
            box, h = _box(group_x, group_top, widths[1], wrap(group_title, 3.0, widths[1] - 4))
            shapes += box + _connect((group_x + widths[1], group_top + h / 2), ends, policy_x - 2)
            children.append((group_x, group_top + h / 2))
        else:
            children += ends
        y += 2
    box, h = _box(0, top, widths[0], [f"第{branch.number}"] + wrap(branch.title, 3.2, widths[0] - 4), fill=NAVY,
                  colour=colour("white"), size=3.2)
    shapes += box + [Line(widths[0] / 2, 7, widths[0] / 2, top, LINE, 0.35)]
    shapes += _connect((widths[0], top + h / 2), children, widths[0] + 2)
    names = "、".join(f"{p.code} {p.name}" for _, ps in branch.groups for p in ps)
    alt = f"施策の体系（{branch.side} 第{branch.number} {branch.title}）。{names}と、それぞれの施策を示す。"
    return Drawing(f"tree-{branch.side}-{branch.number}", width, y, tuple(shapes), alt)


def projects_overview(projects: Projects, width: float = 170.0) -> Drawing:
    """第8: the theme above the projects, each with its approaches ①②…"""
    shapes: list[Shape] = [Rect(0, 0, width, 9, fill=NAVY, radius=1.5),
                           Label(width / 2, 6.2, f"テーマ「{projects.theme}」", 3.8, colour("white"), "middle", True)]
    column = (width - 4 * (len(projects.projects) - 1)) / len(projects.projects)
    bottom = 0.0
    for index, project in enumerate(projects.projects):
        x = index * (column + 4)
        shapes.append(Line(x + column / 2, 9, x + column / 2, 13, LINE, 0.4))
        box, h = _box(x, 13, column, [f"重点プロジェクト{project.number}"] + wrap(project.title, 3.4, column - 4),
                      size=3.4)
        shapes += box
        top = 13 + h
        y = top + 3
        ends: list[float] = []
        for approach in project.approaches:
            # The diagram has room below it (第8's first page): a line more where it keeps a word whole.
            lines = wrap(f"{circled(approach.number)} {approach.title}", 2.9, column - 9, more_lines=1)
            box, h = _box(x + 5, y, column - 5, lines, fill=colour("white"), size=2.9, bold=False)
            shapes += box
            ends.append(y + h / 2)
            y += h + 2
        if ends:  # the approaches hang from their project on a trunk along the column's left
            shapes += [Line(x + 2.5, top, x + 2.5, ends[-1], LINE, 0.35)]
            shapes += [Line(x + 2.5, end, x + 5, end, LINE, 0.35) for end in ends]
        bottom = max(bottom, y)
    alt = f"重点プロジェクトの体系図。テーマ「{projects.theme}」の下に、" + "、".join(
        f"{p.number}「{p.title}」（アプローチ" + "・".join(a.title for a in p.approaches) + "）" for p in projects.projects) + "。"
    return Drawing("projects", width, bottom, tuple(shapes), alt)


def circled(number: int) -> str:
    """① for 1 … ⑳ for 20."""
    return chr(0x2460 + number - 1) if 1 <= number <= 20 else f"({number})"
