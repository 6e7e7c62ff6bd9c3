"""collect changes the lines of the values it takes in and no other byte of the year's file.

The office keeps content/ under version control: a diff after a collect must show the grades and
commentaries a department returned, not the file laid out again by the YAML library (a value
continued on a second line joined into one, a folded block, a flow map, quotes, blank lines,
trailing spaces, comments and document markers changed).
"""

from __future__ import annotations

import codecs
import re
import shutil
from pathlib import Path

import pytest

from conftest import copy_project, issue_year, run_cli
from planpress.content.load import load_content
from planpress.cycle import yamlfile
from planpress.errors import Problems
from planpress.project import Project
from sheetfill import fill_sheet
from test_cycle import sheet

YEAR_FILE = Path("content") / "evaluations" / "2023.yaml"

#: Items an official wrote by hand, each in a shape of its own: (the generated lines, the lines written).
SHAPES = [
    ("運営方針", 1, "    grade: B   # 仮\n"
                    "    commentary: 町内会活動が制限された中で、\n"
                    "      町内会向け広報紙の配布を開始した。\n"
                    "\n"),
    ("運営方針", 3, "    grade: 'C'\n"
                    "    commentary: >-\n"
                    "      折り返した\n"
                    "      解説。\n"
                    "   # 字下げの浅い注記\n"),
    ("運営方針", 4, "    grade:\n"
                    "    commentary:   \n"),
    ("運営方針", 7, '    grade: "D"  # 前年度はD\n'
                    "    commentary: 財政運営は\n"
                    "      厳しい状況が続いた。\n"
                    "    # 財政部の確認待ち\n"),
    ("運営方針", 8, '    grade: "B"\n'
                    '    commentary: "広域連携の推進に向けて、\\n成果が出ている。"\n'),
    ("基本施策", 1, "    grade: A\n"
                    "    commentary: " + "保健予防対策の充実に向けて、健康診査の受診勧奨を続けた。" * 8 + "\n"),
]
#: 基本施策02 as one flow map (the generated item is four lines of block map).
FLOW = "  - {kind: 基本施策, number: 2, name: 医療体制の整備・充実, grade: \"B\", commentary: '医療体制の整備を進めた。'}  \n"


def _item(text: str, kind: str, number: int) -> re.Match[str]:
    (match,) = re.finditer(rf"  - kind: {kind}\n    number: {number}\n    name: (.*)\n    grade: ''\n    commentary: ''\n", text)
    return match


def hand_written(generated: str) -> str:
    """The year file as `evaluation new` wrote it, then edited by hand in every shape YAML allows."""
    text = generated
    for kind, number, lines in SHAPES:
        match = _item(text, kind, number)
        text = text.replace(match.group(0), f"  - kind: {kind}\n    number: {number}\n    name: {match.group(1)}\n{lines}")
    text = text.replace(_item(text, "基本施策", 2).group(0), FLOW)
    text = text.replace("  - kind: 運営方針\n    number: 5\n", "  - kind: 運営方針   \n    number: 5\n")  # trailing spaces
    return "---\n" + text.replace("items:\n", "items:\n  # 運営方針は総合政策部がまとめる\n") + "...\n"


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project with FY2023 created and its sheets written (copy before changing)."""
    root = copy_project(tmp_path_factory.mktemp("in-place") / "project", warm=False)
    issue_year(root)
    return root


def year_file(issued: Path, tmp_path: Path, *, windows: bool) -> tuple[Path, str]:
    """A copy of the project whose year file was written by hand (saved by a Windows editor:
    CRLF and a byte order mark); returns the project and the file's text."""
    root = tmp_path / "project"
    shutil.copytree(issued, root)
    text = hand_written((root / YEAR_FILE).read_text(encoding="utf-8"))
    (root / YEAR_FILE).write_bytes(encoded(text, windows=windows))
    return root, text


def encoded(text: str, *, windows: bool) -> bytes:
    return codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8") if windows else text.encode("utf-8")


def collected(root: Path, tmp_path: Path, department: str, answers: dict[str, tuple[str, str]]) -> str:
    """Collect the department's sheet filled with ``answers``; returns what collect printed."""
    returned = tmp_path / "returned" / f"{department}.docx"
    returned.parent.mkdir(exist_ok=True)
    fill_sheet(sheet(root, department), returned, answers)
    result = run_cli(root, "collect", "2023", str(returned))
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def items(root: Path) -> dict[str, tuple[str, str]]:
    problems = Problems()
    content = load_content(Project.at(root), problems)
    return {item.code: (item.grade, item.commentary) for item in content.evaluation(2023).items}


def replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize("windows", [False, True], ids=["lf", "crlf-bom"])
def test_collect_changes_only_the_lines_of_the_values_it_takes_in(issued: Path, tmp_path: Path, windows: bool) -> None:
    root, before = year_file(issued, tmp_path, windows=windows)
    assert run_cli(root, "check", "--no-layout").returncode == 0
    kept = items(root)

    # Two lines become a literal block of two paragraphs; the comment after the old value stays.
    said = collected(root, tmp_path, "財政部", {"M07": ("B", "財政基盤の強化に取り組んだ。\n次年度も健全化を進める。")})
    assert "1項目を更新しました" in said
    after = replaced(before, '    grade: "D"  # 前年度はD\n    commentary: 財政運営は\n      厳しい状況が続いた。\n',
                     "    grade: B  # 前年度はD\n    commentary: |-\n      財政基盤の強化に取り組んだ。\n      次年度も健全化を進める。\n")
    assert (root / YEAR_FILE).read_bytes().decode("utf-8-sig").splitlines(True) == encoded(after, windows=windows).decode("utf-8-sig").splitlines(True)
    assert (root / YEAR_FILE).read_bytes() == encoded(after, windows=windows)
    assert items(root) == {**kept, "運営方針07": ("B", "財政基盤の強化に取り組んだ。\n次年度も健全化を進める。")}

    # The literal block becomes one line again.
    collected(root, tmp_path, "財政部", {"M07": ("B", "財政基盤の強化に取り組んだ。")})
    after = replaced(after, "    commentary: |-\n      財政基盤の強化に取り組んだ。\n      次年度も健全化を進める。\n",
                     "    commentary: 財政基盤の強化に取り組んだ。\n")
    assert (root / YEAR_FILE).read_bytes() == encoded(after, windows=windows)

    # 市民生活部 returns 運営方針01 and 03 as the file has them (a continued line, a folded block):
    # they stay as written; its 基本施策 are filled where they were empty.
    fresh = {f"P{number}": ("A", f"基本施策{number}の取組を進めた。") for number in (22, 23, 38, 39, 40)}
    said = collected(root, tmp_path, "市民生活部", {"M01": ("B", "町内会活動が制限された中で、 町内会向け広報紙の配布を開始した。"),
                                                 "M03": ("C", "折り返した 解説。"), **fresh})
    assert "5項目を更新しました" in said
    for number in (22, 23, 38, 39, 40):
        after = re.sub(rf"(    number: {number}\n    name: .*\n)    grade: ''\n    commentary: ''\n",
                       rf"\g<1>    grade: A\n    commentary: 基本施策{number}の取組を進めた。\n", after)
    assert (root / YEAR_FILE).read_bytes() == encoded(after, windows=windows)
    assert run_cli(root, "check", "--no-layout").returncode == 0

    # The same sheets again: nothing changes, not a byte.
    written = (root / YEAR_FILE).read_bytes()
    assert "0項目を更新しました" in collected(root, tmp_path, "財政部", {"M07": ("B", "財政基盤の強化に取り組んだ。")})
    assert (root / YEAR_FILE).read_bytes() == written


def test_a_grade_typed_in_full_width_stays_as_written_unless_it_changes(issued: Path, tmp_path: Path) -> None:
    """Ａ in the file is A (as on a sheet): a sheet returning A leaves the line alone; one returning
    ｃ (full width, lower case) writes C."""
    root, before = year_file(issued, tmp_path, windows=False)
    before = replaced(before, "    grade: B   # 仮\n", "    grade: Ａ   # 仮\n")
    (root / YEAR_FILE).write_text(before, encoding="utf-8")
    assert items(root)["運営方針01"][0] == "A"
    common = {"M03": ("C", "折り返した 解説。")} | {f"P{number}": ("A", "取組を進めた。") for number in (22, 23, 38, 39, 40)}
    said = collected(root, tmp_path, "市民生活部", {"M01": ("A", "町内会活動が制限された中で、 町内会向け広報紙の配布を開始した。"), **common})
    assert "運営方針01（地域活動の促進）: 変更なし" in said and "5項目を更新しました" in said
    assert (root / YEAR_FILE).read_text(encoding="utf-8").count("    grade: Ａ   # 仮\n") == 1
    collected(root, tmp_path, "市民生活部", {"M01": ("ｃ", "町内会活動が制限された中で、 町内会向け広報紙の配布を開始した。"), **common})
    assert "    grade: C   # 仮\n" in (root / YEAR_FILE).read_text(encoding="utf-8")
    assert items(root)["運営方針01"][0] == "C"


def test_a_value_written_as_an_alias_is_replaced_where_the_alias_stands(tmp_path: Path) -> None:
    path = tmp_path / "year.yaml"
    text = "first: &same B  # 基準\nitems:\n  - grade: *same\n    commentary: x\n  - grade: *same\n    commentary: y\n"
    path.write_text(text, encoding="utf-8")
    data = yamlfile.load_for_update(path)
    data["items"][0]["grade"] = yamlfile.plain("C")
    assert yamlfile.write(path, data)
    assert path.read_text(encoding="utf-8") == text.replace("  - grade: *same\n    commentary: x", "  - grade: C\n    commentary: x")


def test_a_change_that_cannot_be_made_in_place_is_written_whole_and_said(issued: Path, tmp_path: Path) -> None:
    """運営方針06 repeats 運営方針01's grade through an alias: a new grade for 01 alone cannot
    be written at its place without changing 06 too. The file is written whole (it reads back
    right), and collect says so, for the office to look at the diff."""
    root, before = year_file(issued, tmp_path, windows=False)
    before = replaced(before, "    grade: B   # 仮\n", "    grade: &b B   # 仮\n")
    before = re.sub(r"(    number: 6\n    name: .*\n)    grade: ''\n    commentary: ''\n", r"\g<1>    grade: *b\n    commentary: 同上。\n", before)
    (root / YEAR_FILE).write_text(before, encoding="utf-8")
    common = {"M03": ("C", "折り返した 解説。")} | {f"P{number}": ("A", "取組を進めた。") for number in (22, 23, 38, 39, 40)}
    said = collected(root, tmp_path, "市民生活部", {"M01": ("C", "町内会活動が制限された中で、 町内会向け広報紙の配布を開始した。"), **common})
    assert ("content/evaluations/2023.yaml: 値の書き方（別名 *… で繰り返した値など）のため、変わった値だけを置き換えられず、"
            "ファイル全体を書き直しました（コメントとキーの順序は残っています。差分を確かめてください）") in said
    grades = {code: grade for code, (grade, _) in items(root).items()}
    assert (grades["運営方針01"], grades["運営方針06"], grades["基本施策22"]) == ("C", "B", "A")
