"""The booklet's diagrams, measured on the drawing model: every box joined to the tree, no line across text."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import REPO
from planpress.documents.booklet import diagrams
from planpress.build import load
from planpress.drawing import Drawing, Label, Line, Rect, text_width
from planpress.project import Project
from planpress.render import html
from planpress.render.pdf import weasy

EPSILON = 0.05


@pytest.fixture(scope="module")
def tree():  # noqa: ANN201 - the shipped policy tree
    content, _ = load(Project(REPO))
    assert content.booklet is not None
    return content.booklet.tree


def _tree_drawings(tree) -> list[Drawing]:  # noqa: ANN001
    """The plan's structure, 第9's trees and 第8's overview of the projects and their approaches."""
    content, _ = load(Project(REPO))
    assert content.booklet is not None
    return ([diagrams.structure_diagram(tree)] + [diagrams.branch_diagram(tree, b) for b in diagrams.branches(tree)]
            + [diagrams.projects_overview(content.booklet.projects)])


def _touches(point: tuple[float, float], rect: Rect) -> bool:
    """The point lies on the rectangle's outline."""
    x, y = point
    inside_x = rect.x - EPSILON <= x <= rect.x + rect.w + EPSILON
    inside_y = rect.y - EPSILON <= y <= rect.y + rect.h + EPSILON
    on_side = abs(x - rect.x) < EPSILON or abs(x - rect.x - rect.w) < EPSILON
    on_edge = abs(y - rect.y) < EPSILON or abs(y - rect.y - rect.h) < EPSILON
    return inside_x and inside_y and (on_side or on_edge)


def _crosses(line: Line, box: tuple[float, float, float, float]) -> bool:
    """Whether the (horizontal or vertical) line runs through the inside of the box."""
    left, top, right, bottom = box
    x1, x2 = sorted((line.x1, line.x2))
    y1, y2 = sorted((line.y1, line.y2))
    return x1 < right - EPSILON and x2 > left + EPSILON and y1 < bottom - EPSILON and y2 > top + EPSILON


def _label_box(label: Label) -> tuple[float, float, float, float]:
    width = text_width(label.text, label.size)
    left = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[label.anchor]
    return left, label.y - label.size * 0.88, left + width, label.y + label.size * 0.12


