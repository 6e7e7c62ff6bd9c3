"""The same content builds the same bytes, in separate processes, with or without SOURCE_DATE_EPOCH."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import pdf_pages, run_cli, squash

#: Builds the documents many times over (make test-all, CI).
pytestmark = pytest.mark.slow

NAMES = ("booklet.docx", "booklet.pdf", "evaluation-2021.docx", "evaluation-2021.pdf")


def _build(root: Path, env: dict[str, str]) -> dict[str, bytes]:
    shutil.rmtree(root / "output", ignore_errors=True)
    result = run_cli(root, "build", "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (root / "output").iterdir()) == sorted(NAMES)
    return {name: (root / "output" / name).read_bytes() for name in NAMES}


@pytest.mark.parametrize(
    "env",
    [{"SOURCE_DATE_EPOCH": "1700000000"}, {"SOURCE_DATE_EPOCH": ""}],
    ids=["SOURCE_DATE_EPOCH", "file-dates"],
)
def test_two_builds_give_identical_bytes(project: Path, env: dict[str, str]) -> None:
    first = _build(project, {**env, "PYTHONHASHSEED": "1"})
    second = _build(project, {**env, "PYTHONHASHSEED": "2"})
    assert first == second


def test_source_date_epoch_sets_the_dates_of_both_files(project: Path) -> None:
    import zipfile

    import pikepdf

    _build(project, {"SOURCE_DATE_EPOCH": "1700000000"})
    with pikepdf.open(project / "output" / "evaluation-2021.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114221320")
        assert str(pdf.docinfo["/ModDate"]).startswith("D:20231114221320")
    with zipfile.ZipFile(project / "output" / "evaluation-2021.docx") as package:
        core = package.read("docProps/core.xml").decode("utf-8")
        assert {info.date_time for info in package.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2023-11-14T22:13:20Z</dcterms:created>' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2023-11-14T22:13:20Z</dcterms:modified>' in core


def test_a_build_after_an_edit_from_the_cache_gives_the_bytes_of_a_cold_build(project: Path) -> None:
    """The output cache, the Word contents' numbers, the drawings' PNGs and the PDF sections reused
    after one commentary changed: every file equals a build with no cache, byte for byte (the
    booklet's PDF too: the edit's whole batch is laid out again, as a cold build lays it out)."""
    env = {"SOURCE_DATE_EPOCH": ""}
    _build(project, env)
    report = project / "content" / "evaluations" / "2021.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("commentary: ", "commentary: 再現性確認。", 1), encoding="utf-8")
    warm = _build(project, env)
    shutil.rmtree(project / ".planpress-cache")
    cold = _build(project, env)
    assert cold == warm
    assert "再現性確認。" in squash("".join(pdf_pages(project / "output" / "booklet.pdf")))
