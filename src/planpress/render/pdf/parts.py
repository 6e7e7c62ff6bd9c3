"""Parallel, incremental PDF: sections laid out in batches by worker processes, then merged.

Words: a *part* is one section of the document, laid out and cached on its own (``_Part``,
cache.PartMeta, merge.MergePart); a *batch* is consecutive parts laid out in one WeasyPrint pass
(jobs.BatchJob, BatchResult) whose PDF the cache keeps as ``batch-*.pdf`` until the merge, after which
each section's pages are read from the merged PDF (merge._rebase).

Each section of the document is cached on its own: its *content key* (its HTML through the
same templates, the layouts, fonts and versions) names what its layout found out (page count,
anchors, bookmarks, anchors it looked up), and its *variant* (content key, first page number,
page numbers of the anchors it looked up) names its pages in a batch PDF. A section's pages are
the same in any batch (render/pdf/canonical.py gives each page its own resources, the merge keeps
only the glyphs the pages draw), so a build lays out only the sections that have no right
variant, and still gives the bytes of a cold build. A cold build's batches follow the content
(``batch_numbers``); an edit's sections are laid out in runs of consecutive ones.

On a cold build every batch starts at once: a worker publishes its page count as soon as its
pagination ends and waits for the page counts ahead of it only to number its pages. A section
that looked up anchors (a table of contents) is laid out again once every page number is
final. ``render/pdf/merge.py`` joins the sections into one PDF a reader cannot tell from a
single-pass render; layouts for which that cannot hold are rendered in one pass.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planpress.document import Document
from planpress.errors import ContentError, PlanpressError, Problem
from planpress.render import html
from planpress.render.builds import LAST_BUILDS, PartsBuild
from planpress.render.pdf import _weasy_internals, pool
from planpress.render.pdf.pool import PageInputs
from planpress.render.pdf.sources import SectionSource, section_sources, weight
from planpress.render.pdf.cache import (PageRange, PartCache, PartMeta, ScratchCache, batch_name, content_key, environment_key,
                                        pdf_dates, variant_key)
from planpress.project import Project

if TYPE_CHECKING:
    from planpress.render.pdf import merge

log = logging.getLogger(__name__)

#: Layout features that make a section's pages depend on what comes before it beyond its first
#: page number (page parity, the total page count, CSS counters running across sections).
_NOT_LOCAL = re.compile(
    r"counter\(\s*pages\b|@page\s*[^{]*:(left|right|recto|verso|blank|nth)\b"
    r"|break-(before|after)\s*:\s*(left|right|recto|verso)|page-break-(before|after)\s*:\s*(left|right)"
    r"|counter-(reset|increment|set)\s*:\s*(?!none\b|page\b)[-\w]+",
    re.IGNORECASE,
)
#: Batch sizes in characters of section HTML (about 1,900 a booklet page): large enough that
#: WeasyPrint's fixed cost per pass (styles, fonts, subsetting) stays small, small enough that a
#: worker holds a bounded number of pages in memory (about 50).
MIN_BATCH_CHARS = 12_000
MAX_BATCH_CHARS = 100_000
#: A batch's share of a large document: about 24 pages, what a worker holds at a time; more
#: batches cost WeasyPrint's fixed cost each (a cold ×16 booklet: 9% less CPU than at 24,000).
MAX_TARGET_CHARS = 48_000
#: Batches a cold build makes of a small document: work for up to SPREAD cores.
SPREAD = 8
#: Of the sections that could end a batch, about one in CUT does (which one, its content decides).
CUT = 2
#: How often one section may be laid out in one build before its page numbers are declared unstable.
MAX_LAYOUTS = 3
#: The workers a build made for its documents' PDFs, by document name (``shared_workers``).
_SHARED: dict[str, pool.Workers] = {}
_SHARED_LOCK = threading.Lock()
#: Workers forked while the build reads its content (``early_workers``), before its documents
#: are known: room on their board for this many sections and documents.
EARLY_ROOM = (1 << 16, 64)
_EARLY: list[pool.Workers] = []


@dataclass(eq=False)
class _Part:
    index: int
    section: Document
    size: int
    key: str
    #: the batch it is laid out in (every time: the same content makes the same batches)
    batch: int
    meta: PartMeta | None
    variant: str | None = None
    pages: PageRange | None = None
    layouts: int = 0


def single_pass_reason(source: str) -> str | None:
    """Why this HTML must be laid out in one pass, or None if sections lay out on their own."""
    unsupported = _weasy_internals.unsupported()
    if unsupported is not None:  # the pagination hooks are written for one WeasyPrint version
        return unsupported
    found = _NOT_LOCAL.search(source)
    return f"前後の節に依存するレイアウト（{found.group(0)}）" if found else None


def split(document: Document) -> list[Document]:
    """One document per section, each with the whole document's metadata."""
    return [replace(document, sections=(section,)) for section in document.sections]


