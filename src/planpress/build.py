"""The build, as named stages: load, validate, lay out, render, write."""

from __future__ import annotations

import errno
import logging
import threading
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from planpress import memo
from planpress.document import Document
from planpress.documents import DocumentSpec, available, skipped, unmade
from planpress.documents.booklet import check_glossary_use
from planpress.content.load import load_content
from planpress.errors import ContentError, Location, PlanpressError, Problem, Problems, Severity
from planpress.content import Content
from planpress.output import WriteError, locked, write_reason, remove_leftovers, write_all
from planpress.progress import Progress
from planpress.render import FORMATS, Format, cached_output, held, let_go, rendered, started
from planpress.cache import CACHE_DIR, WAITING, taking_turns
from planpress.content.source import KEPT_PARSES
from planpress.project import Project

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One output file to make."""

    spec: DocumentSpec
    format: Format
    #: the key of the content the document is made from (Content.key; empty: not known)
    content: str = ""

    def target(self, project: Project) -> Path:
        return project.output_dir / f"{self.spec.name}{self.format.suffix}"


def check(project: Project, *, strict: bool = False, layout: bool = True) -> Problems:
    """Read and validate all content, then lay every document out; raise ContentError if anything fails.

    Layout finds what only the printed page shows (text sticking out of its box, a
    layout fetching something from outside the project); nothing is written.
    """
    project = project.pinned()  # one date for every document laid out
    content, problems = load(project, strict=strict, keep=False)
    found = Problems()
    found.extend(_print_profile_problems(project))
    if layout:
        with taking_turns(project, shared=True, create=False, waiting=lambda: Progress(0).note(WAITING)):  # a build's clean-up waits
            _check_layout(project, content, found)
    found.raise_if_any()
    return problems


def _print_profile_problems(project: Project) -> list[Problem]:
    """The print shop's profile (layouts/print-output.icc), checked as ``build --profile print``
    checks it: check is what the office runs before anything goes to the print shop."""
    if not project.print_profile.is_file():
        return []  # the generic profile: build --profile print says so
    from planpress.render import pdf

    try:
        pdf.output_profile(project)
    except PlanpressError as error:
        return [Problem(error.location or Location(project.display(project.print_profile)), error.message)]
    return []


def _check_layout(project: Project, content: Content, found: Problems) -> None:
    """Lay every document out in a scratch folder, reading the project's cache; add what it finds to ``found``."""
    from planpress.render import pdf

    documents = [spec.make() for spec in available(content)]
    # A document built from this very content is in the output cache: its layout found no problem.
    documents = [document for document in documents if cached_output(FORMATS["pdf"], document, project) is None]
    laying: list[_Beside] = []
    try:
        with tempfile.TemporaryDirectory(prefix="planpress-check-") as scratch:
            try:
                with pdf.shared_workers(documents):
                    # Side by side, each on a thread of its own, as a build lays them out: the workers
                    # take the largest document's batches first (one after another, a document would
                    # wait for those ahead of it: pool.TURN_WAIT), the report's beside its merge.
                    laying = [_Beside(lambda document=document: pdf.render(document, project, scratch=Path(scratch)))
                              .start(f"planpress-check-{document.name}") for document in documents]  # the cache is only read
                    for item in laying:  # the problems in the documents' own order
                        try:
                            item.result()
                        except ContentError as error:
                            found.extend(error.problems)
            finally:  # stopped or failed: the workers are ended; the threads leave pikepdf before the scratch goes
                for item in laying:
                    item.join(timeout=30)
    except WriteError as error:  # the scratch folder on a full disk
        raise PlanpressError(f"{error.path}: 書き込めません（{error.reason}）。check は文書のレイアウトを一時フォルダ"
                             f"（{tempfile.gettempdir()}、環境変数 TMPDIR で変えられます）で確かめます。"
                             "空きを作ってから、もう一度実行してください") from None


def load(project: Project, *, strict: bool = False, keep: bool = True,
         reading: Callable[[], None] = lambda: None) -> tuple[Content, Problems]:
    """Read, validate and check the printed characters of all content (``keep``: into the cache);
    ``reading`` is called first when the content is read anew, not taken from the cache."""
    content, problems = _checked_content(project, keep=keep, reading=reading)
    problems.raise_if_any(strict=strict)
    assert content is not None  # no errors means the content was read
    return content, problems


