"""The Word contents' page numbers, taken from LibreOffice's own layout of the finished .docx.

planpress cannot know where a word processor breaks pages, so where LibreOffice (soffice) is
installed the document is laid out headlessly, each contents entry's heading is found on the
pages, and its page number is written into the TOC field's cached result (the field stays
updatable). Without soffice the entries carry no numbers and Word adds them on opening.

Every section of the Word file starts a new page, so a section's pages depend on that section
alone: each section is laid out as a file of its own, what its layout found (its page count, the
page of each contents entry in it) is kept by the section's key, and a build lays out only the
sections that changed, all in one LibreOffice run. The numbers are the sums of the page counts
ahead. ``tests/test_booklet.py`` holds them equal to those of the whole file laid out at once.
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from planpress.document import TocEntry

if TYPE_CHECKING:  # python-docx: imported by ``fill`` (a build with nothing to make only calls ``resume``)
    from docx.document import Document as WordDocument

#: Seconds one headless conversion may take before the contents is left without numbers.
TIMEOUT = 180


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def laid_out_pages(docx: bytes, *, profile: Path | None = None) -> list[str] | None:
    """The text of each page as LibreOffice lays the document out, or None without LibreOffice.

    ``profile``: a LibreOffice user profile folder kept between builds (making a new one costs
    LibreOffice about 1.5 s); while another build uses it, this one makes its own.
    """
    found = _laid_out(docx, 0, profile)
    return None if found is None else found[0]


#: The bookmark that marks where section N starts in a file laid out for its sections' pages.
SECTION_MARK = "PlanpressSection{:04d}"
#: LibreOffice's PDF export with the file's bookmarks as named destinations (LibreOffice 7.4+).
_EXPORT = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'


def laid_out_sections(docx: bytes, count: int, *, profile: Path | None = None) -> list[list[str]] | None:
    """The pages (the text of each) of each of ``count`` sections, each marked by the bookmark
    SECTION_MARK at its start, as LibreOffice lays the file out; None without LibreOffice, if it
    failed, or if a mark is not where a section starts a page."""
    found = _laid_out(docx, count, profile)
    if found is None:
        return None
    pages, starts = found
    if not starts or starts[0] != 0 or any(b <= a for a, b in zip(starts, starts[1:])) or starts[-1] >= len(pages):
        return None
    return [pages[start:end] for start, end in zip(starts, [*starts[1:], len(pages)])]


def _laid_out(docx: bytes, marks: int, profile: Path | None) -> tuple[list[str], list[int] | None] | None:
    """The text of each page, and the page of each of ``marks`` section marks, or None."""
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftotext") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="planpress-toc-") as folder, _own_profile(profile, Path(folder)) as user:
        _skip_render_tests(user, soffice)
        source = Path(folder) / "contents.docx"
        source.write_bytes(docx)
        try:
            _convert([soffice, f"-env:UserInstallation={user.as_uri()}", "--headless",
                      "--convert-to", _EXPORT if marks else "pdf", "--outdir", folder, str(source)])
            text = subprocess.run(["pdftotext", "-layout", str(source.with_suffix(".pdf")), "-"],
                                  capture_output=True, timeout=TIMEOUT, check=True).stdout.decode("utf-8", "replace")
            starts = _mark_pages(source.with_suffix(".pdf"), marks) if marks else None
        except (OSError, subprocess.SubprocessError):
            return None
    # pdftotext ends every page with a form feed: the piece after the last one is not a page.
    return [_squash(page) for page in text.split("\f")[:-1]], starts


#: LibreOffice runs under way (a build makes Word files beside its PDFs: ``stop_all`` ends them).
_RUNNING: set[subprocess.Popen[bytes]] = set()
_RUNNING_LOCK = threading.Lock()
#: Set by ``stop_all`` until the next build (``resume``): no new run starts, such as the whole
#: file's layout that follows when the sections' run was ended.
_STOPPED = threading.Event()


def _convert(command: list[str]) -> None:
    """Run LibreOffice in a process group of its own (its launcher starts the office as a child),
    so that a build stopped while it runs can end the whole group; raise if it fails.

    A process group, not a session of its own: Linux schedules each session as one group
    (autogroup), so in a session of its own LibreOffice took its share of the cores beside the
    build's whole session, and the lower priority the Word thread gives it (docx._yield_cores)
    counted for nothing against the PDF workers. In the build's session it yields to them (×16
    after an edit, A/B in alternating builds: median 5.05 -> 4.63 s, faster in 14 of 18 pairs; ×1
    and ×4 the same within the noise). Its input is not the terminal: a process group in the
    background that reads it is stopped.
    """
    with _RUNNING_LOCK:
        if _STOPPED.is_set():
            raise OSError("the build was stopped")
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, process_group=0)
        _RUNNING.add(process)
    try:
        status = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(process)
    if status != 0:
        raise subprocess.CalledProcessError(status, command)


def stop_all() -> None:
    """End every LibreOffice run under way, and start none until ``resume`` (a build interrupted
    or failed while it lays out)."""
    with _RUNNING_LOCK:
        _STOPPED.set()
        for process in list(_RUNNING):
            _kill(process)


def resume() -> None:
    """A new build may run LibreOffice again."""
    _STOPPED.clear()


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _mark_pages(pdf: Path, count: int) -> list[int] | None:
    """The page (0-based) of each section mark among the PDF's named destinations."""
    import pikepdf

    try:
        with pikepdf.open(pdf) as document:
            pages = {page.objgen: index for index, page in enumerate(document.pages)}
            dests = document.Root.get("/Dests")
            if dests is None:
                return None
            found = []
            for index in range(count):
                dest = dests.get("/" + SECTION_MARK.format(index))
                if isinstance(dest, pikepdf.Dictionary):
                    dest = dest.get("/D")
                if not isinstance(dest, pikepdf.Array) or dest[0].objgen not in pages:
                    return None
                found.append(pages[dest[0].objgen])
            return found
    except (pikepdf.PdfError, OSError, KeyError, IndexError):
        return None