def workers() -> int:
    """Worker processes: PLANPRESS_JOBS if set, else the usable cores."""
    jobs = os.environ.get("PLANPRESS_JOBS", "")
    if jobs.isdigit() and int(jobs) > 0:
        return int(jobs)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextmanager
def early_workers() -> Iterator[Callable[[], None]]:
    """Gives ``start``, which forks the build's workers at once, before its documents are known.

    A build calls it when it reads its content anew (after an edit): the one import of WeasyPrint
    the workers share (forked.py) then runs on the core the reading leaves idle, not beside the
    planning of the batches. The block's ``shared_workers`` takes them; those it does not take
    end on leaving, killed (nothing to lay out: they would otherwise be waited for until their
    import ends).
    """
    def start() -> None:
        if not _EARLY:
            _EARLY.append(pool.Workers(*EARLY_ROOM, workers()))

    try:
        yield start
    finally:
        while _EARLY:
            made = _EARLY.pop()
            made.stop()
            made.close()


def _taken_early(sections: int, documents: int) -> pool.Workers | None:
    """The workers ``early_workers`` forked, if their board has room for these documents."""
    if not _EARLY:
        return None
    made = _EARLY.pop()
    if sections <= EARLY_ROOM[0] and documents <= EARLY_ROOM[1]:
        return made
    made.stop()
    made.close()
    return None


@contextmanager
def shared_workers(documents: Sequence[Document]) -> Iterator[None]:
    """One set of workers for the PDFs of these documents, forked now (before the caller starts
    threads), or earlier by ``early_workers``, and ended on leaving; a render of another
    document makes its own. The documents are rendered side by side, each on a thread of its own
    (build, check): one after another, a document waits for those the workers take first
    (Workers.await_turn) up to pool.TURN_WAIT seconds."""
    if not documents:
        yield
        return
    sections = sum(len(document.sections) for document in documents)
    # The largest document first (its merge ends the build): see Workers.await_turn.
    order = [document.name for document in sorted(documents, key=lambda document: -len(document.sections))]
    made = _taken_early(sections, len(documents))
    if made is None:
        made = pool.Workers(sections, len(documents), min(workers(), sections), order)
    else:
        made.take_turns(order)
    with _SHARED_LOCK:
        _SHARED.update({document.name: made for document in documents})
    try:
        yield
    except BaseException:
        made.stop()  # Ctrl-C or a failure: the batch or merge under way is not waited for
        raise
    finally:
        with _SHARED_LOCK:  # the documents not laid out (an error, Ctrl-C): their workers end here
            for document in documents:
                _SHARED.pop(document.name, None)
        made.close()  # if _release has not already


def _release(name: str) -> None:
    """A document of the build is laid out and merged: once none is left, its workers end (they
    would otherwise hold their memory through the Word files)."""
    with _SHARED_LOCK:
        made = _SHARED.pop(name, None)
        last = made is not None and not any(other is made for other in _SHARED.values())
    if made is not None:
        made.planned(name)
    if last:
        made.close()


