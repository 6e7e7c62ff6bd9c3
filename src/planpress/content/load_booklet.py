"""Read content/booklet/ and content/glossary.yaml into a Booklet, collecting every problem."""

from __future__ import annotations

from dataclasses import replace

from planpress.content import Content
from planpress.content import booklet_rules as checks
from planpress.content.booklet import Booklet
from planpress.content.files import BOOKLET_DIR, BOOKLET_FILES, FILES, read_file
from planpress.errors import Problems
from planpress.project import Project

#: Why a missing booklet file is reported.
_NEEDED = "（冊子の作成に必要です）"


def load_booklet(project: Project, content: Content, problems: Problems) -> Booklet | None:
    """The booklet of the plan whose policy tree is in content/, or None if content/ has no booklet/
    (or no plan's tree: ``_say_no_tree``)."""
    folder = project.content_dir / BOOKLET_DIR
    if not folder.is_dir():
        return None
    if not content.trees:
        _say_no_tree(project, content, problems)
        return None
    number = max(content.trees)
    plan = content.city.plan(number)
    unreadable: set[str] = set()
    records = {name: read_file(project, folder / file, cls, problems, failed=unreadable, missing=_NEEDED, say_empty=False)
               for name, (file, cls) in BOOKLET_FILES.items()}
    file, cls = FILES["glossary"]
    glossary = read_file(project, project.content_dir / file, cls, problems, failed=unreadable, missing=_NEEDED, say_empty=False)
    if plan is None or glossary is None or any(record is None for record in records.values()):
        return None
    review = _review(content, number)
    read = Booklet(plan=plan, tree=content.trees[number], glossary=glossary, review=review,
                   review_plan=content.city.plan(review.plan) if review else None, city=content.city, **records)
    resolved = checks.check(read, project, problems, unreadable=unreadable)
    return replace(read, period=resolved.period or read.period, examples=resolved.examples, images=resolved.images,
                   icons=resolved.icons, gaps=resolved.gaps, gap_kinds=resolved.gap_kinds)


def _say_no_tree(project: Project, content: Content, problems: Problems) -> None:
    """content/booklet/ is there, but no plan has its tree in content/: the booklet, whose pages
    are the tree's items, is not made. Said (not silently left out of the build) at the latest
    plan, unless city.yaml's mistake about a plan (``tree:`` left empty) was reported already."""
    if content.unread_plans:
        return
    plan = max(content.city.plans, key=lambda plan: plan.number)
    reason = (f"{plan.name}: 施策の体系のファイル（tree）が書かれていないため、冊子（{project.display(project.content_dir / BOOKLET_DIR)}/）"
              "は作成しません。冊子の計画に「tree: 施策の体系のファイル」を書いてください")
    problems.warning(plan.location, reason)
    content.booklet_waiting = f"{plan.location}: {reason}"


def _review(content: Content, plan_number: int):  # noqa: ANN202 - Evaluation | None
    """The latest evaluation of the plan before this one (FY2021 of the 6th plan)."""
    earlier = [e for e in content.evaluations if e.plan == plan_number - 1]
    return max(earlier, key=lambda e: e.fiscal_year, default=None)
