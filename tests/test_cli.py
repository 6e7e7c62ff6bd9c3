"""The command line: Japanese help, one document in one format, usage errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_cli, run_main


def test_help_is_japanese(project: Path) -> None:
    result = run_cli(project, "--help")
    assert result.returncode == 0
    assert "使い方: planpress" in result.stdout
    assert "文書を output/ に作成します" in result.stdout
    assert "content/ を検査します" in result.stdout
    build_help = run_cli(project, "build", "--help").stdout
    assert "作る形式" in build_help and "--format" in build_help


def test_build_one_document_in_one_format(project: Path) -> None:
    result = run_cli(project, "build", "evaluation-2021", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project / "output").iterdir()) == ["evaluation-2021.pdf"]
    assert result.stdout.splitlines() == ["output/evaluation-2021.pdf"]
    assert "[1/1] output/evaluation-2021.pdf … 完了" in result.stderr


def test_html_is_a_format_too(project: Path) -> None:
    result = run_cli(project, "build", "evaluation-2021", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "evaluation-2021.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def test_check_writes_nothing(project: Path) -> None:
    """check lays every document out (it reports overflows) and still leaves no file behind:
    no output/, no layout cache, nothing changed under content/ or layouts/."""
    before = _files(project)
    result = run_cli(project, "check")
    assert result.returncode == 0, result.stderr
    assert "問題はありません" in result.stderr
    assert _files(project) == before


def test_check_refuses_a_print_shop_profile_the_print_build_would_refuse(project: Path) -> None:
    """check is what the office runs before sending a file to the print shop: a wrong
    layouts/print-output.icc (here a display's sRGB profile) is its problem too, not only
    build --profile print's. A generic profile (no file) is not checked."""
    from PIL import ImageCms

    assert run_cli(project, "check", "--no-layout").returncode == 0
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    (project / "layouts" / "print-output.icc").write_bytes(srgb)
    result = run_cli(project, "check", "--no-layout")
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if "警告" not in line] == [
        "layouts/print-output.icc: ディスプレイ用のRGBのプロファイルです。PDF/X-4 の出力条件には印刷機のCMYKの出力プロファイル"
        "（例: Japan Color 2011 Coated）を置いてください"]


def test_check_lays_out_each_document_without_waiting_out_its_turn(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """check lays the documents out side by side, as a build does. One after another (the report
    first), the report waited pool.TURN_WAIT for the booklet, which the shared workers take first
    (5 s of every check after an edit)."""
    from planpress.build import check
    from planpress.project import Project
    from planpress.render.pdf import pool

    waits: list[tuple[str, bool]] = []
    real = pool.Workers.await_turn

    def await_turn(self: pool.Workers, name: str) -> None:
        real(self, name)
        ahead = set(self.order[:self.order.index(name)])
        waits.append((name, not self.closed and bool(ahead & self.planning)))  # True: it waited TURN_WAIT out

    monkeypatch.setattr(pool.Workers, "await_turn", await_turn)
    monkeypatch.setattr(pool, "TURN_WAIT", 60.0)
    path = project / "content/evaluations/2021.yaml"  # a commentary the report and the booklet print
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("市民自治の推進に向けて、", "市民自治の推進へ向けて、", 1), encoding="utf-8")
    assert check(Project(project)).errors == []
    assert sorted(name for name, _ in waits) == ["booklet", "evaluation-2021"]  # both laid out
    assert [name for name, waited_out in waits if waited_out] == []


def test_unknown_document_names_the_ones_there_are(project: Path) -> None:
    result = run_cli(project, "build", "evaluation-1999")
    assert result.returncode == 1
    assert "文書「evaluation-1999」はありません（作成できる文書: evaluation-2021" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_format_is_a_usage_error(project: Path) -> None:
    result = run_cli(project, "build", "--format", "odt")
    assert result.returncode == 2
    assert "コマンドの書き方に誤りがあります" in result.stderr


@pytest.mark.parametrize("args", [("build", "--format", "odt"), ("build", "--foo"), ("serve", "--port"), ("sheets",),
                                  ("collect", "2023"), ("sheets", "2023", "extra"), ("bogus",),
                                  ("build", "--fin"), ("check", "--no-lay")])
def test_a_mistaken_command_line_is_told_in_japanese(project: Path, args: tuple[str, ...]) -> None:
    result = run_cli(project, *args)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()[-1]
    assert "コマンドの書き方に誤りがあります" in message
    assert not re.search(r"required|unrecognized|invalid|expected|argument|choose", message), message  # argparse's English