def _planned(name: str) -> None:
    """The document will submit no first batches (any more): the documents after it may start theirs."""
    with _SHARED_LOCK:
        made = _SHARED.get(name)
    if made is not None:
        made.planned(name)


def render(document: Document, project: Project, *, profile: str = "web", scratch: Path | None = None,
           one_pass: bool = False) -> bytes:
    """The document's PDF in the output ``profile``: from cached and parallel-laid-out sections,
    or in one pass. With ``scratch`` (a folder the caller removes: ``planpress check``) the
    project's section cache is only read, and what is laid out anew goes there. ``one_pass``:
    one WeasyPrint pass without sections or cache (what the merged PDF is compared with)."""
    try:
        return _render(document, project, profile=profile, scratch=scratch, one_pass=one_pass)
    finally:
        _planned(document.name)  # in every case: a document after it in the build's turns waits no more


def _render(document: Document, project: Project, *, profile: str, scratch: Path | None, one_pass: bool) -> bytes:
    cache = PartCache(project) if scratch is None else ScratchCache(project, scratch)
    inputs = PageInputs(profile, project.build_date())
    if one_pass:
        from planpress.render.pdf import weasy

        return weasy.render(document, project, profile=profile, date=inputs.date)
    sections = split(document)
    sources = section_sources(document, sections, project, inputs.profile, inputs.date, keep=scratch is None)
    reason = single_pass_reason(sources[0].html) if sources else "節がありません"
    if reason is None:
        try:
            return _render_parts(document, project, sections, sources, inputs, cache)
        except _NotSplittable as error:
            reason = f"節が新しいページから始まりません（{error}）"
        except BrokenProcessPool:  # a worker killed from outside: by the system when memory ran out, mostly
            raise PlanpressError(f"{document.name}: PDF を組版するプロセスが途中で終了しました（メモリ不足などで"
                                 "システムに止められた可能性があります）。output/ のファイルはどれも前のままです。"
                                 "もう一度実行してください") from None
    if _weasy_internals.unsupported() is not None:  # slower, and not what the layouts were made for: say so
        log.warning("%s: 節ごとの並列組版をせず一括で組版します（%s）", document.name, reason)
    else:
        log.info("%s: 一括で組版します（%s）", document.name, reason)
    LAST_BUILDS[document.name] = PartsBuild(len(sections), single_pass=reason)
    from planpress.render.pdf import weasy

    return weasy.render(document, project, profile=profile, date=inputs.date)


def _render_parts(document: Document, project: Project, sections: list[Document], sources: list[SectionSource],
                  inputs: PageInputs, cache: PartCache) -> bytes:
    environment = environment_key(project, profile=inputs.profile)
    empty = weight(inputs.html(replace(document, sections=()), project))
    files: dict[str, str] = {}  # each file a section names, read once
    keys = [content_key(environment, source, first=index == 0, files=files) for index, source in enumerate(sources)]
    sizes = [source.weight - empty for source in sources]
    batches = batch_numbers(keys, sizes, [source.links_out for source in sources])
    parts = [_Part(index, section, sizes[index], keys[index], batches[index], cache.meta(keys[index]))
             for index, section in enumerate(sections)]
    report = PartsBuild(len(parts), batch_of=batches)
    planner = _Planner(document, project, cache, parts, report, inputs)
    try:
        planner.run()
        data, report.cached_merge = _merged(planner, pdf_dates(inputs.date))
        cache.store_counts(document.name, [part.meta.pages for part in parts if part.meta is not None])
    finally:
        planner.close()  # merged: the workers may end (their memory with them)
    LAST_BUILDS[document.name] = report
    log.info("%s: %d 節のうち %d 節を組版しました", document.name, len(parts), len(report.laid_out))
    return data


