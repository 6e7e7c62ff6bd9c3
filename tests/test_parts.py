"""Parallel, incremental PDF builds: a merged PDF reads exactly as the single-pass render does."""

from __future__ import annotations

import gc
import io
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from typing import Any
from pathlib import Path

import pikepdf
import pytest

from conftest import copy_project, pdf_pages, run_cli, squash
from planpress.build import build
from planpress.document import Document, Paragraph
from planpress.errors import PlanpressError
from planpress.render.pdf import parts
from planpress.render.pdf import weasy as pdf
from planpress.project import Project
from synthetic import add_toc_layout, synthetic_document
from test_fontmerge import font_dictionaries


REPORT = "evaluation-2021"


def read_back(data: bytes, folder: Path, name: str) -> dict[str, object]:
    """What a reader sees: text per page, outline, destinations, links, language, metadata."""
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as document:
        index = {page.objgen: number for number, page in enumerate(document.pages)}
        outline: list[tuple[int, str, int, float, int]] = []

        def walk(item: pikepdf.Dictionary | None, depth: int) -> None:
            while item is not None:
                outline.append((depth, str(item.Title), index[item.Dest[0].objgen], float(item.Dest[3]), int(item.Count)))
                walk(item.get("/First"), depth + 1)
                item = item.get("/Next")

        walk(document.Root.Outlines.get("/First"), 0)
        names = document.Root.Names.Dests.Names
        dests = [(str(names[i]), index[names[i + 1][0].objgen], float(names[i + 1][3])) for i in range(0, len(names), 2)]
        # /Contents: a tagged link's description, read to a screen reader's user.
        links = [(number, str(annotation.get("/Dest")), str(annotation.get("/A", {}).get("/URI", "")),
                  [round(float(v), 2) for v in annotation.Rect], str(annotation.get("/Contents", "")))
                 for number, page in enumerate(document.pages) for annotation in page.obj.get("/Annots", [])]
        return {
            "pages": pdf_pages(path), "layout": pdf_pages(path, "-layout"), "outline": outline, "dests": dests,
            "links": links, "lang": str(document.Root.Lang), "info": {str(k): str(v) for k, v in document.docinfo.items()},
        }


def structure(data: bytes, folder: Path, name: str) -> dict[str, object]:
    """The tagged structure: elements in order with their page and marked content, the parent tree."""
    path = folder / f"{name}-tags.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as document:
        index = {page.objgen: number for number, page in enumerate(document.pages)}

        def describe(element: pikepdf.Object) -> tuple[object, ...]:
            page = index[element.Pg.objgen] if "/Pg" in element else None
            kids = element.get("/K", pikepdf.Array())
            kids = kids if isinstance(kids, pikepdf.Array) else [kids]
            marked = tuple(int(kid) for kid in kids if isinstance(kid, int))
            return (str(element.S), page, marked, tuple(describe(kid) for kid in kids if isinstance(kid, pikepdf.Dictionary)
                                                        and "/S" in kid))

        root = document.Root.StructTreeRoot
        numbers = root.ParentTree.Nums
        parents = [(int(page.obj.StructParents), [int(a.StructParent) for a in page.obj.get("/Annots", [])])
                   for page in document.pages]
        elements: set[tuple[int, int]] = set()
        reach(root.K, elements)

        def named(entry: pikepdf.Object) -> object:
            """An entry by its elements' types (an element outside the tree counts as none)."""
            if isinstance(entry, pikepdf.Array):
                kinds = [str(e.S) if isinstance(e, pikepdf.Dictionary) and e.objgen in elements else None for e in entry]
                while kinds and kinds[-1] is None:
                    kinds.pop()
                return tuple(kinds)
            return str(entry.S) if entry.objgen in elements else None

        tree = {int(numbers[i]): named(numbers[i + 1]) for i in range(0, len(numbers), 2)}
        return {"tree": describe(root.K[0]), "parent tree": tree, "parents": parents,
                "marked": str(document.Root.MarkInfo.Marked)}


