"""Typed records of the booklet's content files under content/booklet/ and content/glossary.yaml,
and the Booklet that holds them all."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from planpress.content.citations import Citation, CitationKind, Resolved
from planpress.content.fields import Boolean, Context, Integer, Invalid, Kind, ListOf, Record, RecordOf, Text, spec
from planpress.content.model import City, Evaluation, Plan, PolicyTree
from planpress.errors import Location, Problem


class Nullable(Kind):
    """A field that may be written as null (冊子にまだない): None, else the inner kind."""

    def __init__(self, inner: Kind) -> None:
        self.inner = inner

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> Any:
        return None if value is None else self.inner.read(value, container, key, ctx)


class Colour(Kind):
    """A colour as #RRGGBB."""

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> str:
        if value is None:  # `color: #E5243B` unquoted: YAML reads # and what follows as a comment
            raise Invalid("色は \"#E5243B\" のように引用符で囲んで書いてください（囲まないと # から後ろはコメントとして読まれ、値が空になります）")
        if not isinstance(value, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise Invalid(f"色は #RRGGBB の形で書いてください（今の値: {value}）")
        return value.upper()


#: How far a population may move between two charted years: a value more than twice, or less than
#: half, its neighbours' is a digit typed twice or lost (1727370 for 172737), not a projection.
STEP_RATIO = 2


class YearFigures(dict[int, int]):
    """Values by year as read (2010: 173315), with where each year's value is written and the years
    whose value could not be read: reported where written, so no later check speaks of them again."""

    def __init__(self, values: dict[int, int], *, written: dict[int, Location], unreadable: frozenset[int]) -> None:
        super().__init__(values)
        self.written = written
        self.unreadable = unreadable

    def beside(self, year: int) -> list[int]:
        """The years written just before and just after ``year``."""
        years = sorted(self)
        index = years.index(year)
        return [years[i] for i in (index - 1, index + 1) if 0 <= i < len(years)]

    def far_off(self) -> list[int]:
        """The years whose value is far (STEP_RATIO) above, or far below, each neighbouring year's. A
        first or last year has one neighbour: it is the one far off only if that neighbour is near its
        own other neighbour (else the neighbour is the odd one); of two years alone, the later is reported."""
        years = sorted(self)
        found = []
        for index, year in enumerate(years):
            beside = self.beside(year)
            if not _far(self[year], [self[other] for other in beside]):
                continue
            if len(beside) == 1 and len(years) > 2:
                further = years[2] if index == 0 else years[-3]
                if _far(self[beside[0]], [self[further]]):
                    continue
            elif len(beside) == 1 and index == 0:
                continue
            found.append(year)
        return found


def _far(value: int, others: list[int]) -> bool:
    """Above every one of ``others`` by more than STEP_RATIO times, or below every one by as much."""
    return bool(others) and (all(value > other * STEP_RATIO for other in others)
                             or all(value * STEP_RATIO < other for other in others))


class YearValues(Kind):
    """A mapping of years to whole numbers of at least ``minimum`` (2010: 173315). Each bad entry
    is reported where it is written; the rest are read, so no check of them reports them missing."""

    def __init__(self, *, minimum: int | None = None) -> None:
        self.minimum = minimum

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> YearFigures:
        if not isinstance(value, CommentedMap) or not value:
            raise Invalid("「年: 値」の形で1つ以上書いてください")
        found, errors, unreadable = {}, [], set()
        for year, number in value.items():
            try:
                found[year] = self._entry(year, number)
            except Invalid as error:
                errors.append(Problem(ctx.here(value, year), error.message))
                if isinstance(year, int) and not isinstance(year, bool):
                    unreadable.add(year)
        if errors and not found:
            raise Invalid(errors[0].message, errors[0].location) from None  # nothing left to read: the field fails
        ctx.problems.extend(errors)
        return YearFigures(found, written={year: ctx.here(value, year) for year in found}, unreadable=frozenset(unreadable))

    def _entry(self, year: Any, number: Any) -> int:
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise Invalid(f"年「{year}」は西暦の整数で書いてください")
        digits = unicodedata.normalize("NFKC", number).replace(",", "") if isinstance(number, str) else ""
        if digits.isascii() and digits.isdigit():  # as printed: 172,737 or １７２７３７
            raise Invalid(f"{year}年の値「{number}」は半角数字だけで、区切りのカンマを付けずに書いてください（{digits}）")
        if isinstance(number, bool) or not isinstance(number, int):
            raise Invalid(f"{year}年の値は整数で書いてください（今の値: {number}）")
        if self.minimum is not None and number < self.minimum:
            raise Invalid(f"{year}年の値 {number} は範囲外です（{self.minimum}以上で書いてください）")
        return number


# --- chapters.yaml -------------------------------------------------------------------------

@dataclass(kw_only=True)
class Chapter(Record):
    """第1 計画の名称 … 第8: a chapter's number, title and paragraphs."""

    LABEL = "第{number}"

    number: int = spec("番号", Integer(1, 99))
    title: str = spec("題名", Text(max_length=40))
    paragraphs: list[str] = spec("本文", ListOf(Text(max_length=2000), min_items=1))



@dataclass(kw_only=True)
class Chapters(Record):
    """content/booklet/chapters.yaml."""

    chapters: list[Chapter] = spec("章", ListOf(RecordOf(Chapter), min_items=1))

    def get(self, number: int) -> Chapter | None:
        return next((c for c in self.chapters if c.number == number), None)


# --- period.yaml ----------------------------------------------------------------------------

@dataclass(kw_only=True)
class YearRange(Record):
    start: int = spec("初年度", Integer(1900, 2200))
    end: int = spec("最終年度", Integer(1900, 2200))


@dataclass(kw_only=True)
class PeriodBar(Record):
    """A bar of the period chart: a 基本計画 named by its number (``plan: 7``), whose name and years
    are content/city.yaml's (one fact, one place), or any other span by its name and years (基本構想).
    The rules (booklet_rules) give every bar its name and years before the chart is drawn."""

    plan: int | None = spec("基本計画の番号（第○次）", Integer(1, 99), default=None)
    label: str = spec("名称", Text(max_length=40), default="")
    start: int = spec("初年度", Integer(1900, 2200), default=0)
    end: int = spec("最終年度", Integer(1900, 2200), default=0)


@dataclass(kw_only=True)
class PeriodMark(Record):
    label: str = spec("名称", Text(max_length=20))
    year: int = spec("年度", Integer(1900, 2200))


@dataclass(kw_only=True)
class Period(Record):
    """content/booklet/period.yaml: the chart of 第3 計画の期間."""

    years: YearRange = spec("年度の範囲", RecordOf(YearRange))
    bars: list[PeriodBar] = spec("計画の帯", ListOf(RecordOf(PeriodBar), min_items=1))
    marks: list[PeriodMark] = spec("印", ListOf(RecordOf(PeriodMark)), default=[])


# --- population.yaml ------------------------------------------------------------------------

@dataclass(kw_only=True)
class Series(Record):
    LABEL = "系列「{label}」"

    key: str = spec("識別名", Text(max_length=20))
    label: str = spec("凡例の名称", Text(max_length=20))
    #: People: a 0 or a negative number is a typing slip the chart would draw (an axis of ▲ values).
    values: YearFigures = spec("値", YearValues(minimum=1))


@dataclass(kw_only=True)
class Assumption:
    label: str = spec("仮定", Text(max_length=60))
    detail: str | None = spec("補足", Nullable(Text(max_length=60)), default=None)


@dataclass(kw_only=True)
class Population(Record):
    """content/booklet/population.yaml: the projection of 第6 人口の想定."""

    chart_title: str = spec("グラフの題名", Text(max_length=80))
    unit: str = spec("単位", Text(max_length=10))
    series: list[Series] = spec("系列", ListOf(RecordOf(Series), min_items=1))
    assumptions: list[Assumption] = spec("将来展望の仮定", ListOf(RecordOf(Assumption)), default=[])

    def years(self) -> list[int]:
        return sorted({year for series in self.series for year in series.values})


# --- sdgs.yaml ------------------------------------------------------------------------------

#: How messages name a goal whose number could not be read.
UNNUMBERED_GOAL = "SDGsゴール"


@dataclass(kw_only=True)
class Goal(Record):
    """One of the 17 goals with the items it relates to."""

    LABEL = "SDGsゴール{number}"

    number: int = spec("番号", Integer(1, 17))
    title: str = spec("短い名称", Text(max_length=30))
    description: str = spec("内容", Text(max_length=200))
    color: str = spec("色", Colour())
    management: list[int] = spec("関連する運営方針", ListOf(Integer(1, 99)), default=[])
    policies: list[int] = spec("関連する基本施策", ListOf(Integer(1, 999)), default=[])
    #: The official icon (a file under content/, from the set the office holds); without it a
    #: stand-in tile is drawn from the number, title and colour.
    image: str | None = spec("アイコン画像", Nullable(Text(max_length=200)), default=None)

    @classmethod
    def label_of(cls, values: dict[str, Any]) -> str | None:
        """SDGsゴール5; a goal whose number could not be read is named SDGsゴール, so its problems say
        what it is and the rules know a goal of unknown number was written (none is reported missing)."""
        return super().label_of(values) or UNNUMBERED_GOAL



@dataclass(kw_only=True)
class Goals(Record):
    """content/booklet/sdgs.yaml."""

    goals: list[Goal] = spec("ゴール", ListOf(RecordOf(Goal), min_items=1))


# --- projects.yaml --------------------------------------------------------------------------

@dataclass(kw_only=True)
class Approach(Record):
    number: int = spec("番号", Integer(1, 20))
    title: str = spec("題名", Text(max_length=60))
    paragraphs: list[str] = spec("本文", ListOf(Text(max_length=2000), min_items=1))
    examples: list[Citation] = spec("代表的な取組事例", ListOf(CitationKind(measure=True)), default=[])


@dataclass(kw_only=True)
class FigureColumn:
    label: str = spec("項目", Text(max_length=40))
    unit: str = spec("単位", Text(max_length=20))
    group: str | None = spec("まとめの見出し", Nullable(Text(max_length=40)), default=None)


@dataclass(kw_only=True)
class FigureSum(Record):
    """A consistency rule: ``total`` equals the sum of ``add`` minus the sum of ``subtract``."""

    total: str = spec("合計の項目", Text(max_length=40))
    add: list[str] = spec("足す項目", ListOf(Text(max_length=40)), default=[])
    subtract: list[str] = spec("引く項目", ListOf(Text(max_length=40)), default=[])


@dataclass(kw_only=True)
class FigureTable(Record):
    """【目安となる主な数値】: columns with units, one value each, an as-of date."""

    as_of: str | None = spec("時点", Nullable(Text(max_length=40)), default=None)
    #: read by position (the n-th value is the n-th column's): a bad one is None, and reported
    columns: list[FigureColumn | None] = spec("項目", ListOf(RecordOf(FigureColumn), min_items=1, keep_places=True))
    values: list[int | None] = spec("値", ListOf(Integer(), min_items=1, keep_places=True))
    sums: list[FigureSum] = spec("検算", ListOf(RecordOf(FigureSum)), default=[])


@dataclass(kw_only=True)
class Photo(Record):
    caption: str = spec("キャプション", Text(max_length=80))
    image: str | None = spec("画像ファイル", Nullable(Text(max_length=200)), default=None)


@dataclass(kw_only=True)
class PriorityProject(Record):
    """A 重点プロジェクト."""

    LABEL = "重点プロジェクト{number}"

    number: int = spec("番号", Integer(1, 9))
    title: str = spec("題名", Text(max_length=40))
    background: list[str] = spec("背景", ListOf(Text(max_length=2000), min_items=1))
    approaches: list[Approach] = spec("アプローチ", ListOf(RecordOf(Approach), min_items=1))
    figures: list[FigureTable] = spec("目安となる主な数値", ListOf(RecordOf(FigureTable)), default=[])
    photos: list[Photo] = spec("写真", ListOf(RecordOf(Photo)), default=[])



@dataclass(kw_only=True)
class Projects(Record):
    """content/booklet/projects.yaml."""

    theme: str = spec("テーマ", Text(max_length=40))
    projects: list[PriorityProject] = spec("重点プロジェクト", ListOf(RecordOf(PriorityProject), min_items=1))


# --- pages.yaml -----------------------------------------------------------------------------

@dataclass(kw_only=True)
class Indicator:
    """成果指標: what is measured, its baseline and its target."""

    name: str = spec("指標", Text(max_length=80))
    unit: str = spec("単位", Text(max_length=20))
    baseline: str = spec("基準値", Text(max_length=30))
    baseline_year: int = spec("基準年度", Integer(1900, 2200))
    target: str = spec("目標値", Text(max_length=30))
    target_year: int = spec("目標年度", Integer(1900, 2200))


@dataclass(kw_only=True)
class PolicyPage(Record):
    """The written parts of a policy's page; null or empty means not written yet (未入力)."""

    item: Citation = spec("項目", CitationKind(measure=False))
    current: list[str] | None = spec("現状と課題", Nullable(ListOf(Text(max_length=2000))), default=None)
    vision: list[str] | None = spec("目指す姿", Nullable(ListOf(Text(max_length=2000))), default=None)
    indicators: list[Indicator] | None = spec("成果指標", Nullable(ListOf(RecordOf(Indicator))), default=None)

    @staticmethod
    def label_of(values: dict[str, Any]) -> str | None:
        return values["item"].code if "item" in values else None


@dataclass(kw_only=True)
class PolicyPages(Record):
    """content/booklet/pages.yaml."""

    pages: list[PolicyPage] = spec("施策のページ", ListOf(RecordOf(PolicyPage)), default=[])


# --- glossary.yaml --------------------------------------------------------------------------

#: Printed before a definition the office has not reviewed (planpress's authors wrote them).
DRAFT = "（案）"


@dataclass(kw_only=True)
class Term(Record):
    LABEL = "用語「{term}」"

    term: str = spec("用語", Text(max_length=40))
    reading: str = spec("読み", Text(max_length=60))
    definition: str = spec("解説", Text(max_length=400))
    #: The office has checked the definition (planpress's authors wrote them: the plan has none).
    reviewed: bool = spec("確認済み", Boolean(), default=False)



@dataclass(kw_only=True)
class Glossary(Record):
    """content/glossary.yaml."""

    terms: list[Term] = spec("用語", ListOf(RecordOf(Term)), default=[])


@dataclass
class Booklet:
    """Everything the booklet prints, read and cross-checked."""

    plan: Plan
    tree: PolicyTree
    chapters: Chapters
    period: Period
    population: Population
    goals: Goals
    projects: Projects
    pages: PolicyPages
    glossary: Glossary
    #: The previous plan's latest evaluation, summarised in 第6次基本計画の総括.
    review: Evaluation | None
    review_plan: Plan | None = None
    #: content/city.yaml: a period bar names one of its plans by number (City.plan).
    city: City | None = None
    # The rest is what the rules resolved (booklet_rules.Resolution), given when the Booklet is made.
    #: Resolved 代表的な取組事例 by (project number, approach number).
    examples: dict[tuple[int, int], list[Resolved]] = field(default_factory=dict)
    #: Photo files found under content/, by (project number, photo index).
    images: dict[tuple[int, int], Path] = field(default_factory=dict)
    #: Official SDG icon files found under content/, by goal number.
    icons: dict[int, Path] = field(default_factory=dict)
    #: Slots still to fill (未入力, missing photos): warnings that a --final build refuses.
    gaps: list[Problem] = field(default_factory=list)
    #: What each gap is (未入力, 写真未登録 …), for the one-line count `build` prints.
    gap_kinds: list[str] = field(default_factory=list)
