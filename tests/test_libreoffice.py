"""LibreOffice as the Word contents' page numbering runs it (render/docx_toc.py), for real."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import docx
import pytest

from planpress.render import docx_toc

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice and pdftotext lay the Word file out")


def _word(*pages: str) -> bytes:
    word = docx.Document()
    for number, text in enumerate(pages):
        if number:
            word.add_page_break()
        word.add_paragraph(text)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_libreoffice_starts_without_its_graphics_self_tests(tmp_path: Path) -> None:
    """LibreOffice runs its graphics self-tests (0.7 s of CPU) at every start whose profile names an
    older version, and a headless run never records the new one: planpress records it, in a new
    profile before LibreOffice's first start and in a kept one, and the pages come out the same."""
    profile = tmp_path / "profile"
    log = profile / "user" / "GraphicsRenderTests.log"
    data = _word("一ページ目の見出し", "二ページ目の見出し")
    first = docx_toc.laid_out_pages(data, profile=profile)
    assert first is not None and len(first) == 2
    assert "一ページ目の見出し" in first[0] and "二ページ目の見出し" in first[1]
    assert not log.exists()
    registry = (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    installed = (Path(shutil.which("soffice") or "").resolve().parent.parent / "share" / "registry" / "main.xcd")
    version = re.search(r'oor:name="ooSetupVersion">\s*<value>([0-9.]+)<', installed.read_text(encoding="utf-8"))
    assert version is not None
    assert re.findall(r'ooSetupLastVersion" oor:op="fuse"><value>([0-9.]+)<', registry) == [version.group(1)]
    # A profile LibreOffice wrote with an older version in it (an upgrade): corrected, once.
    (profile / "user" / "registrymodifications.xcu").write_text(registry.replace(f">{version.group(1)}<", ">7.0<"),
                                                                 encoding="utf-8")
    assert docx_toc.laid_out_pages(data, profile=profile) == first
    assert not log.exists()
    registry = (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert re.findall(r'ooSetupLastVersion" oor:op="fuse"><value>([0-9.]+)<', registry) == [version.group(1)]


def test_after_an_edit_the_word_file_yields_the_cores_to_the_pdfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit the booklet's merge ends the build, not the Word file: the Word thread, and
    the LibreOffice it starts for the changed sections, run at a lower priority (Linux). The
    build's main thread keeps its own."""
    import os
    import sys
    import threading

    from conftest import copy_project, run_main
    from planpress.render import docx as word

    if not sys.platform.startswith("linux"):
        pytest.skip("a thread's own nice value is Linux's")
    project = copy_project(tmp_path / "project")
    assert run_main(project, "build", "booklet", "--format", "docx").returncode == 0
    chapters = project / "content" / "booklet" / "chapters.yaml"
    text = chapters.read_text(encoding="utf-8")
    edited = text.replace("      - この計画の名称は、", "      - 優先度確認用の一文です。この計画の名称は、", 1)
    assert edited != text
    chapters.write_text(edited, encoding="utf-8")
    seen: list[tuple[str, int]] = []
    real = docx_toc._convert

    def convert(command: list[str]) -> None:  # the real run, with the priority it ran at
        seen.append((threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, 0)))
        real(command)

    monkeypatch.setattr(docx_toc, "_convert", convert)
    before = os.getpriority(os.PRIO_PROCESS, 0)
    result = run_main(project, "build", "booklet", "--format", "docx")
    assert result.returncode == 0, result.stderr
    assert seen and all(nice >= word.YIELDING_NICE for _, nice in seen), seen
    assert os.getpriority(os.PRIO_PROCESS, 0) == before