def dangling(data: bytes, folder: Path) -> tuple[int, int]:
    """Parent-tree entries naming an element outside the tree; link annotations no page shows."""
    path = folder / "dangling.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as document:
        root = document.Root.StructTreeRoot
        elements: set[tuple[int, int]] = set()
        reach(root.K, elements)
        numbers = root.ParentTree.Nums
        named = [e for i in range(1, len(numbers), 2)
                 for e in (numbers[i] if isinstance(numbers[i], pikepdf.Array) else [numbers[i]]) if isinstance(e, pikepdf.Dictionary)]
        shown = sum(len(page.obj.get("/Annots", [])) for page in document.pages)
        links = sum(1 for o in document.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/Link")
        return sum(1 for e in named if e.objgen not in elements), links - shown


def reach(node: pikepdf.Object, found: set[tuple[int, int]]) -> None:
    """The structure elements below a node."""
    if isinstance(node, pikepdf.Array):
        for kid in node:
            reach(kid, found)
    elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR" and node.objgen not in found:
        if node.is_indirect:
            found.add(node.objgen)
        if "/K" in node:
            reach(node.K, found)


def assert_same_reading(single: dict[str, object], merged: dict[str, object]) -> None:
    for aspect in ("pages", "layout", "outline", "dests", "links", "lang", "info"):
        assert merged[aspect] == single[aspect], aspect


def _pairs(keys: list[str], sizes: list[int], alone: list[bool]) -> list[int]:
    """Batches of two sections (one alone where it looks up pages): the content-defined cuts of
    parts.batch_numbers follow the content keys, which follow planpress's code, so a change to
    any module moved them (and a test's batch count with them)."""
    numbers, batch = [], 0
    for index in range(len(keys)):
        if index and (alone[index] or alone[index - 1] or index % 2 == 1):
            batch += 1
        numbers.append(batch)
    return numbers


def _few_big_batches(patch: pytest.MonkeyPatch) -> None:
    """3 workers, batches of two sections: the synthetic document's 9 sections in 5 batches."""
    patch.setattr(parts, "batch_numbers", _pairs)
    patch.setattr(parts, "workers", lambda: 3)


@dataclass(frozen=True)
class FirstRender:
    """The synthetic project rendered once (module-wide): its folder with the section cache, the
    document, the single-pass and merged bytes, and what the parallel build reported."""

    root: Path
    document: Document
    single: bytes
    merged: bytes
    report: parts.PartsBuild


@pytest.fixture(scope="module")
def first_render(tmp_path_factory: pytest.TempPathFactory) -> FirstRender:
    root = copy_project(tmp_path_factory.mktemp("synthetic") / "project", warm=False)  # its own layouts: the warm cache would not match
    add_toc_layout(root)
    project = Project.at(root)
    document = synthetic_document(root, chapters=2, policies=3, repeat=6)
    with pytest.MonkeyPatch.context() as patch:
        _few_big_batches(patch)
        merged = parts.render(document, project)
    return FirstRender(root, document, pdf.render(document, project), merged, parts.LAST_BUILDS[document.name])


@pytest.fixture
def synthetic(first_render: FirstRender, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Project, Document]:
    """A project copy with the test TOC layout and a document of 9 sections, built in 6 batches;
    its section cache holds the first render's sections (copied, file dates kept), as after a build
    of the unchanged document."""
    root = tmp_path / "project"
    shutil.copytree(first_render.root, root)
    _few_big_batches(monkeypatch)
    return Project.at(root), first_render.document


def with_commentary(document: Document, section: int, text: str) -> Document:
    """The document with the first paragraph of one section replaced."""
    chosen = document.sections[section]
    blocks = list(chosen.blocks)
    first = next(i for i, block in enumerate(blocks) if isinstance(block, Paragraph))
    blocks[first] = Paragraph(text)
    sections = list(document.sections)
    sections[section] = replace(chosen, blocks=tuple(blocks))
    return replace(document, sections=tuple(sections))


def test_merged_pdf_reads_as_the_single_pass_render(first_render: FirstRender, tmp_path: Path) -> None:
    document, report = first_render.document, first_render.report
    single = read_back(first_render.single, tmp_path, "single")
    merged = read_back(first_render.merged, tmp_path, "merged")
    assert report.single_pass == "" and report.batches > 3  # really laid out in several batches
    assert len(single["pages"]) > len(document.sections)  # some sections run over pages
    assert_same_reading(single, merged)
    # One font dictionary per font, with the widths and text the single pass gives each glyph.
    assert font_dictionaries(tmp_path / "merged.pdf") == font_dictionaries(tmp_path / "single.pdf")
    # The TOC (first page) lists every section with its page number, and its links land there.
    assert [depth for depth, *_ in merged["outline"]].count(1) == 2 * 6  # policy headings nest under chapters
    toc_links = {link[1] for link in merged["links"] if link[0] == 0}  # type: ignore[index]
    assert toc_links == {section.anchor for section in document.sections[1:]}


def test_tagged_pdf_keeps_its_structure(first_render: FirstRender, tmp_path: Path) -> None:
    """A tagged (PDF/UA structure) merge has the single pass's structure tree and parent tree.

    Every profile is tagged (write_options), so the comparison holds real trees: the single pass's
    has a paragraph element for each paragraph of every section.
    """
    document, single, merged = first_render.document, first_render.single, first_render.merged
    assert first_render.report.batches > 3
    assert_same_reading(read_back(single, tmp_path, "single"), read_back(merged, tmp_path, "merged"))
    tree = structure(single, tmp_path, "single")
    paragraphs = sum(isinstance(block, Paragraph) for section in document.sections for block in section.blocks)
    assert str(tree).count("'/P'") >= paragraphs > 0
    assert structure(merged, tmp_path, "merged") == tree
    # Beyond WeasyPrint (whose own parent tree names a few elements outside its tree): the merged
    # parent tree names elements of the tree only, and each link is in the file once.
    assert dangling(merged, tmp_path) == (0, 0)


def test_nothing_changed_lays_out_nothing(synthetic: tuple[Project, Document], first_render: FirstRender) -> None:
    project, document = synthetic
    again = parts.render(document, project)
    report = parts.LAST_BUILDS[document.name]
    assert report.laid_out == [] and report.batches == 0 and report.cached_merge
    assert again == first_render.merged


def test_a_newer_date_alone_lays_out_nothing(synthetic: tuple[Project, Document], tmp_path: Path) -> None:
    """Any content edit moves the document's date (the PDF's dates): that alone is no change to a
    section no layout shows the date in, so none is laid out; the merge writes the new dates."""
    project, document = synthetic  # its cache holds the sections of this very document
    newest = max(p.stat().st_mtime for p in project.content_dir.rglob("*.yaml"))
    os.utime(project.content_dir / "city.yaml", (newest + 86400, newest + 86400))
    merged = read_back(parts.render(document, project), tmp_path, "merged")
    assert parts.LAST_BUILDS[document.name].laid_out == []
    single = read_back(pdf.render(document, project), tmp_path, "single")
    assert merged["info"]["/ModDate"] == single["info"]["/ModDate"]  # type: ignore[index]
    assert_same_reading(single, merged)


def test_a_newer_date_lays_out_the_sections_that_show_it(synthetic: tuple[Project, Document], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout that prints the document's date (here the contents block): a newer date lays out
    again the section showing it, and no other; the page shows the new date."""
    project, document = synthetic
    toc = project.layouts_dir / "blocks" / "toc.html"
    toc.write_text(toc.read_text(encoding="utf-8") + '<p>作成日 {{ page.date[:10] }}</p>\n', encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764806400")  # 2025-12-04
    assert "作成日2025-12-04" in squash(read_back(parts.render(document, project), tmp_path, "before")["pages"][0])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764892800")  # a day later
    merged = read_back(parts.render(document, project), tmp_path, "merged")
    assert parts.LAST_BUILDS[document.name].laid_out == [0]  # the contents, the one section with the date
    assert "作成日2025-12-05" in squash(merged["pages"][0])  # type: ignore[index]
    assert merged["info"]["/ModDate"] == "D:20251205000000Z"  # type: ignore[index]
    assert_same_reading(read_back(pdf.render(document, project), tmp_path, "single"), merged)


def test_an_edit_lays_out_only_its_section_and_gives_a_cold_builds_bytes(synthetic: tuple[Project, Document],
                                                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, document = synthetic  # its cache holds the sections of this very document
    # The contents alone, every other section in one batch (the cuts follow the content keys,
    # which follow planpress's code: here they are fixed).
    monkeypatch.setattr(parts, "batch_numbers", lambda keys, sizes, alone: [0] + [1] * (len(keys) - 1))
    original = document.sections[4].blocks[1].text  # type: ignore[attr-defined]
    edited = with_commentary(document, 4, "改訂：" + original[3:])  # same length: same pages
    data = parts.render(edited, project)
    report = parts.LAST_BUILDS[document.name]
    assert report.laid_out == [4]  # not the rest of its batch: a section's pages are the same in any batch
    assert len([number for number in report.batch_of if number == report.batch_of[4]]) > 1
    merged = read_back(data, tmp_path, "merged")
    assert "改訂：" in squash("".join(merged["pages"]))  # type: ignore[arg-type]
    assert_same_reading(read_back(pdf.render(edited, project), tmp_path, "single"), merged)
    shutil.rmtree(project.root / ".planpress-cache")
    assert parts.render(edited, project) == data  # byte for byte what a build with no cache makes
    assert sorted(parts.LAST_BUILDS[document.name].laid_out) == list(range(len(document.sections)))


def test_an_edit_merges_the_other_sections_from_the_last_merged_pdf(synthetic: tuple[Project, Document], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """After a build each section's pages are those of the merged PDF: a build after an edit opens
    that PDF and the edited section's batch only, not every batch, and makes a cold build's bytes;
    the next build deletes the batches (no record names them)."""
    from planpress.render.pdf import merge

    project, document = synthetic
    cache = project.root / ".planpress-cache"
    parts.render(document, project)  # the records now name the merged PDF
    log = tmp_path / "opened"  # the merge runs in a worker: what it opens is written down
    real_source = merge._Source

    def source(path: Path) -> object:
        with log.open("a", encoding="utf-8") as out:
            out.write(path.stem + "\n")
        return real_source(path)

    monkeypatch.setattr(merge, "_Source", source)
    original = document.sections[4].blocks[1].text  # type: ignore[attr-defined]
    edited = with_commentary(document, 4, "改訂：" + original[3:])
    data = parts.render(edited, project)
    opened = log.read_text(encoding="utf-8").split()
    assert parts.LAST_BUILDS[document.name].laid_out == [4]
    assert len(opened) == 2 and opened[0].startswith(merge.MERGED) and opened[1].startswith("batch-"), opened
    assert parts.render(edited, project) == data  # nothing changed: from the cache
    assert list(cache.glob("batch-*.pdf")) == [] and len(list(cache.glob(f"{merge.MERGED}*.pdf"))) == 1
    shutil.rmtree(cache)
    log.unlink()
    assert parts.render(edited, project) == data  # byte for byte what a build with no cache makes
    assert len(log.read_text(encoding="utf-8").split()) > 3  # that one merged from its batches


def _logging_in_place(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Write down what each merge chose to merge into in place (the merge runs in a worker)."""
    from planpress.render.pdf import merge

    real_in_place = merge._in_place

    def in_place(merging: list[object], drawn: object) -> str | None:
        chosen = real_in_place(merging, drawn)  # type: ignore[arg-type]
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{chosen}\n")
        return chosen

    monkeypatch.setattr(merge, "_in_place", in_place)


def _cold(document: Document, project: Project) -> bytes:
    shutil.rmtree(project.root / ".planpress-cache")
    return parts.render(document, project)


def test_a_merge_in_place_gives_a_cold_builds_bytes_as_pages_come_and_go(synthetic: tuple[Project, Document],
                                                                          first_render: FirstRender, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit most sections come from the last merged PDF: the merge deletes the pages of
    what was laid out anew from that PDF and inserts the new ones (merge._in_place). Whether the
    edited section grows or shrinks by pages, or a section goes or comes (the contents, its first
    page, laid out anew with it), the bytes are a cold build's: nothing of the pages deleted is
    left (their structure elements, destinations, bookmarks, glyphs)."""
    project, document = synthetic
    log = tmp_path / "in-place"
    _logging_in_place(monkeypatch, log)
    last = len(document.sections) - 1
    text = document.sections[last].blocks[1].text  # type: ignore[attr-defined]
    longer = with_commentary(document, last, "追記" + text * 80)  # a page or more longer
    shorter = _without_last_section(document)
    merged = {}
    for name, edited in (("longer", longer), ("back", document), ("removed", shorter), ("added", document)):
        merged[name] = parts.render(edited, project)
        assert log.read_text(encoding="utf-8").split()[-1].startswith("merged-"), name  # in place
        assert len(parts.LAST_BUILDS[document.name].laid_out) <= 2, name
    assert len(pdf_pages_of(merged["longer"], tmp_path)) > len(pdf_pages_of(merged["back"], tmp_path))
    assert merged["back"] == merged["added"] == first_render.merged
    assert_same_reading(read_back(pdf.render(shorter, project), tmp_path, "single"), read_back(merged["removed"], tmp_path, "merged"))
    assert structure(merged["removed"], tmp_path, "removed") == structure(pdf.render(shorter, project), tmp_path, "single")
    assert dangling(merged["longer"], tmp_path) == (0, 0)
    assert _cold(shorter, project) == merged["removed"]
    assert _cold(longer, project) == merged["longer"]
    assert "None" in log.read_text(encoding="utf-8").split()  # the cold builds: merged from their batches


def _without_last_section(document: Document) -> Document:
    """The document with its last section gone, and its entry in the contents."""
    cover = document.sections[0]
    title, toc = cover.blocks
    cover = replace(cover, blocks=(title, replace(toc, entries=toc.entries[:-1])))  # type: ignore[arg-type, attr-defined]
    return replace(document, sections=(cover, *document.sections[1:-1]))


def pdf_pages_of(data: bytes, folder: Path) -> list[str]:
    path = folder / "pages.pdf"
    path.write_bytes(data)
    return pdf_pages(path)


def test_a_glyph_an_edit_removes_leaves_the_fonts(synthetic: tuple[Project, Document]) -> None:
    """A character only one section had, edited away: the section is laid out alone, its batch's
    other sections come from a batch PDF whose fonts still hold that glyph; the merged fonts do
    not (the merge keeps only what the pages draw), so the bytes are a cold build's."""
    project, document = synthetic
    text = document.sections[4].blocks[1].text  # type: ignore[attr-defined]
    parts.render(with_commentary(document, 4, "鬱" + text[1:]), project)  # the glyph, in one section's batch
    data = parts.render(with_commentary(document, 4, "改" + text[1:]), project)
    assert parts.LAST_BUILDS[document.name].laid_out == [4]
    shutil.rmtree(project.root / ".planpress-cache")
    assert parts.render(with_commentary(document, 4, "改" + text[1:]), project) == data


def _logging_kept_fonts(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Write down which fonts each merge in place kept as the last merge joined them (the merge
    runs in a worker)."""
    from planpress.render.pdf import fontmerge

    real_keep = fontmerge.keep_joined

    def keep_joined(*args: Any) -> set[str]:
        kept = real_keep(*args)
        with log.open("a", encoding="utf-8") as out:
            out.write(" ".join(sorted(kept)) + "\n")
        return kept

    monkeypatch.setattr(fontmerge, "keep_joined", keep_joined)


def _glyph_of(data: bytes, folder: Path, character: str) -> tuple[str, list[object]]:
    """The font that draws ``character`` in a PDF, and the glyph's outline in its program."""
    from fontTools.ttLib import TTFont

    from test_fontmerge import _outline, _text, fonts_by_name

    path = folder / "glyph.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as document:
        for name, fonts in fonts_by_name(document).items():
            for font in fonts.values():
                gids = [gid for gid, text in _text(font).items() if text == character]
                if gids:
                    program = font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
                    return name, _outline(TTFont(io.BytesIO(program)), gids[0])
    raise AssertionError(f"no font draws {character}")


def test_a_merge_in_place_keeps_a_font_only_while_its_glyphs_are_the_same(synthetic: tuple[Project, Document],
                                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that draws no glyph the pages did not draw: the merge in place keeps every font of
    the last merged PDF as it is (fontmerge.keep_joined: the record of that merge says which glyphs
    each was joined for), and the bytes are a cold build's. An edit that draws a glyph no page drew
    (鬱): that font is joined anew, its program draws the glyph, the text reads, the bytes are a
    cold build's. That glyph edited away: the font's glyphs are fewer than the last merge joined
    it for (its program holds 鬱, which no page draws now, and the page laid out anew does not
    tell), so it is joined anew again, to a cold build's bytes."""
    project, document = synthetic
    log = tmp_path / "kept"
    _logging_kept_fonts(monkeypatch, log)
    text = document.sections[4].blocks[1].text  # type: ignore[attr-defined]
    assert "鬱" not in text
    same = with_commentary(document, 4, text[1:] + text[0])  # the same characters: no glyph added
    added = with_commentary(document, 4, "鬱" + text[1:])
    undone = with_commentary(document, 4, text[2:] + text[:2])  # 鬱 gone: the font draws fewer glyphs
    merged = {"same": parts.render(same, project)}
    assert parts.LAST_BUILDS[document.name].laid_out == [4]
    kept_same = log.read_text(encoding="utf-8").splitlines()
    assert len(kept_same) == 1 and kept_same[0], kept_same  # merged in place, fonts kept
    merged["added"] = parts.render(added, project)
    assert parts.LAST_BUILDS[document.name].laid_out == [4]
    font, outline = _glyph_of(merged["added"], tmp_path, "鬱")
    kept_added = log.read_text(encoding="utf-8").splitlines()[1].split()
    assert font in kept_same[0].split() and font not in kept_added  # that font joined anew, and only it
    assert set(kept_added) == set(kept_same[0].split()) - {font}
    assert outline  # the program draws the new glyph
    assert "鬱" in squash("".join(read_back(merged["added"], tmp_path, "added")["pages"]))  # type: ignore[arg-type]
    merged["undone"] = parts.render(undone, project)
    assert parts.LAST_BUILDS[document.name].laid_out == [4]
    assert log.read_text(encoding="utf-8").splitlines()[2].split() == kept_added
    for name, edited in (("same", same), ("added", added), ("undone", undone)):
        shutil.rmtree(project.root / ".planpress-cache")
        assert parts.render(edited, project) == merged[name], name  # byte for byte what a build with no cache makes


def test_the_bytes_do_not_depend_on_the_batches(first_render: FirstRender, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Each section laid out alone gives the bytes of the sections laid out in batches: each page
    names its own resources (render/pdf/canonical.py), the merge's fonts and objects follow the pages."""
    root = tmp_path / "project"
    shutil.copytree(first_render.root, root)
    shutil.rmtree(root / ".planpress-cache")
    monkeypatch.setattr(parts, "batch_numbers", lambda keys, sizes, alone: list(range(len(keys))))
    assert parts.render(first_render.document, Project.at(root)) == first_render.merged
    assert parts.LAST_BUILDS[first_render.document.name].batches >= len(first_render.document.sections)


def test_a_longer_section_shifts_the_pages_after_it_and_the_toc(synthetic: tuple[Project, Document], tmp_path: Path) -> None:
    project, document = synthetic  # its cache holds the sections of this very document
    text = document.sections[2].blocks[1].text  # type: ignore[attr-defined]
    edited = with_commentary(document, 2, "追記" + text * 12)  # a page or more longer
    merged = read_back(parts.render(edited, project), tmp_path, "merged")
    laid_out = parts.LAST_BUILDS[document.name].laid_out
    assert 2 in laid_out and 0 in laid_out  # the edit, and the TOC whose page numbers moved
    assert set(laid_out) >= set(range(3, len(document.sections)))  # every section after it moved
    batch_of = parts.LAST_BUILDS[document.name].batch_of
    assert all(index == 0 or batch_of[index] >= batch_of[2] for index in laid_out)  # before the edit's batch, nothing moved
    assert_same_reading(read_back(pdf.render(edited, project), tmp_path, "single"), merged)


def test_a_section_after_an_edit_starts_where_the_last_build_put_it(synthetic: tuple[Project, Document],
                                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sections edited: the later one is laid out at once, at the start the last build's page
    counts give (no worker waits for the count ahead of it). When the earlier edit makes its
    section longer, that start is wrong: the later section is laid out again at the right one."""
    from planpress.render.pdf import pool

    project, document = synthetic  # its cache holds the sections of this very document
    starts: list[tuple[range, int | None]] = []  # (sections, start) of each batch submitted
    real_submit = pool.Workers.submit

    def submit(self: pool.Workers, job: object, context: pool.Context) -> object:
        starts.append((range(job.first, job.first + job.count), job.start))  # type: ignore[attr-defined]
        return real_submit(self, job, context)

    monkeypatch.setattr(pool.Workers, "submit", submit)
    texts = [document.sections[i].blocks[1].text for i in (2, 4)]  # type: ignore[attr-defined]
    same = with_commentary(with_commentary(document, 2, "改訂：" + texts[0][3:]), 4, "改訂：" + texts[1][3:])
    parts.render(same, project)
    report = parts.LAST_BUILDS[document.name]
    assert sorted(report.laid_out) == [2, 4] and report.guessed == [4] and report.batches == 2
    assert [start is None for _, start in starts] == [False, False]

    longer = with_commentary(with_commentary(document, 2, "追記" + texts[0] * 12), 4, "追記：" + texts[1][3:])
    starts.clear()
    data = parts.render(longer, project)
    report = parts.LAST_BUILDS[document.name]
    assert 4 in report.guessed
    [(alone, guessed), (_, known)] = [(sections, start) for sections, start in starts if 4 in sections]  # twice
    assert alone == range(4, 5) and guessed is not None and known is not None
    merged = read_back(data, tmp_path, "merged")
    assert_same_reading(read_back(pdf.render(longer, project), tmp_path, "single"), merged)  # page numbers and TOC
    shutil.rmtree(project.root / ".planpress-cache")
    assert parts.render(longer, project) == data
    assert parts.LAST_BUILDS[document.name].guessed == []  # no last build: nothing to guess from


def test_layouts_are_part_of_the_key(synthetic: tuple[Project, Document]) -> None:
    project, document = synthetic  # its cache holds the sections of this very document
    css = project.layouts_dir / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.body-text { letter-spacing: 0.01em; }\n", encoding="utf-8")
    parts.render(document, project)
    assert parts.LAST_BUILDS[document.name].laid_out == list(range(len(document.sections)))


def test_page_parity_layouts_build_in_one_pass(synthetic: tuple[Project, Document], tmp_path: Path) -> None:
    project, document = synthetic
    css = project.layouts_dir / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n@page :left { margin-top: 25mm; }\n", encoding="utf-8")
    merged = read_back(parts.render(document, project), tmp_path, "merged")
    assert ":left" in parts.LAST_BUILDS[document.name].single_pass
    assert_same_reading(read_back(pdf.render(document, project), tmp_path, "single"), merged)


def test_a_failing_batch_stops_the_build_without_hanging(synthetic: tuple[Project, Document]) -> None:
    project, document = synthetic
    css = project.layouts_dir / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n#policy-3 { background: url(file:///etc/hostname); }\n", encoding="utf-8")
    with pytest.raises(PlanpressError, match="の外にあるため読み込めません") as raised:
        parts.render(document, project)
    assert raised.value.location is not None and raised.value.location.path == "layouts/print.css"


def test_evaluation_report_from_parts_and_cache(cold_project: Path, tmp_path: Path) -> None:
    """The shipped report through the command's build: cached when nothing changed, never stale."""
    project = cold_project
    pp = Project.at(project)
    [target] = build(pp, names=["evaluation-2021"], formats=["pdf"], quiet=True)
    assert parts.LAST_BUILDS["evaluation-2021"].laid_out == [0]
    build(pp, names=["evaluation-2021"], formats=["pdf"], quiet=True)
    assert parts.LAST_BUILDS["evaluation-2021"].laid_out == []
    report = project / "content" / "evaluations" / "2021.yaml"
    text = report.read_text(encoding="utf-8")
    commentary = next(line for line in text.splitlines() if "commentary:" in line).split("commentary:", 1)[1].strip()
    report.write_text(text.replace(commentary, "キャッシュ確認用の解説文です。" + commentary[15:], 1), encoding="utf-8")
    build(pp, names=["evaluation-2021"], formats=["pdf"], quiet=True)
    assert parts.LAST_BUILDS["evaluation-2021"].laid_out == [0]
    assert "キャッシュ確認用の解説文です。" in squash("".join(pdf_pages(target)))


def test_clean_removes_output_and_cache(project: Path) -> None:
    assert run_cli(project, "build", "evaluation-2021", "--format", "pdf").returncode == 0
    assert (project / "output").is_dir() and (project / ".planpress-cache").is_dir()
    result = run_cli(project, "clean")
    assert result.returncode == 0, result.stderr
    assert not (project / "output").exists() and not (project / ".planpress-cache").exists()
    assert "削除しました" in result.stderr


def _booklet(project: Project) -> Document:
    from planpress.build import load
    from planpress.documents import available

    content, _ = load(project)
    return next(spec for spec in available(content) if spec.name == "booklet").make()


@pytest.mark.slow  # lays the whole booklet out twice; the synthetic document and the report do the same in make test
def test_booklet_reads_as_its_single_pass_render(cold_project: Path, tmp_path: Path) -> None:
    """The plan booklet (cover, contents, chapters, 48 policy pages, glossary), tagged, in parallel batches."""
    pp = Project.at(cold_project)
    document = _booklet(pp)
    single, merged = pdf.render(document, pp), parts.render(document, pp)
    report = parts.LAST_BUILDS["booklet"]
    assert report.single_pass == "" and report.batches > 2 and len(report.laid_out) == len(document.sections)
    assert_same_reading(read_back(single, tmp_path, "single"), read_back(merged, tmp_path, "merged"))
    assert structure(merged, tmp_path, "merged") == structure(single, tmp_path, "single")
    # The batches' subsets of a font are joined into one program (render/pdf/fontmerge.py): one per
    # font as in one pass, the pages drawn as in one pass, the file near a single pass's size.
    # One font dictionary per font too (fontmerge.share_dictionaries), with the one pass's widths and text.
    assert _font_programs(tmp_path / "merged.pdf") == _font_programs(tmp_path / "single.pdf")
    assert font_dictionaries(tmp_path / "merged.pdf") == font_dictionaries(tmp_path / "single.pdf")
    assert _page_images(tmp_path / "merged.pdf") == _page_images(tmp_path / "single.pdf")
    assert len(merged) <= 1.05 * len(single), (len(merged), len(single))  # 1.02 measured; 1.06 with a dictionary per batch


def _font_programs(path: Path) -> dict[str, int]:
    """How many distinct embedded programs each font (BaseFont without its subset tag) has."""
    found: dict[str, set[tuple[int, int]]] = {}
    with pikepdf.open(path) as document:
        for page in document.pages:
            for font in page.obj.Resources.get("/Font", {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                found.setdefault(str(font.BaseFont).split("+", 1)[-1], set()).add(descriptor.FontFile2.objgen)
    return {name: len(programs) for name, programs in found.items()}


def _page_images(path: Path) -> list[str]:
    """A digest of each page drawn at 40 dpi in grey."""
    import hashlib
    import subprocess

    folder = path.with_suffix("")
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(path), str(folder / "page")], check=True)
    return [hashlib.sha256(image.read_bytes()).hexdigest() for image in sorted(folder.iterdir())]


def test_booklet_policy_edit_lays_out_little_and_shows(project: Path) -> None:
    """Editing one policy page's text through content/ lays out that page (and what it moves) only."""
    pp = Project.at(project)
    [target] = build(pp, names=["booklet"], formats=["pdf"], quiet=True)
    pages = project / "content" / "booklet" / "pages.yaml"
    text = pages.read_text(encoding="utf-8")
    edited = text.replace("  - item: 基本施策17\n    current: null", "  - item: 基本施策17\n    current: [港の賑わいを取り戻す取組を確認します。]", 1)
    assert edited != text
    pages.write_text(edited, encoding="utf-8")
    build(pp, names=["booklet"], formats=["pdf"], quiet=True)
    document = _booklet(pp)
    edited_section = next(i for i, s in enumerate(document.sections) if "港の賑わいを取り戻す" in repr(s))
    laid_out, batch_of = parts.LAST_BUILDS["booklet"].laid_out, parts.LAST_BUILDS["booklet"].batch_of
    assert edited_section in laid_out
    # Its batch (a neighbour's if the edit moved the cut between them), what follows it, or the contents.
    assert all(i == 1 or batch_of[i] >= batch_of[edited_section] - 1 for i in laid_out), laid_out
    assert len(laid_out) < len(document.sections) // 2
    assert "港の賑わいを取り戻す取組を確認します。" in squash("".join(pdf_pages(target)))
    build(pp, names=["booklet"], formats=["pdf"], quiet=True)
    assert parts.LAST_BUILDS["booklet"].laid_out == []


def test_the_booklets_batches_take_the_workers_before_the_reports(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commentary printed in the booklet and in the report is edited: the booklet's changed
    sections go to the workers first (its merge ends the build; the report lays out beside it),
    though the report, one section, is planned sooner. With one worker the order is plain."""
    from planpress.render.pdf import pool

    path = project / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("commentary: ") > 10
    middle = text.count("commentary: ") // 2
    head, *rest = text.split("commentary: ")
    rest[middle] = "順序確認用の解説です。" + rest[middle]
    path.write_text("commentary: ".join([head, *rest]), encoding="utf-8")
    submitted: list[str] = []
    real_submit = pool.Workers.submit

    def submit(self: pool.Workers, job: object, context: pool.Context) -> object:
        submitted.append(context.document.name)
        return real_submit(self, job, context)

    monkeypatch.setattr(pool.Workers, "submit", submit)
    monkeypatch.setenv("PLANPRESS_JOBS", "1")
    build(Project.at(project), formats=["pdf"], quiet=True)
    assert parts.LAST_BUILDS["booklet"].laid_out and parts.LAST_BUILDS[REPORT].laid_out
    booklet = [index for index, name in enumerate(submitted) if name == "booklet"]
    assert submitted.index(REPORT) > booklet[0], submitted
    for name in ("booklet", REPORT):
        assert "順序確認用の解説です。" in squash("".join(pdf_pages(project / "output" / f"{name}.pdf")))


def test_the_build_lays_out_in_workers_without_importing_weasyprint_itself(project: Path) -> None:
    """The build's own process plans, caches and writes; only its workers lay out, and each
    imports WeasyPrint itself, beside the build's planning (imported first in the build's process
    and inherited, it held up every batch by ~0.2 s at ×1). A new Python process, as the office
    runs it, after a commentary of the report is edited: its report is laid out, shows the edit,
    and WeasyPrint was never imported in the command's process."""
    path = project / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    head, *rest = text.split("commentary: ")
    rest[len(rest) // 2] = "取込確認用の解説です。" + rest[len(rest) // 2]
    path.write_text("commentary: ".join([head, *rest]), encoding="utf-8")
    script = ("import sys\nfrom planpress.cli import main\nfrom planpress.render.pdf import parts\n"
              f"code = main(['build', '{REPORT}', '--format', 'pdf', '--quiet'])\n"
              f"print(parts.LAST_BUILDS['{REPORT}'].laid_out, 'weasyprint' in sys.modules, code)")
    result = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "[0] False 0", result.stdout
    assert "取込確認用の解説です。" in squash("".join(pdf_pages(project / "output" / f"{REPORT}.pdf")))


def test_report_print_profile_builds_in_one_pass_with_bleed(cold_project: Path) -> None:
    """make test's print profile (the booklet's, below, lays out 100 pages in one pass: make test-all):
    the report is laid out in one pass too, PDF/X-4 with a 3 mm bleed around every trimmed page,
    trim marks outside the bleed and no link annotation (PDF/X allows none inside the BleedBox)."""
    [path] = build(Project.at(cold_project), names=["evaluation-2021"], formats=["pdf"], profile="print", quiet=True)
    assert parts.LAST_BUILDS["evaluation-2021"].single_pass
    with pikepdf.open(path) as printed:
        assert str(printed.open_metadata()["{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"]) == "PDF/X-4"
        for page in printed.pages:
            media, bleed, trim = ([float(v) for v in page.obj[key]] for key in ("/MediaBox", "/BleedBox", "/TrimBox"))
            assert [round(t - b, 2) for t, b in zip(trim, bleed)] == [round(3 * 72 / 25.4, 2)] * 2 + [round(-3 * 72 / 25.4, 2)] * 2
            assert [round(b - m, 2) for b, m in zip(bleed, media)] == [round(12 * 72 / 25.4, 2)] * 2 + [round(-12 * 72 / 25.4, 2)] * 2
            assert "/Annots" not in page.obj
        boxes = [[float(v) for v in printed.pages[0].obj[key]] for key in ("/MediaBox", "/BleedBox", "/TrimBox")]
        colours = [colour for page in printed.pages for colour in _text_colours(page)]
    _marks_outside_the_bleed(path, *boxes)
    # Text in greys or black is on the black plate only (スミ文字); coloured text (the grades) stays.
    assert not [colour for colour in colours if colour[0] == "rgb" and colour[1] == colour[2] == colour[3]]
    blacks = [colour for colour in colours if colour[0] == "cmyk" and colour[1:4] == (0, 0, 0)]
    assert len(blacks) > len(colours) / 2 and {round(colour[4], 2) for colour in blacks} >= {0.9}, set(colours)


def _text_colours(page: pikepdf.Page) -> list[tuple]:
    """The fill colour each text-showing operator of a page draws with: ("rgb", r, g, b),
    ("cmyk", c, m, y, k) or ("other",)."""
    fill: tuple = ("gray", 0.0)  # the initial colour: black in DeviceGray
    saved, found = [], []
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(getattr(instruction, "operator", ""))
        values = tuple(float(value) for value in instruction.operands) if operator in ("rg", "k") else ()
        if operator == "q":
            saved.append(fill)
        elif operator == "Q":
            fill = saved.pop()
        elif operator == "rg":
            fill = ("rgb", *values)
        elif operator == "k":
            fill = ("cmyk", *values)
        elif operator in ("cs", "sc", "scn", "g"):
            fill = ("other",)
        elif operator in ("Tj", "TJ", "'", '"'):
            found.append(fill)
    return found


def _marks_outside_the_bleed(path: Path, media: list[float], bleed: list[float], trim: list[float]) -> None:
    """The first page as a reader's screen shows it (72 dpi: a pixel a point): ink along each trim
    and bleed line beyond the bleed (Japanese corner marks) and at each side's middle (centre
    marks); none in the bleed itself (WeasyPrint's ``marks: crop`` drew its marks there)."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", "1", "-l", "1", "-png", str(path), str(path.with_suffix(""))], check=True)
    [image_path] = path.parent.glob(path.stem + "-*.png")
    image = Image.open(image_path).convert("L")

    def ink(x0: float, y0: float, x1: float, y1: float) -> int:
        """The darkest pixel of a region given in PDF points (y up)."""
        box = (round(x0 - media[0]), round(media[3] - y1), round(x1 - media[0]), round(media[3] - y0))
        return image.crop(box).getextrema()[0]

    out = 8  # points of a mark checked, beyond the bleed
    for x, bleed_x, side in ((trim[0], bleed[0], -1), (trim[2], bleed[2], 1)):
        for y, bleed_y, up in ((trim[1], bleed[1], -1), (trim[3], bleed[3], 1)):
            for line_x, line_y in ((x, y), (bleed_x, bleed_y)):  # 内トンボ, 外トンボ
                beside = sorted((bleed_x + side * 2, bleed_x + side * (2 + out)))
                assert ink(beside[0], line_y - 1, beside[1], line_y + 1) < 100, ("beside", line_x, line_y)
                above = sorted((bleed_y + up * 2, bleed_y + up * (2 + out)))
                assert ink(line_x - 1, above[0], line_x + 1, above[1]) < 100, ("above", line_x, line_y)
            corner = sorted((x, bleed_x)), sorted((y, bleed_y))  # the bleed's corner square: no mark
            assert ink(corner[0][0] + 1, corner[1][0] + 1, corner[0][1] - 1, corner[1][1] - 1) > 250, (x, y)
    middle_x, middle_y = (trim[0] + trim[2]) / 2, (trim[1] + trim[3]) / 2
    assert ink(middle_x - 1, bleed[3] + 2, middle_x + 1, bleed[3] + 2 + out) < 100
    assert ink(bleed[2] + 2, middle_y - 1, bleed[2] + 2 + out, middle_y + 1) < 100
    for x0, y0, x1, y1 in ((bleed[0] + 1, bleed[1] + 1, trim[0] - 1, bleed[3] - 1), (trim[2] + 1, bleed[1] + 1, bleed[2] - 1, bleed[3] - 1),
                           (bleed[0] + 1, bleed[1] + 1, bleed[2] - 1, trim[1] - 1), (bleed[0] + 1, trim[3] + 1, bleed[2] - 1, bleed[3] - 1)):
        assert ink(x0, y0, x1, y1) > 250, "no mark inside the bleed"


@pytest.mark.slow  # the whole booklet laid out in one pass (13-24 s); the report's print build above in make test
def test_booklet_print_profile_builds_in_one_pass(print_booklet: tuple[Path, parts.PartsBuild]) -> None:
    """Right-hand chapter openings after blank pages depend on page parity: one pass."""
    path, report = print_booklet
    assert report.single_pass
    with pikepdf.open(path) as printed:
        pages = {page.objgen: number for number, page in enumerate(printed.pages, 1)}
        dests = pikepdf.NameTree(printed.Root.Names.Dests)
        # print-shop.css: a chapter's section opens on a right-hand (odd) page; a project or
        # policy page other than the first only on a new page.
        chapters = {name: pages[dests[name][0].objgen] for name in dests.keys() if name.startswith("sec-")
                    and not name.startswith(("sec-policy-", "sec-project-")) or name == "sec-policy-m01"}
        assert len(chapters) >= 8 and all(number % 2 == 1 for number in chapters.values()), chapters
        assert str(printed.open_metadata()["{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"]) == "PDF/X-4"
        assert all("/TrimBox" in page.obj and "/BleedBox" in page.obj for page in printed.pages)


def test_a_weasyprint_without_an_internal_name_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    """An internal name the installed WeasyPrint lacks stops with a message naming it, not a traceback."""
    from planpress.render.pdf import _weasy_internals

    monkeypatch.setitem(_weasy_internals._NAMES, "TextBox", ("weasyprint.formatting_structure.boxes", "GoneBox"))
    monkeypatch.delitem(_weasy_internals._LOADED, "TextBox", raising=False)
    with pytest.raises(PlanpressError, match=r"weasyprint\.formatting_structure\.boxes\.GoneBox がありません"):
        _weasy_internals.TextBox  # noqa: B018 - the access is the test


def test_another_weasyprint_lays_out_in_one_pass_and_says_so(cold_project: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """The pagination hooks are written for one WeasyPrint version: on another the PDF is laid out
    in one pass, without them, with a warning (not an INFO line)."""
    from planpress.render.pdf import _weasy_internals

    monkeypatch.setattr(_weasy_internals, "version", lambda: "71.0")
    pp = Project.at(cold_project)
    [target] = build(pp, names=["evaluation-2021"], formats=["pdf"], quiet=True)
    report = parts.LAST_BUILDS["evaluation-2021"]
    assert "WeasyPrint 71.0 には対応していません" in report.single_pass and report.batches == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("evaluation-2021: 節ごとの並列組版をせず一括で組版します" in message for message in warnings), warnings
    assert not list(cold_project.glob(".planpress-cache/*.pdf"))  # nothing went through the section cache
    assert "第6次基本計画の総括について" in squash("".join(pdf_pages(target)))


def test_a_worker_searches_only_what_its_batches_make_for_cycles() -> None:
    """A worker freezes what it holds once WeasyPrint and the fonts are loaded (``gc.freeze``):
    searched on every collection, those objects cost each batch 10-15% of its time. The build's
    own process is left as it was."""
    from planpress.render.pdf import pool

    workers = pool.Workers(sections=1, documents=1, count=2)
    try:
        frozen = [workers.executor.submit(gc.get_freeze_count) for _ in range(4)]
        assert all(found.result(timeout=120) > 10_000 for found in frozen)
    finally:
        workers.close()
    assert gc.get_freeze_count() == 0


def test_an_edit_forks_the_workers_before_the_content_is_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit the build reads its content anew: its workers are forked first, so that the
    one import of WeasyPrint they share (render/pdf/forked.py) runs beside the reading, and the
    build lays out with them. Content read anew with nothing to lay out: they end, none is left.
    With nothing changed (the content from its cache), or for the Word files alone, none is forked."""
    import multiprocessing

    from planpress import build as stages
    from planpress.render.pdf import pool

    events: list[str] = []
    real_init, real_read = pool.Workers.__init__, stages.load_content

    def init(self: pool.Workers, *args: Any, **kwargs: Any) -> None:
        events.append("workers")
        real_init(self, *args, **kwargs)

    def read(*args: Any, **kwargs: Any) -> Any:
        events.append("read")
        return real_read(*args, **kwargs)

    monkeypatch.setattr(pool.Workers, "__init__", init)
    monkeypatch.setattr(stages, "load_content", read)
    pp = Project.at(project)
    path = project / "content" / "evaluations" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    head, *rest = text.split("commentary: ")
    rest[len(rest) // 2] = "先行起動確認用の解説です。" + rest[len(rest) // 2]
    path.write_text("commentary: ".join([head, *rest]), encoding="utf-8")
    build(pp, names=[REPORT], formats=["pdf"], quiet=True)
    assert events == ["workers", "read"]
    assert parts.LAST_BUILDS[REPORT].laid_out == [0]
    assert "先行起動確認用の解説です。" in squash("".join(pdf_pages(project / "output" / f"{REPORT}.pdf")))
    events.clear()
    build(pp, names=[REPORT], formats=["pdf"], quiet=True)
    assert events == []
    path.write_text(path.read_text(encoding="utf-8") + "# 確認\n", encoding="utf-8")
    build(pp, names=[REPORT], formats=["docx"], quiet=True)
    assert events == ["read"]
    assert not multiprocessing.active_children()


def test_workers_forked_early_and_not_taken_end() -> None:
    """Content read anew, and nothing to lay out: the workers forked for it end with the block
    (killed: waited for, they would first finish importing WeasyPrint)."""
    import multiprocessing
    import time

    began = time.monotonic()
    with parts.early_workers() as start:
        start()
        start()  # once
        assert len(multiprocessing.active_children()) == 1  # the first worker (it forks the others)
    assert not multiprocessing.active_children()
    assert time.monotonic() - began < 5
