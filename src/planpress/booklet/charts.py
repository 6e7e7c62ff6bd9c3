"""Charts of the booklet drawn from content data: SDG icons, the period chart, the population chart."""

from __future__ import annotations

from planpress import japanese
from planpress.booklet.records import Goal, Period, Population
from planpress.drawing import Circle, Drawing, Label, Line, Polyline, Rect, Shape, wrap

INK = "#1A1A1A"
NAVY = "#1F4E79"
GRID = "#C8CED6"
#: Series colours and dash patterns, so the two lines differ in grey print too.
SERIES_STYLE = (("#7F8C99", True), ("#C0392B", False), ("#1F4E79", False))


def sdg_icon(goal: Goal, size: float = 20.0) -> Drawing:
    """A square in the goal's colour with its number and short title in white (not the UN artwork)."""
    shapes: list[Shape] = [Rect(0, 0, size, size, fill=goal.color)]
    shapes.append(Label(size * 0.07, size * 0.3, str(goal.number), size * 0.28, "#FFFFFF", bold=True))
    text_size = size * 0.105
    for index, line in enumerate(wrap(goal.title, text_size, size * 0.86)[:4]):
        shapes.append(Label(size * 0.07, size * 0.5 + index * text_size * 1.25, line, text_size, "#FFFFFF", bold=True))
    return Drawing(f"sdg-{goal.number:02d}", size, size, tuple(shapes), f"SDGsゴール{goal.number}「{goal.title}」のアイコン")


def _short_era(year: int) -> str:
    """Ｈ30, Ｒ１: the period chart's abbreviated era row (full-width as the seed prints it)."""
    era = japanese.era_year(year)
    initial = {"令和": "Ｒ", "平成": "Ｈ", "昭和": "Ｓ"}.get(era[:2], era[:2])
    number = era[2:].replace("元", "1")
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"{initial}{wide if len(number) == 1 else number}"


def period_chart(period: Period, width: float = 170.0) -> Drawing:
    """Fiscal years as columns with 和暦 and 西暦 rows, one bar per plan, marks such as 策定."""
    years = list(range(period.years.start, period.years.end + 1))
    head, row = 22.0, 7.0
    cell = (width - head) / len(years)
    bars_top = 2 * row + 4
    marks_top = bars_top + len(period.bars) * 9
    height = marks_top + (8 if period.marks else 2)
    shapes: list[Shape] = [Rect(0, 0, width, 2 * row, fill="#EEF2F7")]
    shapes += [Label(head / 2, row * (i + 0.7), text, 3.0, anchor="middle", bold=True) for i, text in enumerate(("和暦", "西暦"))]
    for index, year in enumerate(years):
        x = head + index * cell
        shapes.append(Line(x, 0, x, height, GRID, 0.25))
        shapes.append(Label(x + cell / 2, row * 0.7, _short_era(year), 3.0, anchor="middle"))
        shapes.append(Label(x + cell / 2, row * 1.7, str(year), 3.0, anchor="middle"))
    shapes += [Line(0, row, width, row, GRID, 0.25), Line(0, 2 * row, width, 2 * row, INK, 0.4)]
    for index, bar in enumerate(period.bars):
        y = bars_top + index * 9
        x = head + (bar.start - years[0]) * cell
        w = (bar.end - bar.start + 1) * cell
        shapes.append(Rect(x + 0.6, y, w - 1.2, 6, fill=("#DCE6F2", NAVY, "#2E75B6")[index % 3], radius=1))
        shapes.append(Label(x + w / 2, y + 4.3, bar.label, 3.2, "#FFFFFF" if index % 3 else INK, "middle", True))
    for mark in period.marks:
        x = head + (mark.year - years[0] + 0.5) * cell
        shapes += [Circle(x, marks_top + 1.5, 1.3, "#C0392B"),
                   Label(x, marks_top + 6.5, mark.label, 3.0, "#C0392B", "middle", True)]
    alt = (f"計画の期間の図。{years[0]}年度から{years[-1]}年度までの年度（和暦と西暦）に、"
           + "、".join(f"{b.label}（{b.start}〜{b.end}年度）" for b in period.bars)
           + "".join(f"、{m.label}（{m.year}年度）" for m in period.marks) + "を示す。")
    return Drawing("period", width, height, tuple(shapes), alt)


def _nice_range(low: int, high: int) -> tuple[int, int, int]:
    step = 10000
    return (low // step) * step, -(-high // step) * step, step


def population_chart(population: Population, width: float = 170.0, height: float = 95.0) -> Drawing:
    """Line chart of every series over the years, with axis ticks, legend and end-point values."""
    years = population.years()
    values = [v for s in population.series for v in s.values.values()]
    low, high, step = _nice_range(min(values), max(values))
    left, right, top, bottom = 20.0, 6.0, 12.0, 12.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(year: int) -> float:
        return left + plot_w * (year - years[0]) / max(1, years[-1] - years[0])

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    shapes: list[Shape] = []
    for tick in range(low, high + 1, step):
        shapes.append(Line(left, y_of(tick), left + plot_w, y_of(tick), GRID, 0.2))
        shapes.append(Label(left - 1.5, y_of(tick) + 1, japanese.number(tick), 2.6, anchor="end"))
    for year in years:
        shapes.append(Label(x_of(year), top + plot_h + 5, f"{year}年", 2.6, anchor="middle"))
    shapes.append(Line(left, top + plot_h, left + plot_w, top + plot_h, INK, 0.4))
    shapes.append(Label(left - 1.5, top - 4, f"（{population.unit}）", 2.6, anchor="end"))
    for index, series in enumerate(population.series):
        colour, dashed = SERIES_STYLE[index % len(SERIES_STYLE)]
        points = tuple((x_of(y), y_of(v)) for y, v in sorted(series.values.items()))
        shapes.append(Polyline(points, colour, 0.7, dashed))
        shapes += [Circle(x, y, 0.8, colour) for x, y in points]
        last_year = max(series.values)
        shapes.append(Label(x_of(last_year) - 1, y_of(series.values[last_year]) + (4.5 if index == 0 else -2.5),
                            japanese.number(series.values[last_year]), 2.6, colour, "end", True))
        lx = left + 4 + index * 40
        shapes += [Line(lx, 5, lx + 8, 5, colour, 0.7, dashed), Label(lx + 10, 6, series.label, 3.0, colour, bold=True)]
    alt = f"{population.chart_title}の折れ線グラフ。" + "。".join(
        f"{s.label}は{min(s.values)}年{japanese.number(s.values[min(s.values)])}{population.unit}から"
        f"{max(s.values)}年{japanese.number(s.values[max(s.values)])}{population.unit}へ" for s in population.series) + "。"
    return Drawing("population", width, height, tuple(shapes), alt)
