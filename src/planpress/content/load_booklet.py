"""Read content/booklet/ and content/glossary.yaml into a Booklet, collecting every problem."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from ruamel.yaml.comments import CommentedMap

from planpress.content import booklet_rules as checks
from planpress.content import Content
from planpress.content.booklet import Booklet, Chapters, Glossary, Goals, Period, PolicyPages, Population, Projects
from planpress.content.fields import Context, read_record
from planpress.content.source import load_yaml, not_a_file
from planpress.errors import ContentError, Location, Problem, Problems
from planpress.project import Project

T = TypeVar("T")

BOOKLET_DIR = "booklet"
GLOSSARY_FILE = "glossary.yaml"
FILES = {
    "chapters": ("chapters.yaml", Chapters),
    "period": ("period.yaml", Period),
    "population": ("population.yaml", Population),
    "goals": ("sdgs.yaml", Goals),
    "projects": ("projects.yaml", Projects),
    "pages": ("pages.yaml", PolicyPages),
}


def load_booklet(project: Project, content: Content, problems: Problems) -> Booklet | None:
    """The booklet of the plan whose policy tree is in content/, or None if content/ has no booklet/."""
    folder = project.content_dir / BOOKLET_DIR
    if not folder.is_dir() or not content.trees:
        return None
    number = max(content.trees)
    plan = content.city.plan(number)
    unreadable: set[str] = set()
    records = {name: _read(project, folder / file, cls, problems, unreadable) for name, (file, cls) in FILES.items()}
    glossary = _read(project, project.content_dir / GLOSSARY_FILE, Glossary, problems, unreadable)
    if plan is None or glossary is None or any(record is None for record in records.values()):
        return None
    review = _review(content, number)
    read = Booklet(plan=plan, tree=content.trees[number], glossary=glossary, review=review,
                   review_plan=content.city.plan(review.plan) if review else None, **records)
    resolved = checks.check(read, project, problems, unreadable=unreadable)
    return replace(read, examples=resolved.examples, images=resolved.images, icons=resolved.icons,
                   gaps=resolved.gaps, gap_kinds=resolved.gap_kinds)


def _review(content: Content, plan_number: int):  # noqa: ANN202 - Evaluation | None
    """The latest evaluation of the plan before this one (FY2021 of the 6th plan)."""
    earlier = [e for e in content.evaluations if e.plan == plan_number - 1]
    return max(earlier, key=lambda e: e.fiscal_year, default=None)


def _read(project: Project, path: Path, cls: type[T], problems: Problems, unreadable: set[str]) -> T | None:
    """One file into its record; labels of items that could not be read go to ``unreadable``."""
    display = project.display(path)
    if not path.is_file():
        problems.error(Location(display), not_a_file(path, "（冊子の作成に必要です）"))
        return None
    try:
        data = load_yaml(path, display)
    except ContentError as error:
        problems.extend(error.problems)
        return None
    if not isinstance(data, CommentedMap):
        problems.error(Location(display, 1, 1), "ファイルの中身が「キー: 値」の形ではありません")
        return None
    found: list[Problem] = []
    record = read_record(cls, data, Context(display, found, unreadable), at=Location(display, 1, 1))
    problems.extend(found)
    return record
