"""Warnings reach the user in `build` as in `check`, and --strict turns them into failures.

The shipped booklet content carries warnings by design (photos not yet registered, the
booklet's own spellings of cited names), so the real project is the test case.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": 警告: " in line]


def test_build_shows_the_warnings_check_shows_and_writes(project: Path) -> None:
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0
    expected = _warnings(check.stderr)
    assert expected and check.stderr.splitlines()[-1] == f"問題はありません（警告{len(expected)}件）"
    build = run_cli(project, "build", "evaluation-2021", "--format", "html", "--quiet")
    assert build.returncode == 0
    *shown, summary = build.stderr.splitlines()
    # The booklet's slots still to fill (未入力 …) repeat on every build: one line counts them.
    match = re.fullmatch(r"content/: 警告: 冊子に未入力・未登録・未確認が(\d+)件あります（(.+)。一覧は planpress check で表示します。--final では作成しません）", summary)
    assert match, summary
    left_out = [line for line in expected if line not in shown]
    assert shown == [line for line in expected if line in shown]  # in check's order
    assert len(left_out) == int(match.group(1)) > 40
    counted = {kind: int(count) for kind, count in re.findall(r"([^、\d]+)(\d+)件", match.group(2))}
    assert sum(counted.values()) == len(left_out)
    assert counted["未入力"] == sum("が未入力です" in line for line in left_out)
    assert all(re.search("未入力|未登録|未確認|仮のアイコン|仮の枠", line) for line in left_out)
    assert (project / "output" / "evaluation-2021.html").exists()


def test_strict_fails_on_warnings_and_writes_nothing(project: Path) -> None:
    check = run_cli(project, "check", "--no-layout", "--strict")
    build = run_cli(project, "build", "evaluation-2021", "--format", "html", "--strict")
    for result in (check, build):
        assert result.returncode == 1
        assert _warnings(result.stderr) and result.stderr.splitlines() == _warnings(result.stderr)
    assert build.stderr == check.stderr
    assert not (project / "output").exists()


@pytest.mark.parametrize("stylesheet", ["print.css", "report.css"])  # shared, then the report's own after it
def test_weasyprints_css_warning_is_shown_once_in_japanese_at_the_layout_line(project: Path, stylesheet: str) -> None:
    css = project / "layouts" / stylesheet
    text = css.read_text(encoding="utf-8")
    css.write_text(text + "\n.body-text { colr: red; }\n", encoding="utf-8")
    line = text.count("\n") + 2
    result = run_cli(project, "build", "evaluation-2021", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    lines = [l for l in result.stderr.splitlines() if "colr" in l]
    assert lines == [f"layouts/{stylesheet}:{line}:14: 警告: スタイルの指定「colr: red」を無視しました（不明なプロパティ）"]
    assert "Ignored" not in result.stderr


def test_weasyprints_other_css_warnings_are_placed_and_worded_in_japanese(project: Path) -> None:
    """A broken selector (WeasyPrint names no place), an unknown @-rule: each at its layout line,
    in Japanese, no English left."""
    css = project / "layouts" / "print.css"
    text = css.read_text(encoding="utf-8")
    css.write_text(text + "\n.a ]] { color: red; }\n@frobnicate { x: 1 }\n", encoding="utf-8")
    line = text.count("\n") + 2
    result = run_cli(project, "build", "evaluation-2021", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    lines = [l for l in result.stderr.splitlines() if l.startswith("layouts/print.css:")]
    assert f"layouts/print.css:{line}:1: 警告: セレクタ「.a ]]」を使えないため、この規則を無視しました" in lines, lines
    assert f"layouts/print.css:{line + 1}:1: 警告: 不明な規則「@frobnicate」を無視しました" in lines, lines
    assert "WeasyPrint の警告" not in result.stderr


def test_a_sentence_yaml_cuts_at_a_hash_is_a_warning_at_the_hash(project: Path) -> None:
    """``本文 #1`` is YAML's comment from the ``#`` on: the rest of the sentence is never printed.
    One space before it is taken as a sentence cut short; two or more, or a quoted value, as meant."""
    path = project / "content" / "evaluations" / "2021.yaml"
    original = path.read_text(encoding="utf-8")
    sentence = "市民自治の推進に向けて、一定の成果が得られたが、より改善していくよう努めていく。"
    line = original[: original.index(sentence)].count("\n") + 1
    column = original.splitlines()[line - 1].index(sentence) + 1

    def warned(value: str) -> list[str]:
        path.write_text(original.replace(sentence, value), encoding="utf-8")
        result = run_cli(project, "check", "--no-layout")
        assert result.returncode == 0, result.stderr
        return [warning for warning in _warnings(result.stderr) if "「#」" in warning]

    before = "市民自治の推進に向けて、一定の成果 "
    cut = warned(before + "#1 が得られた。")
    assert cut == [f"content/evaluations/2021.yaml:{line}:{column + len(before)}: 警告: 運営方針02: commentary: 「#」の前が半角スペース1つのため、"
                   "「#1 が得られた。」は YAML のコメントとして読み飛ばされ、印刷されません（文の一部なら値全体を \"…\" で囲んでください。"
                   "コメントなら「#」の前を2文字以上空けてください）"]
    assert warned("市民自治の推進に向けて、一定の成果  # 確認済み") == []
    assert warned('"市民自治の推進に向けて、一定の成果 #1 が得られた。"') == []


def test_a_value_continued_on_the_next_line_is_a_warning_where_yaml_joins_or_cuts_it(project: Path) -> None:
    """A plain value written over two lines reads as one line with a space where the line broke
    (「成果が 得られた」 printed), and a `` #`` on its last line cuts it there: each a warning at
    its place. A quoted value folds its lines the same way (its ``#`` is text), except where a
    backslash ends the line in "…" (an escaped break: no space); two lines of Latin text join as
    meant."""
    path = project / "content" / "evaluations" / "2021.yaml"
    original = path.read_text(encoding="utf-8")
    sentence = "市民自治の推進に向けて、一定の成果が得られたが、より改善していくよう努めていく。"
    line = original[: original.index(sentence)].count("\n") + 1
    indent = len(original.splitlines()[line - 1]) - len(original.splitlines()[line - 1].lstrip()) + 2

    def warned(value: str) -> list[str]:
        path.write_text(original.replace(sentence, value), encoding="utf-8")
        result = run_cli(project, "check", "--no-layout")
        assert result.returncode == 0, result.stderr
        return [warning for warning in _warnings(result.stderr) if warning.startswith("content/evaluations/2021.yaml:")]

    continued = "\n" + " " * indent
    assert warned("市民自治の推進に向けて、一定の成果が" + continued + "得られたが、より改善していくよう #努めていく。") == [
        f"content/evaluations/2021.yaml:{line + 1}:{indent + 1}: 警告: 運営方針02: commentary: 値が次の行に続いているため、"
        "YAML は行の継ぎ目を半角スペースにして読み、「一定の成果が 得られたが、」のように空白が入って印刷されます（1行に続けて書いてください）",
        f"content/evaluations/2021.yaml:{line + 1}:{indent + len('得られたが、より改善していくよう') + 2}: 警告: 運営方針02: "
        "commentary: 「#」の前が半角スペース1つのため、「#努めていく。」は YAML のコメントとして読み飛ばされ、印刷されません"
        "（文の一部なら値全体を \"…\" で囲んでください。コメントなら「#」の前を2文字以上空けてください）"]
    assert warned("Citizens and the city" + continued + "work together.") == []
    assert warned("市民自治の推進に向けて、" + continued + "一定の成果  # 確認済み") == [
        f"content/evaluations/2021.yaml:{line + 1}:{indent + 1}: 警告: 運営方針02: commentary: 値が次の行に続いているため、"
        "YAML は行の継ぎ目を半角スペースにして読み、「進に向けて、 一定の成果」のように空白が入って印刷されます（1行に続けて書いてください）"]
    folded = [f"content/evaluations/2021.yaml:{line + 1}:{indent + 1}: 警告: 運営方針02: commentary: 値が次の行に続いているため、"
              "YAML は行の継ぎ目を半角スペースにして読み、「一定の成果が 得られた #」のように空白が入って印刷されます（1行に続けて書いてください）"]
    assert warned('"市民自治の推進に向けて、一定の成果が' + continued + '得られた #1"') == folded
    assert warned("'市民自治の推進に向けて、一定の成果が" + continued + "得られた #1'") == folded
    assert warned('"市民自治の推進に向けて、一定の成果が\\' + continued + '得られた #1"') == []
    assert warned('"市民自治の推進に向けて、一定の成果が' + continued + continued + '得られた #1"') == []  # a line break: meant


def test_a_paragraph_typed_with_a_full_width_indent_is_a_warning(project: Path) -> None:
    """Body paragraphs are indented by the layouts (text-indent): a 「　」 typed at a paragraph's
    start, as on paper, would print indented twice."""
    path = project / "content" / "evaluations" / "2021.yaml"
    original = path.read_text(encoding="utf-8")
    sentence = "以上のことから、施策全体としては、概ね計画どおりの進捗状況と評価しています。"
    line = original[: original.index(sentence)].count("\n") + 1
    column = original.splitlines()[line - 1].index(sentence) + 1
    path.write_text(original.replace(sentence, "　" + sentence), encoding="utf-8")
    result = run_cli(project, "check", "--no-layout")
    assert result.returncode == 0, result.stderr
    assert [warning for warning in _warnings(result.stderr) if "全角スペース" in warning] == [
        f"content/evaluations/2021.yaml:{line}:{column}: 警告: intro[4]: 文頭に全角スペースがあります。段落の字下げはレイアウトが"
        "付けるため、印刷では二重に下がります（表の中では空白になります）。削除してください"]
    path.write_text(original.replace(sentence, sentence.replace("、施策", "、　施策")), encoding="utf-8")  # inside a line: meant
    assert not [w for w in _warnings(run_cli(project, "check", "--no-layout").stderr) if "全角スペース" in w]