def _checked_content(project: Project, *, keep: bool, reading: Callable[[], None]) -> tuple[Content | None, Problems]:
    """The content as read and checked, from the cache when no file of content/ changed.

    The key holds every file under content/ (name and bytes), the layouts (their fonts are checked
    against every character), the installed fonts, planpress's code and the reading libraries'
    versions; only content without errors is kept, so a failing check runs in full every time.
    BudouX's too: the document models made from the content keep their prints by this key
    (memo.document_print), and it breaks their drawings' labels (drawing.wrap).
    """
    key = memo.fingerprint("content", memo.tree_digest(project.content_dir), memo.environment(project),
                           memo.versions("ruamel.yaml", "pillow", "fonttools", "budoux"))
    slot = memo.Slot(project, "content.pickle")
    cached = slot.get_object(key)
    if isinstance(cached, tuple) and len(cached) == 2:
        content, items = cached
        problems = Problems()
        problems.extend(items)
    else:
        content, problems = _read_and_check(project, keep=keep, reading=reading)
        if keep and not problems.errors:
            slot.put_object(key, (content, problems.items))
    if content is not None:
        content.key = key
    return content, problems


def _read_and_check(project: Project, *, keep: bool, reading: Callable[[], None]) -> tuple[Content | None, Problems]:
    reading()
    problems = Problems()
    from planpress.checks.glyphs import check_glyphs  # fontTools: only when the content is read anew
    from planpress.checks.print_css import check_print_css
    from planpress.checks.running_heads import check_running_heads  # Pillow's font measuring

    token = KEPT_PARSES.set(project.root / CACHE_DIR / "yaml" if keep else None)
    try:
        content = load_content(project, problems)
        check_glossary_use(content, problems)
        check_running_heads(content, problems)
        check_glyphs(project, problems, keep=keep)
        check_print_css(project, problems)
    finally:
        KEPT_PARSES.reset(token)
    return content, problems


def refuse_gaps(content: Content, jobs: Sequence[Job]) -> None:
    """A --final build of the booklet stops while it has unfilled slots (未入力) or missing photos."""
    from planpress.documents.booklet import NAME

    if not any(job.spec.name == NAME for job in jobs):
        return
    if content.booklet is not None and content.booklet.gaps:
        problems = [replace(p, severity=Severity.ERROR) for p in content.booklet.gaps]
        raise ContentError(problems + [Problem(Location("content/"), f"未入力・未登録が{len(problems)}件あるため、--final では作成しません")])


def plan_jobs(content: Content, names: Sequence[str], formats: Sequence[str]) -> list[Job]:
    """The documents and formats asked for; every document in the default formats if none."""
    specs = available(content)
    by_name = {spec.name: spec for spec in specs}
    waiting = unmade(content)
    unready = [waiting[name] for name in names if name in waiting]
    if unready:
        raise PlanpressError("\n".join(unready))
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = "、".join(by_name) or "なし"
        raise PlanpressError(f"文書「{'」「'.join(unknown)}」はありません（作成できる文書: {known}）")
    chosen = [by_name[name] for name in names] if names else specs
    kinds = [FORMATS[name] for name in formats] if formats else [f for f in FORMATS.values() if f.default]
    return [Job(spec, kind, content.key) for spec in chosen for kind in kinds]


