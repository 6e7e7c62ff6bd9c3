"""The booklet's cross-references as links for the web edition: a policy and the projects citing
it, a policy and the SDG goals whose rows list it, both ways.

Print states these relations in its text and tables; the web edition shows them as links
(document.Link), computed from the same records as the printed tables.
"""

from __future__ import annotations

from planpress.content.booklet import Booklet
from planpress.document import Link
from planpress.documents.booklet.pages import anchor, related_goals

#: The anchor of the SDGs chapter (第7), whose table lists every goal.
SDG_CHAPTER = "chapter-7"
PROJECTS_GROUP = "この項目を代表的な取組事例とする重点プロジェクト"
POLICIES_GROUP = "代表的な取組事例の運営方針・基本施策"
GOALS_GROUP = "関連するSDGsのゴール"


def links(booklet: Booklet) -> tuple[Link, ...]:
    return (*_project_links(booklet), *_goal_links(booklet))


def _project_links(booklet: Booklet) -> list[Link]:
    """Each project to the items its examples cite, and each item back to the project (once per pair)."""
    found: list[Link] = []
    for project in booklet.projects.projects:
        source = f"project-{project.number}"
        cited = []
        for approach in project.approaches:
            for example in booklet.examples.get((project.number, approach.number), []):
                if example.policy not in cited:
                    cited.append(example.policy)
        for policy in cited:
            target = f"policy-{anchor(policy)}"
            found.append(Link(source, target, f"{policy.code}　{policy.name}", POLICIES_GROUP))
            found.append(Link(target, source, f"重点プロジェクト{project.number}　{project.title}", PROJECTS_GROUP))
    return found


def _goal_links(booklet: Booklet) -> list[Link]:
    """Each item to the SDGs chapter (named by goal); the chapter to each item, under its goal, in goal order."""
    found: list[Link] = []
    by_goal: dict[int, list[Link]] = {}
    for policy in booklet.tree.policies():
        target = f"policy-{anchor(policy)}"
        for goal in related_goals(booklet, policy):
            label = f"ゴール{goal.number}　{goal.title}"
            found.append(Link(target, SDG_CHAPTER, label, GOALS_GROUP))
            by_goal.setdefault(goal.number, []).append(Link(SDG_CHAPTER, target, f"{policy.code}　{policy.name}", label))
    return found + [link for number in sorted(by_goal) for link in by_goal[number]]
