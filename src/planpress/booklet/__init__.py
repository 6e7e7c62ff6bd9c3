"""The plan booklet's content: typed records, loading and the checks across them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from planpress.booklet.records import Chapters, Glossary, Goals, Period, PolicyPages, Population, Projects
from planpress.citations import Resolved
from planpress.errors import Problem
from planpress.model import Evaluation, Plan, PolicyTree


@dataclass
class Booklet:
    """Everything the booklet prints, read and cross-checked."""

    plan: Plan
    tree: PolicyTree
    chapters: Chapters
    period: Period
    population: Population
    goals: Goals
    projects: Projects
    pages: PolicyPages
    glossary: Glossary
    #: The previous plan's latest evaluation, summarised in 第6次基本計画の総括.
    review: Evaluation | None
    review_plan: Plan | None = None
    #: Resolved 代表的な取組事例 by (project number, approach number).
    examples: dict[tuple[int, int], list[Resolved]] = field(default_factory=dict)
    #: Photo files found under content/, by (project number, photo index).
    images: dict[tuple[int, int], Path] = field(default_factory=dict)
    #: Official SDG icon files found under content/, by goal number.
    icons: dict[int, Path] = field(default_factory=dict)
    #: Slots still to fill (未入力, missing photos): warnings that a --final build refuses.
    gaps: list[Problem] = field(default_factory=list)
    #: What each gap is (未入力, 写真未登録 …), for the one-line count `build` prints.
    gap_kinds: list[str] = field(default_factory=list)
