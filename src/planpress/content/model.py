"""The typed content model: the city, its plans and their yearly evaluations."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from planpress.content.fields import Choice, Integer, ListOf, Record, RecordOf, Text, spec

#: The two kinds of evaluated item, in the order the plan lists them.
KINDS = ("運営方針", "基本施策")

#: The evaluation scale, best first.
GRADES = ("A", "B", "C", "D")


def grade_as_meant(text: str) -> str:
    """A grade as an official types it: Ａ (the IME's full-width letters), a lower-case a or
    spaces around it mean A. One rule for the year's YAML and for a returned sheet."""
    return unicodedata.normalize("NFKC", text).strip().upper()


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
class Policy(Record):
    """A 運営方針 or 基本施策 of the policy tree with its numbered 施策 (measures)."""

    number: int = spec("番号", Integer(1, 999))
    name: str = spec("名称", Text(max_length=80))
    measures: list[str] = spec("施策", ListOf(Text(max_length=80), min_items=1))
    #: 運営方針 or 基本施策; set from where the policy sits in the tree.
    kind: str = field(default="", compare=False)

    @property
    def code(self) -> str:
        return item_code(self.kind, self.number)

    def measure(self, number: int) -> str | None:
        """施策 ``number`` (1-based) of this policy, or None."""
        return self.measures[number - 1] if 1 <= number <= len(self.measures) else None


@dataclass(kw_only=True)
class ManagementGoal(Record):
    """自治体運営 第1/第2 with its 運営方針."""

    number: int = spec("番号", Integer(1, 99))
    title: str = spec("名称", Text(max_length=80))
    policies: list[Policy] = spec("運営方針", ListOf(RecordOf(Policy), min_items=1))


@dataclass(kw_only=True)
class PolicyGroup(Record):
    """A policy group (政策) of a sector, with its 基本施策."""

    number: int = spec("番号", Integer(1, 99))
    title: str = spec("名称", Text(max_length=80))
    policies: list[Policy] = spec("基本施策", ListOf(RecordOf(Policy), min_items=1))


@dataclass(kw_only=True)
class Sector(Record):
    """部門別計画 第1–第5 (a まちづくりの目標) with its policy groups."""

    number: int = spec("番号", Integer(1, 99))
    title: str = spec("名称", Text(max_length=80))
    groups: list[PolicyGroup] = spec("政策", ListOf(RecordOf(PolicyGroup), min_items=1))


@dataclass(kw_only=True)
class PolicyTree(Record):
    """施策の体系: the ideal city, 自治体運営 and 部門別計画 down to every 施策."""

    ideal_city: str = spec("理想の都市", Text(max_length=40))
    management: list[ManagementGoal] = spec("自治体運営", ListOf(RecordOf(ManagementGoal), min_items=1))
    sectors: list[Sector] = spec("部門別計画", ListOf(RecordOf(Sector), min_items=1))

    def __post_init__(self) -> None:
        for goal in self.management:
            for policy in goal.policies:
                policy.kind = KINDS[0]
        for sector in self.sectors:
            for group in sector.groups:
                for policy in group.policies:
                    policy.kind = KINDS[1]

    def policies(self, kind: str | None = None) -> list[Policy]:
        """Every 運営方針 then every 基本施策, in tree order (or only one kind)."""
        found = [p for goal in self.management for p in goal.policies]
        found += [p for sector in self.sectors for group in sector.groups for p in group.policies]
        return [p for p in found if kind is None or p.kind == kind]

    def find(self, kind: str, number: int) -> Policy | None:
        """The first policy of that kind and number in tree order (``policies``): content loading
        and the booklet look up every citation (a ×16 tree: 1,800 look-ups, each walking the
        tree took 0.04 s of CPU in all)."""
        return self._by_number.get((kind, number))

    @functools.cached_property
    def _by_number(self) -> dict[tuple[str, int], Policy]:
        """Each policy by kind and number, the first in tree order; made at the first look-up (a
        tree is not changed once read: its kinds are set in __post_init__)."""
        found: dict[tuple[str, int], Policy] = {}
        for policy in self.policies():
            found.setdefault((policy.kind, policy.number), policy)
        return found


#: The longest a 基本計画 runs, in years. A 基本計画 carries out a 基本構想 over a few years (the 6th
#: and 7th run five each; cities run theirs four or five, a few ten): a longer one is a mistyped year.
MAX_PLAN_YEARS = 10


@dataclass(kw_only=True)
class Plan(Record):
    """One 基本計画 of the city's 総合計画 (the 6th ran FY2018–2022)."""

    LABEL = "第{number}次基本計画"

    number: int = spec("計画の番号（第○次）", Integer(1, 99))
    start: int = spec("計画期間の初年度", Integer(1900, 2200))
    end: int = spec("計画期間の最終年度", Integer(1900, 2200))
    counts: ItemCounts | None = spec("項目数", RecordOf(ItemCounts), default=None)
    tree: str | None = spec("施策の体系のファイル", Text(max_length=200), default=None)

    @property
    def name(self) -> str:
        return self.label_of(vars(self)) or ""

    @property
    def years(self) -> int:
        """How many fiscal years the plan runs (2023–2027: 5)."""
        return self.end - self.start + 1

    def period_problem(self) -> str | None:
        """What is wrong with the plan's period, said for the office, or None: one that ends before it
        starts, or runs longer than a 基本計画 can (a year typed with a wrong digit: 2127 for 2027)."""
        if self.end < self.start:
            return f"{self.name}: 最終年度 {self.end} が初年度 {self.start} より前です"
        if self.years > MAX_PLAN_YEARS:
            return (f"{self.name}: 計画期間 {self.start}〜{self.end}年度は{self.years}年間です（基本計画の期間は"
                    f"{MAX_PLAN_YEARS}年以内です。年の打ち間違いではありませんか）")
        return None

    def year_of(self, fiscal_year: int) -> int:
        """Which year of the plan a fiscal year is (FY2021 is the 4th of the 6th plan)."""
        return fiscal_year - self.start + 1


@dataclass(kw_only=True)
class City(Record):
    """content/city.yaml: the city and its plans."""

    city: str = spec("市の名前", Text(max_length=40))
    plans: list[Plan] = spec("基本計画の一覧", ListOf(RecordOf(Plan), min_items=1))

    def plan(self, number: int) -> Plan | None:
        return next((plan for plan in self.plans if plan.number == number), None)


@dataclass(kw_only=True)
class EvaluationItem(Record):
    """One graded 運営方針 or 基本施策 with its commentary."""

    kind: str = spec("種別", Choice(KINDS))
    number: int = spec("番号", Integer(1, 999))
    name: str = spec("名称", Text(max_length=80))
    # Empty while the year's sheets are still out; a year is complete when every item is filled.
    grade: str = spec("評価", Choice(GRADES, allow_empty=True, fold=grade_as_meant))
    commentary: str = spec("評価の解説", Text(max_length=COMMENTARY_LIMIT, allow_empty=True, lines=True))

    @staticmethod
    def label_of(values: dict[str, Any]) -> str | None:
        if "kind" in values and "number" in values:
            return item_code(values["kind"], values["number"])
        return values.get("kind")

    @property
    def code(self) -> str:
        return item_code(self.kind, self.number)

    @property
    def filled(self) -> bool:
        """Graded and commented on."""
        return bool(self.grade) and bool(self.commentary.strip())


@dataclass(kw_only=True)
class Evaluation(Record):
    """content/evaluations/<year>.yaml: the 施策評価 of one fiscal year's work."""

    fiscal_year: int = spec("対象年度", Integer(1900, 2200))
    plan: int = spec("対象の基本計画（第○次）", Integer(1, 99))
    title: str = spec("報告書の題名", Text(max_length=80))
    intro: list[str] = spec("前文", ListOf(Text(max_length=2000)), default=[])
    items: list[EvaluationItem] = spec("評価項目", ListOf(RecordOf(EvaluationItem)))

    @property
    def name(self) -> str:
        """The document name on the command line and in output/."""
        return f"evaluation-{self.fiscal_year}"

    @property
    def unfilled(self) -> list[EvaluationItem]:
        """Items still without a grade or commentary."""
        return [item for item in self.items if not item.filled]

    @property
    def complete(self) -> bool:
        return not self.unfilled
