"""The bad-input corpus: each case under tests/bad_inputs/ must be refused with its exact message.

A case is a folder holding any of
- ``project``: the name of a project under tests/projects/ to start from (``tiny``: a plan of
  five items and its evaluation, for broken evaluation files); without it, the shipped project,
- files at project paths (``content/…``, ``layouts/…``) copied over the project,
- ``edits.yaml``: exact replacements ``{file, old, new}`` in the copied project's files
  (each ``old`` must occur once), for small changes to large files,
- ``expected.txt``: the exact lines ``planpress check`` and ``planpress build`` print on stderr.

Both commands must exit 1 without a traceback and leave output/ exactly as it was.
Regenerate the expected lines after a reviewed wording change with
``PLANPRESS_REGEN=1 pytest tests/test_bad_inputs.py`` and read the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import PROJECTS, REPO, copy_project, run_cli

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


def base_project(case: Path, target: Path) -> Path:
    """A copy of the project the case starts from (tests/projects/NAME with the shipped layouts)."""
    if not (case / "project").exists():
        return copy_project(target)
    source = PROJECTS / (case / "project").read_text(encoding="utf-8").strip()
    shutil.copytree(source / "content", target / "content")
    shutil.copytree(REPO / "layouts", target / "layouts")
    return target


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused(name: str, tmp_path: Path) -> None:
    case = CORPUS / name
    root = base_project(case, tmp_path / "project")
    apply_case(case, root)
    previous = previous_output(root)
    expected_file = case / "expected.txt"
    for command in ("check", "build"):
        result = run_cli(root, command)
        if os.environ.get("PLANPRESS_REGEN") and command == "check":
            expected_file.write_text(result.stderr, encoding="utf-8")
        expected = expected_file.read_text(encoding="utf-8").splitlines()
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines() == expected, f"planpress {command}"
        assert result.returncode == 1, f"planpress {command}"
        assert result.stdout == ""
    assert sorted(p.name for p in (root / "output").iterdir()) == ["evaluation-2021.pdf"]
    assert previous.read_bytes() == PREVIOUS
    assert previous.stat().st_mtime == PREVIOUS_MTIME


def test_tiny_project_builds_cleanly(tmp_path: Path) -> None:
    """The tiny cases' starting point is sound: what they report comes from their one change."""
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "project").write_text("tiny\n", encoding="utf-8")
    root = base_project(tmp_path / "case", tmp_path / "tiny")
    result = run_cli(root, "build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (root / "output" / "evaluation-2021.html").exists()


def test_real_project_with_an_item_missing_names_it(project: Path) -> None:
    path = project / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - kind: 基本施策\n    number: 17\n")
    end = text.index("  - kind: 基本施策\n    number: 18\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    list_line = text.splitlines().index("items:") + 2  # the list starts on the line after its key
    result = run_cli(project, "check", "--no-layout")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/evaluations/2021.yaml:{list_line}:3: 基本施策17: 評価がありません（第6次基本計画の全項目を書いてください）"
    ]
