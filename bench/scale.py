"""Synthetic content for the benchmark: the real content ×N, and one edit, in a project copy.

Only ever called on a temporary copy of the project (bench.py makes one per size).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from planpress.build import load
from planpress.documents import available
from planpress.render import html
from planpress.source import Project


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096
    yaml.allow_unicode = True
    return yaml


def largest_document(root: Path) -> str:
    """The plan booklet if the content has one, else the document with the longest HTML."""
    project = Project.at(root)
    content, _ = load(project)
    specs = available(content)
    names = [spec.name for spec in specs]
    if "booklet" in names:
        return "booklet"
    return max(specs, key=lambda spec: len(html.render(spec.make(), project))).name


def scale_evaluation(root: Path, factor: int) -> None:
    """Every evaluation ×factor: copies of each item with new numbers, the plan's counts to match."""
    yaml = _yaml()
    city_path = root / "content" / "city.yaml"
    city = yaml.load(city_path)
    for path in sorted((root / "content" / "evaluations").glob("*.yaml")):
        evaluation = yaml.load(path)
        plan = next(p for p in city["plans"] if p["number"] == evaluation["plan"])
        counts = plan["counts"]
        items = list(evaluation["items"])
        for copy in range(1, factor):
            for index, item in enumerate(items):
                clone = dict(item)
                step = counts["management"] if item["kind"] == "運営方針" else counts["policies"]
                clone["number"] = item["number"] + copy * step
                clone["name"] = f"{item['name']}（{copy + 1}）"[:80]
                clone["commentary"] = items[(index + 7 * copy) % len(items)]["commentary"]
                evaluation["items"].append(clone)
        yaml.dump(evaluation, path)
    for plan in city["plans"]:
        if "counts" in plan:
            plan["counts"]["management"] *= factor
            plan["counts"]["policies"] *= factor
    yaml.dump(city, city_path)


def edit_evaluation(root: Path, run: int) -> None:
    """One item's commentary changes (same length, so no page moves)."""
    yaml = _yaml()
    path = sorted((root / "content" / "evaluations").glob("*.yaml"))[-1]
    evaluation = yaml.load(path)
    item = evaluation["items"][len(evaluation["items"]) // 2]
    item["commentary"] = f"改{run % 10}" + item["commentary"][2:]
    yaml.dump(evaluation, path)


SCALERS: dict[str, Callable[[Path, int], None]] = {}
EDITS: dict[str, Callable[[Path, int], None]] = {}


class _ByPrefix(dict):  # type: ignore[type-arg]
    """evaluation-2021, evaluation-2023, … all use the evaluation scaler."""

    def __init__(self, prefixes: dict[str, Callable[[Path, int], None]]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def __missing__(self, name: str) -> Callable[[Path, int], None]:
        for prefix, function in self.prefixes.items():
            if name.startswith(prefix):
                return function
        raise KeyError(f"no scaler for document {name!r}")


SCALERS = _ByPrefix({"evaluation-": scale_evaluation})
EDITS = _ByPrefix({"evaluation-": edit_evaluation})
