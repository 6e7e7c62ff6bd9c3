"""The Word contents' page numbers, taken from LibreOffice's own layout of the finished .docx.

planpress cannot know where a word processor breaks pages, so where LibreOffice (soffice) is
installed the built .docx is laid out once headlessly, each contents entry's heading is found on
the pages in order, and its page number is written into the TOC field's cached result (the field
stays updatable). Without soffice the entries carry no numbers and Word adds them on opening.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docx.document import Document as WordDocument
from docx.oxml.ns import qn

from planpress.document import TocEntry

#: Seconds one headless conversion may take before the contents is left without numbers.
TIMEOUT = 180


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def laid_out_pages(docx: bytes, *, profile: Path | None = None) -> list[str] | None:
    """The text of each page as LibreOffice lays the document out, or None without LibreOffice.

    ``profile``: a LibreOffice user profile folder kept between builds (making a new one costs
    LibreOffice about 1.5 s); while another build uses it, this one makes its own.
    """
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftotext") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="planpress-toc-") as folder, _own_profile(profile, Path(folder)) as user:
        source = Path(folder) / "contents.docx"
        source.write_bytes(docx)
        try:
            subprocess.run([soffice, f"-env:UserInstallation={user.as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", folder, str(source)],
                           capture_output=True, timeout=TIMEOUT, check=True)
            text = subprocess.run(["pdftotext", "-layout", str(Path(folder) / "contents.pdf"), "-"],
                                  capture_output=True, timeout=TIMEOUT, check=True).stdout.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError):
            return None
    return [_squash(page) for page in text.split("\f")]


@contextmanager
def _own_profile(kept: Path | None, scratch: Path) -> Iterator[Path]:
    """The kept profile folder if no other LibreOffice holds it (two would collide), else a new one."""
    if kept is None:
        yield scratch / "profile"
        return
    try:
        kept.mkdir(parents=True, exist_ok=True)
        handle = os.open(kept, os.O_RDONLY)
    except OSError:
        yield scratch / "profile"
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        yield scratch / "profile"
        return
    try:
        yield kept.resolve()
    finally:
        os.close(handle)


def page_numbers(pages: list[str], entries: tuple[TocEntry, ...]) -> list[int] | None:
    """Each entry's page (1-based), searched in order after the contents pages; None if one is not found."""
    titles = [_squash(entry.title) for entry in entries]
    # The contents ends on the first page (after the cover) that lists the last entry.
    end = next((index for index, page in enumerate(pages) if index and titles[-1] in page), None)
    if end is None:
        return None
    found, start = [], end + 1
    for title in titles:
        start = next((index for index in range(start, len(pages)) if title in pages[index]), -1)
        if start < 0:
            return None
        found.append(start + 1)
    return found


def fill(word: WordDocument, toc_styles: set[str], numbers: list[int]) -> None:
    """Append a tab and the page number to each contents entry (the style's right tab has dot leaders)."""
    paragraphs = [p for p in word.element.body.iter(qn("w:p"))
                  if p.pPr is not None and p.pPr.pStyle is not None and p.pPr.pStyle.val in toc_styles]
    for paragraph, number in zip(paragraphs, numbers):
        link = paragraph.findall(qn("w:hyperlink"))[-1]
        run = link.makeelement(qn("w:r"), {})
        tab = run.makeelement(qn("w:tab"), {})
        text = run.makeelement(qn("w:t"), {})
        text.text = str(number)
        run.extend((tab, text))
        link.append(run)
