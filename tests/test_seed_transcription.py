"""The FY2021 evaluation content holds exactly what the seed booklet prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, SEED
from planpress.content.load import load_content
from planpress.errors import Problems
from planpress.project import Project


def seed_items() -> list[tuple[str, int, str, str, str]]:
    """(kind, number, name, grade, commentary) as the seed prints them, layout breaks joined."""
    text = SEED.read_text(encoding="utf-8")
    part = text[: text.index("この計画の名称は")]
    noise = {"第6次基本計画の総括について", "項 目 評 価 評 価 の 解 説"}
    tokens = [line.strip() for line in part.splitlines() if line.strip() and line.strip() not in noise]
    items: list[list] = []
    for token in tokens:
        head = re.fullmatch(r"(運営方針|基本施策)(\d\d)", token)
        if head:
            items.append([head.group(1), int(head.group(2)), "", None, ""])
        elif items and items[-1][3] is None and (grade := re.fullmatch(r"([ABCD])(?: (.*))?", token)):
            items[-1][3], items[-1][4] = grade.group(1), grade.group(2) or ""
        elif items:
            items[-1][2 if items[-1][3] is None else 4] += token
    # ※ marks a glossary term; the content leaves the marks to the glossary.
    return [(k, n, name, g, c.replace("※", "")) for k, n, name, g, c in items]


@pytest.mark.skipif(not SEED.exists(), reason="the seed is kept beside the repository, in ../shared/")
def test_every_item_is_transcribed_in_the_seeds_order() -> None:
    problems = Problems()
    content = load_content(Project.at(REPO), problems)
    # The booklet's content carries warnings by design (seed findings, unfilled slots);
    # the evaluation's transcription must load without any problem.
    assert content is not None and not problems.errors
    assert not [p for p in problems.items if p.location.path.startswith("content/evaluations/")]
    evaluation = content.evaluation(2021)
    ours = [(i.kind, i.number, i.name, i.grade, i.commentary) for i in evaluation.items]
    assert ours == seed_items()
    assert len(ours) == 48


@pytest.mark.skipif(not SEED.exists(), reason="the seed is kept beside the repository, in ../shared/")
def test_intro_text_outside_the_computed_parts_is_the_seeds() -> None:
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    text = (REPO / "content/evaluations/2021.yaml").read_text(encoding="utf-8")
    intro = re.findall(r"^  - \"?(.+?)\"?$", text.split("items:")[0], flags=re.M)
    assert len(intro) == 5
    for paragraph in intro:
        for fixed in re.split(r"\{[^{}]+\}", paragraph):
            assert fixed in seed, fixed


def test_no_count_or_percentage_is_typed_into_the_intro() -> None:
    text = (REPO / "content/evaluations/2021.yaml").read_text(encoding="utf-8").split("items:")[0]
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"\d+項目|％|%", body)
