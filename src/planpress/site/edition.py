"""The web edition in `planpress serve`: every document's site at /<name>-site/, rebuilt with the
other editions on each save (serve/preview.py's Edition seam)."""

from __future__ import annotations

import mimetypes

from planpress.content import Content
from planpress.serve.preview import Listing, Page
from planpress.site.kept import KeptPages
from planpress.project import Project


class WebEdition:
    """The files `build --format site` writes, served from memory under the document's prefix;
    each document's pages are kept from one save to the next (site/kept.py)."""

    def __init__(self) -> None:
        self.kept: dict[str, KeptPages] = {}

    def render(self, project: Project, content: Content) -> tuple[dict[str, Page], list[Listing]]:
        from planpress import site
        from planpress.documents import available

        pages: dict[str, Page] = {}
        listings: list[Listing] = []
        for spec in available(content):
            prefix = f"/{spec.name}-site/"
            kept = self.kept.setdefault(spec.name, KeptPages())
            for name, data in site.render(spec.make(), project, kept=kept).items():
                pages[prefix + name] = Page(data, content_type(name))
            pages[prefix] = pages[prefix + "index.html"]
            listings.append(Listing(f"{spec.name}-site", f"{spec.title}（ウェブ版）", prefix, f"/{spec.name}.pdf"))
        return pages, listings


def content_type(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else kind
