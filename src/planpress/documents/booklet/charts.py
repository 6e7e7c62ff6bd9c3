"""Charts of the booklet drawn from content data: SDG icons, the period chart, the population chart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planpress import design, japanese
from planpress.content.booklet import Goal, Period, Population, Series
from planpress.design import colour
from planpress.drawing import Circle, Drawing, Label, Line, Picture, Polyline, Rect, Shape, label_box, segment_meets_box, wrap

INK = colour("ink")
NAVY = colour("navy")
GRID = colour("grid")
#: Series colours and dash patterns, so the two lines differ in grey print too.
SERIES_STYLE = ((colour("rule"), True), (colour("accent"), False), (colour("navy"), False))


#: The smallest text printed in a drawing: 6 pt (design.MIN_TEXT_PT), in mm (drawings are placed at their size).
MIN_TEXT = design.MIN_TEXT_PT * 25.4 / 72


def sdg_icon(goal: Goal, size: float = 20.0, image: Path | None = None) -> Drawing:
    """The goal's official icon when the office has put it under content/; else a stand-in: a square
    in the goal's colour with its number and short title in white, no text under 6 pt."""
    alt = f"SDGsゴール{goal.number}「{goal.title}」のアイコン"
    if image is not None:
        return Drawing(f"sdg-{goal.number:02d}", size, size, (Picture(0, 0, size, size, image),), alt)
    text_size = max(size * 0.105, MIN_TEXT)
    lines = wrap(goal.title, text_size, size * 0.86)
    leading = text_size * 1.18
    first = min(size * 0.5, size * 0.93 - (len(lines) - 1) * leading)  # the last line stays inside the tile
    number_size = min(size * 0.28, first - text_size * 1.1 - size * 0.04)
    shapes: list[Shape] = [Rect(0, 0, size, size, fill=goal.color),
                           Label(size * 0.07, size * 0.04 + number_size * 0.88, str(goal.number), number_size, colour("white"), bold=True)]
    shapes += [Label(size * 0.07, first + index * leading, line, text_size, colour("white"), bold=True) for index, line in enumerate(lines)]
    return Drawing(f"sdg-{goal.number:02d}", size, size, tuple(shapes), alt)


def _short_era(year: int) -> str:
    """Ｈ30, Ｒ１: the period chart's abbreviated era row (full-width as the seed prints it)."""
    era = japanese.era_year(year)
    initial = {"令和": "Ｒ", "平成": "Ｈ", "昭和": "Ｓ"}.get(era[:2], era[:2])
    number = era[2:].replace("元", "1")
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"{initial}{wide if len(number) == 1 else number}"


def period_chart(period: Period, width: float = design.PERIOD_CHART_WIDTH) -> Drawing:
    """Fiscal years as columns with 和暦 and 西暦 rows, one bar per plan, marks such as 策定."""
    years = list(range(period.years.start, period.years.end + 1))
    head, row, size = design.PERIOD_HEAD_WIDTH, 7.0, design.PERIOD_LABEL_SIZE
    cell = (width - head) / len(years)
    bars_top = 2 * row + 4
    marks_top = bars_top + len(period.bars) * 9
    height = marks_top + (8 if period.marks else 2)
    shapes: list[Shape] = [Rect(0, 0, width, 2 * row, fill=colour("mist"))]
    shapes += [Label(head / 2, row * (i + 0.7), text, 3.0, anchor="middle", bold=True) for i, text in enumerate(("和暦", "西暦"))]
    for index, year in enumerate(years):
        x = head + index * cell
        shapes.append(Line(x, 0, x, height, GRID, 0.25))
        shapes.append(Label(x + cell / 2, row * 0.7, _short_era(year), size, anchor="middle"))
        shapes.append(Label(x + cell / 2, row * 1.7, str(year), size, anchor="middle"))
    shapes += [Line(0, row, width, row, GRID, 0.25), Line(0, 2 * row, width, 2 * row, INK, 0.4)]
    for index, bar in enumerate(period.bars):
        y = bars_top + index * 9
        x = head + (bar.start - years[0]) * cell
        w = (bar.end - bar.start + 1) * cell
        shapes.append(Rect(x + 0.6, y, w - 1.2, 6, fill=(colour("pale"), NAVY, colour("sky"))[index % 3], radius=1))
        shapes.append(Label(x + w / 2, y + 4.3, bar.label, 3.2, colour("white") if index % 3 else INK, "middle", True))
    for mark in period.marks:
        x = head + (mark.year - years[0] + 0.5) * cell
        shapes += [Circle(x, marks_top + 1.5, 1.3, colour("accent")),
                   Label(x, marks_top + 6.5, mark.label, 3.0, colour("accent"), "middle", True)]
    alt = (f"計画の期間の図。{years[0]}年度から{years[-1]}年度までの年度（和暦と西暦）に、"
           + "、".join(f"{b.label}（{b.start}〜{b.end}年度）" for b in period.bars)
           + "".join(f"、{m.label}（{m.year}年度）" for m in period.marks) + "を示す。")
    return Drawing("period", width, height, tuple(shapes), alt)


@dataclass(frozen=True)
class _Plot:
    """The population chart's frame: maps years and values to millimetres."""

    years: list[int]
    low: int
    high: int
    left: float = 20.0
    top: float = 12.0
    width: float = 144.0
    height: float = 71.0

    def x(self, year: int) -> float:
        return self.left + self.width * (year - self.years[0]) / max(1, self.years[-1] - self.years[0])

    def y(self, value: float) -> float:
        return self.top + self.height * (1 - (value - self.low) / (self.high - self.low))


