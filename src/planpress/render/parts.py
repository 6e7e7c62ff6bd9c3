"""Parallel, incremental PDF: each section laid out as a part in a worker process, then merged.

A part is one section of the document rendered through the same templates. Parts whose
content key, first page number and looked-up anchor pages are in the cache are not laid out
again. On a cold build every part is laid out at once: a worker publishes its page count as
soon as its pagination ends and waits for the pages of the parts before it only to number its
own pages. A part whose layout looked up anchors (a table of contents) is laid out again once
every page number is final. The merge (``render/merge.py``) joins the parts into one PDF a
reader cannot tell from a single-pass render.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Any

from planpress.cache import PartCache, PartMeta, content_key, environment_key, variant_key
from planpress.document import Document
from planpress.errors import PlanpressError
from planpress.render import html
from planpress.source import Project

log = logging.getLogger(__name__)

#: Layout features whose result depends on the page's parity or on the total page count: a part
#: cannot know them before the parts ahead of it are laid out, so such layouts build in one pass.
_PARITY_OR_TOTAL = re.compile(
    r"counter\(\s*pages\b|@page\s*[^{]*:(left|right|recto|verso|blank|nth)\b"
    r"|break-(before|after)\s*:\s*(left|right|recto|verso)|page-break-(before|after)\s*:\s*(left|right)",
    re.IGNORECASE,
)
#: How often one part may be laid out in one build before the page numbers are declared unstable.
MAX_LAYOUTS_PER_PART = 3
#: Last build of each document: which parts were laid out (for the command's report and tests).
LAST_BUILDS: dict[str, PartsBuild] = {}


@dataclass
class PartsBuild:
    """What one parallel build did."""

    parts: int
    laid_out: list[int] = field(default_factory=list)
    layouts: int = 0
    cached_merge: bool = False


@dataclass(eq=False)
class _Part:
    index: int
    html: str
    key: str
    meta: PartMeta | None
    variant: str | None = None
    layouts: int = 0


def single_pass_reason(source: str) -> str | None:
    """Why this HTML must be laid out in one pass, or None if parts give the same pages."""
    found = _PARITY_OR_TOTAL.search(source)
    return f"ページの左右・総ページ数に依存するレイアウト（{found.group(0)}）" if found else None


def split(document: Document) -> list[Document]:
    """One document per section, each with the whole document's metadata."""
    return [replace(document, sections=(section,)) for section in document.sections]


def workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def render(document: Document, project: Project) -> bytes:
    """The document's PDF: from parts when they give the same pages, else in one pass."""
    sources = [html.render(part, project) for part in split(document)]
    reason = single_pass_reason(sources[0]) if sources else "節がありません"
    if reason is not None:
        log.info("%s: 一括で組版します（%s）", document.name, reason)
        from planpress.render import pdf

        return pdf.render(document, project)
    cache = PartCache(project)
    environment = environment_key(project)
    parts = [_Part(i, source, content_key(environment, source, first=i == 0), None) for i, source in enumerate(sources)]
    for part in parts:
        part.meta = cache.meta(part.key)
    report = PartsBuild(len(parts))
    _Planner(document, project, cache, parts, report).run()
    from planpress.render import merge

    assert all(p.variant is not None and p.meta is not None for p in parts), "a part was left without its PDF"
    data, report.cached_merge = merge.merged(document, cache, [(p.key, p.variant, p.meta) for p in parts])  # type: ignore[misc]
    LAST_BUILDS[document.name] = report
    log.info("%s: %d 部分のうち %d 部分を組版しました", document.name, len(parts), len(report.laid_out))
    return data


