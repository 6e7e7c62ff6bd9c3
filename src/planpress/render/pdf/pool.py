"""The worker processes of a parallel PDF build (``Workers``): the page counts they share
(``Schedule``), the workers' start (``prepare_workers`` once, ``start_worker`` in each) and the
work of one batch (``work``, in the worker).

One set of workers serves every document of a build (the booklet's batches and the report lay
out side by side); each worker loads WeasyPrint and keeps its fonts loaded from batch to batch.
A document's merge runs in a worker too (``Workers.merge``): the build's main process makes the
Word files meanwhile, with Python's lock to itself.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import signal
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planpress.document import Document
from planpress.errors import ContentError
from planpress.project import Project
from planpress.render import html
from planpress.render.pdf.forked import ForkedPool

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    import pikepdf

    from planpress.render.pdf.cache import Placed
    from planpress.render.pdf.jobs import BatchJob, BatchResult
    from planpress.render.pdf.merge import MergePart


@dataclass(frozen=True)
class PageInputs:
    """What shapes the pages besides the document: the output profile and the document's date.

    The date is data: the HTML head does not name it (html.PageContext.head_dates), so a
    section's HTML, and its key, hold it only where a layout shows it; WeasyPrint gets it in each
    batch (weasy.dated) and the merge writes it (cache.pdf_dates).
    """

    profile: str
    date: float

    def html(self, document: Document, project: Project) -> str:
        return html.render(document, project, profile=self.profile, date=self.date, head_dates=False)


class Aborted(RuntimeError):
    """A worker stopped waiting for its start because another batch failed."""


class _Board:
    """The page counts of every section the workers lay out, in memory shared with them.

    Made before the workers are forked (shared memory crosses to them only by inheritance); each
    document has its own range of it (a ``Schedule``) and its own flag to stop its batches.
    """

    def __init__(self, context: Any, sections: int, documents: int) -> None:
        self.pages = context.Array("i", [-1] * max(sections, 1), lock=False)
        self.aborted = context.Array("b", [0] * max(documents, 1), lock=False)
        self.condition = context.Condition()


class Schedule:
    """One document's page counts on the board: -1 while unknown.

    Pickled into each job as its place on the board; a worker finds the board itself (inherited).
    """

    def __init__(self, board: _Board, offset: int, flag: int) -> None:
        self.board, self.offset, self.flag = board, offset, flag

    def __getstate__(self) -> tuple[int, int]:
        return self.offset, self.flag

    def __setstate__(self, state: tuple[int, int]) -> None:
        self.offset, self.flag = state
        self.board = _STATE["board"]

    def publish(self, pages: dict[int, int]) -> None:
        with self.board.condition:
            for index, count in pages.items():
                self.board.pages[self.offset + index] = count
            self.board.condition.notify_all()

    def resume(self) -> None:
        """Let the document's batches run again after ``abort`` (its sections laid out anew)."""
        with self.board.condition:
            self.board.aborted[self.flag] = 0

    def abort(self) -> None:
        with self.board.condition:
            self.board.aborted[self.flag] = 1
            self.board.condition.notify_all()

    def await_start(self, first: int, count: int, pages: int) -> int:
        """Publish a batch's page count; return its start once every section ahead is counted."""
        self.publish({first: pages, **{index: 0 for index in range(first + 1, first + count)}})
        board, offset = self.board, self.offset
        with board.condition:
            while any(board.pages[offset + i] < 0 for i in range(first)):
                if board.aborted[self.flag]:
                    raise Aborted("another batch failed")
                board.condition.wait(timeout=1.0)
            return 1 + sum(board.pages[offset + i] for i in range(first))


@dataclass(frozen=True)
class Context:
    """What a worker needs besides the batch: the project, the document (its name and metadata,
    without its sections), the page inputs and the document's schedule."""

    project: Project
    document: Document
    inputs: PageInputs
    schedule: Schedule


#: Seconds a document waits at most for the documents ahead of it to plan (``Workers.await_turn``):
#: a bound, so that a document that never plans (a failure before its planner ran) stops no other.
TURN_WAIT = 5.0


