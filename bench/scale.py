"""Synthetic content for the benchmark: the real content ×N, and one edit, in a project copy.

Only ever called on a temporary copy of the project (``scaled_copy`` makes one; bench.py one per size).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML

from planpress.build import load
from planpress.documents import available
from planpress.render import html
from planpress.project import Project


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096
    yaml.allow_unicode = True
    # Copies share lists with the originals; written out each time (content refuses YAML aliases).
    yaml.representer.ignore_aliases = lambda *args: True
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


def scaled_copy(project: Path, root: Path, factor: int) -> str:
    """Copy ``project``'s content/ and layouts/ into ``root`` and scale its largest document ×factor
    there; return that document's name."""
    for folder in ("content", "layouts"):
        shutil.copytree(project / folder, root / folder)
    name = largest_document(root)
    scaler(name)(root, factor)
    return name


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
    """One item's commentary changes (same length, so no page moves): its first three characters
    become 改 and ``run`` in two digits, so 100 runs in a row each give text no build has laid out."""
    yaml = _yaml()
    path = sorted((root / "content" / "evaluations").glob("*.yaml"))[-1]
    evaluation = yaml.load(path)
    item = evaluation["items"][len(evaluation["items"]) // 2]
    item["commentary"] = f"改{run % 100:02d}" + item["commentary"][3:]
    yaml.dump(evaluation, path)


def next_evaluation_edit(root: Path) -> int:
    """The run after the one ``edit_evaluation`` last wrote in this copy (0 if none): a text no build
    of it has laid out in the last 99 edits."""
    yaml = _yaml()
    path = sorted((root / "content" / "evaluations").glob("*.yaml"))[-1]
    evaluation = yaml.load(path)
    text = evaluation["items"][len(evaluation["items"]) // 2]["commentary"]
    return int(text[1:3]) + 1 if text.startswith("改") and text[1:3].isdigit() else 0


def scale_booklet(root: Path, factor: int) -> None:
    """The 7th plan's policy tree ×factor: copies of every goal, group and policy, renumbered, each
    with its booklet page; the copies' pages carry the real commentary of the 6th plan's items."""
    yaml = _yaml()
    tree_path, pages_path = root / "content" / "policy.yaml", root / "content" / "booklet" / "pages.yaml"
    tree, pages = yaml.load(tree_path), yaml.load(pages_path)
    texts = [item["commentary"] for path in sorted((root / "content" / "evaluations").glob("*.yaml"))
             for item in yaml.load(path)["items"]]
    management = [p for goal in tree["management"] for p in goal["policies"]]
    policies = [p for sector in tree["sectors"] for group in sector["groups"] for p in group["policies"]]
    originals = {"management": list(tree["management"]), "sectors": list(tree["sectors"])}
    for copy in range(1, factor):
        for goal in originals["management"]:
            tree["management"].append(_renumbered(goal, "policies", copy, len(originals["management"]), len(management)))
        for sector in originals["sectors"]:
            clone = dict(sector, number=sector["number"] + copy * len(originals["sectors"]), title=f"{sector['title']}（{copy + 1}）")
            clone["groups"] = [_renumbered(group, "policies", copy, 0, len(policies)) for group in sector["groups"]]
            tree["sectors"].append(clone)
        for kind, items, step in (("運営方針", management, len(management)), ("基本施策", policies, len(policies))):
            for index, policy in enumerate(items):
                text = texts[(index + copy * 7) % len(texts)]
                pages["pages"].append({"item": f"{kind}{policy['number'] + copy * step:02d}", "current": [text],
                                       "vision": [texts[(index + copy * 11) % len(texts)]], "indicators": None})
    yaml.dump(tree, tree_path)
    yaml.dump(pages, pages_path)
    _scale_departments(root, factor, len(management), len(policies))


def _scale_departments(root: Path, factor: int, management: int, policies: int) -> None:
    """Each department owns the copies of its items (every item needs exactly one owner)."""
    path = root / "content" / "departments.yaml"
    if not path.is_file():
        return
    yaml = _yaml()
    departments = yaml.load(path)
    for department in departments["departments"]:
        for key, step in (("management", management), ("policies", policies)):
            if key in department:
                department[key] = [n + copy * step for copy in range(factor) for n in department[key]]
    yaml.dump(departments, path)


def _renumbered(node: dict, key: str, copy: int, step: int, policy_step: int) -> dict:  # type: ignore[type-arg]
    """A goal or group with new numbers for it and its policies (names marked with the copy)."""
    clone = dict(node, number=node["number"] + copy * step) if step else dict(node)
    if "title" in clone:
        clone["title"] = f"{node['title']}（{copy + 1}）"
    clone[key] = [dict(p, number=p["number"] + copy * policy_step, name=f"{p['name']}（{copy + 1}）"[:80]) for p in node[key]]
    return clone


def edit_booklet(root: Path, run: int) -> None:
    """One policy page's 現状と課題 changes (the same length each run, so no page moves)."""
    yaml = _yaml()
    path = root / "content" / "booklet" / "pages.yaml"
    pages = yaml.load(path)
    page = pages["pages"][len(pages["pages"]) // 2]
    page["current"] = [f"改訂{run % 10}：" + "市民と行政が協働し、地域の課題に取り組む。" * 4]
    yaml.dump(pages, path)


def scaler(name: str) -> Callable[[Path, int], None]:
    return scale_booklet if name == "booklet" else scale_evaluation


def editor(name: str) -> Callable[[Path, int], None]:
    return edit_booklet if name == "booklet" else edit_evaluation
