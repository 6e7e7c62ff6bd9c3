"""Citations of the policy tree: the forms authors write and how they resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO

from planpress.content.citations import find_by_name, name_mismatch, parse, resolve, width_difference
from planpress.content.load import load_content
from planpress.errors import Problems
from planpress.content.fields import Invalid
from planpress.content.model import PolicyTree
from planpress.project import Project


@pytest.fixture(scope="module")
def tree() -> PolicyTree:
    problems = Problems()
    content = load_content(Project.at(Path(REPO)), problems)
    assert content is not None
    return content.trees[7]


@pytest.mark.parametrize("text", ["基本施策17-3", "基本施策17−3", "基本施策 17－3", "基本施策１７-３"])
def test_dash_and_digit_forms(text: str) -> None:
    citation = parse(text)
    assert (citation.kind, citation.number, citation.measure, citation.code) == ("基本施策", 17, 3, "基本施策17−3")


def test_printed_name_is_kept_as_written() -> None:
    citation = parse("運営方針06-4 ＩＣＴの活用と行政情報の適正管理")
    assert citation.measure == 4 and citation.printed_name == "ＩＣＴの活用と行政情報の適正管理"


@pytest.mark.parametrize("text", ["基本方針06", "17-3", "基本施策", ""])
def test_not_a_citation(text: str) -> None:
    with pytest.raises(Invalid):
        parse(text)


def test_resolves_names_from_the_tree(tree: PolicyTree) -> None:
    resolved = resolve(parse("基本施策17-3"), tree)
    assert not isinstance(resolved, str)
    assert resolved.name == "親しまれる港づくり" and resolved.policy.name == "港湾整備とポートセールスの推進"
    whole = resolve(parse("運営方針03"), tree)
    assert not isinstance(whole, str) and whole.name == "男女平等参画の推進"


def test_dangling_citations_say_why(tree: PolicyTree) -> None:
    assert resolve(parse("基本施策41-1"), tree) == "基本施策41−1: 施策の体系にありません（基本施策は基本施策40まで）"
    assert resolve(parse("運営方針04-2"), tree) == "運営方針04−2: 運営方針04（平和の推進）の施策は1までです"


def test_mismatched_printed_name_names_the_number_that_has_it(tree: PolicyTree) -> None:
    resolved = resolve(parse("運営方針03-3 男女平等参画の環境の整備"), tree)
    assert not isinstance(resolved, str)
    assert name_mismatch(resolved, tree) == (
        "運営方針03−3: 記載の名称「男女平等参画の環境の整備」は施策の体系の名称「配偶者等からの暴力の根絶」と異なります"
        "（「男女平等参画の環境の整備」は運営方針03−6）")
    exact = resolve(parse("運営方針03-6 男女平等参画の環境の整備"), tree)
    assert not isinstance(exact, str) and name_mismatch(exact, tree) is None
    assert find_by_name("支えあう", tree) == []


def test_a_width_difference_names_each_run_of_differing_letters() -> None:
    assert width_difference("ICT第2期", "ＩＣＴ第２期") == ("ICT」「2", "ＩＣＴ」「２")
    assert width_difference("ＩＣＴの活用", "ICTの活用") == ("ＩＣＴ", "ICT")
    assert width_difference("ICTの活用", "ＩＣＴを活用") is None  # another letter differs too
