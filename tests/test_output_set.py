"""A build replaces its whole set of files or none: faults injected at the exact write or rename."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from conftest import copy_project
from planpress.build import build
from planpress.errors import PlanpressError
from planpress.output import write_all
from planpress.project import Project


def _set(folder: Path) -> list[tuple[Path, bytes]]:
    return [(folder / name, f"new {name}".encode()) for name in ("a.pdf", "a.docx", "b.pdf")]


def _previous(folder: Path) -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    (folder / "a.pdf").write_bytes(b"old a.pdf")
    (folder / "a.docx").write_bytes(b"old a.docx")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_failed_write_replaces_nothing_and_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _previous(tmp_path)
    calls = []
    real = os.fsync

    def full_disk(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError) as caught:
        write_all(_set(tmp_path))
    assert caught.value.path.name == "a.docx" and caught.value.reason == "ディスクの空きがありません"  # type: ignore[attr-defined]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_failed_rename_puts_back_the_files_already_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _previous(tmp_path)
    real = os.replace
    renames = []

    def third_fails(source: str, target: str) -> None:
        if str(source).endswith(".part") and ".previous." not in str(source):
            renames.append(target)
            if len(renames) == 3:
                raise OSError(errno.EACCES, "Permission denied")
        real(source, target)

    monkeypatch.setattr(os, "replace", third_fails)
    with pytest.raises(OSError):
        write_all(_set(tmp_path))
    assert len(renames) == 3  # two files were replaced before the fault, then put back
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_all_files_replaced_when_nothing_fails(tmp_path: Path) -> None:
    _previous(tmp_path)
    write_all(_set(tmp_path))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {p.name: d for p, d in _set(tmp_path)}


def test_build_names_the_file_it_cannot_write_and_keeps_the_old_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_project(tmp_path / "project")
    output = root / "output"
    output.mkdir()
    (output / "evaluation-2021.pdf").write_bytes(b"previous pdf")
    (output / "evaluation-2021.docx").write_bytes(b"previous docx")
    from planpress import output as writing

    real = writing._temporary

    def read_only(path: Path, data: bytes) -> str:  # the fault at the exact write of the Word file
        if path.name == "evaluation-2021.docx":
            raise OSError(errno.EROFS, "Read-only file system")
        return real(path, data)

    monkeypatch.setattr(writing, "_temporary", read_only)
    with pytest.raises(PlanpressError) as caught:
        build(Project.at(root), names=["evaluation-2021"], formats=["pdf", "docx"], quiet=True)
    assert caught.value.message == "output/evaluation-2021.docx: 書き込めません（読み取り専用の場所です）。output/ のファイルはどれも前のままです"
    assert sorted(p.name for p in output.iterdir()) == ["evaluation-2021.docx", "evaluation-2021.pdf"]
    assert (output / "evaluation-2021.pdf").read_bytes() == b"previous pdf"


def test_ctrl_c_ends_with_one_line_status_130_and_nothing_written(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    root = copy_project(tmp_path / "project", warm=False)  # the cache folder appearing says it is laying out
    build_process = subprocess.Popen(
        [sys.executable, "-m", "planpress", "build"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal delivers Ctrl-C
    deadline = time.monotonic() + 60
    while not (root / ".planpress-cache").exists() and time.monotonic() < deadline:  # laying out the report
        time.sleep(0.1)
    build_process.send_signal(signal.SIGINT)
    _, err = build_process.communicate(timeout=120)
    assert build_process.returncode == 130, err
    assert "Traceback" not in err and err.splitlines()[-1] == "planpress: 中断しました（output/ のファイルは前のままです）"
    assert not (root / "output").exists() or not any((root / "output").iterdir())


def _libreoffice_under(folder: Path) -> list[int]:
    """The LibreOffice processes whose command line names ``folder`` (its profile, its files)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:  # not a process, or ended meanwhile
            continue
        if "soffice" in line and str(folder) in line:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir() or shutil.which("soffice") is None, reason="Linux with LibreOffice")
