"""Lay out one part of a document with WeasyPrint as pages ``start``… of the whole document.

WeasyPrint 70 is pinned; four of its module attributes are replaced while a part is laid out,
so that the part's pages look exactly as they do in a single-pass render of the whole:

- ``initialize_page_maker``: the page counter starts at ``start - 1`` when the start is known;
- ``PageType``: page indexes are global, so ``@page :first`` matches only the document's first page;
- ``make_margin_boxes``: when the start is not known yet (a cold parallel build), the part's page
  count is published once pagination ends, the start is awaited, and the page numbers in the
  margin boxes are shifted by it;
- ``TargetCollector``: ``target-counter()`` to an anchor in another part reads the page number
  given in ``targets``; every anchor looked up is recorded, so the caller can lay the part out
  again once all page numbers are final.

Links to anchors in other parts are kept as ``planpress-part:NAME`` URIs; the merge turns them
into named destinations. Layouts that depend on page parity or on the total page count are not
laid out in parts at all (see ``parts.single_pass_reason``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import weasyprint.document
import weasyprint.layout
import weasyprint.layout.page
from weasyprint.css.targets import TargetCollector, TargetLookupItem, anchor_name_from_token
from weasyprint.urls import get_url_tuple

from planpress.cache import PartMeta
from planpress.render.merge import PART_LINK


@dataclass(frozen=True)
class PartJob:
    """One part to lay out."""

    index: int
    html: str
    #: the first page's number in the whole document; None: ask ``await_start`` after pagination
    start: int | None
    #: page numbers of anchors in other parts (final, or a guess to be replaced later)
    targets: dict[str, int]
    #: the page number to show for an anchor not in ``targets`` while other parts are unknown
    guess: int | None = None


@dataclass
class PartResult:
    """A laid-out part: its PDF and what the layout found out."""

    index: int
    start: int
    pdf: bytes
    meta: PartMeta
    #: the target page numbers this layout used for the anchors it looked up
    used_targets: dict[str, int] = field(default_factory=dict)
    #: False when page numbers in the part's content may be wrong (an unknown start or a guessed
    #: anchor): then the PDF is only good for learning the part's page count and anchors
    sound: bool = True
    warnings: list[str] = field(default_factory=list)


class _PartTargets(TargetCollector):
    """A TargetCollector that knows the pages of anchors laid out in other parts."""

    def __init__(self, targets: dict[str, int], guess: int | None) -> None:
        super().__init__()
        self.external = targets
        self.guess = guess
        self.looked_up: list[str] = []
        self.guessed = False

    def lookup_target(self, anchor_token: Any, source_box: Any, css_token: str, parse_again: Callable[..., Any]) -> Any:
        name = _anchor_name(anchor_token, source_box)
        if name is not None and name not in self.looked_up:
            self.looked_up.append(name)
        # All of the part's own anchors were collected with the styles, before any lookup.
        if name is not None and name not in self.target_lookup_items:
            page = self.external.get(name, self.guess)
            if page is not None:
                self.guessed = self.guessed or name not in self.external
                item = TargetLookupItem("up-to-date")
                item.target_box = SimpleNamespace(cached_counter_values={"page": [page]}, extract_text=lambda *_: "")
                return item
        return super().lookup_target(anchor_token, source_box, css_token, parse_again)


def _anchor_name(anchor_token: Any, source_box: Any) -> str | None:
    """The anchor a target-*() token names, resolved as WeasyPrint's lookup_target does."""
    if anchor_token[0] == "attr()":
        attr_name, type_, fallback = anchor_token[1]
        value = source_box.element.get(attr_name, fallback)
        anchor_token = ("string", value) if type_ == "string" else ("url", get_url_tuple(value, source_box.style.base_url))
    return anchor_name_from_token(anchor_token)


@dataclass
class _State:
    job: PartJob
    await_start: Callable[[int, int], int]
    collector: _PartTargets | None = None
    shift: int | None = None


