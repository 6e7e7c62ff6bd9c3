"""A citation whose written name differs from the tree's is reported, and --strict stops on it.

By the booklet's design the mismatch is a warning (the booklet prints the tree's name, and
the shipped content keeps the printed booklet's own spellings); wrong numbers and kinds are
errors and live in tests/bad_inputs/.
"""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli

PROJECTS = Path("content/booklet/projects.yaml")


def _cite(project: Path, old: str, new: str) -> None:
    path = project / PROJECTS
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_another_items_name_says_which_number_carries_it(project: Path) -> None:
    _cite(project, "          - 基本施策34-1\n", "          - 基本施策34-1 親しまれる港づくり\n")
    result = run_cli(project, "check", "--no-layout")
    assert result.returncode == 0
    assert (
        "content/booklet/projects.yaml:35:13: 警告: 重点プロジェクト1: 基本施策34−1: 記載の名称「親しまれる港づくり」は"
        "施策の体系の名称「市内公共交通の充実」と異なります（「親しまれる港づくり」は基本施策17−3）"
        "（冊子には施策の体系の名称を印刷します）"
    ) in result.stderr.splitlines()


def test_near_match_is_still_a_mismatch(project: Path) -> None:
    """The shipped booklet cites 支えあう where the tree has 支え合う."""
    result = run_cli(project, "check", "--no-layout")
    assert (
        "content/booklet/projects.yaml:46:13: 警告: 重点プロジェクト1: 基本施策06−2: 記載の名称「子ども・子育て家庭を地域で支えあう環境整備」は"
        "施策の体系の名称「子ども・子育て家庭を地域で支え合う環境整備」と異なります（冊子には施策の体系の名称を印刷します）"
    ) in result.stderr.splitlines()


def test_a_name_differing_only_in_width_says_that_is_all(project: Path) -> None:
    """The shipped booklet cites ICT (half-width) where the tree has ＩＣＴ: to a reader the same name,
    so the warning says which letters differ and how, not only that the names do."""
    result = run_cli(project, "check", "--no-layout")
    assert (
        "content/booklet/projects.yaml:34:13: 警告: 重点プロジェクト1: 運営方針06−4: 記載の名称「ICTの活用と行政情報の適正管理」は"
        "施策の体系の名称「ＩＣＴの活用と行政情報の適正管理」と異なります（違いは全角と半角だけです: 記載は「ICT」、施策の体系は「ＩＣＴ」）"
        "（冊子には施策の体系の名称を印刷します）"
    ) in result.stderr.splitlines()


def test_strict_build_stops_on_a_name_mismatch_and_writes_nothing(project: Path) -> None:
    result = run_cli(project, "build", "--strict")
    assert result.returncode == 1
    assert any("支えあう" in line for line in result.stderr.splitlines())
    assert not (project / "output").exists()
