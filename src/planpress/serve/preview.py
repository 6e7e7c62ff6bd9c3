"""What `planpress serve` shows: editions of the documents as pages by URL, and the overlay of serve mode.

An *edition* turns checked content into pages (URL path → bytes and type). The print preview is
the HTML WeasyPrint lays the PDF out from, with the photos' file: URLs pointed at the server and
a stylesheet that shows each section as a sheet of paper. Another edition (a web edition) plugs
in by giving pages under its own prefix; the server knows nothing of how they are made.
The overlay (problems, the PDF link, the reload script) is added per request, in serve mode only.
"""

from __future__ import annotations

import html as markup
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from planpress import memo
from planpress.content import Content
from planpress.project import Project
from planpress.serve import dates

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str = HTML


@dataclass(frozen=True)
class Listing:
    """A document the index page links to: its pages' URL, its PDF's URL and title."""

    name: str
    title: str
    url: str
    pdf: str


class Edition(Protocol):
    """Pages made from checked content; ``render`` may raise PlanpressError (a layout mistake)."""

    def render(self, project: Project, content: Content) -> tuple[dict[str, Page], list[Listing]]: ...


#: Shows each section as an A4 sheet with the print margins (the page breaks inside a long
#: section are the PDF's to make); the browser ignores @page.
SHEETS_CSS = """
html { background: #7d838a; }
body > section { background: #fff; width: 170mm; min-height: 255mm; margin: 10mm auto; padding: 22mm 20mm 20mm;
  box-shadow: 0 1px 8px rgba(0, 0, 0, .4); }
"""


class PrintPreview:
    """Each document as the HTML its PDF is laid out from, at /<name>/; a document whose model,
    layouts and date (where the layouts do more than print it: serve/dates.py) are those of the
    last save is not made again."""

    def __init__(self) -> None:
        #: Each document's key and its HTML as html.render made it (dates.MARK for the date).
        self.kept: dict[str, tuple[str, str]] = {}

    def render(self, project: Project, content: Content) -> tuple[dict[str, Page], list[Listing]]:
        from planpress.documents import available
        from planpress.render import html

        pages: dict[str, Page] = {}
        listings: list[Listing] = []
        files = project.root.as_uri() + "/"
        date = html.iso_date(project.build_date())
        when = dates.MARK if dates.printed_only((project.layouts_dir,), "page") else date
        frame = memo.fingerprint("preview", memo.page_environment(project), memo.versions(*html.LIBRARIES), when)
        kept: dict[str, tuple[str, str]] = {}
        for spec in available(content):
            document = spec.make()
            key = memo.fingerprint(frame, document)
            made = self.kept.get(spec.name)
            if made is None or made[0] != key:  # as html.render(document, project) makes it
                made = key, html.render_when(document, project, html.page_styles(document, project, "web"), when, True)[0]
            kept[spec.name] = made
            source = dates.dated(made[1], date).replace(files, FILES_PREFIX)
            source = source.replace("</style>", SHEETS_CSS + "</style>", 1)
            url = f"/{spec.name}/"
            pages[url] = Page(source.encode("utf-8"))
            listings.append(Listing(spec.name, spec.title, url, f"/{spec.name}.pdf"))
        self.kept = kept
        return pages, listings


#: The URL prefix under which the server gives files of content/ and layouts/ (photos, icons).
FILES_PREFIX = "/_files/"


@dataclass
class PdfStatus:
    """The background PDF build: 'waiting', 'building', 'ready' or 'failed', and its problems."""

    state: str = "waiting"
    problems: list[str] = field(default_factory=list)


def overlay(generation: int, problems: Sequence[str], warnings: int, pdf: PdfStatus, listing: Listing | None,
            listings: Sequence[Listing]) -> str:
    """The bar at the top of every served page: documents, the PDF link, the problems, and the
    script that reloads the page when the server has rebuilt (server-sent events). It takes its
    own room and sticks to the top while the page scrolls (fixed over the page, it hid the web
    edition's title and search form, whatever height its lines wrap to)."""
    links = " ".join(f'<a href="{markup.escape(item.url)}">{markup.escape(item.title)}</a>' for item in listings)
    pdf_link = ""
    if listing is not None:
        label = {"ready": "PDF", "building": "PDF（作成中…）", "waiting": "PDF（作成待ち）", "failed": "PDF（作成できません）"}[pdf.state]
        pdf_link = f'<a id="planpress-pdf" href="{markup.escape(listing.pdf)}">{label}</a>'
    lines = list(problems) + [f"PDF: {line}" for line in pdf.problems]
    shown = "".join(f"<div>{markup.escape(line)}</div>" for line in lines)
    note = f"警告{warnings}件（planpress check で一覧を表示します）" if warnings else ""
    state = json.dumps({"generation": generation, "pdf": pdf.state})
    return f"""
<div id="planpress-bar" style="position:sticky;top:0;z-index:2147483647;font:13px/1.5 sans-serif;
background:#f4f5f6;border-bottom:1px solid #aab;padding:4px 10px;color:#111">
<a href="/">planpress</a> ｜ {links} ｜ {pdf_link} <span style="color:#666">{markup.escape(note)}</span>
<div id="planpress-problems" style="color:#a00;white-space:pre-wrap;font-family:monospace;max-height:40vh;overflow:auto">{shown}</div>
</div>
<script>
(function () {{
  var shown = {state};
  var events = new EventSource("/_events");
  events.onmessage = function (event) {{
    var now = JSON.parse(event.data);
    if (now.generation !== shown.generation || now.pdf !== shown.pdf) {{ events.close(); location.reload(); }}
  }};
}})();
</script>
"""


def with_overlay(page: bytes, bar: str) -> bytes:
    """The page with the bar right after <body> (or first, on a page without one)."""
    text = page.decode("utf-8")
    start = text.find("<body")
    end = text.find(">", start) + 1 if start >= 0 else 0
    return (text[:end] + bar + text[end:]).encode("utf-8")


def index_page(listings: Sequence[Listing]) -> bytes:
    items = "".join(f'<li><a href="{markup.escape(item.url)}">{markup.escape(item.title)}</a>'
                    f'（<a href="{markup.escape(item.pdf)}">PDF</a>）</li>' for item in listings)
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>planpress</title></head>'
            f'<body style="font-family:sans-serif;padding:40px 24px"><h1>文書</h1><ul>{items or "<li>作成できる文書がありません</li>"}</ul></body></html>').encode("utf-8")


def message_page(title: str, lines: Sequence[str]) -> bytes:
    shown = "".join(f"<p>{markup.escape(line)}</p>" for line in lines)
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{markup.escape(title)}</title></head>'
            f'<body style="font-family:sans-serif;padding:40px 24px"><h1>{markup.escape(title)}</h1>{shown}</body></html>').encode("utf-8")