def _merged(planner: _Planner, dates: dict[str, str]) -> tuple[bytes, bool]:
    """The merged PDF of the planner's sections; a batch of the cache that cannot be read (damaged
    outside planpress) is deleted and its sections laid out again, once."""
    from planpress.render.pdf import merge

    for attempt in range(2):
        merging = [merge.MergePart(p.key, p.variant, p.meta, p.pages) for p in planner.parts]  # type: ignore[arg-type]
        try:
            return merge.merged(planner.document, planner.cache, merging, dates, planner.merger())
        except merge.DamagedBatch as error:
            if attempt:
                raise PlanpressError(f"{planner.project.display(planner.cache.root)}: 組版結果の一時ファイルが読めません"
                                     "（planpress clean で削除してから、もう一度実行してください）") from None
            log.info("%s: 読めない一時ファイルの節を組版し直します", planner.document.name)
            planner.forget(error.batches)
            planner.run()
    raise AssertionError("unreachable")


class _NotSplittable(Exception):
    """Raised in the main process when a worker found two sections on one page."""


class _Planner:
    """Decides which sections to lay out, runs the batches, stops when every section has its pages."""

    def __init__(self, document: Document, project: Project, cache: PartCache, parts: list[_Part], report: PartsBuild,
                 inputs: PageInputs) -> None:
        self.document, self.project, self.cache, self.parts, self.report = document, project, cache, parts, report
        self.inputs = inputs
        self.pending: dict[Future[Any], list[_Part]] = {}
        #: the cache's page ranges by variant, read once a build (it asks after every batch)
        self.ranges: dict[str, PageRange | None] = {}
        self.workers: pool.Workers | None = None  # the build's, or this render's own (``own``)
        self.own = False
        self.schedule: pool.Schedule | None = None
        last = cache.counts(document.name)
        #: each section's page count in the last build, where the sections are as many (``_starts``)
        self.last_counts = last if last is not None and len(last) == len(parts) else None
        #: where the last merge put each section's pages (merge._rebase): read from there
        self.placed = cache.placed(document.name)

    def run(self) -> None:
        problems: list[Problem] = []  # content problems (text overflowing) of every batch, reported together
        first = True
        try:
            while True:
                if not problems:
                    todo = self._resolve()
                    if first and todo and (shared := _SHARED.get(self.document.name)) is not None:
                        shared.await_turn(self.document.name)
                    self._submit(todo)
                    if first:
                        _planned(self.document.name)
                        first = False
                elif self.schedule is not None:
                    # No batch is submitted after a content problem: a batch still waiting for
                    # the page count of one that will never run (the contents) must stop waiting.
                    self.schedule.abort()
                if not self.pending:
                    break
                done, _ = wait(self.pending, return_when=FIRST_COMPLETED)
                for future in done:
                    batch = self.pending.pop(future)
                    error = future.exception()
                    if isinstance(error, ContentError):
                        problems.extend(error.problems)
                    elif not isinstance(error, pool.Aborted):  # the failing batch reports why
                        self._finish(batch, future)
            if problems:
                raise ContentError(problems)
        finally:
            if self.schedule is not None:
                self.schedule.abort()
            for future in self.pending:
                future.cancel()

    def forget(self, batches: list[str]) -> None:
        """Batch PDFs that cannot be read: deleted, and their sections' pages unknown again."""
        for batch in batches:
            self.cache.forget_pdf(batch)
        if self.placed is not None and self.placed.pdf in batches:
            self.placed = None
        self.ranges = {variant: pages for variant, pages in self.ranges.items() if pages is None or pages.batch not in batches}
        if self.schedule is not None:
            self.schedule.resume()

    def merger(self) -> merge.Merger | None:
        """Where the merge runs: in a worker of this document's, if it has any (the build's main
        process makes the Word files meanwhile), else here."""
        workers = self.workers or _SHARED.get(self.document.name)
        return workers.merge if workers is not None else None

    def close(self) -> None:
        """End this render's own workers, or release the build's."""
        if self.own and self.workers is not None:
            self.workers.close()
        _release(self.document.name)

    def _starts(self, last_build: bool = False) -> list[int | None]:
        """Each section's first page number, as far as the page counts ahead of it are known.

        ``last_build``: a section not laid out yet counts the pages it had in the last build.
        """
        starts: list[int | None] = []
        page: int | None = 1
        for part in self.parts:
            starts.append(page)
            count = part.meta.pages if part.meta is not None else None
            if count is None and last_build and self.last_counts is not None:
                count = self.last_counts[part.index]
            page = page + count if page is not None and count is not None else None
        return starts

    def _anchor_pages(self, starts: list[int | None]) -> dict[str, int]:
        """Page numbers of every anchor whose section's start is known (the first of a name wins)."""
        known: dict[str, int] = {}
        for part, start in zip(self.parts, starts):
            if part.meta is not None and start is not None:
                for name, index in part.meta.anchors.items():
                    known.setdefault(name, start + index)
        return known

    def _resolve(self) -> list[tuple[_Part, int | None]]:
        """Give idle sections their cached pages when the cache has the right ones; return the rest."""
        starts = self._starts()
        anchors = self._anchor_pages(starts)
        settled = None not in starts and not self.pending
        busy = {part for batch in self.pending.values() for part in batch}
        todo: list[tuple[_Part, int | None]] = []
        for part, start in zip(self.parts, starts):
            if part in busy:
                continue
            part.variant = part.pages = None
            if part.meta is None:
                todo.append((part, start))
                continue
            external = [name for name in part.meta.lookups if name not in part.meta.anchors]
            if start is None or (external and not settled):
                continue  # decided once the page counts ahead of it (or everywhere) are final
            targets = {name: anchors[name] for name in external if name in anchors}
            variant = variant_key(part.key, start, targets)
            if variant not in self.ranges:
                self.ranges[variant] = self._cached(variant)
            part.pages = self.ranges[variant]
            if part.pages is not None:
                part.variant = variant
            else:
                todo.append((part, start))
        return todo

    def _cached(self, variant: str) -> PageRange | None:
        """A section variant's pages in the last merged PDF, else where its layout put them."""
        if self.placed is not None and variant in self.placed.first:
            found = self.cache.pages_in(variant, self.placed.pdf, self.placed.first[variant])
            if found is not None:
                return found
        return self.cache.pages(variant)

    def _submit(self, todo: list[tuple[_Part, int | None]]) -> None:
        if not todo:
            return
        if self.workers is None:
            self._start_pool()
        assert self.schedule is not None and self.workers is not None
        busy = {part for batch in self.pending.values() for part in batch} | {part for part, _ in todo}
        self.schedule.publish({p.index: p.meta.pages for p in self.parts if p.meta is not None and p not in busy})
        starts = self._starts()
        anchors = self._anchor_pages(starts)
        guess = 10 ** (len(str(sum(p.meta.pages if p.meta else 2 for p in self.parts))) - 1)
        # A section after one laid out now starts where the last build's page counts put it: it
        # does not hold a worker waiting for the count ahead of it (while another document's
        # batches wait for a worker). If the count ahead turns out otherwise, its pages are at
        # another start than the one _resolve looks up, and it is laid out again.
        last_starts = self._starts(last_build=True)
        # The sections to lay out, in runs of consecutive sections of one content-defined batch.
        batches: list[list[_Part]] = []
        for part, _ in todo:
            last = batches[-1][-1] if batches else None
            if last is not None and last.batch == part.batch and last.index + 1 == part.index:
                batches[-1].append(part)
            else:
                batches.append([part])
        for batch in batches:
            start = starts[batch[0].index]
            if start is None and last_starts[batch[0].index] is not None:
                start = last_starts[batch[0].index]
                self.report.guessed.extend(part.index for part in batch)
            self._submit_batch(batch, start, anchors, guess)

    def _submit_batch(self, batch: list[_Part], start: int | None, anchors: dict[str, int], guess: int) -> None:
        from planpress.render.pdf.jobs import BatchJob

        for part in batch:
            part.layouts += 1
            if part.layouts > MAX_LAYOUTS:
                raise PlanpressError(f"{self.document.name}: 「{part.section.sections[0].title}」のページ番号が定まりません")
            if part.index not in self.report.laid_out:
                self.report.laid_out.append(part.index)
        own = {name for part in batch if part.meta for name in part.meta.anchors}
        document = replace(self.document, sections=tuple(part.section.sections[0] for part in batch))
        source = self.inputs.html(document, self.project)
        targets = {name: page for name, page in anchors.items() if name not in own}
        job = BatchJob(batch[0].index, len(batch), source, start, targets, guess if None in self._starts() else None)
        assert self.workers is not None and self.schedule is not None
        context = pool.Context(self.project, replace(self.document, sections=()), self.inputs, self.schedule)
        self.pending[self.workers.submit(job, context)] = batch
        self.report.batches += 1

    def _start_pool(self) -> None:
        """The build's workers (``shared_workers``), or workers of this render's own."""
        self.workers = _SHARED.get(self.document.name)
        if self.workers is None:
            self.workers, self.own = pool.Workers(len(self.parts), 1, min(workers(), len(self.parts))), True
        self.schedule = self.workers.schedule(len(self.parts))

    def _finish(self, batch: list[_Part], future: Future[Any]) -> None:
        from planpress.render.pdf.jobs import NotSplittable

        try:
            result = future.result()
        except NotSplittable as error:
            raise _NotSplittable(str(error)) from None
        for message in dict.fromkeys(result.warnings):
            from planpress.render.pdf import weasy  # imports WeasyPrint: only for a warning

            stylesheets = html.stylesheets(self.document, self.inputs.profile)
            log.warning("%s", weasy.weasyprint_warning(message, self.project, stylesheets))
        stored = False
        name = batch_name(result.pdf)
        for part, section in zip(batch, result.sections):
            part.meta = section.meta
            self.cache.store_meta(part.key, section.meta)
            if section.sound:
                if not stored:
                    self.cache.store_pdf(name, result.pdf)
                    stored = True
                variant = variant_key(part.key, result.start + section.first_page, section.used_targets)
                drawn = {font: sorted(ids) for font, ids in sorted(section.drawn.items())} if section.drawn is not None else None
                self.ranges[variant] = PageRange(name, section.first_page, section.meta.pages, drawn)
                self.cache.store_pages(variant, self.ranges[variant])
        assert self.schedule is not None
        self.schedule.publish({part.index: part.meta.pages for part in batch if part.meta is not None})


def batch_numbers(keys: list[str], sizes: list[int], alone: list[bool]) -> list[int]:
    """Each section's batch: consecutive sections, from the content alone, never from the cache.

    The merged PDF's bytes do not depend on the batches; the cuts follow the content so that a
    build after an edit groups the sections it lays out as a cold build would: once a batch holds
    its share of the document (at least MIN_BATCH_CHARS), it ends after the next section whose
    content key is a multiple of CUT, or at MAX_BATCH_CHARS. A section that looks up page numbers
    elsewhere (the contents) is a batch of its own: it is laid out again once those are final.
    """
    total = sum(sizes)
    share = max(MIN_BATCH_CHARS, total / SPREAD)
    # The share in steps of powers of two, so that an edit that changes the total a little moves no cut.
    target = min(MAX_TARGET_CHARS, 2 ** round(math.log2(share)))
    numbers, batch, size = [], 0, 0
    for index, key in enumerate(keys):
        if index and (alone[index] or alone[index - 1] or size >= MAX_BATCH_CHARS
                      or (size >= target and int(keys[index - 1][:8], 16) % CUT == 0)):
            batch, size = batch + 1, 0
        numbers.append(batch)
        size += sizes[index]
    return numbers