@pytest.mark.parametrize(("name", "ignored"), [("SIGTERM", False), ("SIGHUP", False), ("SIGHUP", True)])
def test_sigterm_or_sighup_stops_a_build_as_ctrl_c_does(tmp_path: Path, name: str, ignored: bool) -> None:
    """`kill`, or the terminal window closed, while LibreOffice lays out the Word contents: one
    line, the signal's status, LibreOffice ended, no temporary folder left, nothing written. A
    signal the build was started to ignore (``nohup``) stays ignored: the build goes on."""
    import signal
    import subprocess
    import sys
    import time

    number = getattr(signal, name)
    root = copy_project(tmp_path / "project")
    scratch = tmp_path / "tmp"  # the build's temporary folders: none may be left
    scratch.mkdir()
    # As a shell starts it in a terminal, or under nohup; not as this test runs (itself under nohup, maybe).
    disposition = signal.SIG_IGN if ignored else signal.SIG_DFL
    build_process = subprocess.Popen(
        [sys.executable, "-m", "planpress", "build"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "TMPDIR": str(scratch)}, preexec_fn=lambda: signal.signal(number, disposition))
    deadline = time.monotonic() + 120
    # Seen once is enough, and not asked again: with a new profile LibreOffice's first soffice.bin
    # lives a tenth of a second and its launcher starts another.
    while not (running := bool(_libreoffice_under(tmp_path))) and build_process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    if not running:
        build_process.kill()
        _, err = build_process.communicate(timeout=60)
        raise AssertionError(f"LibreOffice never ran: the signal would come at another moment\n{err}")
    build_process.send_signal(number)
    _, err = build_process.communicate(timeout=300)
    assert "Traceback" not in err
    # Killed a moment ago, it may still be on its way out; 1 s, not more: left running, it could end its layout.
    ended = time.monotonic() + 1
    while _libreoffice_under(tmp_path) and time.monotonic() < ended:
        time.sleep(0.05)
    assert _libreoffice_under(tmp_path) == []
    assert list(scratch.iterdir()) == []
    written = sorted(path.name for path in (root / "output").iterdir()) if (root / "output").exists() else []
    if ignored:
        assert build_process.returncode == 0, err
        assert written == ["booklet.docx", "booklet.pdf", "evaluation-2021.docx", "evaluation-2021.pdf"]
        return
    assert build_process.returncode == 128 + number, err
    assert err.splitlines()[-1] == "planpress: 中断しました（output/ のファイルは前のままです）"
    assert written == []


def test_output_piped_into_head_is_no_failure(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = copy_project(tmp_path / "project")
    command = f"'{sys.executable}' -m planpress check --no-layout 2>&1 | head -n 1; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", command], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "BrokenPipe" not in result.stdout + result.stderr and len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize(("folder", "message"), [
    ("missing", "フォルダがありません（-C にはプロジェクトのフォルダを指定してください）"),
    ("file", "フォルダではありません（-C にはプロジェクトのフォルダを指定してください）"),
    ("empty", "content/ フォルダがありません"),
])
def test_dash_c_to_no_project_is_a_command_line_mistake(tmp_path: Path, folder: str, message: str) -> None:
    from conftest import run_cli

    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    result = run_cli(tmp_path, "-C", str(tmp_path / folder), "check")
    assert result.returncode == 2
    assert result.stderr.startswith(str(tmp_path / folder)) and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_worker_killed_from_outside_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    """A PDF worker killed by the system (out of memory) ends the build with one Japanese line."""
    import signal
    import subprocess
    import sys
    import time

    root = copy_project(tmp_path / "project", warm=False)  # cold: the workers live for seconds
    command = [sys.executable, "-m", "planpress", "build"]
    build_process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The workers' command line is the build's (forked). From the arguments, not read from /proc
    # at once: until the child has exec'd, /proc shows the test's own command line.
    own = b"\0".join(os.fsencode(part) for part in command) + b"\0"

    def forked(pid: str) -> bool:  # a worker, not LibreOffice or fc-match (which may end meanwhile)
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes() == own
        except OSError:
            return False

    workers: list[int] = []
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline:
        time.sleep(0.05)
        children = Path(f"/proc/{build_process.pid}/task/{build_process.pid}/children").read_text().split()
        workers = [int(pid) for pid in children if forked(pid)]
    assert workers, "the build started no worker"
    time.sleep(1.0)  # laying out
    os.kill(workers[0], signal.SIGKILL)
    _, err = build_process.communicate(timeout=120)
    assert build_process.returncode == 1, err
    assert "Traceback" not in err, err
    assert "PDF を組版するプロセスが途中で終了しました" in err.splitlines()[-1]
    assert not (root / "output").exists() or not any((root / "output").iterdir())


