"""PDF through WeasyPrint's public API, fetching nothing the project does not hold.

With render/pdf/_weasy_internals.py (everything below that API), this is the one module that
imports WeasyPrint (tests/test_code_shape.py); the workers take ``FontConfiguration`` from here.
Before it does, render/pdf/_weasy_ffi.py makes WeasyPrint's C bindings load from precompiled
declarations (the same bindings, ~0.3 s sooner).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.request import url2pathname

from planpress.render.pdf import _weasy_ffi

_weasy_ffi.install()  # before the first import of WeasyPrint below

from weasyprint import HTML  # noqa: E402 - after install()
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher  # noqa: E402

from planpress.checks.texts import content_texts  # noqa: E402
from planpress.document import Document  # noqa: E402
from planpress.errors import ContentError, Location, PlanpressError  # noqa: E402
from planpress.render import html  # noqa: E402
from planpress.render.pdf import _weasy_internals, justify, standards, tables  # noqa: E402
from planpress.render.pdf.htmltree import quick_tree  # noqa: E402
from planpress.render.pdf.overflow import find_overflows, overflow_problems  # noqa: E402
from planpress.project import Project  # noqa: E402

log = logging.getLogger(__name__)


class RefusedResource(FatalURLFetchingError):
    """A layout or content asked for something outside the project, or for a missing file."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url)
        self.url = url
        self.reason = reason


class ProjectFetcher(URLFetcher):
    """Serves data: URLs and files under content/ and layouts/; refuses the rest."""

    def __init__(self, project: Project) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True)
        self.project = project
        self.roots = (project.content_dir.resolve(), project.layouts_dir.resolve())

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # noqa: ANN201 - WeasyPrint's response
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith("file:"):
            raise RefusedResource(url, "はネットワーク上にあるため読み込めません（content/ と layouts/ の中のファイルだけが使えます）")
        path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedResource(url, "は content/ と layouts/ の外にあるため読み込めません（この中のファイルだけが使えます）")
        if not path.is_file():
            raise RefusedResource(self.project.display(path), "というファイルがありません")
        return super().fetch(url, headers)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """WeasyPrint's own warnings logged while the block runs, in order: they reach the user
    translated (weasyprint_warning), from a worker's batch through the main process."""
    collector = _Collector()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addHandler(collector)
    try:
        yield collector.messages
    finally:
        weasy_log.removeHandler(collector)


def weasy_html(source: str, project: Project) -> HTML:
    """WeasyPrint's view of an HTML page of the project (also used for each part of a parallel build):
    the tree libxml2 parses where it is the one WeasyPrint's parser would build (render/pdf/htmltree.py)."""
    justify.install()
    tables.install()
    base_url, fetcher = str(project.layouts_dir) + "/", ProjectFetcher(project)
    tree = quick_tree(source) if _weasy_internals.unsupported() is None else None
    if tree is None:
        return HTML(string=source, base_url=base_url, url_fetcher=fetcher)
    return _weasy_internals.parsed_html(tree, base_url, fetcher)


def write_options(document: Document, *, profile: str = "web") -> dict[str, object]:
    """The options of ``write_pdf``, the same for a single-pass render and for every part: tagged
    (PDF/UA structure) for every profile, declaring the profile's standard (render/pdf/standards.py)."""
    return {"pdf_identifier": document.name.encode("utf-8"), "custom_metadata": True, "pdf_tags": True,
            "pdf_variant": standards.VARIANTS[profile]}


def dated(laid_out, date: float) -> None:  # noqa: ANN001 - weasyprint.Document
    """Give a laid-out document its date (/CreationDate, /ModDate and the XMP dates WeasyPrint
    writes from them), as data rather than through the HTML head."""
    laid_out.metadata.created = laid_out.metadata.modified = html.iso_date(date)


def render(document: Document, project: Project, *, profile: str = "web", date: float | None = None) -> bytes:
    """Lay the document out in one pass and return the PDF bytes (``date``: Project.build_date unless given)."""
    date = project.build_date() if date is None else date
    source = html.render(document, project, profile=profile, date=date, head_dates=False)  # the date: ``dated``
    intent = standards.output_profile(project) if profile == "print" else None  # refused before the layout
    try:
        with weasyprint_warnings() as warnings:
            options = write_options(document, profile=profile)
            laid_out = weasy_html(source, project).render(**options)  # as HTML.write_pdf does, with a look at the pages in between
            refuse_overflow(laid_out, document, project)
            dated(laid_out, date)
            standards.prepare(laid_out, profile)
            if intent is not None:
                standards.attach_output_profile(laid_out, intent)
            data = standards.finish(_flat_spans(laid_out.write_pdf(**options)), profile)
    except RefusedResource as error:
        raise refused(error, document, project) from None
    for message in dict.fromkeys(warnings):
        log.warning("%s", weasyprint_warning(message, project, html.stylesheets(document, profile)))
    return data