class _Planner:
    """Decides which parts to lay out, runs them, and stops when every part has its right PDF."""

    def __init__(self, document: Document, project: Project, cache: PartCache, parts: list[_Part], report: PartsBuild) -> None:
        self.document, self.project, self.cache, self.parts, self.report = document, project, cache, parts, report
        self.pending: dict[Future[Any], _Part] = {}
        self.executor: ProcessPoolExecutor | None = None
        self.schedule: _Schedule | None = None

    def run(self) -> None:
        try:
            while True:
                self._resolve_and_submit()
                if not self.pending:
                    break
                done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
                for future in done:
                    self._finish(self.pending.pop(future), future.result())
        finally:
            if self.schedule is not None:
                self.schedule.abort()
            if self.executor is not None:
                self.executor.shutdown(wait=True, cancel_futures=True)

    def _starts(self) -> list[int | None]:
        """Each part's first page number, as far as the page counts ahead of it are known."""
        starts: list[int | None] = []
        page: int | None = 1
        for part in self.parts:
            starts.append(page)
            page = page + part.meta.pages if page is not None and part.meta is not None else None
        return starts

    def _anchor_pages(self, starts: list[int | None]) -> dict[str, int]:
        """Page numbers of every anchor whose part's start is known (the first of a name wins)."""
        known: dict[str, int] = {}
        for part, start in zip(self.parts, starts):
            if part.meta is not None and start is not None:
                for name, index in part.meta.anchors.items():
                    known.setdefault(name, start + index)
        return known

    def _resolve_and_submit(self) -> None:
        """Give every idle part its cached PDF if the cache has the right one; lay out the rest."""
        starts = self._starts()
        anchors = self._anchor_pages(starts)
        settled = None not in starts and not self.pending
        busy = set(self.pending.values())
        for part, start in zip(self.parts, starts):
            if part in busy:
                continue
            part.variant = None
            if part.meta is None:
                self._submit(part, start, anchors, guess=self._guess())
                continue
            external = [name for name in part.meta.lookups if name not in part.meta.anchors]
            if start is None or (external and not settled):
                continue  # decided once the page counts ahead of it (or everywhere) are final
            targets = {name: anchors[name] for name in external if name in anchors}
            variant = variant_key(part.key, start, targets)
            if self.cache.has_pdf(variant):
                part.variant = variant
            else:
                self._submit(part, start, anchors)

    def _guess(self) -> int:
        """A page number of the likely width for anchors not laid out yet (replaced later)."""
        estimate = sum(p.meta.pages if p.meta else 2 for p in self.parts)
        return 10 ** (len(str(estimate)) - 1)

    def _submit(self, part: _Part, start: int | None, targets: dict[str, int], *, guess: int | None = None) -> None:
        part.layouts += 1
        if part.layouts > MAX_LAYOUTS_PER_PART:
            raise PlanpressError(f"{self.document.name}: 部分{part.index + 1}のページ数が定まりません（目次の桁数などで変わり続けます）")
        if self.executor is None:
            self._start_pool()
        assert self.executor is not None and self.schedule is not None
        for other in self.parts:  # page counts known so far, for workers that wait for their start
            if other.meta is not None and other not in self.pending.values():
                self.schedule.publish(other.index, other.meta.pages)
        from planpress.render.part_layout import PartJob

        job = PartJob(part.index, part.html, start, dict(targets), guess)
        self.pending[self.executor.submit(_work, job)] = part
        self.report.layouts += 1
        if part.index not in self.report.laid_out:
            self.report.laid_out.append(part.index)

    def _start_pool(self) -> None:
        import planpress.render.part_layout  # noqa: F401 - imported once here, inherited by the forked workers

        context = multiprocessing.get_context("fork")
        self.schedule = _Schedule(context, len(self.parts))
        count = min(workers(), len(self.parts))
        self.executor = ProcessPoolExecutor(count, mp_context=context, initializer=_init_worker,
                                            initargs=(self.schedule, self.project, self.document))

    def _finish(self, part: _Part, result: Any) -> None:
        for message in dict.fromkeys(result.warnings):
            log.warning("WeasyPrint: %s", message)
        part.meta = result.meta
        self.cache.store_meta(part.key, result.meta)
        if result.sound:
            self.cache.store_pdf(variant_key(part.key, result.start, result.used_targets), result.pdf)
        assert self.schedule is not None
        self.schedule.publish(part.index, result.meta.pages)


class _Schedule:
    """Page counts of the parts, shared with the workers: -1 while unknown."""

    def __init__(self, context: Any, count: int) -> None:
        self.pages = context.Array("i", [-1] * count, lock=False)
        self.aborted = context.Value("b", 0, lock=False)
        self.condition = context.Condition()

    def publish(self, index: int, pages: int) -> None:
        with self.condition:
            self.pages[index] = pages
            self.condition.notify_all()

    def abort(self) -> None:
        with self.condition:
            self.aborted.value = 1
            self.condition.notify_all()

    def await_start(self, index: int, pages: int) -> int:
        """Publish this part's page count; return its start once every part ahead is counted."""
        self.publish(index, pages)
        with self.condition:
            while any(self.pages[i] < 0 for i in range(index)):
                if self.aborted.value:
                    raise RuntimeError("build aborted")
                self.condition.wait(timeout=1.0)
            return 1 + sum(self.pages[i] for i in range(index))


_WORKER: dict[str, Any] = {}


def _init_worker(schedule: _Schedule, project: Project, document: Document) -> None:
    _WORKER.update(schedule=schedule, project=project, document=document)


def _work(job: Any) -> Any:
    from planpress.render import pdf
    from planpress.render.part_layout import lay_out

    project, document, schedule = _WORKER["project"], _WORKER["document"], _WORKER["schedule"]
    options = pdf.write_options(document)
    return lay_out(job, lambda source: pdf.weasy_html(source, project), lambda r: r.write_pdf(**options), schedule.await_start)
