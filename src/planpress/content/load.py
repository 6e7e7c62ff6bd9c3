"""Read content/ into the typed model, collecting every problem on the way."""

from __future__ import annotations

from typing import TypeVar

from planpress.content import Content
from planpress.content.departments import validate_departments
from planpress.content.files import EVALUATIONS_DIR, FILES, read_file
from planpress.content.load_booklet import load_booklet
from planpress.content.model import Evaluation, PolicyTree
from planpress.content.rules import validate
from planpress.errors import Location, Problems
from planpress.project import Project

T = TypeVar("T")


def load_content(project: Project, problems: Problems) -> Content | None:
    """Read and validate content/; every problem goes to ``problems``.

    Returns None when the content is too broken to build anything from.
    """
    name, cls = FILES["city"]
    unread_plans: set[str] = set()
    city = read_file(project, project.content_dir / name, cls, problems, failed=unread_plans)
    evaluations = []
    failed: dict[str, set[str]] = {}
    folder = project.content_dir / EVALUATIONS_DIR
    if folder.exists() and not folder.is_dir():  # no year would be read, and the reports silently gone
        problems.error(Location(project.display(folder)), "フォルダではなくファイルです（評価のファイルを置く evaluations/ フォルダと同じ名前のファイルを移すか、名前を変えてください）")
    for path in sorted(p for p in folder.glob("*") if p.suffix.lower() in (".yml", ".yaml") and p.suffix != ".yaml"):
        # Read nowhere else: a year saved as 2024.yml or 2024.YAML would silently be no year at all.
        problems.error(Location(project.display(path), 1, 1), f"拡張子が「{path.suffix}」です。評価のファイルは「.yaml」で保存してください（このファイルは読み込まれません）")
    for path in sorted(folder.glob("*.yaml")):
        ctx_failed: set[str] = set()
        evaluation = read_file(project, path, Evaluation, problems, failed=ctx_failed)
        if evaluation is not None:
            evaluations.append(evaluation)
            failed[evaluation.location.path] = ctx_failed
    if city is None:
        return None
    content = Content(city=city, evaluations=evaluations, unread_plans=unread_plans)
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
    name, cls = FILES["departments"]
    path = project.content_dir / name
    if path.is_file() or path.is_dir():  # a folder of that name is reported, not taken for no file
        before = len(problems.errors)
        content.departments = read_file(project, path, cls, problems)
        if content.departments is not None:
            validate_departments(content.departments, content.trees, problems, complete=len(problems.errors) == before,
                                 unread_plans=content.unread_plans)


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
    return read_file(project, path, cls, problems)
