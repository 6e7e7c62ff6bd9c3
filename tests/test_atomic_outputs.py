"""A build killed at any moment leaves each output whole (old or new) and no partial file for long."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_project, run_cli

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
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], float]:
    """The bytes a complete build writes, and how long it takes."""
    root = copy_project(tmp_path_factory.mktemp("fresh") / "project")
    started = time.monotonic()
    result = run_cli(root, "build", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    return {name: (root / "output" / name).read_bytes() for name in NAMES}, time.monotonic() - started


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


@pytest.mark.parametrize("share", [0.3, 0.85, 0.95, 0.99])
def test_build_killed_at_any_moment_leaves_whole_files(share: float, tmp_path: Path, fresh: tuple[dict[str, bytes], float]) -> None:
    """Killed anywhere, even while writing: each file is the old one or the complete new one."""
    new, duration = fresh
    root = copy_project(tmp_path / "project")
    _previous_outputs(root)
    build = subprocess.Popen(
        [sys.executable, "-m", "planpress", "build", "--quiet"], cwd=root,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(duration * share)
    build.send_signal(signal.SIGKILL)
    build.wait()
    for name in NAMES:
        assert (root / "output" / name).read_bytes() in (PREVIOUS[name], new[name])
    result = run_cli(root, "build", "--quiet", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(root / "output")) == sorted(NAMES)  # leftovers of the killed build are gone


def test_next_build_removes_leftover_temporary_files(project: Path) -> None:
    _previous_outputs(project)
    leftover = project / "output" / ".evaluation-2021.pdf.k3j9x_2a.part"
    leftover.write_bytes(b"%PDF-1.7 half a file")
    result = run_cli(project, "build", "--quiet")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(project / "output")) == sorted(NAMES)
