"""content/departments.yaml: which department (担当部署) owns each evaluated item."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedSeq

from planpress.content.fields import Context, Integer, Invalid, Kind, ListOf, Record, RecordOf, Text, spec
from planpress.content.model import KINDS, Plan, PolicyTree, item_code
from planpress.errors import Location, Problems

DEPARTMENTS_FILE = "departments.yaml"

#: Characters a department name cannot hold: it names the sheet's file on every system.
_UNSAFE_IN_FILE_NAME = set('/\\:*?"<>|')


@dataclass(frozen=True)
class Owned:
    """An item number in a department's list, with where it was written."""

    number: int
    location: Location


class ItemNumbers(Kind):
    """A list of item numbers, each kept with its own location for ownership messages."""

    nothing_is_none = True

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> tuple[Owned, ...]:
        if not isinstance(value, CommentedSeq):
            raise Invalid("番号のリスト（例: [1, 2, 3]）で書いてください")
        found = []
        for index, number in enumerate(value):
            found.append(Owned(Integer(1, 999).read(number, value, index, ctx), ctx.here(value, index)))
        return tuple(found)


@dataclass(kw_only=True)
class Department(Record):
    """A department and the 運営方針 / 基本施策 it evaluates."""

    LABEL = "{name}"

    #: Also the name of the department's sheet file (checked in validate_departments).
    name: str = spec("部署名", Text(max_length=40))
    management: tuple[Owned, ...] = spec("担当する運営方針の番号", ItemNumbers(), default=())
    policies: tuple[Owned, ...] = spec("担当する基本施策の番号", ItemNumbers(), default=())


    def owned(self) -> list[tuple[str, Owned]]:
        """(kind, number) of every item the department owns, in its file order."""
        return [(KINDS[0], owned) for owned in self.management] + [(KINDS[1], owned) for owned in self.policies]

    def codes(self) -> set[str]:
        return {item_code(kind, owned.number) for kind, owned in self.owned()}


@dataclass(kw_only=True)
class Departments(Record):
    """content/departments.yaml."""

    plan: int = spec("対象の基本計画（第○次）", Integer(1, 99))
    departments: list[Department] = spec("部署の一覧", ListOf(RecordOf(Department), min_items=1))

    def owner(self, code: str) -> Department | None:
        return next((d for d in self.departments if code in d.codes()), None)

    def find(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name == name), None)


def validate_departments(departments: Departments, trees: dict[int, PolicyTree], problems: Problems, *,
                         complete: bool = True, unread_plans: Collection[str] = ()) -> None:
    """Every item of the plan's tree owned by exactly one department; no unknown items.

    ``complete``: the file was read without a mistake. A list with one (``policies: [8, x10]``) is
    read as empty and its mistake reported: its items are then not reported again as unowned.
    ``unread_plans``: plans of city.yaml that could not be read (a ``tree:`` left empty), their
    mistake reported there: that their tree is missing is not said again here."""
    tree = trees.get(departments.plan)
    if tree is None:
        if Plan.LABEL.format(number=departments.plan) not in unread_plans:
            problems.error(departments.positions["plan"], f"第{departments.plan}次基本計画の施策の体系が content/ にありません")
        return
    _check_names(departments, problems)
    owners: dict[str, tuple[Department, Owned]] = {}
    for department in departments.departments:
        for kind, owned in department.owned():
            code = item_code(kind, owned.number)
            policy = tree.find(kind, owned.number)
            if policy is None:
                problems.error(owned.location, f"{department.name}: {code}は第{departments.plan}次基本計画にありません")
            elif code in owners:
                first, where = owners[code]
                other = "同じ部署に2回" if first is department else f"「{first.name}」と「{department.name}」の2つ"
                problems.error(owned.location, f"{code}（{policy.name}）: 担当部署が{other}書かれています（最初は{where.location.line}行目）")
            else:
                owners[code] = (department, owned)
    for policy in tree.policies() if complete else ():
        if policy.code not in owners:
            problems.error(departments.positions["departments"], f"{policy.code}（{policy.name}）: 担当部署がありません")


def _check_names(departments: Departments, problems: Problems) -> None:
    """Names are unique and each can name the department's sheet file on every system."""
    seen: set[str] = set()
    for department in departments.departments:
        name = department.name
        unsafe = sorted(set(name) & _UNSAFE_IN_FILE_NAME)
        if unsafe or name.strip() != name or name.startswith("."):
            what = " ".join(unsafe) or "前後の空白・先頭の「.」"
            problems.error(department.positions["name"], f"{name}: 「{name}」はファイル名に使えません（{what}を除いてください）")
        if department.name in seen:
            problems.error(department.positions["name"], f"{department.name}: 同じ部署名が2回あります")
        seen.add(department.name)