def build(
    project: Project, *, names: Sequence[str] = (), formats: Sequence[str] = (), strict: bool = False, quiet: bool = False,
    profile: str = "web", final: bool = False,
) -> list[Path]:
    """Validate everything first, then render each job; files are replaced only when whole."""
    project = project.pinned()  # one date for every file of the build
    _clean_output(project)
    with _early_workers(formats) as reading:
        content, problems = load(project, strict=strict, reading=reading)
        jobs = plan_jobs(content, names, formats)
        if final:
            refuse_gaps(content, jobs)
        progress = Progress(len(jobs), quiet=quiet)
        if profile == "print" and any(job.format.name == "pdf" for job in jobs):
            _say_generic_profile(project)
        if not names:
            for reason in skipped(content).values():
                progress.note(reason)
        try:
            with taking_turns(project, waiting=lambda: progress.note(WAITING)):  # one build of a project at a time
                finished = _render_all(project, jobs, progress, profile=profile)
        except WriteError as error:  # the layout cache (.planpress-cache/) on a full disk
            room = "。.planpress-cache/ は planpress clean で削除できます（次の作成は遅くなります）" if error.errno == errno.ENOSPC else ""
            raise PlanpressError(f"{project.display(error.path)}: 書き込めません（{error.reason}）。"
                                 f"output/ のファイルはどれも前のままです{room}") from None
    # Written only once every file rendered, and as a set: a failure leaves output/ as it was.
    try:
        with locked(project.output_dir):
            write_all(finished)
    except WriteError as error:
        raise PlanpressError(f"{project.display(error.path)}: 書き込めません（{error.reason}）。"
                             "output/ のファイルはどれも前のままです") from None
    except OSError as error:
        raise PlanpressError(f"{project.display(project.output_dir)}: 書き込めません（{write_reason(error)}）") from None
    # Like `check`: warnings when the build succeeds (--strict stopped on them); a failure shows its errors.
    # The booklet's slots still to fill repeat on every build: one line counts them, `check` lists them.
    gaps = set(content.booklet.gaps) if content.booklet is not None else set()
    for warning in problems.warnings:
        if warning not in gaps:
            progress.note(str(warning))
    if gaps and content.booklet is not None:
        progress.note(gap_summary(content.booklet.gap_kinds))
    return [target for target, _ in finished]


def _say_generic_profile(project: Project) -> None:
    """Once a build, before the PDFs are laid out: their output intent is the generic CMYK profile
    (each document's render chose it on its own, and each said so: twice in a whole build)."""
    from planpress.render import pdf

    warning = pdf.generic_profile_warning(project)
    if warning is not None:
        log.warning("%s", warning)


def gap_summary(kinds: Sequence[str]) -> str:
    """One line for the booklet's unfilled slots: how many of each kind, where to see them listed."""
    counts = {kind: kinds.count(kind) for kind in dict.fromkeys(kinds)}
    each = "、".join(f"{kind}{count}件" for kind, count in counts.items())
    return (f"content/: 警告: 冊子に未入力・未登録・未確認が{len(kinds)}件あります（{each}。"
            "一覧は planpress check で表示します。--final では作成しません）")


def _render_all(project: Project, jobs: Sequence[Job], progress: Progress, *, profile: str) -> list[tuple[Path, bytes]]:
    """Every job's bytes, in memory; content problems found in layout are collected over all jobs.

    The files are made side by side (``_Beside``): the PDFs' batches by one set of worker processes
    that the documents share (forked first; the report and the booklet's batches lay out at once),
    each PDF waited for and merged on a thread of its own, and the Word files one after the other on
    another thread (python-docx, then LibreOffice numbering the booklet's contents). They are
    reported in the jobs' order.
    """
    finished: list[tuple[Path, bytes]] = []
    found: list[Problem] = []
    layouts: dict[str, Document] = {}
    beside: dict[Job, _Beside] = {}
    chain = _Chain()
    made: list[_Beside] = []
    if any(job.format.name == "docx" for job in jobs):
        from planpress.render import docx_toc

        docx_toc.resume()  # after a build of this process that was stopped (serve)
    for job in jobs:
        if job.format.name == "docx" and _made(layouts, job) is not None:
            beside[job] = chain.add(lambda kind=job.format, document=layouts[job.spec.name]:
                                    rendered(kind, document, project, profile=profile),
                                    ahead=lambda kind=job.format, document=layouts[job.spec.name]:
                                    started(kind, document, project, profile=profile))
    pdfs = [job for job in jobs if job.format.name == "pdf" and _made(layouts, job) is not None]
    laying_out = [layouts[job.spec.name] for job in pdfs
                  if not held(job.format, layouts[job.spec.name], project, profile=profile)]
    try:
        # The workers are forked before any thread of the build starts (a fork copies only the
        # thread that makes it; a lock another thread held would stay held in the worker).
        with _workers(laying_out):
            chain.start()
            for job in pdfs:
                beside[job] = _Beside(lambda kind=job.format, document=layouts[job.spec.name]:
                                      rendered(kind, document, project, profile=profile)).start(f"planpress-pdf-{job.spec.name}")
            made = list(beside.values())  # each file made beside: ``result`` takes it out of ``beside``
            for job in jobs:
                target = job.target(project)
                if found and job.format.name != "pdf":
                    continue  # nothing will be written: only look for more layout problems
                progress.quiet = progress.quiet or bool(found)
                try:
                    with progress.step(project.display(target)):
                        if job in beside:
                            data = beside.pop(job).result()
                        else:
                            if job.spec.name not in layouts:
                                layouts[job.spec.name] = job.spec.make()
                            data = rendered(job.format, layouts[job.spec.name], project, profile=profile)
                        finished.append((target, data))
                except ContentError as error:
                    found.extend(error.problems)
    finally:
        unfinished = [item for item in (*chain.items, *made) if not item.done.is_set()]
        if unfinished:  # stopped or failed while files were still being made: end LibreOffice, wait for
            from planpress.render import docx_toc  # python-docx and the PDFs' merges (their workers ended with the block)

            docx_toc.stop_all()
            # A thread left in pikepdf's C++ code when Python exits aborts the process after the
            # message ("terminate called without an active exception", exit status -6).
            for item in unfinished:
                item.join(timeout=30)
        let_go()  # the files found in the cache that no turn took (a layout problem stopped the Word files)
    if found:
        raise ContentError(found)
    return finished


