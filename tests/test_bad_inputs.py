"""The bad-input corpus: each case under tests/bad_inputs/ must be refused with its exact message.

A case is a folder holding any of
- ``project``: the name of a project under tests/projects/ to start from (``tiny``: a plan of
  five items and its evaluation, for broken evaluation files); without it, the shipped project,
- files at project paths (``content/…``, ``layouts/…``) copied over the project,
- ``edits.yaml``: exact replacements ``{file, old, new}`` in the copied project's files
  (each ``old`` must occur once), for small changes to large files,
- ``needs-layout``: a line saying why the problem shows only when the pages are laid out,
- ``expected.txt``: the exact lines ``planpress check`` and ``planpress build`` print on stderr.

Both commands must exit 1 without a traceback and leave output/ exactly as it was. Every case
runs in this process (tests/conftest.py ``run_main``, the command's own main()): a case found
when content is read runs ``check --no-layout`` (``check`` and ``build`` read content first and
stop there, with the same lines); a ``needs-layout`` case runs ``check`` and ``build`` and must
pass ``check --no-layout``. ``test_every_command_refuses_it_in_a_real_process`` runs ``check``
and ``build`` as new processes for a sample of cases, and for every case in ``make test-all``.
Regenerate the expected lines after a reviewed wording change with
``PLANPRESS_REGEN=1 pytest tests/test_bad_inputs.py`` and read the diff.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import PROJECTS, REPO, copy_project, run_cli, run_main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
PREVIOUS = b"%PDF-1.7 the previous build's report\n"
PREVIOUS_MTIME = 1_600_000_000


def apply_case(case: Path, root: Path) -> None:
    """Copy the case's files over the project and apply its edits."""
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if source.is_file() and relative.parts[0] in ("content", "layouts"):
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / relative)
    edits = case / "edits.yaml"
    if edits.exists():
        for edit in YAML(typ="safe").load(edits.read_text(encoding="utf-8")):
            target = root / edit["file"]
            text = target.read_text(encoding="utf-8")
            assert text.count(edit["old"]) == 1, f"{case.name}: edit of {edit['file']} does not match once"
            target.write_text(text.replace(edit["old"], edit["new"]), encoding="utf-8", errors="surrogatepass")


def previous_output(root: Path) -> Path:
    """An earlier build's report in output/, to find untouched afterwards."""
    previous = root / "output" / "evaluation-2021.pdf"
    previous.parent.mkdir()
    previous.write_bytes(PREVIOUS)
    os.utime(previous, (PREVIOUS_MTIME, PREVIOUS_MTIME))
    return previous


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_every_expected_line_starts_with_file_line_and_column() -> None:
    for name in CASES:
        for line in (CORPUS / name / "expected.txt").read_text(encoding="utf-8").splitlines():
            path, line_number, column, message = line.split(":", 3)
            assert path.startswith(("content/", "layouts/")), (name, line)
            assert line_number.isdigit() and column.isdigit() and message.strip(), (name, line)


def base_project(case: Path, target: Path, *, warm: bool = False) -> Path:
    """A copy of the project the case starts from (tests/projects/NAME with the shipped layouts);
    ``warm``: the shipped project with its section cache, for a case that is laid out."""
    if not (case / "project").exists():
        return copy_project(target, warm=warm)
    source = PROJECTS / (case / "project").read_text(encoding="utf-8").strip()
    shutil.copytree(source / "content", target / "content")
    shutil.copytree(REPO / "layouts", target / "layouts")
    return target


def prepared(name: str, tmp_path: Path) -> tuple[Path, Path]:
    """The case's project, with an earlier build's report in output/ (to find untouched after)."""
    case = CORPUS / name
    root = base_project(case, tmp_path / "project", warm=(case / "needs-layout").exists())
    apply_case(case, root)
    return root, previous_output(root)


def assert_refused(name: str, result: subprocess.CompletedProcess[str]) -> None:
    """Refused with exactly the case's lines on stderr, status 1, nothing on stdout, no traceback."""
    expected_file = CORPUS / name / "expected.txt"
    if os.environ.get("PLANPRESS_REGEN") and result.args[1] == "check":
        expected_file.write_text(result.stderr, encoding="utf-8")
    command = " ".join(result.args)
    assert "Traceback" not in result.stderr, command
    assert result.stderr.splitlines() == expected_file.read_text(encoding="utf-8").splitlines(), command
    assert result.returncode == 1, command
    assert result.stdout == "", command


def assert_untouched(root: Path, previous: Path) -> None:
    assert sorted(p.name for p in (root / "output").iterdir()) == ["evaluation-2021.pdf"]
    assert previous.read_bytes() == PREVIOUS
    assert previous.stat().st_mtime == PREVIOUS_MTIME


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused(name: str, tmp_path: Path) -> None:
    root, previous = prepared(name, tmp_path)
    if (CORPUS / name / "needs-layout").exists():
        assert run_main(root, "check", "--no-layout").returncode == 0, "reading content alone finds nothing"
        commands = [("check",), ("build",)]
    else:
        commands = [("check", "--no-layout")]
    for command in commands:
        assert_refused(name, run_main(root, *command))
    assert_untouched(root, previous)


#: Cases run as new processes in ``make test`` too: content read from the shipped project and from
#: tests/projects/tiny, a file that is no UTF-8, a YAML syntax error.
REAL_PROCESS_SAMPLE = ("duplicate-item", "tiny-several-problems", "not-utf8", "yaml-tab-indent")


@pytest.mark.parametrize("name", [name if name in REAL_PROCESS_SAMPLE else pytest.param(name, marks=pytest.mark.slow)
                                  for name in CASES])
def test_every_command_refuses_it_in_a_real_process(name: str, tmp_path: Path) -> None:
    """``planpress check`` and ``planpress build`` as the office runs them, each a new process."""
    root, previous = prepared(name, tmp_path)
    for command in ("check", "build"):
        result = run_cli(root, command, process=True)
        result.args = ["planpress", command]
        assert_refused(name, result)
    assert_untouched(root, previous)


def test_tiny_project_builds_cleanly(tmp_path: Path) -> None:
    """The tiny cases' starting point is sound: what they report comes from their one change."""
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "project").write_text("tiny\n", encoding="utf-8")
    root = base_project(tmp_path / "case", tmp_path / "tiny")
    result = run_main(root, "build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (root / "output" / "evaluation-2021.html").exists()


def test_real_project_with_an_item_missing_names_it(cold_project: Path) -> None:
    project = cold_project
    path = project / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - kind: 基本施策\n    number: 17\n")
    end = text.index("  - kind: 基本施策\n    number: 18\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    list_line = text.splitlines().index("items:") + 2  # the list starts on the line after its key
    result = run_main(project, "check", "--no-layout")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/evaluations/2021.yaml:{list_line}:3: 基本施策17: 評価がありません（第6次基本計画の全項目を書いてください）"
    ]
