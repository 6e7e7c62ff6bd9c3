"""Output formats, registered in one place: name → function from document to file bytes (or,
for the web edition, the files of a folder by their paths in it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planpress import memo
from planpress.document import Document
from planpress.project import Project


@dataclass(frozen=True)
class Format:
    """An output format: its file suffix and its renderer."""

    name: str
    suffix: str
    render: Callable[..., bytes | dict[str, bytes]]
    default: bool
    #: Work the render will wait for, started before the file's turn (``started``), or None.
    start: Callable[..., None] | None = None


#: Output profiles: the default is a tagged PDF/UA-1 file for the website; "print" is a PDF/X-4
#: file with bleed, crop marks and right-hand chapter openings for the print shop
#: (layouts/print-shop.css); "archive" is a PDF/A-2u file, for the public record.
PROFILES = ("web", "print", "archive")


def _pdf(document: Document, project: Project, *, profile: str = "web") -> bytes:
    from planpress.render import pdf  # sections laid out in parallel, unchanged ones from the cache

    return pdf.render(document, project, profile=profile)


def _docx(document: Document, project: Project, *, profile: str = "web") -> bytes:
    from planpress.render import docx

    return docx.render(document, project)


def _docx_start(document: Document, project: Project, *, profile: str = "web") -> None:
    from planpress.render import docx

    docx.start(document, project)


def _html(document: Document, project: Project, *, profile: str = "web") -> bytes:
    from planpress.render import html

    return html.render(document, project, profile=profile).encode("utf-8")


def _site(document: Document, project: Project, *, profile: str = "web") -> dict[str, bytes]:
    from planpress import site

    return site.render(document, project)


#: Every format; ``default`` ones are built when no --format is given.
FORMATS: dict[str, Format] = {
    "pdf": Format("pdf", ".pdf", _pdf, default=True),
    "docx": Format("docx", ".docx", _docx, default=True, start=_docx_start),
    "html": Format("html", ".html", _html, default=False),
    # The web edition: the folder output/NAME-site/ (index.html, one page per chapter and policy).
    "site": Format("site", "-site", _site, default=False),
}

#: Libraries whose versions shape some output's bytes.
_LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "python-docx", "pillow", "jinja2", "fonttools")


def rendered(kind: Format, document: Document, project: Project, *, profile: str = "web") -> Any:
    """The file's bytes, from the output cache when nothing that shapes them changed, else rendered
    and kept. Only a render that succeeded is kept, so a hit also means no layout problem was found."""
    data = _FOUND.get(kind.name, profile, document, project, take=True)
    if data is None:
        data = cached_output(kind, document, project, profile=profile)
    if data is None:
        data = kind.render(document, project, profile=profile)
        if isinstance(data, bytes):  # a file; the web edition (a folder of files) is made each time
            _slot(kind, document, project, profile).put(_output_key(kind, document, project, profile), data)
    return data


def started(kind: Format, document: Document, project: Project, *, profile: str = "web") -> None:
    """Start what the file's render will wait for (the Word booklet's LibreOffice run after an
    edit) before its turn comes; nothing for a file the cache holds (nothing is imported)."""
    if kind.start is not None and not held(kind, document, project, profile=profile):
        kind.start(document, project, profile=profile)


#: Files found in the output cache before their turn (``held``), kept for ``rendered`` to take: not
#: read and checked again (a ×16 Word booklet is 50 MB to read and hash).
_FOUND = memo.ByObject(4)


def held(kind: Format, document: Document, project: Project, *, profile: str = "web") -> bool:
    """Whether the output cache holds the file; if so its bytes are kept until ``rendered`` takes
    them, or ``let_go`` (the end of a build, whatever it took) drops them."""
    data = cached_output(kind, document, project, profile=profile)
    if data is not None:
        _FOUND.put(kind.name, profile, document, project, value=data)
    return data is not None


def let_go() -> None:
    _FOUND.clear()


def cached_output(kind: Format, document: Document, project: Project, *, profile: str = "web") -> bytes | None:
    """The file's bytes as an earlier build of exactly this made them, or None (nothing is written)."""
    data = _slot(kind, document, project, profile).get(_output_key(kind, document, project, profile))
    if data is not None and kind.name == "pdf":
        from planpress.render.builds import LAST_BUILDS, PartsBuild

        LAST_BUILDS[document.name] = PartsBuild(len(document.sections), cached_merge=True)
    return data


#: Output keys made in this process, by format, profile, document and project (``_output_key``).
_KEYS = memo.ByObject(16)


def _output_key(kind: Format, document: Document, project: Project, profile: str) -> str:
    """The whole document model (with the bytes of every photo or icon it names), the layouts, the
    fonts, planpress's code, the libraries' versions, the LibreOffice installed (it numbers the Word
    contents), the profile and the document's date.

    Made once a build per format, profile, document and project (``_KEYS``): a build asks for a
    Word file's twice, ahead of its turn (``started``) and in it, and each time would read the
    layouts (reference.docx among them) and fonts anew."""
    key = _KEYS.get(kind.name, profile, document, project)
    if key is None:
        key = memo.fingerprint("output", kind.name, profile, memo.document_print(document, project),
                               memo.environment(project), project.build_date(), memo.versions(*_LIBRARIES),
                               memo.tool_identity("soffice"), memo.tool_identity("pdftotext"))
        _KEYS.put(kind.name, profile, document, project, value=key)
    return key


def _slot(kind: Format, document: Document, project: Project, profile: str) -> Any:
    return memo.Slot(project, f"{document.name}.{profile}{kind.suffix}")