@pytest.mark.slow
def test_a_full_disk_under_the_cache_names_the_file_and_keeps_the_old_set(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the layout cache is written (a batch PDF): one Japanese line names
    the file, output/ keeps its files, and no cut-short temporary is left to fill the disk."""
    root = copy_project(tmp_path / "project", warm=False)
    before = _previous(root / "output")
    real_fsync = os.fsync

    def full(fd: int) -> None:  # as the system answers a write that does not fit
        if Path(os.readlink(f"/proc/self/fd/{fd}")).name.startswith(".batch-"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(PlanpressError) as caught:
        build(Project(root), quiet=True)
    assert caught.value.message.startswith(".planpress-cache/batch-")
    assert ".pdf: 書き込めません（ディスクの空きがありません）。output/ のファイルはどれも前のままです" in caught.value.message
    assert {p.name: p.read_bytes() for p in (root / "output").iterdir()} == before
    assert not list((root / ".planpress-cache").rglob("*.part"))


def test_a_full_temporary_folder_stops_check_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`planpress check` lays the documents out in a temporary folder: when it is full, one
    Japanese line names the file and says how to go on (it was a traceback), and the project is
    left as it was."""
    from planpress.build import check

    root = copy_project(tmp_path / "project")
    report = root / "content" / "evaluations" / "2021.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("commentary: ", "commentary: 確認用の解説です。", 1),
                      encoding="utf-8")
    cache = sorted(str(p.relative_to(root)) for p in (root / ".planpress-cache").rglob("*"))
    real = Path.write_bytes

    def full(path: Path, data: bytes) -> int:  # as the system answers a write that does not fit
        if any(part.startswith("planpress-check-") for part in path.parts):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(PlanpressError) as caught:
        check(Project(root))
    assert "planpress-check-" in caught.value.message
    assert ": 書き込めません（ディスクの空きがありません）。check は文書のレイアウトを一時フォルダ" in caught.value.message
    assert sorted(str(p.relative_to(root)) for p in (root / ".planpress-cache").rglob("*")) == cache
    assert not (root / "output").exists()


@pytest.mark.slow
def test_two_builds_of_one_project_take_turns(tmp_path: Path) -> None:
    """`planpress serve` builds the PDFs in the background while the office runs `planpress build`:
    the second build waits for the first (whose clean-up deleted the batches the other had just
    laid out, and both failed), then builds the content as it is then."""
    import subprocess
    import sys
    import time

    from planpress.cache import WAITING

    root = copy_project(tmp_path / "project", warm=False)
    first = subprocess.Popen([sys.executable, "-m", "planpress", "build", "--quiet"], cwd=root, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((root / ".planpress-cache").glob("batch-*.pdf")) and time.monotonic() < deadline:
        time.sleep(0.1)  # laying out
    path = root / "content" / "evaluations" / "2021.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("広域連携の推進に向けて", "広域連携の推進を目指して", 1),
                    encoding="utf-8")
    second = subprocess.run([sys.executable, "-m", "planpress", "build", "--quiet"], cwd=root, capture_output=True,
                            text=True, timeout=300)
    _, first_errors = first.communicate(timeout=300)
    assert first.returncode == 0, first_errors
    assert second.returncode == 0, second.stderr
    assert WAITING in second.stderr.splitlines()
    assert "広域連携の推進を目指して" in _pdf_text(root / "output" / "evaluation-2021.pdf")


def _pdf_text(path: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
