"""Output formats, registered in one place: name → function from document to file bytes (or,
for the web edition, the files of a folder by their paths in it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planpress.document import Document
from planpress.source import Project


@dataclass(frozen=True)
class Format:
    """An output format: its file suffix and its renderer."""

    name: str
    suffix: str
    render: Callable[..., bytes | dict[str, bytes]]
    default: bool


#: Output profiles: the default is a tagged PDF/UA-1 file for the website; "print" is a PDF/X-4
#: file with bleed, crop marks and right-hand chapter openings for the print shop
#: (layouts/print-shop.css); "archive" is a PDF/A-2u file, for the public record.
PROFILES = ("web", "print", "archive")


def _pdf(document: Document, project: Project, *, profile: str = "web") -> bytes:
    from planpress.render import parts  # sections laid out in parallel, unchanged ones from the cache

    return parts.render(document, project, profile=profile)


def _docx(document: Document, project: Project, *, profile: str = "web") -> bytes:
    from planpress.render import docx

    return docx.render(document, project)


def _html(document: Document, project: Project, *, profile: str = "web") -> bytes:
    from planpress.render import html

    return html.render(document, project, profile=profile).encode("utf-8")


def _site(document: Document, project: Project, *, profile: str = "web") -> dict[str, bytes]:
    from planpress import site

    return site.render(document, project)


#: Every format; ``default`` ones are built when no --format is given.
FORMATS: dict[str, Format] = {
    "pdf": Format("pdf", ".pdf", _pdf, default=True),
    "docx": Format("docx", ".docx", _docx, default=True),
    "html": Format("html", ".html", _html, default=False),
    # The web edition: the folder output/NAME-site/ (index.html, one page per chapter and policy).
    "site": Format("site", "-site", _site, default=False),
}
