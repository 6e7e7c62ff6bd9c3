"""The HTTP side of `planpress serve`: pages, files of content/ and layouts/, PDFs, and the event stream.

Everything it shows comes from the shared ``Live`` state, which the rebuilds replace as a whole;
a request never waits for a build. ``/_events`` is a server-sent-events stream that says the
state's generation and the PDF's state whenever either changes (the pages' script reloads then).
"""

from __future__ import annotations

import json
import mimetypes
import threading
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from planpress.serve.preview import (FILES_PREFIX, HTML, Listing, Page, PdfStatus, index_page, message_page, overlay,
                                     with_overlay)
from planpress.project import Project

#: Seconds between keep-alive comments on the event stream (a closed tab is noticed then).
HEARTBEAT = 15.0


@dataclass
class Live:
    """What the server shows now; ``changed`` wakes the event streams."""

    pages: dict[str, Page] = field(default_factory=dict)
    listings: list[Listing] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: int = 0
    pdf: PdfStatus = field(default_factory=PdfStatus)
    generation: int = 0
    closing: bool = False
    changed: threading.Condition = field(default_factory=threading.Condition)

    def update(self, **values: object) -> None:
        """Replace some fields; a new build (pages or problems) is a new generation."""
        with self.changed:
            for name, value in values.items():
                setattr(self, name, value)
            if "pages" in values or "problems" in values:
                self.generation += 1
            self.changed.notify_all()

    def signal(self) -> str:
        return json.dumps({"generation": self.generation, "pdf": self.pdf.state})


def make_server(project: Project, live: Live, host: str, port: int) -> ThreadingHTTPServer:
    """A threading server on ``host``:``port`` (port 0: any free port); raises OSError when taken."""

    class Handler(_Handler):
        pass

    Handler.project, Handler.live = project, live
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    project: Project
    live: Live
    server_version = "planpress"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Requests are not logged: the terminal shows the builds."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path == "/_events":
                self._events()
            elif path.startswith(FILES_PREFIX):
                self._file(urllib.parse.unquote(path[len(FILES_PREFIX):]))
            elif path.endswith(".pdf"):
                self._pdf(path)
            else:
                self._page(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload): nothing to answer

    def _send(self, body: bytes, content_type: str = HTML, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _page(self, path: str) -> None:
        live = self.live
        with live.changed:
            pages, listings, problems, pdf = live.pages, live.listings, live.problems, live.pdf
            generation, warnings = live.generation, live.warnings
        if path == "/":
            page: Page | None = Page(index_page(listings))
            listing = None
        else:
            page = pages.get(path) or pages.get(path if path.endswith("/") else path + "/")
            listing = next((item for item in listings if item.url.rstrip("/") == path.rstrip("/")), None)
        if page is None:
            if not problems:
                self._send(message_page("ページがありません", [path]), status=HTTPStatus.NOT_FOUND)
                return
            page = Page(message_page("内容に問題があります", ["直すと、このページが自動で表示されます。"]))
        bar = overlay(generation, problems, warnings, pdf, listing, listings)
        self._send(with_overlay(page.body, bar) if page.content_type == HTML else page.body, page.content_type)

    def _file(self, relative: str) -> None:
        """A file of content/ or layouts/ (a photo, an icon); nothing else of the computer."""
        root = self.project.root.resolve()
        path = (root / relative).resolve()
        allowed = any(path.is_relative_to(folder.resolve()) for folder in (self.project.content_dir, self.project.layouts_dir))
        if not allowed or not path.is_file():
            self._send(message_page("ファイルがありません", [relative]), status=HTTPStatus.NOT_FOUND)
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self._send(path.read_bytes(), kind)

    def _pdf(self, path: str) -> None:
        name = path.strip("/")[: -len(".pdf")]
        live = self.live
        known = any(item.name == name for item in live.listings)
        target = self.project.output_dir / f"{name}.pdf"
        if known and live.pdf.state == "ready" and target.is_file():
            self._send(target.read_bytes(), "application/pdf")
            return
        lines = {"failed": ["PDF を作成できませんでした。", *live.pdf.problems]}.get(
            live.pdf.state, ["PDF を作成しています。できあがると、このページが自動で PDF を表示します。"])
        if not known:
            self._send(message_page("PDF がありません", [path]), status=HTTPStatus.NOT_FOUND)
            return
        bar = overlay(live.generation, live.problems, live.warnings, live.pdf, None, live.listings)
        self._send(with_overlay(message_page("PDF", lines), bar), status=HTTPStatus.SERVICE_UNAVAILABLE)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        live = self.live
        sent = ""
        while True:
            with live.changed:
                if live.signal() == sent and not live.closing:
                    live.changed.wait(HEARTBEAT)
                if live.closing:
                    return
                now = live.signal()
            self.wfile.write(f"data: {now}\n\n".encode("utf-8") if now != sent else b": keep-alive\n\n")
            self.wfile.flush()
            sent = now