def _flat_spans(data: bytes) -> bytes:
    """The one-pass PDF with its text runs' spans flattened, as every batch's (tags.flatten_text_spans)."""
    import pikepdf

    from planpress.render.pdf import tags

    with pikepdf.open(io.BytesIO(data)) as pdf:
        tags.flatten_text_spans(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


#: WeasyPrint's warnings about the stylesheet, each with its place in the <style> element.
_AT = re.compile(r" at (?P<line>\d+):(?P<col>\d+)")
_SELECTOR = re.compile(r"Invalid or unsupported selector, '(?P<what>[^']*)'", re.S)
_WHY = {"unknown property": "不明なプロパティ", "invalid value": "使えない値", "unsupported": "WeasyPrint が対応していない指定"}
_STYLE_WARNINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Ignored `(?P<what>.+)` at \d+:\d+, (?P<why>.+?)\.?$", re.S), "スタイルの指定「{what}」を無視しました（{why}）"),
    (re.compile(r"Parse error at \d+:\d+: (?P<why>.+?)\.?$", re.S), "スタイルの書き方に誤りがあります（{why}）"),
    (re.compile(r"Unknown (?:empty )?(?:@page )?rule (?:<\w+ )?(?P<what>@?[\w-]+)", re.S), "不明な規則「{what}」を無視しました"),
    (re.compile(r"(?P<why>.+?),? the whole (?:@\w+ )?rule was ignored at", re.S), "規則全体を無視しました（{why}）"),
)


def weasyprint_warning(message: str, project: Project, stylesheets: tuple[str, ...]) -> str:
    """WeasyPrint's English warning in planpress's form: at the layout file's line, in Japanese.

    The ``stylesheets`` (html.stylesheets) are joined into the page's <style> element
    (html.render), which opens with a line break: its line L is line L - 1 of the joined files.
    A warning planpress has no words for keeps WeasyPrint's, after the place it names.
    """
    selector = _SELECTOR.match(message)
    if selector is not None:  # WeasyPrint names no place: the selector's own text finds it
        place = _first_place(project, [project.layouts_dir / name for name in stylesheets], [selector["what"].strip()])
        words = f"セレクタ「{selector['what'].strip()}」を使えないため、この規則を無視しました"
        return f"{place}: {words}" if place else f"{words}（layouts/ のスタイル）"
    at = _AT.search(message)
    place = _layout_place(int(at["line"]) - 1, at["col"], project, stylesheets) if at else None
    if place is None:
        return f"WeasyPrint の警告: {message}"
    for pattern, words in _STYLE_WARNINGS:
        found = pattern.match(message)
        if found is not None:
            fields = {name: _WHY.get(value.strip(), value) for name, value in found.groupdict().items()}
            return f"{place}: {words.format(**fields)}"
    return f"{place}: WeasyPrint の警告: {message}"


def _layout_place(line: int, col: str, project: Project, stylesheets: tuple[str, ...]) -> str | None:
    """layouts/FILE:LINE:COL of a line of the joined stylesheets."""
    for name in stylesheets:
        lines = (project.layouts_dir / name).read_text(encoding="utf-8").count("\n") + 1
        if line <= lines:
            return f"layouts/{name}:{line}:{col}"
        line -= lines
    return None


def refused(error: RefusedResource, document: Document, project: Project) -> PlanpressError:
    """The user's message for a refused resource, at the layout line that names it if one does."""
    at = _written_at(project, error.url)
    message = f"「{error.url}」{error.reason}"
    return PlanpressError(message if at else f"{document.name}: {message}", at)


def _written_at(project: Project, url: str) -> Location | None:
    """Where a layout file names the refused resource: its URL, or its last path part."""
    layouts = sorted(path for path in project.layouts_dir.rglob("*") if path.suffix in (".html", ".css"))
    return _first_place(project, layouts, [url, url.rsplit("/", 1)[-1]])


def _first_place(project: Project, paths: Iterable[Path], needles: Sequence[str]) -> Location | None:
    """Where the first of ``paths`` that holds one of ``needles`` (each tried in turn) holds it:
    a refused URL in any layout file, a selector WeasyPrint names without a place in a stylesheet."""
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in needles:
            found = text.find(needle) if needle else -1
            if found >= 0:
                return Location.in_text(project.display(path), text, found)
    return None


def refuse_overflow(laid_out, document: Document, project: Project, *, first_page: int = 1) -> None:  # noqa: ANN001 - weasyprint.Document
    """Text sticking out of its page or box is a content problem: stop before anything is written.
    ``first_page``: the document's number of the first page laid out (a batch of sections)."""
    overflows = find_overflows(laid_out.pages, first_page)
    if overflows:
        raise ContentError(overflow_problems(overflows, content_texts(project), f"{document.name}.pdf"))
