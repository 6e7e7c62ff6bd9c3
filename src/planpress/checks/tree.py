"""The policy tree's numbering: contiguous and unique at every level, names not repeated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planpress.errors import Location, Problems
from planpress.content.model import KINDS, Policy, PolicyTree


def check_tree(tree: PolicyTree, problems: Problems) -> None:
    """Goals, sectors, groups per sector, 運営方針 and 基本施策 count 1, 2, 3 … in order."""
    _check_numbers(tree.management, "自治体運営の第{}", problems)
    _check_numbers(tree.sectors, "部門別計画の第{}", problems)
    for sector in tree.sectors:
        _check_numbers(sector.groups, f"部門別計画の第{sector.number}の政策{{}}", problems)
    for kind in KINDS:
        policies = tree.policies(kind)
        _check_numbers(policies, kind + "{:02d}", problems)
        _check_names(policies, problems)
    for policy in tree.policies():
        _check_measures(policy, problems)


def _check_numbers(entries: Sequence[Any], label: str, problems: Problems) -> None:
    """Numbers run 1, 2, 3 … in the order written: no gap, no repeat, no reordering."""
    seen: dict[int, Location] = {}
    for expected, entry in enumerate(entries, start=1):
        at = entry.positions.get("number", entry.location)
        name = label.format(entry.number)
        if entry.number in seen:
            problems.error(at, f"{name}: 番号が重複しています（最初は{seen[entry.number].line}行目）")
        elif entry.number != expected:
            problems.error(at, f"{name}: 番号が連続していません（ここは{label.format(expected)}のはずです）")
        seen.setdefault(entry.number, at)


def _check_names(policies: list[Policy], problems: Problems) -> None:
    """Two items of one kind with one name would make a citation by name ambiguous."""
    first: dict[str, Policy] = {}
    for policy in policies:
        earlier = first.setdefault(policy.name, policy)
        if earlier is not policy:
            problems.error(policy.positions["name"], f"{policy.code}: 名称「{policy.name}」は{earlier.code}と同じです")


def _check_measures(policy: Policy, problems: Problems) -> None:
    first: dict[str, int] = {}
    for number, measure in enumerate(policy.measures, start=1):
        earlier = first.setdefault(measure, number)
        if earlier != number:
            problems.error(
                policy.positions["measures"],
                f"{policy.code}: 施策{number}「{measure}」は施策{earlier}と同じ名称です",
            )
