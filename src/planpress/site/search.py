"""The web edition's full-text search index: the text of every page's main part, in one script
file that search.html loads with a <script> element, so searching works from the files alone
(opened from a disk as file: URLs, where a page cannot fetch() another file).

Matching is done in the browser (layouts/site/search.js) on NFKC-normalised, lower-cased text,
by substring: Japanese needs no word segmentation, and every word of a query must occur.
"""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser

from planpress.site.pages import Site

PAGE = "search.html"
INDEX = "assets/search-index.js"


class _MainText(HTMLParser):
    """The visible text inside <main>, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main" or self.depth:
            self.depth += tag not in _VOID
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in _VOID:
            self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


_VOID = {"br", "img", "input", "meta", "link", "hr", "col", "wbr", "source"}
_BREAKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "title", "text", "div"}


def page_text(html: str) -> str:
    """What a reader reads in the page's main part, NFKC-normalised, spaces collapsed."""
    parser = _MainText()
    parser.feed(html)
    text = unicodedata.normalize("NFKC", "".join(parser.parts))
    return re.sub(r"\s+", " ", text).strip()


def index(site: Site, files: dict[str, bytes]) -> bytes:
    """window.PLANPRESS_SEARCH: one entry per page: URL, title, place (breadcrumbs) and text."""
    entries = []
    for page in site.pages:
        place = " ＞ ".join([a.title if a.parent else "ホーム" for a in page.ancestors] + list(page.trail))
        entries.append({"u": page.file, "t": unicodedata.normalize("NFKC", page.title), "p": place,
                        "x": page_text(files[page.file].decode("utf-8"))})
    # "</" escaped: the file is loaded by src, but stays safe to inline.
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return ("window.PLANPRESS_SEARCH = " + data + ";\n").encode("utf-8")