def _components(drawing: Drawing) -> list[set[int]]:
    """Boxes grouped by the connectors that join them (lines meeting end to end or at a box's outline)."""
    rects = [s for s in drawing.shapes if isinstance(s, Rect)]
    lines = [s for s in drawing.shapes if isinstance(s, Line)]
    parent = list(range(len(rects) + len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    def on_line(point: tuple[float, float], line: Line) -> bool:
        return (min(line.x1, line.x2) - EPSILON <= point[0] <= max(line.x1, line.x2) + EPSILON
                and min(line.y1, line.y2) - EPSILON <= point[1] <= max(line.y1, line.y2) + EPSILON)

    for i, line in enumerate(lines):
        ends = [(line.x1, line.y1), (line.x2, line.y2)]
        for j, rect in enumerate(rects):
            if any(_touches(end, rect) for end in ends):
                join(len(rects) + i, j)
        for k, other in enumerate(lines):
            if k != i and any(on_line(end, other) for end in ends):
                join(len(rects) + i, len(rects) + k)
    groups: dict[int, set[int]] = {}
    for j in range(len(rects)):
        groups.setdefault(find(j), set()).add(j)
    return list(groups.values())


def test_every_box_of_the_tree_diagrams_is_joined_to_the_tree(tree) -> None:  # noqa: ANN001
    for drawing in _tree_drawings(tree):
        rects = [s for s in drawing.shapes if isinstance(s, Rect)]
        assert len(rects) > 5, drawing.name
        components = _components(drawing)
        assert len(components) == 1, (drawing.name, [sorted(c) for c in components])


def test_no_connector_crosses_a_label_or_a_box(tree) -> None:  # noqa: ANN001
    for drawing in _tree_drawings(tree):
        lines = [s for s in drawing.shapes if isinstance(s, Line)]
        labels = [s for s in drawing.shapes if isinstance(s, Label)]
        rects = [s for s in drawing.shapes if isinstance(s, Rect)]
        crossing = [(line, label.text) for line in lines for label in labels if _crosses(line, _label_box(label))]
        assert crossing == [], drawing.name
        through = [(line, rect) for line in lines for rect in rects if _crosses(line, (rect.x, rect.y, rect.x + rect.w, rect.y + rect.h))]
        assert through == [], drawing.name


def test_the_check_sees_a_missing_connector(tree) -> None:  # noqa: ANN001
    """The measure above is not vacuous: a diagram without one connector splits in two."""
    drawing = diagrams.branch_diagram(tree, diagrams.branches(tree)[0])
    shapes = list(drawing.shapes)
    last_connector = max(i for i, s in enumerate(shapes) if isinstance(s, Line))
    del shapes[last_connector]
    from dataclasses import replace

    assert len(_components(replace(drawing, shapes=tuple(shapes)))) > 1


def test_diagram_text_is_at_least_6pt(tree) -> None:  # noqa: ANN001
    """Drawings are placed at their size (mm): text under 6 pt (2.12 mm) is not readable in print."""
    for drawing in _tree_drawings(tree):
        small = {label.text for label in drawing.shapes if isinstance(label, Label) and label.size < 6 * 25.4 / 72}
        assert small == set(), drawing.name


def _points_along(a: tuple[float, float], b: tuple[float, float], step: float = 0.1) -> list[tuple[float, float]]:
    count = max(1, int(((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5 / step))
    return [(a[0] + (b[0] - a[0]) * i / count, a[1] + (b[1] - a[1]) * i / count) for i in range(count + 1)]


def test_population_chart_labels_touch_no_line_point_or_label() -> None:
    from planpress.documents.booklet import charts
    from planpress.drawing import Circle, Polyline, label_box

    content, _ = load(Project(REPO))
    assert content.booklet is not None
    drawing = charts.population_chart(content.booklet.population)
    labels = [s for s in drawing.shapes if isinstance(s, Label)]
    boxes = [label_box(label) for label in labels]
    points = [p for s in drawing.shapes if isinstance(s, Polyline) for a, b in zip(s.points, s.points[1:]) for p in _points_along(a, b)]
    points += [(c.cx + dx * c.r, c.cy + dy * c.r) for c in drawing.shapes if isinstance(c, Circle)
               for dx, dy in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))]
    values = {label.text for label in labels}
    assert "127,866" in values and "109,505" in values  # the end values are drawn
    for label, (left, top, right, bottom) in zip(labels, boxes):
        hit = [p for p in points if left <= p[0] <= right and top <= p[1] <= bottom]
        assert hit == [], label.text
    overlapping = [(a.text, b.text) for i, (a, ba) in enumerate(zip(labels, boxes)) for b, bb in zip(labels[i + 1:], boxes[i + 1:])
                   if ba[0] < bb[2] and bb[0] < ba[2] and ba[1] < bb[3] and bb[1] < ba[3]]
    assert overlapping == []


@pytest.mark.parametrize("typed", [1733150000, 170000])
def test_population_chart_grid_stays_a_dozen_lines_whatever_the_values(typed: int) -> None:
    """A value typed with digits too many (1733150000 for 173315) widens the grid's step instead of
    drawing a line every 10,000 up to it; every value the same draws one band, no division by zero."""
    import dataclasses

    from planpress.documents.booklet import charts

    content, _ = load(Project(REPO))
    population = content.booklet.population  # type: ignore[union-attr]
    first = population.series[0]
    values = {year: typed for year in first.values} if typed == 170000 else {**first.values, 2010: typed}
    changed = dataclasses.replace(population, series=[dataclasses.replace(first, values=values)])
    drawing = charts.population_chart(changed)
    grid = [s for s in drawing.shapes if isinstance(s, Line) and s.stroke_width == 0.2]
    assert 2 <= len(grid) <= 13  # a dozen bands at most
    shipped = [s for s in charts.population_chart(population).shapes if isinstance(s, Line) and s.stroke_width == 0.2]
    assert len(shipped) == 9  # 100,000 to 180,000 every 10,000, as printed


def test_period_chart_of_the_most_years_check_allows_keeps_every_year_label_apart() -> None:
    """check refuses a period of more years than the chart has room for (2127 typed for 2027 drew 110
    columns): at the most it allows, no two year labels touch; one year more and they would."""
    import dataclasses

    from planpress.content.period_rules import period_years_that_fit
    from planpress.documents.booklet import charts
    from planpress.drawing import label_box

    content, _ = load(Project(REPO))
    period = content.booklet.period  # type: ignore[union-attr]

    def year_labels(count: int) -> list[tuple[float, float, float, float]]:
        years = dataclasses.replace(period.years, end=period.years.start + count - 1)
        drawing = charts.period_chart(dataclasses.replace(period, years=years))
        return [label_box(s) for s in drawing.shapes if isinstance(s, Label) and s.text.isdigit()]

    most = period_years_that_fit(period.years.start + 30)
    assert 10 < most < 30
    apart = year_labels(most)
    assert len(apart) == most and all(left[2] <= right[0] for left, right in zip(apart, apart[1:]))
    crowded = year_labels(most + 1)
    assert any(left[2] > right[0] for left, right in zip(crowded, crowded[1:]))


def test_population_chart_is_titled_once(tmp_path: Path) -> None:
    """The heading titles the chart; no caption repeats it, the unit stands on the axis."""
    from planpress.document import Figure, Heading, Table
    from planpress.documents import available

    content, _ = load(Project(REPO))
    document = next(spec for spec in available(content) if spec.name == "booklet").make()
    section = next(s for s in document.sections if s.anchor == "sec-chapter-6")
    title = content.booklet.population.chart_title  # type: ignore[union-attr]
    texts = [b.text for b in section.blocks if isinstance(b, Heading)]
    texts += [b.caption for b in section.blocks if isinstance(b, (Figure, Table))]
    assert sum(title in text for text in texts) == 1
    [figure] = [b for b in section.blocks if isinstance(b, Figure)]
    assert figure.caption == ""


def test_stand_in_sdg_tiles_are_readable_in_print() -> None:
    """No text under 6 pt, nothing outside the tile, the whole title shown (no line dropped)."""
    from planpress.documents.booklet import charts
    from planpress.drawing import label_box

    content, _ = load(Project(REPO))
    assert content.booklet is not None
    for goal in content.booklet.goals.goals:
        for size in (15.0, 20.0):
            drawing = charts.sdg_icon(goal, size)
            labels = [s for s in drawing.shapes if isinstance(s, Label)]
            assert all(label.size >= 6 * 25.4 / 72 - 1e-9 for label in labels), (goal.number, size)
            assert "".join(label.text for label in labels[1:]) == goal.title
            for label in labels:
                left, top, right, bottom = label_box(label)
                assert 0 <= left and right <= size and 0 <= top and bottom <= size, (goal.number, size, label.text)


def _printed_lines(drawings: list[Drawing]) -> list[list[str]]:
    """Each drawing on a page of its own, made by layouts/drawing.svg and WeasyPrint as the booklet
    makes it; the text lines pdftotext reads on each page."""
    env = html.environment(REPO / "layouts")
    images = "".join(f'<img src="{html.drawing_url(env, d)}" alt="" style="display: block; break-after: page; '
                     f'width: {d.width}mm; height: {d.height}mm">' for d in drawings)
    source = f'<!DOCTYPE html><html lang="ja"><style>@page {{ size: 200mm 400mm; margin: 5mm }}</style><body>{images}</body></html>'
    pdf = weasy.weasy_html(source, Project(REPO)).write_pdf()
    out = subprocess.run(["pdftotext", "-bbox-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    tree = ElementTree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", out).replace(b' xmlns="http://www.w3.org/1999/xhtml"', b""))
    return [["".join(w.text or "" for w in line.iter("word")) for line in page.iter("line")] for page in tree.iter("page")]


@pytest.fixture(scope="module")
def printed(tree) -> list[list[str]]:  # noqa: ANN001
    """The lines of 第9's and 第8's diagrams and of every stand-in SDG tile at the sizes the booklet prints them."""
    from planpress.documents.booklet import charts

    content, _ = load(Project(REPO))
    assert content.booklet is not None
    tiles = [charts.sdg_icon(goal, size) for goal in content.booklet.goals.goals for size in (15.0, 16.0)]
    pages = _printed_lines(_tree_drawings(tree) + tiles)
    assert len(pages) == len(_tree_drawings(tree)) + len(tiles)
    assert "地域住民組織の活性化と地域活動の支援" in "".join(line for page in pages for line in page).replace(" ", "")
    return pages


def test_no_label_in_a_drawing_ends_with_a_line_of_one_character(printed: list[list[str]]) -> None:
    """A wrapped label never leaves one character alone on its last line: 第9's boxes printed
    「…地域活動の支／援」 and 「健やかに暮らすま／ち」, the stand-in SDG tiles 「…まちづくり／を」."""
    japanese = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
    lonely = [(index + 1, line) for index, page in enumerate(printed) for line in page
              if japanese.fullmatch(line.strip().rstrip("、。，．）」』】〕"))]
    assert lonely == []


def test_a_label_breaks_between_words_where_its_box_allows(tree) -> None:  # noqa: ANN001
    """Labels break between phrases (drawing.wrap, BudouX) where that takes no more lines, or one
    more where the drawing has room (第8's approaches): 第8 printed 「④ 官民協働による再生可能エネ／
    ルギー導入を促す仕組みづくり」 and 「③ デジタル化の推進と新しい働／き方の導入」. Read on the
    drawings' labels, a box's lines one after another at one x: no katakana word is split, and
    第8's approaches break only where a phrase ends."""
    import budoux

    phrases = budoux.load_default_japanese_parser()
    katakana = re.compile("[\u30a1-\u30fa\u30fc]")
    split, inside = [], []
    for drawing in _tree_drawings(tree):
        labels = [shape for shape in drawing.shapes if isinstance(shape, Label)]
        for above, below in zip(labels, labels[1:]):
            if above.x != below.x or not 0 < below.y - above.y < above.size * 1.6:
                continue  # not the next line of one box
            if katakana.fullmatch(above.text[-1]) and katakana.fullmatch(below.text[0]):
                split.append((above.text, below.text))
            ends = set(itertools.accumulate(len(phrase) for phrase in phrases.parse(above.text + below.text)))
            if above.text[:1] in "①②③④⑤⑥⑦⑧⑨" and len(above.text) not in ends:
                inside.append((above.text, below.text))
    assert split == []
    assert inside == []


def test_no_line_of_a_drawing_starts_with_closing_punctuation_or_a_small_kana(printed: list[list[str]]) -> None:
    """The kinsoku the running text keeps (WeasyPrint breaks no line before ッ or 、): the stand-in
    tile of goal 17 printed 「パートナーシ／ップで目標を」."""
    starts = [(index + 1, line) for index, page in enumerate(printed) for line in page
              if line.strip()[:1] in set("、。，．）」』】〕ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")]
    assert starts == []
