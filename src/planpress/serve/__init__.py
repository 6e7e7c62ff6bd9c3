"""`planpress serve`: the documents as print-like pages on 127.0.0.1, rebuilt on every save.

A watcher thread (watchfiles) rebuilds the pages whenever a file under content/ or layouts/
changes; a problem shows at the top of every page as `check` prints it, and the last good pages
stay. The PDFs are built in the background by `planpress build --format pdf` in a child process
(the section cache makes that quick after an edit), never holding the pages up. Ctrl-C stops it all.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

from planpress.serve.preview import Edition, PdfStatus, PrintPreview
from planpress.serve.server import Live, make_server
from planpress.project import Project


def run(project: Project, *, host: str, port: int, say: Callable[[str], None], pdf: bool = True,
        editions: tuple[Edition, ...] = (PrintPreview(),)) -> int:
    """Serve until Ctrl-C; 130 then (or 2 when the port cannot be opened)."""
    live = Live()
    try:
        server = make_server(project, live, host, port)
    except OSError as error:
        reason = "使用中です" if error.errno == errno.EADDRINUSE else (error.strerror or str(error))
        say(f"planpress: {host}:{port} を開けません（{reason}。--port で別の番号を指定してください）")
        return 2
    builder = PdfBuilder(project, live) if pdf else None
    stop = threading.Event()
    rebuild(project, live, editions, builder, say)
    watcher = threading.Thread(target=_watch, args=(project, live, editions, builder, say, stop), daemon=True)
    watcher.start()
    if builder is not None:
        builder.start()
    say(f"planpress: http://{host}:{server.server_address[1]}/ で表示しています（content/ と layouts/ の保存で更新。Ctrl-C で終了）")
    try:  # Ctrl-C, and `kill` or a closed terminal (cli.main raises cli.Stopped, a KeyboardInterrupt)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        live.update(closing=True)
        if builder is not None:
            builder.stop()
        server.server_close()
        watcher.join(timeout=5)
    say("planpress: 終了しました")
    return 130


def rebuild(project: Project, live: Live, editions: tuple[Edition, ...], builder: PdfBuilder | None,
            say: Callable[[str], None]) -> None:
    """Check the content and make every edition's pages; on a problem keep the last good pages."""
    from planpress import build, images
    from planpress.errors import PlanpressError
    from planpress.render import raster

    images.scaled.cache_clear()  # a photo replaced under its name: these caches key on the path
    raster.png.cache_clear()
    project = project.pinned()  # one date for every page of this save
    try:
        content, problems = build.load(project)
        pages, listings = {}, []
        for edition in editions:
            made, listed = edition.render(project, content)
            pages.update(made)
            listings.extend(listed)
    except PlanpressError as error:
        lines = error.lines()
        say(f"planpress: 問題が{len(lines)}件あります（直すとページが更新されます）")
        for line in lines:
            say(line)
        live.update(problems=lines)
        return
    except Exception as error:  # noqa: BLE001 - a planpress bug must not stop the server; said once
        live.update(problems=[f"planpress: ページを作れませんでした（{type(error).__name__}: {error}）"])
        return
    live.update(pages=pages, listings=listings, problems=[], warnings=len(problems.warnings))
    say(f"planpress: ページを更新しました（{len(listings)}文書）")
    if builder is not None:
        builder.request()


def _watch(project: Project, live: Live, editions: tuple[Edition, ...], builder: PdfBuilder | None,
           say: Callable[[str], None], stop: threading.Event) -> None:
    import watchfiles

    folders = [folder for folder in (project.content_dir, project.layouts_dir) if folder.is_dir()]
    for _ in watchfiles.watch(*folders, stop_event=stop, raise_interrupt=False, debounce=800, step=50):
        if stop.is_set():
            return
        rebuild(project, live, editions, builder, say)


class PdfBuilder:
    """Builds every PDF in a child `planpress build` after each rebuild, one build at a time, in
    the background (at lower priority); the newest request wins, an older build is not interrupted."""

    def __init__(self, project: Project, live: Live) -> None:
        self.project, self.live = project, live
        self.wanted = threading.Event()
        self.stopping = False
        self.process: subprocess.Popen[bytes] | None = None
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def request(self) -> None:
        self.wanted.set()

    def stop(self) -> None:
        self.stopping = True
        self.wanted.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # the build stops cleanly: output/ stays whole
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            self.wanted.wait()
            if self.stopping:
                return
            self.wanted.clear()
            self.live.update(pdf=PdfStatus("building"))
            status = self._build()
            if self.stopping:
                return
            if not self.wanted.is_set():  # a newer request builds again at once: keep saying "building"
                self.live.update(pdf=status)

    def _build(self) -> PdfStatus:
        command = [sys.executable, "-m", "planpress", "-C", str(self.project.root), "build", "--format", "pdf", "--quiet"]
        # A process group of its own: Ctrl-C is ours to pass on. Not a session of its own: Linux
        # schedules a session as one group (autogroup), where its lower priority would count for
        # nothing against the preview's builds (as LibreOffice's in a build: render/docx_toc.py _convert).
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, process_group=0, preexec_fn=lambda: os.nice(5))
        _, errors = self.process.communicate()
        lines = [line for line in errors.decode("utf-8", "replace").splitlines() if line.strip() and ": 警告: " not in line]
        return PdfStatus("ready") if self.process.returncode == 0 else PdfStatus("failed", lines)
