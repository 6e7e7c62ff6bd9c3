"""The worker processes of a parallel PDF build: the page counts they share (``Schedule``), a
worker's start (``init_worker``) and the work of one batch (``work``, in the worker).

Workers are forked from the build (planpress.render.pdf.parts), so they inherit the modules it
imported; each keeps its fonts loaded from batch to batch.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planpress.document import Document
from planpress.errors import ContentError
from planpress.project import Project
from planpress.render import html

if TYPE_CHECKING:
    from planpress.render.pdf.batch import BatchJob, BatchResult


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


class Schedule:
    """Page counts of the sections, shared with the workers: -1 while unknown."""

    def __init__(self, context: Any, count: int) -> None:
        self.pages = context.Array("i", [-1] * count, lock=False)
        self.aborted = context.Value("b", 0, lock=False)
        self.condition = context.Condition()

    def publish(self, pages: dict[int, int]) -> None:
        with self.condition:
            for index, count in pages.items():
                self.pages[index] = count
            self.condition.notify_all()

    def abort(self) -> None:
        with self.condition:
            self.aborted.value = 1
            self.condition.notify_all()

    def await_start(self, first: int, count: int, pages: int) -> int:
        """Publish a batch's page count; return its start once every section ahead is counted."""
        self.publish({first: pages, **{index: 0 for index in range(first + 1, first + count)}})
        with self.condition:
            while any(self.pages[i] < 0 for i in range(first)):
                if self.aborted.value:
                    raise Aborted("another batch failed")
                self.condition.wait(timeout=1.0)
            return 1 + sum(self.pages[i] for i in range(first))


#: A worker's own: the build's schedule, project, document and page inputs, its loaded fonts.
_STATE: dict[str, Any] = {}


def init_worker(schedule: Schedule, project: Project, document: Document, parent: int, inputs: PageInputs) -> None:
    """Start a worker of the build ``parent``, for one document."""
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to answer, once, not each worker's
    _STATE.update(schedule=schedule, project=project, document=document, inputs=inputs)


def _die_with(parent: int) -> None:
    """A worker ends when the build that started it ends, even killed (Linux: PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the build died before the line above ran
        os._exit(1)


def work(job: BatchJob) -> BatchResult:
    """Lay one batch out and write its PDF; a failure stops the batches waiting for its page count."""
    from planpress.render.pdf import weasy
    from planpress.render.pdf.batch import lay_out

    project, document, schedule = _STATE["project"], _STATE["document"], _STATE["schedule"]
    inputs: PageInputs = _STATE["inputs"]
    options = weasy.write_options(document, profile=inputs.profile)
    if "font_config" not in _STATE:  # one per worker: fonts are loaded (and their faces parsed) once
        _STATE["font_config"] = weasy.FontConfiguration()

    def write(rendering: Any, start: int) -> bytes:
        weasy.refuse_overflow(rendering, document, project, first_page=start)  # as the single pass does, before writing
        weasy.dated(rendering, inputs.date)
        return rendering.write_pdf(**options)

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
