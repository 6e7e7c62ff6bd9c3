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