class Workers:
    """The worker processes of one build, shared by the documents it lays out.

    They are forked when made, before the build starts threads of its own (the Word files): the
    first imports WeasyPrint and forks the others (forked.py), and each loads its own fonts, while
    the build goes on; ``close`` ends them. The build's own process does not import WeasyPrint for
    them (render/pdf/jobs.py holds what it sends and gets back): imported there before the fork,
    it held up the planning and so every batch (~0.4 s of one core; ×1 build after an edit 3.3 ->
    3.1 s). Each worker importing it on its own cost ~0.3 s of a core per worker (×4 build after
    an edit 3.03 -> 2.91 s with the import made once, and the workers forked while the content is
    read: parts.early_workers).
    """

    def __init__(self, sections: int, documents: int, count: int, order: Sequence[str] = ()) -> None:
        context = multiprocessing.get_context("fork")
        self.board = _Board(context, sections, documents)
        self.room, self.lock = (sections, documents), threading.Lock()
        self.used = (0, 0)
        self.closed = False
        self.turns = threading.Condition()
        self.take_turns(order)
        self.executor = ForkedPool(count, prepare_workers, start_worker, (self.board,))

    def take_turns(self, order: Sequence[str]) -> None:
        """The documents by turn (``await_turn``): made before their documents were known, the
        workers learn them here."""
        with self.turns:
            #: the documents by turn, and those of them whose first batches are not submitted
            self.order, self.planning = list(order), set(order)

    def schedule(self, count: int) -> Schedule:
        """A range of the board for a document of ``count`` sections."""
        with self.lock:
            offset, flag = self.used
            if offset + count > self.room[0] or flag >= self.room[1]:
                raise ValueError("the workers were made for fewer sections")
            self.used = (offset + count, flag + 1)
        return Schedule(self.board, offset, flag)

    def await_turn(self, name: str) -> None:
        """Before a document submits its first batches: wait until every document ahead of it in
        ``order`` has submitted its own (``planned``), or TURN_WAIT seconds at most.

        The build ends with the largest document's merge, so its batches take the workers first
        and a smaller document's batches (the report's) lay out beside that merge, not ahead of
        it. Without the wait the report, planned sooner, takes a worker first: the booklet's
        second changed section then waits for it. The wait only orders the work; the pages are
        the same in any order.
        """
        ahead = set(self.order[:self.order.index(name)]) if name in self.order else set()
        with self.turns:
            self.turns.wait_for(lambda: self.closed or not ahead & self.planning, timeout=TURN_WAIT)

    def planned(self, name: str) -> None:
        """The document submitted its first batches, or will submit none: the documents after it may start."""
        with self.turns:
            self.planning.discard(name)
            self.turns.notify_all()

    def submit(self, job: BatchJob, context: Context) -> Future[BatchResult]:
        return self.executor.submit(work, job, context)

    def merge(self, paths: dict[str, Path], parts: Sequence[MergePart], dates: dict[str, str], last: Placed | None) -> bytes:
        """``merge.merge_files`` run by a worker: the build's main process goes on with the Word
        files meanwhile (a merge holds Python's lock for seconds in a large document)."""
        return self.executor.submit(_merge, paths, parts, dates, last).result()

    def stop(self) -> None:
        """Kill the workers at once (a build stopped or failed): what they lay out or merge is
        thrown away (they write no file: the build stores what they return), the build's threads
        waiting for it fail at once, and ``close`` then waits for nothing."""
        self.executor.kill()

    def close(self) -> None:
        """End the workers: batches not started are cancelled, a batch waiting for its start stops
        (every document's flag is raised: when the build is left, nothing waits for a page count).
        Once closed, closing again does nothing."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
        with self.turns:  # a document waiting for its turn (``await_turn``) goes on, and finds the workers closed
            self.turns.notify_all()
        with self.board.condition:
            for flag in range(len(self.board.aborted)):
                self.board.aborted[flag] = 1
            self.board.condition.notify_all()
        self.executor.shutdown()


#: A worker's own: the board, its loaded fonts.
_STATE: dict[str, Any] = {}


def prepare_workers(board: _Board) -> None:
    """Prepare the build's first worker, before it forks the others: WeasyPrint imported once for
    all of them (forked.py), before the first batch comes."""
    # Ctrl-C, and a SIGTERM or SIGHUP sent to the whole process group (a terminal closed, a service
    # stopped), are the build's to answer, once (cli.main), not each worker's: a worker that died
    # of one would be taken for a worker killed for want of memory. The build ends its workers.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    _STATE["board"] = board
    import planpress.render.pdf.batch  # noqa: F401 - WeasyPrint, imported by the workers themselves (see Workers)

    gc.freeze()  # what every worker holds: see start_worker


def start_worker() -> None:
    """Start one worker (after the fork): its own fonts, loaded once for all its batches."""
    from planpress.render.pdf import weasy

    _STATE["font_config"] = weasy.FontConfiguration()
    # What the worker holds from here on (WeasyPrint's modules, the fonts, what the fork copied)
    # is never searched for cycles again: each collection during a batch looks only at what the
    # batches make. Searched, it cost every batch 10-15% of its time (x4 report after an edit:
    # 1.31 -> 1.05 s, of which the collections 0.19 -> 0.02 s; cold builds the same share).
    gc.freeze()


def _merge(paths: dict[str, Path], parts: Sequence[MergePart], dates: dict[str, str], last: Placed | None) -> bytes:
    """A merge, in the worker. The PDFs it made and read are freed at the worker's next merge or
    end, after its bytes went back to the build: freeing the x16 booklet's objects took 0.2 s."""
    from planpress.render.pdf.merge import merge_files

    _KEPT.clear()  # the last merge's
    return merge_files(paths, parts, dates, last, keep=_KEPT)


