"""Lay out a batch of a document's parts with WeasyPrint as pages ``start``… of the whole document.

A *part* is one section of the document (render/pdf/parts.py); a *batch* is consecutive parts laid
out in one WeasyPrint pass.

WeasyPrint 70 is pinned; four of its module attributes (render/pdf/_weasy_internals.py, which
holds every use of WeasyPrint's internals) are replaced while a batch is laid out,
so that its pages look exactly as they do in a single-pass render of the whole:

- ``initialize_page_maker``: the page counter starts at ``start - 1`` when the start is known;
- ``PageType``: page indexes are global, so ``@page :first`` matches only the document's first page;
- ``make_margin_boxes``: when the start is not known yet (a cold parallel build), the batch's page
  count is published once pagination ends, the start is awaited, and the page numbers in the
  margin boxes are shifted by it;
- ``TargetCollector``: ``target-counter()`` to an anchor in another batch reads the page number
  given in ``targets``; every anchor looked up is recorded, so the caller can lay the part out
  again once all page numbers are final.

Links to anchors in other batches are kept as ``planpress-part:NAME`` URIs; the merge turns them
into named destinations. Layouts that depend on page parity or on the total page count are not
laid out in parts at all (see ``parts.single_pass_reason``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from planpress.render.pdf.cache import PartMeta
from planpress.render.pdf.jobs import BatchJob, BatchResult, NotSplittable, SectionResult
from planpress.render.pdf.canonical import joined
from planpress.render.pdf._weasy_internals import (PAGINATION_HOOKS, TargetCollector, TargetLookupItem, anchor_name_from_token,
                                               get_url_tuple, page_box)
from planpress.render.pdf.merge import PART_LINK
from planpress.render.pdf.weasy import weasyprint_warnings


class _PartTargets(TargetCollector):
    """A TargetCollector that knows the pages of anchors laid out in other batches.

    It records, per section of the batch, which anchors target-*() looked up and whether
    a guessed page number was shown.
    """

    def __init__(self, targets: dict[str, int], guess: int | None, sections: dict[Any, int]) -> None:
        super().__init__()
        self.external = targets
        self.guess = guess
        self.sections = sections
        self.looked_up: dict[int, list[str]] = {}
        self.guessed: set[int] = set()

    def lookup_target(self, anchor_token: Any, source_box: Any, css_token: str, parse_again: Callable[..., Any]) -> Any:
        name = _anchor_name(anchor_token, source_box)
        section = self.sections.get(source_box.element, -1)
        if name is not None and name not in self.looked_up.setdefault(section, []):
            self.looked_up[section].append(name)
        # All of the batch's own anchors were collected with the styles, before any lookup.
        if name is not None and name not in self.target_lookup_items:
            page = self.external.get(name, self.guess)
            if page is not None:
                if name not in self.external:
                    self.guessed.add(section)
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
    job: BatchJob
    await_start: Callable[[int, int, int], int]
    sections: dict[Any, int]
    collector: _PartTargets | None = None
    shift: int | None = None


#: The WeasyPrint attributes replaced while a batch is laid out: (module, attribute name).
_HOOKED = PAGINATION_HOOKS


class _Hooks:
    """The replacements, each calling WeasyPrint's original."""

    def __init__(self, state: _State) -> None:
        self.state = state
        _, self.initialize, self.page_type, self.margin_boxes = (getattr(module, name) for module, name in _HOOKED)
        job = state.job
        self.index_offset = (job.start - 1) if job.start is not None else min(job.first, 1)

    def new_collector(self) -> _PartTargets:
        job = self.state.job
        self.state.collector = _PartTargets(job.targets, job.guess, self.state.sections)
        return self.state.collector

    def initialize_page_maker(self, context: Any, root_box: Any) -> None:
        self.initialize(context, root_box)
        if self.state.job.start is not None:
            page_state = context.page_maker[0][3]
            page_state[1]["page"] = [self.state.job.start - 1]
            page_state[2][-1].add("page")

    def make_page_type(self, side: str, blank: bool, name: str, index: int, groups: tuple) -> Any:
        return self.page_type(side, blank, name, index + self.index_offset, groups)

    def make_margin_boxes(self, context: Any, page: Any, page_state: Any) -> Any:
        state, job = self.state, self.state.job
        if state.shift is None:  # pagination is over: the first margin boxes are being made
            pages = len(context.page_maker) - 1
            state.shift = 0 if job.start is not None else state.await_start(job.first, job.count, pages) - 1
        if state.shift:
            counters = {**page_state[1], "page": [value + state.shift for value in page_state[1].get("page", [0])]}
            page_state = (page_state[0], counters, *page_state[2:])
        return self.margin_boxes(context, page, page_state)


