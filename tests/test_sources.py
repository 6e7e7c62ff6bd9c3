"""Each section's HTML kept between builds (render/pdf/sources.py): what is read back is what the
templates make now, and only a section whose key changed goes through the templates again."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import copy_project
from planpress.document import Document, Paragraph
from planpress.project import Project
from planpress.render import html
from planpress.render.pdf import parts, sources
from synthetic import add_toc_layout, synthetic_document

DATE = 1764806400.0  # 2025-12-04


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, Document, list[str]]:
    """A project copy with a synthetic document, and the names of the sections made by the templates."""
    root = copy_project(tmp_path / "project", warm=False)
    add_toc_layout(root)
    rendered: list[str] = []
    real = html.render_dated

    def counted(document: Document, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the real function runs
        rendered.append(document.sections[0].anchor)
        return real(document, *args, **kwargs)

    monkeypatch.setattr(html, "render_dated", counted)
    return Project.at(root), synthetic_document(root), rendered


def _plain(document: Document, project: Project, date: float = DATE) -> list[str]:
    """Every section's HTML as the PDF engine made it before: the templates, each time."""
    return [html.render(section, project, date=date, head_dates=False) for section in parts.split(document)]


def _kept(document: Document, project: Project, date: float = DATE, **kwargs: bool) -> list[str]:
    return [source.html for source in sources.section_sources(document, parts.split(document), project, "web", date, **kwargs)]


def _edited(document: Document, index: int, text: str) -> Document:
    section = document.sections[index]
    blocks = tuple(Paragraph(text) if isinstance(block, Paragraph) else block for block in section.blocks)
    return replace(document, sections=(*document.sections[:index], replace(section, blocks=blocks),
                                       *document.sections[index + 1:]))


def test_an_edit_makes_only_its_section_again(made: tuple[Project, Document, list[str]]) -> None:
    project, document, rendered = made
    first = _kept(document, project)
    assert len(rendered) == len(document.sections)
    rendered.clear()
    again = _kept(document, project)
    assert rendered == []  # all read back
    assert first == again == _plain(document, project)
    edited = _edited(document, 3, "節の本文を書き換えました。")
    rendered.clear()
    found = _kept(edited, project)
    assert rendered == [document.sections[3].anchor]
    assert found == _plain(edited, project) and "節の本文を書き換えました。" in re.sub("<[^>]+>", "", found[3])
    assert found[:3] == _plain(document, project)[:3]


def test_a_layout_or_document_field_change_makes_every_section_again(made: tuple[Project, Document, list[str]]) -> None:
    project, document, rendered = made
    _kept(document, project)
    css = project.layouts_dir / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.toc { color: #333; }\n", encoding="utf-8")
    rendered.clear()
    restyled = _kept(document, project)
    assert len(rendered) == len(document.sections)
    assert restyled == _plain(document, project) and all(".toc { color: #333; }" in s for s in restyled)
    rendered.clear()
    retitled = replace(document, title="別の題名")  # shown in every section's <title>
    found = _kept(retitled, project)
    assert len(rendered) == len(document.sections)
    assert found == _plain(retitled, project) and "<title>別の題名</title>" in found[1]


def test_a_section_that_shows_the_date_is_made_again_on_a_new_date(made: tuple[Project, Document, list[str]]) -> None:
    """The PDF engine's HTML reads the date only where a layout prints it: such a section's HTML is
    kept with its date, every other one whatever the date."""
    project, document, rendered = made
    toc = project.layouts_dir / "blocks" / "toc.html"
    toc.write_text(toc.read_text(encoding="utf-8") + "<p>作成日 {{ page.date[:10] }}</p>\n", encoding="utf-8")
    assert "作成日 2025-12-04" in _kept(document, project)[0]
    rendered.clear()
    later = DATE + 86400
    found = _kept(document, project, later)
    assert rendered == ["contents"]  # the cover with the contents, the one section showing the date
    assert "作成日 2025-12-05" in found[0] and found == _plain(document, project, later)


def test_a_check_keeps_nothing(made: tuple[Project, Document, list[str]]) -> None:
    project, document, rendered = made
    _kept(document, project, keep=False)
    assert not list((project.root / ".planpress-cache").rglob("*.sections"))
    _kept(document, project)
    assert [p.name for p in (project.root / ".planpress-cache").rglob("*.sections")] == ["synthetic.web.sections"]
    rendered.clear()
    assert _kept(document, project, keep=False) == _plain(document, project)  # a check reads what a build kept
    assert len(rendered) == len(document.sections)  # by _plain only


def test_what_the_engine_reads_off_a_kept_section_is_what_its_html_gives(tmp_path: Path) -> None:
    """The digest, weight, outward links and named files kept beside each section's HTML are those
    of the HTML the templates make now: read back, they give the keys and batches a cold build gives."""
    from PIL import Image

    from planpress import build
    from planpress.documents import available

    root = copy_project(tmp_path / "project", warm=False)
    projects = root / "content" / "booklet" / "projects.yaml"
    projects.write_text(projects.read_text(encoding="utf-8").replace("image: null", "image: booklet/photo.png", 1), encoding="utf-8")
    Image.new("RGB", (40, 30), "#FF0000").save(root / "content" / "booklet" / "photo.png")
    project = Project.at(root)
    content, _ = build.load(project)
    document = next(spec for spec in available(content) if spec.name == "booklet").make()
    sections = parts.split(document)
    made = sources.section_sources(document, sections, project, "web", DATE)
    kept = sources.section_sources(document, sections, project, "web", DATE)
    plain = _plain(document, project)
    assert [source.html for source in kept] == [source.html for source in made] == plain
    for source, page in zip(kept, plain):
        assert source.digest == hashlib.sha256(page.encode("utf-8")).hexdigest()
        assert source.weight == len(re.sub(r"data:[^\"')\s]+", "", page))
        assert source.links_out == bool(set(re.findall(r'href="#([^"]+)"', page)) - set(re.findall(r'id="([^"]+)"', page)))
        assert source.files == tuple(sorted(set(re.findall(r"file://[^\"'()\s<>]+", page))))
    assert [index for index, source in enumerate(kept) if source.links_out] == [1]  # the contents, after the cover
    assert any(source.weight < len(page) for source, page in zip(kept, plain))  # drawings embedded as data: URLs
    photo = (root / "content" / "booklet" / "photo.png").resolve().as_uri()
    assert sum(photo in source.files for source in kept) == 1