def section_layout(pages: list[str], titles: list[str]) -> tuple[int, list[int]] | None:
    """What a section's own layout found: its page count and the page (0-based) of each of its
    contents entries' headings, searched in order; None if a heading is not on its pages."""
    found, start = [], 0
    for title in titles:
        wanted = _squash(title)
        start = next((index for index in range(start, len(pages)) if wanted in pages[index]), -1)
        if start < 0:
            return None
        found.append(start)
    return len(pages), found


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


_LAST_VERSION = ('<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">'
                 "<value>{}</value></prop></item>")
_REGISTRY = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
             'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
             "</oor:items>\n")


def _skip_render_tests(profile: Path, soffice: str) -> None:
    """Record in the profile that this LibreOffice's version has run in it.

    LibreOffice runs its graphics self-tests (user/GraphicsRenderTests.log) at every start whose
    profile names an older version, and only its window (never a headless run) records the new
    one: 0.7 s of CPU, most of a small file's conversion, for nothing the layout uses. The
    profile's registrymodifications.xcu (made here if LibreOffice has not made it yet) gets the
    version; a profile that cannot be written costs the time, never the layout.
    """
    version = _office_version(str(Path(soffice).resolve()))
    if version is None:
        return
    path = profile / "user" / "registrymodifications.xcu"
    wanted = _LAST_VERSION.format(version)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else _REGISTRY
    except (OSError, UnicodeDecodeError):
        return
    if wanted in text or "</oor:items>" not in text:
        return
    kept = "".join(line for line in text.splitlines(keepends=True) if "ooSetupLastVersion" not in line)
    from planpress.memo import write_quietly

    write_quietly(path, kept.replace("</oor:items>", wanted + "\n</oor:items>", 1).encode("utf-8"))


@functools.cache
def _office_version(soffice: str) -> str | None:
    """The installed LibreOffice's version as its profile records it ("7.4"), from its registry."""
    registry = Path(soffice).parent.parent / "share" / "registry" / "main.xcd"
    try:
        found = re.search(r'oor:name="ooSetupVersion">\s*<value>([0-9.]+)</value>', registry.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return found.group(1) if found else None


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
    from docx.oxml.ns import qn

    # Each paragraph's w:pPr/w:pStyle by lxml's own find (python-docx's pPr and pStyle properties
    # look each up through the schema: a third of a second over a ×16 booklet's paragraphs).
    style_path, value = f"{qn('w:pPr')}/{qn('w:pStyle')}", qn("w:val")
    # The contents comes first: the walk ends with its last numbered entry, not at the body's end.
    found = (p for p in word.element.body.iter(qn("w:p"))
             if (style := p.find(style_path)) is not None and style.get(value) in toc_styles)
    paragraphs = list(itertools.islice(found, len(numbers)))  # found before the tree is changed
    for paragraph, number in zip(paragraphs, numbers):
        link = paragraph.findall(qn("w:hyperlink"))[-1]
        run = link.makeelement(qn("w:r"), {})
        tab = run.makeelement(qn("w:tab"), {})
        text = run.makeelement(qn("w:t"), {})
        text.text = str(number)
        run.extend((tab, text))
        link.append(run)
