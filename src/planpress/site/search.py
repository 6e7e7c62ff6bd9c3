"""The web edition's full-text search index: the text of every page's main part, in one script
file that search.html loads with a <script> element, so searching works from the files alone
(opened from a disk as file: URLs, where a page cannot fetch() another file).

The index holds the text as the pages show it (results quote it: NFKC would print ① as 1 and
full-width parentheses half-width). Matching is done in the browser (layouts/site/search.js) on
NFKC-normalised, lower-cased text, by substring: Japanese needs no word segmentation, and every
word of a query must occur.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from lxml.html import HtmlElement, document_fromstring

from planpress.site.pages import Site

PAGE = "search.html"
INDEX = "assets/search-index.js"


def page_text(html: str) -> str:
    """What a reader reads in the page's main part, as shown: runs of HTML white space collapsed
    (an ideographic space is a character of the text, kept)."""
    parts: list[str] = []
    for main in document_fromstring(html).iter("main"):
        _text(main, parts)
    return re.sub(r"[ \t\n\r\f]+", " ", "".join(parts)).strip(" ")


def _text(element: HtmlElement, parts: list[str]) -> None:
    """The text of ``element`` in reading order, with a space after each block; nothing of scripts,
    styles and comments. (libxml2's parser: Python's html.parser took half of `serve`'s ×16 site.)"""
    if not isinstance(element.tag, str) or element.tag in ("script", "style"):
        return
    if element.text:
        parts.append(element.text)
    for child in element:
        _text(child, parts)
        if child.tail:
            parts.append(child.tail)
    if element.tag in _BREAKS:
        parts.append(" ")


_BREAKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "title", "text", "div"}


def index(site: Site, files: dict[str, bytes], text: Callable[[str], str] | None = None) -> bytes:
    """window.PLANPRESS_SEARCH: one entry per page: URL, title, place (breadcrumbs) and text
    (``text``: a page's text by its file name, where it is known already; page_text of the file else)."""
    entries = []
    for page in site.pages:
        place = " ＞ ".join([a.title if a.parent else "ホーム" for a in page.ancestors] + list(page.trail))
        shown = page_text(files[page.file].decode("utf-8")) if text is None else text(page.file)
        entries.append({"u": page.file, "t": page.title, "p": place, "x": shown})
    # "</" escaped: the file is loaded by src, but stays safe to inline.
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return ("window.PLANPRESS_SEARCH = " + data + ";\n").encode("utf-8")
