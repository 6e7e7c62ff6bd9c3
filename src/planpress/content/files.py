"""Which file of content/ holds which record, and reading one file into its record.

Loading follows these tables (load.py, load_booklet.py). Two kinds of file are named elsewhere
and read with ``read_file`` too: evaluations/<year>.yaml (an Evaluation each) and the policy
tree that city.yaml names (a PolicyTree).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml.comments import CommentedMap

from planpress.content.booklet import Chapters, Glossary, Goals, Period, PolicyPages, Population, Projects
from planpress.content.departments import DEPARTMENTS_FILE, Departments
from planpress.content.fields import Context, read_record
from planpress.content.model import City
from planpress.content.source import load_yaml, not_a_file
from planpress.errors import ContentError, Location, Problem, Problems
from planpress.project import Project

T = TypeVar("T")

CITY_FILE = "city.yaml"
EVALUATIONS_DIR = "evaluations"
GLOSSARY_FILE = "glossary.yaml"
BOOKLET_DIR = "booklet"

#: The files with fixed names under content/ and the record each holds, by what loading calls them.
FILES: dict[str, tuple[str, type[Any]]] = {
    "city": (CITY_FILE, City),
    "departments": (DEPARTMENTS_FILE, Departments),
    "glossary": (GLOSSARY_FILE, Glossary),
}

#: The files under content/booklet/, by the Booklet field each fills.
BOOKLET_FILES: dict[str, tuple[str, type[Any]]] = {
    "chapters": ("chapters.yaml", Chapters),
    "period": ("period.yaml", Period),
    "population": ("population.yaml", Population),
    "goals": ("sdgs.yaml", Goals),
    "projects": ("projects.yaml", Projects),
    "pages": ("pages.yaml", PolicyPages),
}


def read_file(project: Project, path: Path, cls: type[T], problems: Problems, *, failed: set[str] | None = None,
              missing: str = "", say_empty: bool = True) -> T | None:
    """One file into its record, every problem to ``problems``; labels of items that could not be
    read go to ``failed``. ``missing`` says why a missing file matters; ``say_empty``: an empty file
    is reported as empty (the booklet's files say it is not 「キー: 値」, as they always have)."""
    display = project.display(path)
    if not path.is_file():
        problems.error(Location(display), not_a_file(path, missing))
        return None
    try:
        data = load_yaml(path, display)
    except ContentError as error:
        problems.extend(error.problems)
        return None
    if data is None and say_empty:
        problems.error(Location(display, 1, 1), "ファイルが空です")
        return None
    if not isinstance(data, CommentedMap):
        problems.error(Location(display, 1, 1), "ファイルの中身が「キー: 値」の形ではありません")
        return None
    found: list[Problem] = []
    record = read_record(cls, data, Context(display, found, failed if failed is not None else set()), at=Location(display, 1, 1))
    problems.extend(found)
    return record
