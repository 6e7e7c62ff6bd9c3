"""Warnings reach the user in `build` as in `check`, and --strict turns them into failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from planpress import build as stages
from planpress.cli import main
from planpress.errors import Location, Problems

WARNING = "content/city.yaml:4:7: 警告: 確認してください"


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Content with one warning (no rule on main warns yet; the booklet's rules will)."""
    real = stages.check_glyphs

    def with_warning(project, problems: Problems) -> None:  # noqa: ANN001
        real(project, problems)
        problems.warning(Location("content/city.yaml", 4, 7), "確認してください")

    monkeypatch.setattr(stages, "check_glyphs", with_warning)


def test_build_shows_warnings_and_writes(warned: None, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "build", "--format", "html", "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [WARNING]
    assert (project / "output" / "evaluation-2021.html").exists()


def test_strict_build_fails_on_warnings_and_writes_nothing(warned: None, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "build", "--format", "html", "--strict"]) == 1
    assert capsys.readouterr().err.splitlines() == [WARNING]
    assert not (project / "output").exists()


def test_check_shows_warnings_and_strict_fails(warned: None, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-C", str(project), "check", "--no-layout"]) == 0
    assert capsys.readouterr().err.splitlines() == [WARNING, "問題はありません（警告1件）"]
    assert main(["-C", str(project), "check", "--no-layout", "--strict"]) == 1
    assert capsys.readouterr().err.splitlines() == [WARNING]
