"""A build killed at any moment leaves each output whole (old or new) and no partial file for long.

The kills land at exact steps of the write (tests/faults.py hooks the system calls), not after a
guessed delay that may fall before or after every write."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, run_cli
from planpress.cache import CACHE_DIR

FAULTS = Path(__file__).resolve().parent / "faults.py"

#: Builds the documents many times over (make test-all, CI).
pytestmark = pytest.mark.slow

NAMES = ("booklet.docx", "booklet.pdf", "evaluation-2021.docx", "evaluation-2021.pdf")
PREVIOUS = {name: f"previous {name}\n".encode() for name in NAMES}


def _previous_outputs(root: Path) -> None:
    (root / "output").mkdir(exist_ok=True)
    for name, data in PREVIOUS.items():
        (root / "output" / name).write_bytes(data)


def _start_build(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "planpress", "build"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], Path]:
    """The bytes a complete build writes, and its section cache (so the killed builds lay nothing out)."""
    root = copy_project(tmp_path_factory.mktemp("fresh") / "project")
    result = run_cli(root, "build", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    return {name: (root / "output" / name).read_bytes() for name in NAMES}, root / CACHE_DIR


def test_build_killed_while_rendering_leaves_previous_outputs(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    _previous_outputs(root)
    build = _start_build(root)
    assert build.stderr is not None
    line = build.stderr.readline()  # the PDF is done; the Word file is being made
    assert "evaluation-2021.pdf" in line and "完了" in line
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert build.returncode == -signal.SIGKILL
    assert sorted(os.listdir(root / "output")) == sorted(NAMES)
    for name, data in PREVIOUS.items():
        assert (root / "output" / name).read_bytes() == data


#: (step, how many such steps on output/ files before the kill): halfway through writing the first
#: and the last file, every file flushed but none renamed, before the first rename, between
#: renames, after the last rename (the old files' links not yet removed).
KILLS = [("torn", 1), ("torn", len(NAMES)), ("written", len(NAMES)), ("rename", 1), ("renamed", 2), ("renamed", len(NAMES))]


@pytest.mark.parametrize(("point", "count"), KILLS, ids=[f"{p}-{c}" for p, c in KILLS])
def test_build_killed_at_each_write_step_leaves_whole_files(point: str, count: int, tmp_path: Path,
                                                            fresh: tuple[dict[str, bytes], Path]) -> None:
    """SIGKILL at an exact step of writing output/ (tests/faults.py): each file is the old one or
    the complete new one, and the next build leaves no temporary file behind."""
    new, cache = fresh
    root = copy_project(tmp_path / "project")
    # The session's LibreOffice profile is linked into both caches already: not copied onto itself.
    shutil.copytree(cache, root / CACHE_DIR, dirs_exist_ok=True, ignore=shutil.ignore_patterns("libreoffice"))
    _previous_outputs(root)
    killed = subprocess.run([sys.executable, str(FAULTS), point, str(count), "build", "--quiet"], cwd=root,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # the step was reached
    for name in NAMES:
        assert (root / "output" / name).read_bytes() in (PREVIOUS[name], new[name]), name
    if point in ("torn", "written"):  # nothing renamed yet: every file is the old one
        assert all((root / "output" / name).read_bytes() == PREVIOUS[name] for name in NAMES)
    result = run_cli(root, "build", "--quiet", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(root / "output")) == sorted(NAMES)  # leftovers of the killed build are gone
    assert all((root / "output" / name).read_bytes() == new[name] for name in NAMES)


def test_next_build_removes_leftover_temporary_files(project: Path) -> None:
    _previous_outputs(project)
    leftover = project / "output" / ".evaluation-2021.pdf.k3j9x_2a.part"
    leftover.write_bytes(b"%PDF-1.7 half a file")
    result = run_cli(project, "build", "--quiet")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(project / "output")) == sorted(NAMES)
