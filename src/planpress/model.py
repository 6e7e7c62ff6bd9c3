"""The typed content model: the city, its plans and their yearly evaluations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planpress.errors import Location
from planpress.fields import Choice, Integer, ListOf, RecordOf, Text, located, positions, spec

#: The two kinds of evaluated item, in the order the plan lists them.
KINDS = ("運営方針", "基本施策")

#: The evaluation scale, best first.
GRADES = ("A", "B", "C", "D")

#: Longest commentary the office accepts for one item (a sheet's box holds about this much).
COMMENTARY_LIMIT = 400


def item_code(kind: str, number: int) -> str:
    """基本施策17: how the booklet prints an item's number."""
    return f"{kind}{number:02d}"


@dataclass(kw_only=True)
class ItemCounts:
    """How many items a plan has, for a plan whose policy tree is not in content/."""

    management: int = spec("運営方針の数", Integer(1, 99))
    policies: int = spec("基本施策の数", Integer(1, 999))

    def numbers(self, kind: str) -> range:
        return range(1, (self.management if kind == KINDS[0] else self.policies) + 1)


@dataclass(kw_only=True)
class Plan:
    """One 基本計画 of the city's 総合計画 (the 6th ran FY2018–2022)."""

    number: int = spec("計画の番号（第○次）", Integer(1, 99))
    start: int = spec("計画期間の初年度", Integer(1900, 2200))
    end: int = spec("計画期間の最終年度", Integer(1900, 2200))
    counts: ItemCounts | None = spec("項目数", RecordOf(ItemCounts), default=None)
    location: Location = located()
    positions: dict[str, Location] = positions()

    @staticmethod
    def label_of(values: dict[str, Any]) -> str | None:
        return f"第{values['number']}次基本計画" if "number" in values else None

    @property
    def name(self) -> str:
        return f"第{self.number}次基本計画"

    def year_of(self, fiscal_year: int) -> int:
        """Which year of the plan a fiscal year is (FY2021 is the 4th of the 6th plan)."""
        return fiscal_year - self.start + 1


@dataclass(kw_only=True)
class City:
    """content/city.yaml: the city and its plans."""

    city: str = spec("市の名前", Text(max_length=40))
    plans: list[Plan] = spec("基本計画の一覧", ListOf(RecordOf(Plan), min_items=1))
    location: Location = located()
    positions: dict[str, Location] = positions()

    def plan(self, number: int) -> Plan | None:
        return next((plan for plan in self.plans if plan.number == number), None)


@dataclass(kw_only=True)
class EvaluationItem:
    """One graded 運営方針 or 基本施策 with its commentary."""

    kind: str = spec("種別", Choice(KINDS))
    number: int = spec("番号", Integer(1, 999))
    name: str = spec("名称", Text(max_length=80))
    grade: str = spec("評価", Choice(GRADES))
    commentary: str = spec("評価の解説", Text(max_length=COMMENTARY_LIMIT))
    location: Location = located()
    positions: dict[str, Location] = positions()

    @staticmethod
    def label_of(values: dict[str, Any]) -> str | None:
        if "kind" in values and "number" in values:
            return item_code(values["kind"], values["number"])
        return None

    @property
    def code(self) -> str:
        return item_code(self.kind, self.number)


@dataclass(kw_only=True)
class Evaluation:
    """content/evaluations/<year>.yaml: the 施策評価 of one fiscal year's work."""

    fiscal_year: int = spec("対象年度", Integer(1900, 2200))
    plan: int = spec("対象の基本計画（第○次）", Integer(1, 99))
    title: str = spec("報告書の題名", Text(max_length=80))
    intro: list[str] = spec("前文", ListOf(Text(max_length=2000)), default=[])
    items: list[EvaluationItem] = spec("評価項目", ListOf(RecordOf(EvaluationItem)))
    location: Location = located()
    positions: dict[str, Location] = positions()

    @property
    def name(self) -> str:
        """The document name on the command line and in output/."""
        return f"evaluation-{self.fiscal_year}"


@dataclass
class Content:
    """Everything read from content/, validated."""

    city: City
    evaluations: list[Evaluation] = field(default_factory=list)

    def evaluation(self, year: int) -> Evaluation | None:
        return next((e for e in self.evaluations if e.fiscal_year == year), None)
