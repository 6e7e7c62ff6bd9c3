"""Reading content/ after an edit: what did not change is taken from the cache, never a stale finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_project
from planpress import build as stages
from planpress.checks import glyphs
from planpress.content import files
from planpress.errors import ContentError
from planpress.project import Project

EMOJI = "😀"  # in no layout font


@pytest.fixture
def walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, list[str]]:
    """A project copy, and the content files whose texts the glyph check walked (the real walk runs)."""
    root = copy_project(tmp_path / "project", warm=False)
    names: list[str] = []
    real = glyphs.file_texts

    def counted(project: Project, path: Path):  # noqa: ANN202 - the real function's result
        names.append(path.relative_to(project.content_dir).as_posix())
        return real(project, path)

    monkeypatch.setattr(glyphs, "file_texts", counted)
    return Project.at(root), names


def _glyph_errors(project: Project) -> list[str]:
    try:
        stages.load(project)
    except ContentError as error:
        return [str(problem) for problem in error.problems if EMOJI in problem.message]
    return []


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_glyph_finding_of_an_unchanged_file_is_kept_and_goes_with_its_fix(walked: tuple[Project, list[str]]) -> None:
    project, walked_files = walked
    report = project.content_dir / "evaluations" / "2021.yaml"
    _replace(report, "commentary: ", f"commentary: {EMOJI}")
    first = _glyph_errors(project)
    assert len(first) == 1 and first[0].startswith("content/evaluations/2021.yaml:")
    assert "evaluations/2021.yaml" in walked_files and len(walked_files) > 5  # a cold check walks every file
    walked_files.clear()
    glossary = project.content_dir / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "\n# 編集\n", encoding="utf-8")
    assert _glyph_errors(project) == first  # the report's finding, kept
    assert walked_files == ["glossary.yaml"]  # only the edited file is walked
    walked_files.clear()
    _replace(report, f"commentary: {EMOJI}", "commentary: ")
    assert _glyph_errors(project) == []
    assert walked_files == ["evaluations/2021.yaml"]


def test_another_layout_font_checks_every_file_again(walked: tuple[Project, list[str]]) -> None:
    project, walked_files = walked
    stages.load(project)
    walked_files.clear()
    stages.load(project)  # nothing changed: the checked content itself comes from the cache
    assert walked_files == []
    css = project.layouts_dir / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + '\n.note { font-family: "DejaVu Sans"; }\n', encoding="utf-8")
    with pytest.raises(ContentError) as raised:  # a Latin font: every Japanese character is missing
        stages.load(project)
    assert "フォント「DejaVu Sans」にありません" in str(raised.value.problems[0])
    assert len(walked_files) > 5


def test_a_files_record_and_problems_are_kept_by_its_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit only the edited file is read into its record; another file's problem is still reported."""
    project = Project.at(copy_project(tmp_path / "project", warm=False))
    read: list[str] = []
    real = files.read_record

    def counted(cls, data, ctx, **kwargs):  # noqa: ANN001, ANN003, ANN202 - the real function runs
        read.append(ctx.display)
        return real(cls, data, ctx, **kwargs)

    monkeypatch.setattr(files, "read_record", counted)
    report = project.content_dir / "evaluations" / "2021.yaml"
    _replace(report, "grade: A", "grade: E")
    with pytest.raises(ContentError) as cold:
        stages.load(project)
    assert len(read) > 5
    read.clear()
    glossary = project.content_dir / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "\n# 編集\n", encoding="utf-8")
    with pytest.raises(ContentError) as warm:
        stages.load(project)
    assert read == ["content/glossary.yaml"]
    assert [str(p) for p in warm.value.problems] == [str(p) for p in cold.value.problems]
    assert any(str(p).startswith("content/evaluations/2021.yaml:") for p in warm.value.problems)
    _replace(report, "grade: E", "grade: A")
    read.clear()
    content, problems = stages.load(project)  # fixed: no error left
    assert read == ["content/evaluations/2021.yaml"] and not problems.errors


def test_a_fonts_kept_characters_damaged_outside_planpress_are_read_again(tmp_path: Path) -> None:
    """The characters a layout font has are kept by its file (.planpress-cache/fonts/); a kept
    list with a byte changed would miss (or invent) a character the font lacks: read anew."""
    from planpress.checks import glyphs

    font = glyphs._font_file("BIZ UDPGothic")
    read = glyphs._characters(font, tmp_path, True)
    (entry,) = tmp_path.iterdir()
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01  # a code point of the list, still a list of code points
    entry.write_bytes(bytes(data))
    assert glyphs._characters(font, tmp_path, True) == read
