"""Both renderers know every block kind; builds are repeatable byte for byte and dated once; a
mistake in a template is told at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, run_cli
from planpress.document import BLOCK_KINDS, Block
from planpress.render.docx import HANDLERS


def test_every_block_kind_has_a_template_and_a_word_handler() -> None:
    kinds = {cls.kind for cls in BLOCK_KINDS}
    templates = {path.stem for path in (REPO / "layouts" / "blocks").glob("*.html")}
    assert kinds == templates
    assert set(HANDLERS) == set(BLOCK_KINDS)


def test_every_block_class_is_registered() -> None:
    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(sub) for sub in found)) if found else found

    assert subclasses(Block) == set(BLOCK_KINDS)


def test_building_twice_gives_the_same_bytes(project: Path) -> None:
    outputs = {}
    for attempt in range(2):
        result = run_cli(project, "build", "evaluation-2021", env={"SOURCE_DATE_EPOCH": "1700000000"})
        assert result.returncode == 0, result.stderr
        outputs[attempt] = {p.name: p.read_bytes() for p in (project / "output").iterdir()}
    assert outputs[0].keys() == {"evaluation-2021.pdf", "evaluation-2021.docx"}
    assert outputs[0] == outputs[1]


def test_a_file_saved_during_a_build_gives_its_files_no_other_date(project: Path, monkeypatch) -> None:  # noqa: ANN001
    """The documents' date is the newest content or layout file's, read once a build: a save while
    the Word file is written (serve's builds run beside the editing) does not give its entries
    another date than its properties, nor the Word file another date than the PDF."""
    import os
    import zipfile

    import pikepdf

    from planpress.render import docx

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    start = 1700000000  # 2023-11-14 22:13:20 UTC
    for folder in ("content", "layouts"):
        for path in (project / folder).rglob("*"):
            os.utime(path, (start, start))
    saved = docx._saved

    def saved_after_an_edit(word, project_):  # noqa: ANN001, ANN202
        os.utime(project / "content" / "city.yaml", (start + 86400, start + 86400))  # the clerk saves
        return saved(word, project_)

    monkeypatch.setattr(docx, "_saved", saved_after_an_edit)
    result = run_cli(project, "build", "evaluation-2021", "--quiet")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(project / "output" / "evaluation-2021.docx") as package:
        core = package.read("docProps/core.xml").decode("utf-8")
        assert {info.date_time for info in package.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2023-11-14T22:13:20Z</dcterms:created>' in core
    with pikepdf.open(project / "output" / "evaluation-2021.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114221320")


@pytest.mark.parametrize(("template", "old", "new", "document", "fmt", "line"), [
    ("layouts/blocks/paragraph.html", "{{ block.style }}", "{{ block.styel }}", "evaluation-2021", "html", 2),
    ("layouts/site/page.html", "{{ site.title }}{% endblock %}", "{{ site.titel }}{% endblock %}", "evaluation-2021", "site", 4),
    ("layouts/drawing.svg", "{{ drawing.alt }}", "{{ drawing.atl }}", "booklet", "html", 2),  # not where figure.html calls it
    ("layouts/drawing.svg", "{{ drawing.alt }}", "{{ drawing.atl }}", "booklet", "docx", 2),  # the Word file's SVG pictures
])
def test_a_mistake_in_a_template_is_told_at_its_file_and_line(project: Path, template: str, old: str, new: str,
                                                               document: str, fmt: str, line: int) -> None:
    """A misspelt name in a layout shows only while a page is made (jinja2 names no place then):
    the message still names the template and its line, not just layouts/, and never as a traceback."""
    path = project / template
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = run_cli(project, "build", document, "--format", fmt)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"{template}:{line}: テンプレートの誤り（"), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("damage", "words"), [
    ("missing", "Wordのスタイル見本のファイルがありません"),
    ("cut short", "Wordのスタイル見本を開けません（.docx として読めません。壊れているか、別の形式で保存されています）"),
    ("not a zip", "Wordのスタイル見本を開けません（.docx として読めません。壊れているか、別の形式で保存されています）"),
])
def test_a_damaged_word_style_sample_is_told_in_japanese(project: Path, damage: str, words: str) -> None:
    reference = project / "layouts" / "reference.docx"
    if damage == "missing":
        reference.unlink()
    else:
        reference.write_bytes(reference.read_bytes()[:3000] if damage == "cut short" else b"{\\rtf1 saved as RTF}")
    result = run_cli(project, "build", "evaluation-2021", "--format", "docx")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"layouts/reference.docx: {words}", result.stderr


@pytest.mark.parametrize("style", ["Heading 2", "Data Table", "Footer", "Table Heading"])
def test_a_style_taken_out_of_the_word_style_sample_is_named(project: Path, tmp_path: Path, style: str) -> None:
    """layouts/reference.docx edited in Word, a style the report is written with deleted: the
    build names the style (a paragraph's, a table's, the footer's, one whose font sets a column's
    width), with no traceback, and writes nothing."""
    import docx

    reference = project / "layouts" / "reference.docx"
    word = docx.Document(str(reference))
    element = word.styles[style].element
    element.getparent().remove(element)
    word.save(str(reference))
    result = run_cli(project, "build", "evaluation-2021", "--format", "docx")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"layouts/reference.docx: スタイル「{style}」がありません（make reference-docx で作り直してください）"), result.stderr
    assert not (project / "output" / "evaluation-2021.docx").exists()