def test_a_folder_without_content_is_refused(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check")
    assert result.returncode == 2  # the wrong folder is a mistake in the command line
    assert "content/ フォルダがありません" in result.stderr


def test_works_on_the_project_in_the_current_folder_only(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(elsewhere, "-C", str(project), "build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "evaluation-2021.html").exists()
    assert not (elsewhere / "output").exists()


@pytest.mark.parametrize("env", [{"LANG": "C", "LC_ALL": "POSIX", "PYTHONUTF8": "0"}, {"LANG": "C.UTF-8", "LC_ALL": "", "PYTHONUTF8": "1"}])
def test_any_locale_reads_fonts_and_writes_japanese(project: Path, env: dict[str, str]) -> None:
    """Font paths and names come from fc-match as bytes; messages are UTF-8 whatever the locale."""
    result = subprocess.run([sys.executable, "-m", "planpress", "build", "evaluation-2021", "--format", "pdf"],
                            cwd=project, capture_output=True, env={**os.environ, **env}, timeout=600)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr and "\\u" not in result.stderr.decode("utf-8")
    assert (project / "output" / "evaluation-2021.pdf").exists()


@pytest.mark.parametrize("name", ["city.yaml", "departments.yaml", "booklet/chapters.yaml", "evaluations/2022.yaml"])
def test_a_folder_where_a_file_belongs_is_named_a_folder(project: Path, name: str) -> None:
    path = project / "content" / name
    if path.exists():
        path.unlink()
    path.mkdir()
    result = run_cli(project, "check", "--no-layout")
    assert result.returncode == 1
    assert f"content/{name}: ファイルではなくフォルダです" in result.stderr, result.stderr
    assert "ファイルがありません" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("make", "reason"), [
    ("output", "output: 書き込めません（フォルダを作る場所に同じ名前のファイルがあります）"),
    ("output/evaluation-2021.html", "output/evaluation-2021.html: 書き込めません（同じ名前のフォルダがあります）"),
], ids=["output-a-file", "output-file-a-folder"])
def test_a_file_where_output_needs_a_folder_and_back_is_named(project: Path, make: str, reason: str) -> None:
    """output/ saved as a file, or a folder with an output file's name: said in Japanese, as what it is."""
    if make == "output":
        (project / make).write_text("", encoding="utf-8")
    else:
        (project / make).mkdir(parents=True)
    result = run_cli(project, "build", "evaluation-2021", "--format", "html", "--quiet")
    assert result.returncode == 1
    assert reason in result.stderr.splitlines()[-1], result.stderr


def test_a_file_where_the_evaluations_folder_belongs_is_named_a_file(project: Path) -> None:
    """content/evaluations saved as a file: every year (and its report) would silently be gone."""
    shutil.rmtree(project / "content" / "evaluations")
    (project / "content" / "evaluations").write_text("fiscal_year: 2021\n", encoding="utf-8")
    for command in (("check", "--no-layout"), ("evaluation", "new", "2023")):
        result = run_cli(project, *command)
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1].startswith("content/evaluations: フォルダではなくファイルです"), result.stderr


def test_a_booklet_folder_whose_plan_has_no_tree_is_said_not_dropped(project: Path) -> None:
    """content/booklet/ there, but no plan with its tree (the line removed, no departments.yaml to
    miss it): the booklet was left out of the build unsaid, and ``build booklet`` said only that
    there is no such document. Now a warning at the plan says why, in check, build and build booklet."""
    city = project / "content" / "city.yaml"
    city.write_text(city.read_text(encoding="utf-8").replace("    tree: policy.yaml\n", ""), encoding="utf-8")
    (project / "content" / "departments.yaml").unlink()
    why = "content/city.yaml:12:5: 警告: 第7次基本計画: 施策の体系のファイル（tree）が書かれていないため、冊子（content/booklet/）は作成しません"
    checked = run_main(project, "check", "--no-layout")
    assert checked.returncode == 0 and why in checked.stderr, checked.stderr
    built = run_main(project, "build", "--format", "docx")
    assert built.returncode == 0 and why in built.stderr, built.stderr
    assert sorted(path.name for path in (project / "output").iterdir()) == ["evaluation-2021.docx"]
    asked = run_main(project, "build", "booklet")
    assert asked.returncode == 1
    assert asked.stderr.splitlines()[-1].startswith(why.replace("警告: ", "")), asked.stderr


def test_the_command_ends_with_mains_status_and_skips_the_cycle_search(tmp_path: Path) -> None:
    """The console script is ``command``: ``main``'s status is the process's, its messages are
    out, and the objects left are frozen before Python's teardown (cli.command: the teardown's
    search for cycles cost ~0.08 s after every build)."""
    from importlib.metadata import entry_points

    [script] = entry_points(group="console_scripts", name="planpress")
    assert script.value == "planpress.cli:command"
    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, flush=True))\n"
             "sys.argv = ['planpress', 'check']\n"
             "from planpress.cli import command\ncommand()\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 2  # main's own: a folder that is no project
    assert "content/ フォルダがありません" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout.strip() == "frozen True"