def _axes(plot: _Plot, unit: str, step: int) -> list[Shape]:
    shapes: list[Shape] = []
    for tick in range(plot.low, plot.high + 1, step):
        shapes.append(Line(plot.left, plot.y(tick), plot.left + plot.width, plot.y(tick), GRID, 0.2))
        shapes.append(Label(plot.left - 1.5, plot.y(tick) + 1, japanese.number(tick), 2.6, anchor="end"))
    for year in plot.years:
        shapes.append(Label(plot.x(year), plot.top + plot.height + 5, f"{year}年", 2.6, anchor="middle"))
    shapes.append(Line(plot.left, plot.top + plot.height, plot.left + plot.width, plot.top + plot.height, INK, 0.4))
    shapes.append(Label(plot.left - 1.5, plot.top - 4, f"（{unit}）", 2.6, anchor="end"))
    return shapes


def _series(plot: _Plot, index: int, series: Series) -> list[Shape]:
    """One line with its points and its legend entry."""
    colour, dashed = SERIES_STYLE[index % len(SERIES_STYLE)]
    points = tuple((plot.x(y), plot.y(v)) for y, v in sorted(series.values.items()))
    shapes: list[Shape] = [Polyline(points, colour, 0.7, dashed), *(Circle(x, y, 0.8, colour) for x, y in points)]
    legend_x = plot.left + 4 + index * 40
    shapes += [Line(legend_x, 5, legend_x + 8, 5, colour, 0.7, dashed),
               Label(legend_x + 10, 6, series.label, 3.0, colour, bold=True)]
    return shapes


#: Where an end value may stand, tried in turn: (dx, dy, anchor) from its point, in mm.
_END_PLACES = ((-2.0, -2.5, "end"), (-2.0, 4.5, "end"), (-2.0, -5.5, "end"), (-2.0, 7.5, "end"),
               (2.0, 1.0, "start"), (-6.0, -2.5, "end"), (-6.0, 4.5, "end"))


def _end_labels(plot: _Plot, population: Population, shapes: list[Shape]) -> list[Shape]:
    """Each series' last value beside its last point, where its box meets no line, point or label."""
    labels: list[Shape] = []
    for index, series in enumerate(population.series):
        colour, _ = SERIES_STYLE[index % len(SERIES_STYLE)]
        last = max(series.values)
        x, y = plot.x(last), plot.y(series.values[last])
        candidates = [Label(x + dx, y + dy, japanese.number(series.values[last]), 2.6, colour, anchor, True)
                      for dx, dy, anchor in _END_PLACES]
        chosen = next((c for c in candidates if _clear(label_box(c), shapes + labels)), candidates[0])
        labels.append(chosen)
    return labels


def _clear(box: tuple[float, float, float, float], shapes: list[Shape]) -> bool:
    """No line, point or label of ``shapes`` within the box (with a little air around it)."""
    left, top, right, bottom = box[0] - 0.4, box[1] - 0.4, box[2] + 0.4, box[3] + 0.4
    for shape in shapes:
        if isinstance(shape, Polyline):
            if any(segment_meets_box(a, b, (left, top, right, bottom)) for a, b in zip(shape.points, shape.points[1:])):
                return False
        elif isinstance(shape, Circle):
            if left < shape.cx + shape.r and shape.cx - shape.r < right and top < shape.cy + shape.r and shape.cy - shape.r < bottom:
                return False
        elif isinstance(shape, Label):
            other = label_box(shape)
            if left < other[2] and other[0] < right and top < other[3] and other[1] < bottom:
                return False
    return True


#: The most bands between the population chart's grid lines.
MAX_BANDS = 12


def _step(low: int, high: int) -> int:
    """10,000 between grid lines, as the booklet prints the chart; 20,000, 50,000, 100,000 … where
    that would draw more than MAX_BANDS bands (a value typed with digits too many drew one line
    per 10,000 up to it: millions of shapes, a check that never ended)."""
    step, factors = 10000, (2, 2.5, 2)
    index = 0
    while -(-high // step) - low // step > MAX_BANDS:
        step = int(step * factors[index % 3])
        index += 1
    return step


def population_chart(population: Population, width: float = 170.0, height: float = 95.0) -> Drawing:
    """Line chart of every series over the years, with axis ticks, legend and end-point values."""
    values = [v for s in population.series for v in s.values.values()]
    step = _step(min(values), max(values))
    low, high = (min(values) // step) * step, -(-max(values) // step) * step
    high = max(high, low + step)  # every value the same: one band, not a division by zero
    plot = _Plot(population.years(), low, high, width=width - 26, height=height - 24)
    shapes = _axes(plot, population.unit, step)
    for index, series in enumerate(population.series):
        shapes += _series(plot, index, series)
    shapes += _end_labels(plot, population, shapes)
    alt = f"{population.chart_title}の折れ線グラフ。" + "。".join(
        f"{s.label}は{min(s.values)}年{japanese.number(s.values[min(s.values)])}{population.unit}から"
        f"{max(s.values)}年{japanese.number(s.values[max(s.values)])}{population.unit}へ" for s in population.series) + "。"
    return Drawing("population", width, height, tuple(shapes), alt)