@contextmanager
def _hooks(state: _State) -> Iterator[None]:
    """Replace WeasyPrint's pagination entry points for the duration of one part."""
    originals = (
        weasyprint.document.TargetCollector,
        weasyprint.layout.initialize_page_maker,
        weasyprint.layout.page.PageType,
        weasyprint.layout.make_margin_boxes,
    )
    collector_class, initialize, page_type, margin_boxes = originals
    job = state.job
    index_offset = (job.start - 1) if job.start is not None else min(job.index, 1)

    def new_collector() -> _PartTargets:
        state.collector = _PartTargets(job.targets, job.guess)
        return state.collector

    def initialize_page_maker(context: Any, root_box: Any) -> None:
        initialize(context, root_box)
        if job.start is not None:
            page_state = context.page_maker[0][3]
            page_state[1]["page"] = [job.start - 1]
            page_state[2][-1].add("page")

    def make_page_type(side: str, blank: bool, name: str, index: int, groups: tuple) -> Any:
        return page_type(side, blank, name, index + index_offset, groups)

    def make_margin_boxes(context: Any, page: Any, page_state: Any) -> Any:
        if state.shift is None:
            pages = len(context.page_maker) - 1
            state.shift = 0 if job.start is not None else state.await_start(job.index, pages) - 1
        if state.shift:
            counters = {**page_state[1], "page": [value + state.shift for value in page_state[1].get("page", [0])]}
            page_state = (page_state[0], counters, *page_state[2:])
        return margin_boxes(context, page, page_state)

    weasyprint.document.TargetCollector = new_collector
    weasyprint.layout.initialize_page_maker = initialize_page_maker
    weasyprint.layout.page.PageType = make_page_type
    weasyprint.layout.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        (
            weasyprint.document.TargetCollector,
            weasyprint.layout.initialize_page_maker,
            weasyprint.layout.page.PageType,
            weasyprint.layout.make_margin_boxes,
        ) = originals


def lay_out(job: PartJob, make_html: Callable[[str], Any], write: Callable[[Any], bytes],
            await_start: Callable[[int, int], int]) -> PartResult:
    """Lay the part out; ``await_start(index, pages)`` publishes its page count and returns its start."""
    state = _State(job, await_start)
    collector = _Warnings()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addHandler(collector)
    try:
        with _hooks(state):
            rendering = make_html(job.html).render()
        if state.shift is None:  # no page at all: nothing was awaited
            state.shift = 0 if job.start is not None else await_start(job.index, 0) - 1
        meta = _meta(rendering, state)
        _keep_links_to_other_parts(rendering, set(meta.anchors))
        data = write(rendering)
    finally:
        weasy_log.removeHandler(collector)
    start = job.start if job.start is not None else state.shift + 1
    used = {name: job.targets[name] for name in meta.lookups if name in job.targets and name not in meta.anchors}
    guessed = state.collector is not None and state.collector.guessed
    own_lookups = any(name in meta.anchors for name in meta.lookups)
    sound = not guessed and (job.start is not None or not own_lookups)
    return PartResult(job.index, start, data, meta, used, sound, collector.messages)


def _meta(rendering: Any, state: _State) -> PartMeta:
    anchors: dict[str, int] = {}
    bookmarks: list[tuple[int, str, str]] = []
    for number, page in enumerate(rendering.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
        bookmarks.extend((level, label, status) for level, label, _, status in page.bookmarks)
    looked_up = state.collector.looked_up if state.collector is not None else []
    return PartMeta(len(rendering.pages), anchors, bookmarks, list(looked_up))


def _keep_links_to_other_parts(rendering: Any, anchors: set[str]) -> None:
    """Internal links to another part's anchors become planpress-part: URIs, not dropped links."""
    for page in rendering.pages:
        page.links = [
            ("external", PART_LINK + target, rectangle, box) if kind == "internal" and target not in anchors
            else (kind, target, rectangle, box)
            for kind, target, rectangle, box in page.links
        ]


class _Warnings(logging.Handler):
    """WeasyPrint's warnings from a worker, to be shown by the main process."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