#: The PDFs of the worker's last merge (``_merge``); a worker ends without freeing them one by one.
_KEPT: list[pikepdf.Pdf] = []


def work(job: BatchJob, context: Context) -> BatchResult:
    """Lay one batch out and write its PDF; a failure stops the batches waiting for its page count."""
    from planpress.render.pdf import standards, weasy
    from planpress.render.pdf.batch import lay_out
    from planpress.render.pdf.canonical import canonical

    project, document, schedule, inputs = context.project, context.document, context.schedule, context.inputs
    options = weasy.write_options(document, profile=inputs.profile)

    def write(rendering: Any, start: int) -> tuple[bytes, list[Any]]:
        weasy.refuse_overflow(rendering, document, project, first_page=start)  # as the single pass does, before writing
        weasy.dated(rendering, inputs.date)
        standards.prepare(rendering, inputs.profile)
        # Uncompressed: ``canonical`` reads the pages' streams back and saves the batch through
        # QPDF, which compresses each stream once (zlib's default level). WeasyPrint's own
        # compression (level 9, of every stream and of its object streams) was undone there and
        # done again (x4 after an edit, by hand: a four-page section's batch 0.78-0.86 s of CPU
        # against 0.84-0.94 s; the merged PDFs the same bytes).
        data = rendering.write_pdf(**options, uncompressed_pdf=True)
        return canonical(data, start, tables="<th" in job.html)  # its pages as they are in any batch

    try:
        return lay_out(job, lambda source: weasy.weasy_html(source, project), write, schedule.await_start,
                       _STATE["font_config"], options)
    except ContentError as error:  # its page count is published: the other batches go on
        error.args = (error.problems,)  # so that it crosses to the main process whole
        raise
    except weasy.RefusedResource as error:
        schedule.abort()
        failure = weasy.refused(error, document, project)
        failure.args = (failure.message, failure.location)
        raise failure from None
    except BaseException:
        schedule.abort()  # workers waiting for this batch's page count stop too
        raise
    finally:
        _trim()


def _trim() -> None:
    """Give the memory a batch freed back to the system: an idle worker holds only what it keeps
    (its fonts) while another merges."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
