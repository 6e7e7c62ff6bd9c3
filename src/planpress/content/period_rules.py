"""The period chart's rules (第3 計画の期間): its range has room for its years, each bar lies in
it, and a bar for a 基本計画 takes that plan's name and years from content/city.yaml (the period is
written once, there)."""

from __future__ import annotations

from dataclasses import replace

from planpress import design
from planpress.content.booklet import Booklet, Period, PeriodBar
from planpress.content.model import City
from planpress.drawing import text_width
from planpress.errors import Problems


def check_period(booklet: Booklet, problems: Problems) -> Period:
    """The period chart with every bar's name and years (a plan's from content/city.yaml), each
    checked against the chart's range."""
    years, city = booklet.period.years, booklet.city
    assert city is not None, "the booklet is read with content/city.yaml"
    count, room = years.end - years.start + 1, period_years_that_fit(years.end)
    if years.end < years.start:
        problems.error(years.positions["end"], f"年度の範囲: 最終年度 {years.end} が初年度 {years.start} より前です")
    elif count > room:
        problems.error(years.positions["end"], f"年度の範囲: {years.start}〜{years.end}年度は{count}年度あります"
                                               f"（計画の期間の図に入るのは{room}年度までです。年の打ち間違いではありませんか）")
    bars = [bar for bar in (_period_bar(city, bar, problems) for bar in booklet.period.bars) if bar is not None]
    for bar in bars:
        if bar.end < bar.start:
            problems.error(bar.positions["end"], f"{bar.label}: 最終年度 {bar.end} が初年度 {bar.start} より前です")
        elif not years.start <= bar.start <= bar.end <= years.end:
            problems.error(bar.location, f"{bar.label}: {bar.start}〜{bar.end}年度が図の範囲（{years.start}〜{years.end}年度）に収まりません")
    for mark in booklet.period.marks:
        if not years.start <= mark.year <= years.end:
            problems.error(mark.positions["year"], f"{mark.label}: {mark.year}年度が図の範囲の外です")
    return replace(booklet.period, bars=bars)


#: What a bar of the period chart prints, which a bar naming a plan takes from content/city.yaml.
_BAR_FIELDS = {"label": "名称", "start": "初年度", "end": "最終年度"}


def _period_bar(city: City, bar: PeriodBar, problems: Problems) -> PeriodBar | None:
    """The bar with its name and years, or None when it has none to draw (reported)."""
    if bar.plan is None:
        return _spanned_bar(city, bar, problems)
    plan = city.plan(bar.plan)
    written = [key for key in _BAR_FIELDS if key in bar.positions]
    if plan is None:
        known = "、".join(f"第{plan.number}次" for plan in city.plans)
        problems.error(bar.positions["plan"], f"計画の帯: 第{bar.plan}次基本計画は content/city.yaml にありません（あるもの: {known}）")
    elif written:
        problems.error(bar.positions[written[0]], f"{plan.name}: 名称と期間は content/city.yaml から取ります"
                                                  f"（plan: を書いた帯には {'・'.join(written)} を書かないでください）")
    elif plan.period_problem() is None:  # else city.yaml's period is reported wrong, at city.yaml
        return replace(bar, label=plan.name, start=plan.start, end=plan.end)
    return None


def _spanned_bar(city: City, bar: PeriodBar, problems: Problems) -> PeriodBar | None:
    """A bar written with its own name and years (基本構想). One named as a plan is that plan's period
    written a second time: it must be city.yaml's."""
    missing = [f"{label}（{key}）" for key, label in _BAR_FIELDS.items() if key not in bar.positions]
    if missing:
        problems.error(bar.location, f"計画の帯: {'・'.join(missing)}がありません（基本計画の帯は plan: 7 のように番号だけを書きます）")
        return None
    plan = next((plan for plan in city.plans if plan.name == bar.label), None)
    if plan is not None and plan.period_problem() is None:
        for key in ("start", "end"):
            if getattr(bar, key) != getattr(plan, key):
                problems.error(bar.positions[key], f"{bar.label}: {_BAR_FIELDS[key]} {getattr(bar, key)} が {plan.positions[key]} の"
                                                   f"{plan.name}の{_BAR_FIELDS[key]} {getattr(plan, key)} と異なります"
                                                   f"（plan: {plan.number} と書くと city.yaml の期間で描きます）")
    return bar


def period_years_that_fit(last: int) -> int:
    """How many fiscal years the period chart has room for: columns each as wide as the year's label
    (design.PERIOD_CHART_WIDTH less its headings), so no two labels touch."""
    room = design.PERIOD_CHART_WIDTH - design.PERIOD_HEAD_WIDTH
    return int(room // text_width(str(last), design.PERIOD_LABEL_SIZE))
