"""Builds from the cache: nothing that did not change is made again, and nothing stale is served.

The checked content, each output file, the Word contents' page numbers and the painted drawings
are kept in .planpress-cache/ under keys of everything that shapes them (src/planpress/memo.py).
The spies below only count calls; every file is produced by the real renderers and read back.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from ruamel.yaml import YAML

from conftest import copy_project, libreoffice_pdf, pdf_pages, run_cli, squash
from planpress import build as stages
from planpress.content import load as content_module
from planpress.render import FORMATS, Format
from planpress.project import Project

REPORT = "evaluation-2021"
EDIT = "キャッシュ確認用の解説です。"


class _Calls:
    """Counts the calls of the functions it wraps (the real ones run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: dict[str, int] = {}
        for name, fmt in list(FORMATS.items()):
            monkeypatch.setitem(FORMATS, name, Format(fmt.name, fmt.suffix, self._wrap(f"render-{name}", fmt.render), fmt.default))
        monkeypatch.setattr(stages, "load_content", self._wrap("load_content", content_module.load_content))

    def _wrap(self, name: str, function):  # noqa: ANN001, ANN202 - any function
        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.counts[name] = self.counts.get(name, 0) + 1
            return function(*args, **kwargs)

        return counted


def _edit_first_commentary(project: Path) -> None:
    report = project / "content" / "evaluations" / "2021.yaml"
    text = report.read_text(encoding="utf-8")
    edited = text.replace("commentary: ", f"commentary: {EDIT}", 1)
    assert edited != text
    report.write_text(edited, encoding="utf-8")


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode("utf-8")


def test_unchanged_build_reads_content_and_files_from_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pp = Project.at(project)
    first = stages.build(pp, names=[REPORT], quiet=True)
    before = {path: path.read_bytes() for path in first}
    calls = _Calls(monkeypatch)
    stages.build(pp, names=[REPORT], quiet=True)
    assert calls.counts == {}  # content not read again, no format rendered
    assert {path: path.read_bytes() for path in first} == before
    _edit_first_commentary(project)
    stages.build(pp, names=[REPORT], quiet=True)
    assert calls.counts == {"load_content": 1, "render-pdf": 1, "render-docx": 1}
    pdf, docx = sorted(first, key=lambda p: p.suffix != ".pdf")
    assert EDIT in squash("".join(pdf_pages(pdf)))
    assert EDIT in _docx_text(docx)


def test_a_documents_print_is_kept_by_its_contents_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output files' keys hold each document model's print (memo.document_print). A build with
    nothing changed takes it from the cache, kept by the key of the content the model is made from,
    instead of walking the model (×16 booklet: 0.18 s); it is the model's own print, and an edit
    makes it anew."""
    from planpress import memo

    real = memo.fingerprint
    walked: list[str] = []

    def counting(*values):  # noqa: ANN002, ANN202 - memo.fingerprint's own
        if len(values) == 1 and hasattr(values[0], "sections"):
            walked.append(values[0].name)
        return real(*values)

    pp = Project.at(project)
    stages.build(pp, formats=["pdf"], quiet=True)
    monkeypatch.setattr(memo, "fingerprint", counting)
    stages.build(pp, formats=["pdf"], quiet=True)
    assert walked == []
    _edit_first_commentary(project)
    stages.build(pp, formats=["pdf"], quiet=True)
    assert sorted(walked) == ["booklet", REPORT]
    content, _ = stages.load(pp.pinned(), keep=False)
    for job in stages.plan_jobs(content, [], ["pdf"]):
        kept = memo.Slot(pp, f"{job.spec.name}.print").get(real("document", content.key, job.spec.name))
        assert kept is not None and kept.decode("ascii") == real(job.spec.make())


def test_an_unchanged_build_reads_each_kept_file_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing changed every file comes from the output cache, each read and its digest checked
    once: the Word booklet (50 MB at ×16) was read ahead of its turn, to find that LibreOffice need
    not start early, and again in its turn; each PDF to find it need not be laid out, and again."""
    from planpress import memo

    pp = Project.at(project)
    stages.build(pp, quiet=True)
    real = memo.Slot.get
    found: list[str] = []

    def counting(self: memo.Slot, key: str) -> bytes | None:
        value = real(self, key)
        if value is not None and self.path.suffix in (".pdf", ".docx"):
            found.append(self.path.name)
        return value

    monkeypatch.setattr(memo.Slot, "get", counting)
    written = stages.build(pp, quiet=True)
    assert sorted(found) == sorted(f"{path.stem}.web{path.suffix}" for path in written)
    assert {path.suffix for path in written} == {".pdf", ".docx"}


def test_an_unchanged_build_imports_no_renderer(project: Path) -> None:
    """With nothing changed every file comes from the cache: the command's process, as the office
    runs it, never imports the PDF engine, the HTML templates (Jinja) or python-docx (together
    ~0.12 s of the ×16 booklet's ~0.9 s). Built once first, so that every file is kept."""
    watched = ("planpress.render.pdf", "planpress.render.html", "jinja2", "docx", "weasyprint")
    script = ("import sys\nfrom planpress.cli import main\ncode = main(['build', '--quiet'])\n"
              f"print([name for name in {watched!r} if name in sys.modules], code)")
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[] 0", result.stdout


def test_a_touched_file_changes_the_date_and_nothing_else(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dates follow the newest file, so a saved-but-unchanged file makes new bytes: the same a cold build makes."""
    pp = Project.at(project)
    stages.build(pp, names=[REPORT], quiet=True)
    (project / "content" / "glossary.yaml").touch()
    warm = {p.name: p.read_bytes() for p in stages.build(pp, names=[REPORT], quiet=True)}
    shutil.rmtree(project / ".planpress-cache")
    cold = {p.name: p.read_bytes() for p in stages.build(pp, names=[REPORT], quiet=True)}
    assert warm == cold


def test_a_content_error_is_never_hidden_by_the_cache(project: Path) -> None:
    assert run_cli(project, "build", REPORT, "--format", "html").returncode == 0
    report = project / "content" / "evaluations" / "2021.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("grade: A", "grade: E", 1), encoding="utf-8")
    broken = run_cli(project, "build", REPORT, "--format", "html")
    assert broken.returncode == 1 and "2021.yaml:" in broken.stderr
    again = run_cli(project, "check", "--no-layout")
    assert again.returncode == 1 and again.stderr.splitlines()[0] == broken.stderr.splitlines()[0]
    report.write_text(text, encoding="utf-8")
    assert run_cli(project, "build", REPORT, "--format", "html").returncode == 0


def test_a_photo_replaced_under_its_name_changes_every_key(tmp_path: Path) -> None:
    """The keys hold the bytes of every file the document names, not only its name."""
    from PIL import Image

    from planpress import memo
    from planpress.documents import available

    project = copy_project(tmp_path / "project")
    projects = project / "content" / "booklet" / "projects.yaml"
    text = projects.read_text(encoding="utf-8")
    projects.write_text(text.replace("image: null", "image: booklet/photo.png", 1), encoding="utf-8")
    photo = project / "content" / "booklet" / "photo.png"
    prints = []
    for colour in ("#FF0000", "#0000FF"):
        Image.new("RGB", (40, 30), colour).save(photo)
        content, _ = stages.load(Project.at(project))
        booklet = next(spec for spec in available(content) if spec.name == "booklet").make()
        assert "photo.png" in repr(booklet)
        prints.append(memo.fingerprint(booklet))
    assert prints[0] != prints[1]


def _photo_colour(pdf: Path, width: int) -> tuple[int, ...]:
    """The colour of the PDF's photo ``width`` pixels wide, as a reader's viewer decodes it."""
    import pikepdf
    from pikepdf import PdfImage

    with pikepdf.open(pdf) as document:
        photos = [PdfImage(o) for o in document.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image" and o.get("/Width") == width]
        assert len(photos) == 1
        return photos[0].as_pil_image().convert("RGB").getpixel((5, 5))


def test_a_photo_replaced_under_its_name_is_printed(tmp_path: Path) -> None:
    """The section's HTML names the photo by its file: URL only: the section cache's key holds
    the file's bytes too, so the booklet shows the new photo, not the cached pages' old one."""
    from PIL import Image

    project = copy_project(tmp_path / "project")
    projects = project / "content" / "booklet" / "projects.yaml"
    text = projects.read_text(encoding="utf-8")
    projects.write_text(text.replace("image: null", "image: booklet/photo.png", 1), encoding="utf-8")
    photo = project / "content" / "booklet" / "photo.png"
    for colour in ((255, 0, 0), (0, 0, 255)):
        Image.new("RGB", (400, 300), colour).save(photo)
        assert run_cli(project, "build", "booklet", "--format", "pdf").returncode == 0
        assert _photo_colour(project / "output" / "booklet.pdf", 400) == colour


def _contents_numbers(docx: Path) -> list[tuple[str, int]]:
    """The Word contents' entries and their page numbers, as the file holds them."""
    xml = _docx_text(docx)
    entries = re.findall(r'<w:pStyle w:val="TOC\d"/>.*?</w:p>', xml)
    found = []
    for entry in entries:
        texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", entry)
        found.append(("".join(texts[:-1]), int(texts[-1])))
    return found


@pytest.mark.slow
def test_word_contents_after_an_edit_lays_out_only_that_section(tmp_path: Path) -> None:
    """A chapter that grows by pages moves every later contents number; LibreOffice lays out that
    section alone, and the numbers are still the pages LibreOffice lays each heading on."""
    project = copy_project(tmp_path / "project")
    assert run_cli(project, "build", "booklet", "--format", "docx").returncode == 0
    before = _contents_numbers(project / "output" / "booklet.docx")
    layouts = project / ".planpress-cache" / "docx-layout"
    kept = set(os.listdir(layouts))
    chapters_file = project / "content" / "booklet" / "chapters.yaml"
    yaml = YAML()
    chapters = yaml.load(chapters_file)
    chapters["chapters"][0]["paragraphs"].extend([chapters["chapters"][5]["paragraphs"][1]] * 8)
    yaml.dump(chapters, chapters_file)
    result = run_cli(project, "build", "booklet", "--format", "docx")
    assert result.returncode == 0, result.stderr
    assert len(set(os.listdir(layouts)) - kept) == 1  # one section laid out anew
    after = _contents_numbers(project / "output" / "booklet.docx")
    assert [title for title, _ in after] == [title for title, _ in before]
    assert after[-1][1] > before[-1][1]  # the grown page moved the pages after it
    converted = libreoffice_pdf(project / "output" / "booklet.docx", tmp_path)
    pages = pdf_pages(converted)
    for title, number in after:
        assert squash(title) in squash(pages[number - 1]), (title, number)


def test_a_drawings_svg_in_word_follows_its_template(tmp_path: Path) -> None:
    """The drawings' SVG (Word's picture beside its PNG) is kept between builds; a change to its
    template (layouts/drawing.svg) reaches the Word file, and the kept SVGs give a cold build's bytes."""
    project = copy_project(tmp_path / "project")
    assert run_cli(project, "build", "booklet", "--format", "docx").returncode == 0
    cold = (project / "output" / "booklet.docx").read_bytes()
    shutil.rmtree(project / ".planpress-cache" / "results")  # the Word file made again, its SVGs from the shelf
    assert run_cli(project, "build", "booklet", "--format", "docx").returncode == 0
    assert (project / "output" / "booklet.docx").read_bytes() == cold
    template = project / "layouts" / "drawing.svg"
    template.write_text(template.read_text(encoding="utf-8").replace('role="img"', 'role="img" data-edited="yes"', 1),
                        encoding="utf-8")
    assert run_cli(project, "build", "booklet", "--format", "docx").returncode == 0
    with zipfile.ZipFile(project / "output" / "booklet.docx") as package:
        svgs = [name for name in package.namelist() if name.endswith(".svg")]
        assert svgs and all(b'data-edited="yes"' in package.read(name) for name in svgs)


def test_word_sections_that_did_not_change_are_taken_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Word section's blocks are kept as XML (render/docx_sections.py). After a commentary
    edit only the sections it changed are written again; after a photo is added to an early
    section, which moves the ids of every picture after it, and with the kept pictures' bytes
    gone, each Word file still has the bytes of one written from scratch."""
    from PIL import Image

    from planpress.documents import available
    from planpress import memo
    from planpress.render import docx_sections

    project = copy_project(tmp_path / "project")
    pp = Project.at(project)
    closed: dict[str, tuple[int, int]] = {}
    close = docx_sections.SectionCache.close

    def counted(cache: docx_sections.SectionCache) -> None:  # the real close runs
        closed[cache.name.removesuffix(".json")] = (cache.taken, len(cache.used))
        close(cache)

    monkeypatch.setattr(docx_sections.SectionCache, "close", counted)

    def sections() -> dict[str, list[str]]:
        content, _ = stages.load(pp)
        return {spec.name: [memo.fingerprint(s) for s in spec.make().sections] for spec in available(content)}

    def build() -> dict[str, bytes]:
        closed.clear()
        return {path.name: path.read_bytes() for path in stages.build(pp, formats=["docx"], quiet=True)}

    build()
    before = sections()
    _edit_first_commentary(project)
    after = sections()
    warm = build()
    for name, (taken, total) in closed.items():
        changed = sum(old != new for old, new in zip(before[name], after[name]))
        assert total == len(after[name]) and total - taken == changed
    assert sum(total - taken for taken, total in closed.values()) >= 1
    assert EDIT in _docx_text(project / "output" / f"{REPORT}.docx")

    projects = project / "content" / "booklet" / "projects.yaml"
    projects.write_text(projects.read_text(encoding="utf-8").replace("image: null", "image: booklet/photo.png", 1),
                        encoding="utf-8")
    Image.new("RGB", (400, 300), (0, 128, 255)).save(project / "content" / "booklet" / "photo.png")
    warm = build()
    taken, total = closed["booklet"]
    assert 0 < taken < total - 1  # the sections before the photo's kept, those after it with pictures written anew
    cache = project / ".planpress-cache"
    shutil.rmtree(cache / "docx-media")  # the kept sections' pictures: those sections written anew
    shutil.rmtree(cache / "results")
    assert build() == warm
    for folder in ("docx-xml", "docx-media", "results"):  # nothing kept: every section written from scratch
        shutil.rmtree(cache / folder)
    assert build() == warm
    assert closed["booklet"][0] == 0


def test_word_files_after_an_edit_have_a_cold_builds_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a commentary edit each Word file takes its other sections from the cache, written into
    word/document.xml as the text they were kept as (wordxml.stand_in, not parsed again): every
    file has the bytes of a cold build of the same content, and no stand-in is left in it. The
    booklet's LibreOffice run for its changed sections starts before the report's Word file, ahead
    of the booklet's turn on the Word thread (docx.start), and its contents' numbers are a cold build's."""
    from planpress.render import docx, docx_toc

    project = copy_project(tmp_path / "project")
    pp = Project.at(project)

    def build() -> dict[str, bytes]:
        return {path.name: path.read_bytes() for path in stages.build(pp, formats=["docx"], quiet=True)}

    build()
    _edit_first_commentary(project)
    events: list[str] = []
    render, convert = docx.render, docx_toc._convert
    # Each Word file noted when it is written, LibreOffice when it is started: it runs while the report is written.
    monkeypatch.setattr(docx, "render", lambda document, project: (render(document, project), events.append(document.name))[0])
    monkeypatch.setattr(docx_toc, "_convert", lambda command: events.append("LibreOffice") or convert(command))
    warm = build()
    monkeypatch.undo()
    assert events == ["LibreOffice", REPORT, "booklet"]
    assert {"booklet.docx", f"{REPORT}.docx"} <= warm.keys()
    assert EDIT in _docx_text(project / "output" / f"{REPORT}.docx")
    for name in warm:
        text = _docx_text(project / "output" / name)
        assert "<?planpress" not in text, name
        assert etree.fromstring(text.encode("utf-8")).tag.endswith("}document")
    assert _docx_text(project / "output" / "booklet.docx").count("<w:sectPr") > 10
    shutil.rmtree(project / ".planpress-cache")
    assert build() == warm


def test_a_kept_word_section_damaged_in_its_shape_is_written_anew(tmp_path: Path) -> None:
    """A kept Word section whose XML lost its wrapper (its file sealed again, so only its shape is
    wrong) is a miss: the file is written anew, with a cold build's bytes."""
    import json

    from planpress import memo

    project = copy_project(tmp_path / "project")
    pp = Project.at(project)
    cold = stages.build(pp, names=[REPORT], formats=["docx"], quiet=True)[0].read_bytes()
    kept = project / ".planpress-cache" / "docx-xml" / f"{REPORT}.json"
    entries = json.loads(memo.checked(kept.read_bytes()))
    assert entries
    for entry in entries.values():
        entry["xml"] = "no wrapper"
    kept.write_bytes(memo.sealed(json.dumps(entries).encode("utf-8")))
    shutil.rmtree(project / ".planpress-cache" / "results")  # the file made again, not served whole
    assert stages.build(pp, names=[REPORT], formats=["docx"], quiet=True)[0].read_bytes() == cold
