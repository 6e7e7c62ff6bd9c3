"""`planpress serve` for real: a server on a free port, pages fetched over HTTP, files edited on disk.

The server is the command itself (a child process); the tests read what a browser would get.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import copy_project, run_cli

#: Starts the server, builds the PDFs in the background: slow (make test-all, CI).
pytestmark = pytest.mark.slow

REPORT = "/evaluation-2021/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def _until(condition: Callable[[], object], seconds: float = 90.0) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("timed out")


class Served:
    def __init__(self, root: Path, process: subprocess.Popen[str], base: str, said: list[str]) -> None:
        self.root, self.process, self.base, self.said = root, process, base, said

    def page(self, path: str = REPORT) -> str:
        status, body, _ = _get(self.base + path)
        assert status == 200, (status, body[:300])
        return body.decode("utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_project(tmp_path_factory.mktemp("serve") / "project")
    port = _free_port()
    # Ctrl-C as a terminal delivers it: a test run started in the background of a shell without job
    # control (`cmd &`) has SIGINT ignored, which a child inherits, and serve would never see it.
    process = subprocess.Popen([sys.executable, "-m", "planpress", "serve", "--port", str(port)], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    said: list[str] = []

    def drain() -> None:  # read everything it says, so that a full pipe never blocks it
        assert process.stderr is not None
        for line in process.stderr:
            said.append(line.rstrip("\n"))

    threading.Thread(target=drain, daemon=True).start()
    _until(lambda: any("http://" in line for line in said) or process.poll() is not None, 120)
    assert any(f"http://127.0.0.1:{port}/" in line for line in said), said
    yield Served(root, process, f"http://127.0.0.1:{port}", said)
    if process.poll() is None:
        process.kill()
        process.wait()


def test_serves_the_documents_on_localhost_as_print_pages(served: Served) -> None:
    index = served.page("/")
    assert 'href="/booklet/"' in index and 'href="/evaluation-2021/"' in index
    report = served.page()
    assert "施策評価" in report and "項目別の評価" in report
    assert '<section class="' in report and "width: 170mm" in report  # sections shown as A4 sheets
    assert 'new EventSource("/_events")' in report  # reloads itself (serve mode only)
    assert run_cli(served.root, "build", "evaluation-2021", "--format", "html").returncode == 0
    assert "EventSource" not in (served.root / "output" / "evaluation-2021.html").read_text(encoding="utf-8")
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:  # a machine whose name resolves to nothing: no other address to try
        address = "127.0.0.1"
    if address != "127.0.0.1":
        with socket.socket() as other:  # not reachable on another address of this computer
            assert other.connect_ex((address, int(served.base.rsplit(":", 1)[1]))) != 0


def test_files_of_the_project_only(served: Served) -> None:
    status, body, kind = _get(served.base + "/_files/layouts/drawing.svg")
    assert status == 200 and b"<svg" in body
    for outside in ("/_files/../../../etc/passwd", "/_files/%2e%2e/%2e%2e/etc/passwd", "/_files/output/booklet.pdf"):
        assert _get(served.base + outside)[0] == 404


def test_an_edit_shows_and_a_problem_shows_at_the_top_until_fixed(served: Served) -> None:
    report = served.root / "content" / "evaluations" / "2021.yaml"
    text = report.read_text(encoding="utf-8")
    events = urllib.request.urlopen(served.base + "/_events", timeout=60)
    first = events.readline().decode("utf-8")
    assert first.startswith("data: ")
    report.write_text(text.replace("commentary: ", "commentary: プレビュー確認用の一文。", 1), encoding="utf-8")
    _until(lambda: "プレビュー確認用の一文。" in served.page())
    while True:  # the stream said the page changed
        line = events.readline().decode("utf-8")
        if line.startswith("data: ") and line != first:
            break
    events.close()
    report.write_text(text.replace("grade: A", "grade: E", 1), encoding="utf-8")
    check = run_cli(served.root, "check", "--no-layout")
    assert check.returncode == 1
    expected = [line for line in check.stderr.splitlines() if ": 警告: " not in line and re.match(r"\S+:\d+:\d+: ", line)]
    assert expected
    page = _until(lambda: (lambda p: p if "planpress-problems" in p and expected[0].split(": ", 1)[1][:10] in p else "")(served.page()))
    problems = re.search(r'<div id="planpress-problems"[^>]*>(.*?)</div>\n</div>', str(page), re.S)
    assert problems is not None
    shown = re.findall(r"<div>(.*?)</div>", problems.group(1))
    import html

    assert [html.unescape(line) for line in shown if not line.startswith("PDF: ")] == expected
    assert "項目別の評価" in str(page)  # the last good pages stay under the problems
    assert served.process.poll() is None  # and the server runs on
    report.write_text(text, encoding="utf-8")
    _until(lambda: "プレビュー確認用の一文。" not in served.page() and "<div>" not in
           re.search(r'<div id="planpress-problems"[^>]*>(.*?)</div>\n</div>', served.page(), re.S).group(1))  # type: ignore[union-attr]


def test_the_pdf_is_one_click_away(served: Served) -> None:
    def ready() -> bytes:
        status, body, kind = _get(served.base + "/evaluation-2021.pdf")
        return body if status == 200 and kind == "application/pdf" else b""

    body = _until(ready, 300)
    assert bytes(body).startswith(b"%PDF")  # type: ignore[arg-type]
    assert 'href="/evaluation-2021.pdf"' in served.page()


def test_ctrl_c_stops_cleanly(served: Served) -> None:
    served.process.send_signal(signal.SIGINT)
    try:
        served.process.wait(timeout=60)
    except subprocess.TimeoutExpired:  # say what it said last and which of its processes were still there
        pytest.fail(f"serve did not stop within 60 s after Ctrl-C; it said last: {served.said[-8:]}; "
                    f"its project's processes: {_processes_naming(str(served.root))}")
    assert served.process.returncode in (0, 130)
    time.sleep(0.5)  # the drain thread reads the last lines
    assert not any("Traceback" in line for line in served.said) and served.said[-1] == "planpress: 終了しました"
    assert not list((served.root / "output").glob(".*.part"))
    assert not _processes_naming(f"{served.root}\0build")  # the background PDF build stopped with it


def _processes_naming(text: str) -> list[str]:
    """Command lines (arguments joined by NUL) of running processes that hold ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes().decode("utf-8", "replace") if entry.name.isdigit() else ""
        except OSError:
            continue
        if text in line:
            found.append(line)
    return found
