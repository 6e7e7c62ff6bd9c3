"""Reading content/: YAML with positions (source), the field schema (fields), the typed records
(model, booklet, departments, citations), which file holds which record (files), loading them
(load, load_booklet) and the rules across them (rules, booklet_rules). Every problem is
collected with its file:line:col.

``Content`` is everything read, the value the loading stage hands on."""

from __future__ import annotations

from dataclasses import dataclass, field

from planpress.content.booklet import Booklet
from planpress.content.departments import Departments
from planpress.content.model import City, Evaluation, Plan, PolicyTree


@dataclass
class Content:
    """Everything read from content/, validated."""

    city: City
    evaluations: list[Evaluation] = field(default_factory=list)
    #: Policy trees by plan number, for plans whose tree is in content/.
    trees: dict[int, PolicyTree] = field(default_factory=dict)
    #: Plans whose tree file had problems: items may be missing from it, so numbering and
    #: references to it are not checked (their errors would follow from the one reported).
    partial_trees: set[int] = field(default_factory=set)
    #: Which department owns which item (content/departments.yaml), if the file exists.
    departments: Departments | None = None
    #: The plan booklet, when content/ has a booklet/ folder.
    booklet: Booklet | None = None
    #: Why content/ has a booklet/ folder and no booklet is made (said where the plan is written).
    booklet_waiting: str | None = None
    #: The key the checked content is kept by (build._checked_content): every file of content/,
    #: the layouts, fonts, planpress's code and the reading libraries' versions. A document model
    #: is made from the content alone, so it and the document's name key the model's print.
    key: str = field(default="", compare=False)
    #: Plans of city.yaml that could not be read (their mistake reported): what they lack is not
    #: reported again (a ``tree:`` left empty is one mistake, not also a missing tree).
    unread_plans: set[str] = field(default_factory=set)

    def item_numbers(self, plan: Plan, kind: str) -> list[int] | None:
        """The numbers of a plan's items of one kind, from its tree or its counts."""
        tree = self.trees.get(plan.number)
        if tree is not None:
            return [policy.number for policy in tree.policies(kind)]
        if plan.counts is not None:
            return list(plan.counts.numbers(kind))
        return None

    def evaluation(self, year: int) -> Evaluation | None:
        return next((e for e in self.evaluations if e.fiscal_year == year), None)

    def plan_for_year(self, fiscal_year: int) -> Plan | None:
        """The plan whose period holds the fiscal year."""
        return next((p for p in self.city.plans if p.start <= fiscal_year <= p.end), None)

    def previous(self, evaluation: Evaluation) -> Evaluation | None:
        """The year before under the same plan (items of two plans do not compare)."""
        before = self.evaluation(evaluation.fiscal_year - 1)
        return before if before is not None and before.plan == evaluation.plan else None
