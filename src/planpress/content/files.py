"""Which file of content/ holds which record, and reading one file into its record.

Loading follows these tables (load.py, load_booklet.py). Two kinds of file are named elsewhere
and read with ``read_file`` too: evaluations/<year>.yaml (an Evaluation each) and the policy
tree that city.yaml names (a PolicyTree).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml.comments import CommentedMap

from planpress.content.booklet import Chapters, Glossary, Goals, Period, PolicyPages, Population, Projects
from planpress.content.departments import DEPARTMENTS_FILE, Departments
from planpress.content.fields import Context, read_record
from planpress.content.model import City
from planpress import memo
from planpress.content.source import keep, kept, load_yaml, not_a_file
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
    key = _record_key(project, path, display, cls, say_empty)
    earlier = kept(key) if key is not None else None
    if earlier is not None:  # the same bytes read by the same code: its record, problems and failed labels
        record, found, labels = earlier
        problems.extend(found)
        if failed is not None:
            failed.update(labels)
        return record
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
    labels: set[str] = set()
    record = read_record(cls, data, Context(display, found, labels), at=Location(display, 1, 1))
    if key is not None:
        keep(key, (record, found, labels))  # before any caller changes the record
    problems.extend(found)
    if failed is not None:
        failed.update(labels)
    return record


def _record_key(project: Project, path: Path, display: str, cls: type[Any], say_empty: bool) -> str | None:
    """What a file's record comes from: its bytes and name, the project, the record class and
    planpress's code (the kinds that read it), ruamel.yaml's version; None if the file cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return memo.fingerprint("record", str(project.root), display, f"{cls.__module__}.{cls.__qualname__}", say_empty, memo.code(),
                            memo.versions("ruamel.yaml"), hashlib.sha256(data).hexdigest())
