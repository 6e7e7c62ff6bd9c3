"""Broken evaluation files: every problem reported at its place, nothing written, no traceback.

Each tests/bad_evaluations/NAME.yaml replaces the tiny project's evaluation; NAME.expected
holds the exact lines the office sees. Regenerate after a reviewed wording change with
``PLANPRESS_REGEN=1 pytest tests/test_bad_input.py`` and read the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import PROJECTS, REPO, copy_project, run_cli

CASES = sorted((Path(__file__).parent / "bad_evaluations").glob("*.yaml"))


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    shutil.copytree(PROJECTS / "tiny" / "content", root / "content")
    shutil.copytree(REPO / "layouts", root / "layouts")
    return root


def test_tiny_project_builds_cleanly(tiny: Path) -> None:
    result = run_cli(tiny, "build", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert (tiny / "output" / "evaluation-2021.html").exists()


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_bad_evaluation_is_reported_and_nothing_is_written(case: Path, tiny: Path) -> None:
    shutil.copy(case, tiny / "content" / "evaluations" / "2021.yaml")
    output = tiny / "output"
    output.mkdir()
    previous = output / "evaluation-2021.pdf"
    previous.write_bytes(b"%PDF- previous build")
    os.utime(previous, (1_000_000_000, 1_000_000_000))
    expected_file = case.with_suffix(".expected")

    check = run_cli(tiny, "check")
    if os.environ.get("PLANPRESS_REGEN"):
        expected_file.write_text(check.stderr, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert check.returncode == 1
    assert check.stderr == expected
    assert check.stdout == ""

    build = run_cli(tiny, "build")
    assert build.returncode == 1
    assert build.stderr == expected
    assert "Traceback" not in build.stderr + check.stderr
    assert sorted(p.name for p in output.iterdir()) == ["evaluation-2021.pdf"]
    assert previous.read_bytes() == b"%PDF- previous build"
    assert previous.stat().st_mtime == 1_000_000_000


def test_every_problem_line_starts_with_its_location() -> None:
    for case in CASES:
        for line in case.with_suffix(".expected").read_text(encoding="utf-8").splitlines():
            assert line.startswith("content/evaluations/2021.yaml:"), (case.name, line)
            path, line_number, column, message = line.split(":", 3)
            assert line_number.isdigit() and column.isdigit() and message.strip(), (case.name, line)


def test_real_project_with_an_item_missing_names_it(project: Path) -> None:
    path = project / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - kind: 基本施策\n    number: 17\n")
    end = text.index("  - kind: 基本施策\n    number: 18\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    list_line = text.splitlines().index("items:") + 2  # the list starts on the line after its key
    result = run_cli(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"content/evaluations/2021.yaml:{list_line}:3: 基本施策17: 評価がありません（第6次基本計画の全項目を書いてください）"
    ]