@contextmanager
def _early_workers(formats: Sequence[str]) -> Iterator[Callable[[], None]]:
    """``reading`` for ``load``: when the content is read anew (an edit), the PDF engine's workers
    are forked at once (pdf.early_workers), and the engine imported only then."""
    if formats and "pdf" not in formats:
        yield lambda: None
        return
    with ExitStack() as stack:
        def start() -> None:
            from planpress.render import pdf

            stack.enter_context(pdf.early_workers())()

        yield start


def _workers(documents: Sequence[Document]) -> AbstractContextManager[None]:
    """The PDF engine's workers for these documents (none to lay out: the engine is not even imported)."""
    if not documents:
        return nullcontext()
    from planpress.render import pdf

    return pdf.shared_workers(documents)


def _made(layouts: dict[str, Document], job: Job) -> Document | None:
    """The job's document model, made once per document; None if making it fails (the job then
    fails in its turn, with its message)."""
    if job.spec.name not in layouts:
        try:
            layouts[job.spec.name] = document = job.spec.make()
        except Exception:  # noqa: BLE001 - reported when the job's turn comes
            return None
        if job.content:  # its print (the output files' keys) kept by what made it: memo.document_print
            memo.made_from(document, memo.fingerprint("document", job.content, job.spec.name))
    return layouts[job.spec.name]


class _Beside:
    """One output made beside the main thread (in the Word thread's chain, or on a thread of its
    own: ``start``); ``result`` waits for it and raises what it raised."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.work, self.value, self.error = work, None, None
        self.done = threading.Event()

    def start(self, name: str) -> _Beside:
        """Made on a daemon thread of its own, ``name``, started now."""
        threading.Thread(target=self.run, name=name, daemon=True).start()
        return self

    def run(self) -> None:
        try:
            self.value = self.work()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread by result()
            self.error = error
        finally:
            self.done.set()

    def result(self) -> Any:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.value

    def join(self, timeout: float) -> None:
        self.done.wait(timeout)


class _Chain:
    """One daemon thread running its outputs in order, once started (a build ended by Ctrl-C does not wait for
    python-docx; the LibreOffice run under way is ended). What an output will wait for is started
    first, for every output (``ahead``): after an edit the Word booklet's LibreOffice run starts
    before the report's Word file is written, not after it (×16: 0.3-0.5 s later)."""

    def __init__(self) -> None:
        self.items: list[_Beside] = []
        self.ahead: list[Callable[[], None]] = []
        self.thread: threading.Thread | None = None

    def add(self, work: Callable[[], Any], *, ahead: Callable[[], None] | None = None) -> _Beside:
        item = _Beside(work)
        self.items.append(item)
        if ahead is not None:
            self.ahead.append(ahead)
        return item

    def start(self) -> None:
        if self.items:
            self.thread = threading.Thread(target=self._run, name="planpress-word", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        for ahead in self.ahead:
            try:
                ahead()
            except Exception:  # noqa: BLE001 - the output meets it again in its turn, and reports it
                log.debug("ahead of its turn", exc_info=True)
        for item in self.items:
            item.run()


def _clean_output(project: Project) -> None:
    """Remove what a build killed while writing left behind (never another build's files: locked)."""
    if project.output_dir.is_dir():
        with locked(project.output_dir):
            for path in remove_leftovers(project.output_dir):
                log.info("前回の中断したビルドの一時ファイルを削除しました: %s", project.display(path))