@contextmanager
def _hooks(state: _State) -> Iterator[None]:
    """Replace WeasyPrint's pagination entry points for the duration of one batch."""
    originals = [getattr(module, name) for module, name in _HOOKED]
    hooks = _Hooks(state)
    replacements = (hooks.new_collector, hooks.initialize_page_maker, hooks.make_page_type, hooks.make_margin_boxes)
    for (module, name), replacement in zip(_HOOKED, replacements):
        setattr(module, name, replacement)
    try:
        yield
    finally:
        for (module, name), original in zip(_HOOKED, originals):
            setattr(module, name, original)


def lay_out(job: BatchJob, make_html: Callable[[str], Any], write: Callable[[Any, int], tuple[bytes, list[Any]]],
            await_start: Callable[[int, int, int], int], font_config: Any = None,
            options: dict[str, Any] | None = None) -> BatchResult:
    """Lay the batch out; ``await_start(first, count, pages)`` publishes its page count, returns its start;
    ``write(rendering, start)`` makes its PDF (``start``: its first page's number in the document)
    and says what each page draws (canonical.canonical).

    ``font_config``, reused from batch to batch in a worker, keeps the fonts loaded; ``options`` are
    WeasyPrint's rendering options, as the single pass gives them.
    """
    page = make_html(job.html)
    state = _State(job, await_start, _section_of_elements(page.etree_element, job.count))
    with weasyprint_warnings() as warnings:
        with _hooks(state):
            rendering = page.render(font_config=font_config, **(options or {}))
        if state.shift is None:  # no page at all: nothing was awaited
            state.shift = 0 if job.start is not None else await_start(job.first, job.count, 0) - 1
        owners = _page_owners(rendering, state.sections, job.count)
        _keep_links_to_other_parts(rendering)
        start = job.start if job.start is not None else state.shift + 1
        data, drawn = write(rendering, start)
    return BatchResult(job.first, start, data, _split(rendering, owners, state, start, drawn), warnings)


def _section_of_elements(root: Any, count: int) -> dict[Any, int]:
    """Every element of the page → the index (in the batch) of the <body> child holding it."""
    body = root.find("body")
    children = list(body) if body is not None else []
    if len(children) != count:
        raise NotSplittable(f"<body> has {len(children)} children for {count} sections")
    return {element: index for index, child in enumerate(children) for element in child.iter()}


def _page_owners(rendering: Any, sections: dict[Any, int], count: int) -> list[int]:
    """The section each page shows; a page showing two sections cannot be split."""
    owners: list[int] = []
    for page in rendering.pages:
        html_box = page_box(page).children[0]
        found = {sections[box.element] for body in html_box.children for box in body.children if box.element in sections}
        if len(found) > 1:
            raise NotSplittable(f"page {len(owners) + 1} shows sections {sorted(found)}")
        owners.append(found.pop() if found else (owners[-1] if owners else 0))
    if owners != sorted(owners) or len(set(owners)) != count:
        raise NotSplittable("a section has no page of its own")
    return owners


def _split(rendering: Any, owners: list[int], state: _State, start: int, drawn: list[Any]) -> list[SectionResult]:
    """One result per section: its pages, anchors, bookmarks and lookups."""
    job, collector = state.job, state.collector
    anchors = {name: number for number, page in reversed(list(enumerate(rendering.pages))) for name in page.anchors}
    results = []
    for section in range(job.count):
        pages = [number for number, owner in enumerate(owners) if owner == section]
        first = pages[0]
        own = {name: number - first for name, number in anchors.items() if owners[number] == section}
        bookmarks = [(level, label, status) for number in pages for level, label, _, status in rendering.pages[number].bookmarks]
        lookups = collector.looked_up.get(section, []) if collector is not None else []
        used = {name: job.targets[name] for name in lookups if name in job.targets and name not in anchors}
        used.update({name: start + anchors[name] for name in lookups if name in anchors and name not in own})
        guessed = collector is not None and section in collector.guessed
        sound = not guessed and (job.start is not None or not any(name in anchors for name in lookups))
        results.append(SectionResult(PartMeta(len(pages), own, bookmarks, list(lookups)), first, used, sound,
                                     joined([drawn[number] for number in pages])))
    return results


def _keep_links_to_other_parts(rendering: Any) -> None:
    """Internal links to anchors outside the batch become planpress-part: URIs, not dropped links."""
    anchors = {name for page in rendering.pages for name in page.anchors}
    for page in rendering.pages:
        page.links = [
            ("external", PART_LINK + target, rectangle, box) if kind == "internal" and target not in anchors
            else (kind, target, rectangle, box)
            for kind, target, rectangle, box in page.links
        ]
