"""The section cache's clean-up between the documents of one build (render/pdf/cache.py keep_only).

A build lays its documents out at the same time; the first one merged records what it uses and
deletes what no document uses. What another document of the build has found in the cache (a batch
an interrupted build laid out, which no record names yet) must stay: its merge reads it. A batch
damaged outside planpress is laid out again, never a traceback.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from planpress.project import Project
from planpress.render.pdf.cache import PageRange, PartCache


def _interrupted_build(project: Project) -> None:
    """A build stopped before its merge: batches and page ranges stored, no record of use."""
    cache = PartCache(project)
    cache.store_pdf("batch-a", b"%PDF-1.7 laid out before Ctrl-C")
    cache.store_pages("variant-a", PageRange("batch-a", 0, 2, None))
    cache.store_pdf("batch-stale", b"%PDF-1.7 nobody uses this")
    del cache
    gc.collect()  # its render is over: it no longer holds anything


def test_a_batch_another_document_found_is_kept(tmp_path: Path) -> None:
    project = Project(tmp_path)
    _interrupted_build(project)
    booklet, report = PartCache(project), PartCache(project)
    assert booklet.pages("variant-a") == PageRange("batch-a", 0, 2, None)  # the booklet will merge it
    report.keep_only("evaluation", ["batch-report"])  # the report is merged first
    assert booklet.pdf_path("batch-a").is_file()
    assert not booklet.pdf_path("batch-stale").exists()  # what nobody uses still goes


def test_a_batch_deleted_before_it_is_found_is_a_miss(tmp_path: Path) -> None:
    project = Project(tmp_path)
    _interrupted_build(project)
    report = PartCache(project)
    report.keep_only("evaluation", ["batch-report"])
    booklet = PartCache(project)
    assert booklet.pages("variant-a") is None  # laid out again, never a merge of a missing file


def test_a_damaged_batch_is_laid_out_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch PDF cut short outside planpress (a full disk, a copy stopped halfway) while a record
    names it: a build stopped after the layout, before the merge (the merge makes every record
    name the merged PDF instead). The next build lays its section out again and writes the PDF
    a build from the intact cache writes."""
    import shutil

    from conftest import copy_project, run_cli
    from planpress.errors import PlanpressError
    from planpress.render.pdf import merge, parts

    project = copy_project(tmp_path / "project")
    path = project / "content" / "evaluations" / "2021.yaml"
    head, *rest = path.read_text(encoding="utf-8").split("commentary: ")
    rest[len(rest) // 2] = "破損確認用の解説です。" + rest[len(rest) // 2]
    path.write_text("commentary: ".join([head, *rest]), encoding="utf-8")

    def stopped(*args: object, **kwargs: object) -> None:
        raise PlanpressError("stopped before the merge")

    with monkeypatch.context() as patch:
        patch.setattr(merge, "merged", stopped)
        assert run_cli(project, "build", "evaluation-2021", "--format", "pdf").returncode != 0
    batch = max((project / ".planpress-cache").glob("batch-*.pdf"), key=lambda path: path.stat().st_mtime)
    shutil.copytree(project, tmp_path / "intact")
    assert run_cli(tmp_path / "intact", "build", "evaluation-2021", "--format", "pdf").returncode == 0
    intact = (tmp_path / "intact" / "output" / "evaluation-2021.pdf").read_bytes()
    batch.write_bytes(batch.read_bytes()[:5000])
    result = run_cli(project, "build", "evaluation-2021", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert parts.LAST_BUILDS["evaluation-2021"].laid_out == [0]  # its batch unreadable: laid out again
    assert (project / "output" / "evaluation-2021.pdf").read_bytes() == intact


def _cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def test_a_kept_output_cut_short_is_made_again(tmp_path: Path) -> None:
    """An output kept in the cache and cut short outside planpress (a copy of the project stopped
    halfway) never reaches output/: the build makes it again (here from the merged PDF)."""
    from conftest import copy_project, run_cli

    project = copy_project(tmp_path / "project")
    assert run_cli(project, "build", "booklet", "--format", "pdf").returncode == 0
    intact = (project / "output" / "booklet.pdf").read_bytes()
    _cut_short(project / ".planpress-cache" / "results" / "booklet.web.pdf")
    result = run_cli(project, "build", "booklet", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "booklet.pdf").read_bytes() == intact


def test_a_merged_pdf_cut_short_is_merged_again(tmp_path: Path) -> None:
    from conftest import copy_project, run_cli

    project = copy_project(tmp_path / "project")
    assert run_cli(project, "build", "booklet", "--format", "pdf").returncode == 0
    intact = (project / "output" / "booklet.pdf").read_bytes()
    (project / ".planpress-cache" / "results" / "booklet.web.pdf").unlink()  # so that the merged PDF is read
    merged = list((project / ".planpress-cache").glob("merged-*.pdf"))
    assert merged
    for entry in merged:
        _cut_short(entry)
    result = run_cli(project, "build", "booklet", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "booklet.pdf").read_bytes() == intact


def test_a_page_range_record_with_a_digit_changed_is_a_miss(tmp_path: Path) -> None:
    """A section's page range (``*.ref``) with one digit changed outside planpress would merge
    the wrong pages of its batch; it is a miss instead, and the section is laid out again."""
    import re

    from conftest import copy_project, run_cli

    project = copy_project(tmp_path / "project")
    assert run_cli(project, "build", "booklet", "--format", "pdf").returncode == 0
    intact = (project / "output" / "booklet.pdf").read_bytes()
    cache = project / ".planpress-cache"
    changed = 0
    for record in cache.glob("*.ref"):
        data = record.read_bytes()
        found = re.search(rb'"first": ([1-9])\b', data)
        if found and changed < 3:
            record.write_bytes(data.replace(found.group(0), b'"first": ' + str(int(found.group(1)) - 1).encode()))
            changed += 1
    assert changed
    (cache / "results" / "booklet.web.pdf").unlink()  # so that the sections are merged again
    for entry in cache.glob("merged-*.pdf"):
        entry.unlink()
    result = run_cli(project, "build", "booklet", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "booklet.pdf").read_bytes() == intact


def test_a_render_laid_out_again_after_its_merge_keeps_its_new_batches(tmp_path: Path) -> None:
    """The booklet's merge found a batch damaged (it recorded what it uses first) and lays its
    sections out again; the report's merge, meanwhile, must not delete the batches and page
    ranges that retry writes, which the booklet's record does not name yet (a full build after an
    edit with the last merged PDF cut short stopped with 「組版結果の一時ファイルが読めません」)."""
    project = Project(tmp_path)
    booklet, report = PartCache(project), PartCache(project)
    booklet.store_pdf("batch-first", b"%PDF-1.7 the first try")
    booklet.keep_only("booklet", ["batch-first", "merged-damaged"])  # its merge: then DamagedBatch
    booklet.store_pdf("batch-again", b"%PDF-1.7 laid out again")
    booklet.store_pages("variant-again", PageRange("batch-again", 0, 1, None))
    report.keep_only("evaluation", ["batch-report"])  # the report is merged meanwhile
    assert booklet.pdf_path("batch-again").is_file()
    assert booklet.pages("variant-again") == PageRange("batch-again", 0, 1, None)
