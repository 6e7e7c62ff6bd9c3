"""Read content/ into the typed model, collecting every problem on the way."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from ruamel.yaml.comments import CommentedMap

from planpress.content import Content
from planpress.content.departments import DEPARTMENTS_FILE, Departments, validate_departments
from planpress.content.fields import Context, read_record
from planpress.content.load_booklet import load_booklet
from planpress.content.model import City, Evaluation, PolicyTree
from planpress.content.rules import validate
from planpress.content.source import load_yaml, not_a_file
from planpress.errors import ContentError, Location, Problem, Problems
from planpress.project import Project

T = TypeVar("T")

CITY_FILE = "city.yaml"
EVALUATIONS_DIR = "evaluations"


def load_content(project: Project, problems: Problems) -> Content | None:
    """Read and validate content/; every problem goes to ``problems``.

    Returns None when the content is too broken to build anything from.
    """
    city_path = project.content_dir / CITY_FILE
    city = _read_file(project, city_path, City, problems)
    evaluations = []
    failed: dict[str, set[str]] = {}
    folder = project.content_dir / EVALUATIONS_DIR
    for path in sorted(p for p in folder.glob("*") if p.suffix.lower() in (".yml", ".yaml") and p.suffix != ".yaml"):
        # Read nowhere else: a year saved as 2024.yml or 2024.YAML would silently be no year at all.
        problems.error(Location(project.display(path), 1, 1), f"拡張子が「{path.suffix}」です。評価のファイルは「.yaml」で保存してください（このファイルは読み込まれません）")
    for path in sorted(folder.glob("*.yaml")):
        ctx_failed: set[str] = set()
        evaluation = _read_file(project, path, Evaluation, problems, failed=ctx_failed)
        if evaluation is not None:
            evaluations.append(evaluation)
            failed[evaluation.location.path] = ctx_failed
    if city is None:
        return None
    content = Content(city=city, evaluations=evaluations)
    for plan in city.plans:
        if plan.tree is not None:
            before = len(problems.errors)
            tree = _read_content_file(project, plan.tree, plan.positions["tree"], PolicyTree, problems)
            if tree is not None:
                content.trees[plan.number] = tree
                if len(problems.errors) > before:
                    content.partial_trees.add(plan.number)
    if content.partial_trees:  # one mistake, one message: what the tree lost is not reported again elsewhere
        validate(content, problems, unreadable=failed)
        return content
    _load_departments(project, content, problems)
    validate(content, problems, unreadable=failed)
    content.booklet = load_booklet(project, content, problems)
    return content


def _load_departments(project: Project, content: Content, problems: Problems) -> None:
    """content/departments.yaml is optional: only the yearly cycle needs it."""
    path = project.content_dir / DEPARTMENTS_FILE
    if path.is_file() or path.is_dir():  # a folder of that name is reported, not taken for no file
        content.departments = _read_file(project, path, Departments, problems)
        if content.departments is not None:
            validate_departments(content.departments, content.trees, problems)


def _read_content_file(
    project: Project, name: str, cited_at: Location, cls: type[T], problems: Problems
) -> T | None:
    """Read a file named in another content file; the name must stay inside content/."""
    path = (project.content_dir / name).resolve()
    if not path.is_relative_to(project.content_dir.resolve()):
        problems.error(cited_at, f"「{name}」は content/ の外を指しています")
        return None
    if not path.is_file():
        problems.error(cited_at, f"「{name}」{'はフォルダです（ファイルを指してください）' if path.is_dir() else 'というファイルは content/ にありません'}")
        return None
    return _read_file(project, path, cls, problems)


def _read_file(
    project: Project, path: Path, cls: type[T], problems: Problems, *, failed: set[str] | None = None
) -> T | None:
    display = project.display(path)
    if not path.is_file():
        problems.error(Location(display), not_a_file(path))
        return None
    try:
        data = load_yaml(path, display)
    except ContentError as error:
        problems.extend(error.problems)
        return None
    if data is None:
        problems.error(Location(display, 1, 1), "ファイルが空です")
        return None
    if not isinstance(data, CommentedMap):
        problems.error(Location(display, 1, 1), "ファイルの中身が「キー: 値」の形ではありません")
        return None
    found: list[Problem] = []
    ctx = Context(display, found, failed if failed is not None else set())
    record = read_record(cls, data, ctx, at=Location(display, 1, 1))
    problems.extend(found)
    return record
