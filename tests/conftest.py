"""Shared fixtures: real projects copied to a temporary folder and built for real."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "000_a1b74b276596d095.txt"
PROJECTS = Path(__file__).resolve().parent / "projects"

#: One LibreOffice profile for the whole session (setting one up takes seconds): the tests' own
#: conversions use it, and so do the builds of every warm project copy, whose
#: .planpress-cache/libreoffice (where a build keeps its profile) links to it. One LibreOffice runs
#: at a time; a build that finds the profile in use makes its own (render/docx_toc.py).
SOFFICE_PROFILE = Path(tempfile.mkdtemp(prefix="planpress-lo-")) / "profile"
SOFFICE_PROFILE.mkdir()


def copy_project(target: Path, source: Path = REPO, *, warm: bool = True) -> Path:
    """A copy of a project's content/ and layouts/ (never output/) in ``target``.

    A copy of the shipped project also gets the section cache of one build of it (``warm``), so
    a test lays out only the sections its edits change; the cache's keys hold everything that
    shapes a section, so it cannot make a test pass on stale pages. A test about the cache or
    a cold build asks for ``warm=False``.
    """
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("content", "layouts"):
        shutil.copytree(source / folder, target / folder)
    if warm and source == REPO:
        shutil.copytree(_warm_cache(), target / ".planpress-cache")
        (target / ".planpress-cache" / "libreoffice").symlink_to(SOFFICE_PROFILE, target_is_directory=True)
    return target


_WARM: list[Path] = []


def _warm_cache() -> Path:
    """The section cache of the shipped project's PDFs, built once per test session."""
    if not _WARM:
        root = copy_project(Path(tempfile.mkdtemp(prefix="planpress-warm-")) / "project", warm=False)
        result = run_cli(root, "build", "--format", "pdf", "--quiet")
        assert result.returncode == 0, result.stderr
        _WARM.append(root / ".planpress-cache")
    return _WARM[0]


def pytest_sessionfinish(session: pytest.Session) -> None:
    for cache in _WARM:
        shutil.rmtree(cache.parent.parent, ignore_errors=True)
    shutil.rmtree(SOFFICE_PROFILE.parent, ignore_errors=True)


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None, process: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``planpress`` as the office would, in the project's folder: its main() in this process
    (``run_main``), or a new Python process when the test needs one (``process``, or variables of
    its own in the environment)."""
    if not process and env is None:
        return run_main(root, *args)
    return subprocess.run(
        [sys.executable, "-m", "planpress", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def issue_year(root: Path, year: str = "2023") -> Path:
    """``root`` with the year's evaluation file created and its departments' sheets written, as the
    office starts a year (`planpress evaluation new`, `planpress sheets`)."""
    for command in (("evaluation", "new", year), ("sheets", year)):
        result = run_cli(root, *command)
        assert result.returncode == 0, result.stderr
    return root


def run_main(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``planpress`` in this process: the same ``planpress.cli.main`` the command runs, in the
    project's folder, with its stdout, stderr and exit status captured (seconds faster than a new
    Python importing WeasyPrint each time).

    No traceback can hide here: an exception that would reach the user's terminal escapes main()
    and fails the test. What only a real process shows (its streams' encoding, signals, the
    interpreter's exit) is tested with ``run_cli``. Logging is put back as it was afterwards, so
    the command's set-up leaks into no other test.
    """
    from planpress.cli import main

    root_logger, weasyprint = logging.getLogger(), logging.getLogger("weasyprint")
    saved = (root_logger.level, list(root_logger.handlers), weasyprint.propagate)
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.chdir(root), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = main(list(args))
            except SystemExit as exit:  # argparse's usage errors and --help
                status = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    finally:
        root_logger.setLevel(saved[0])
        root_logger.handlers[:] = saved[1]
        weasyprint.propagate = saved[2]
    return subprocess.CompletedProcess(["planpress", *args], status, stdout.getvalue(), stderr.getvalue())


def pdf_pages(path: Path, mode: str = "-raw") -> list[str]:
    """The text of each page as pdftotext reads it (``-raw``: in drawing order, a table cell whole)."""
    command = ["pdftotext", "-enc", "UTF-8", *([mode] if mode else []), str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squash(text: str) -> str:
    """Text without line breaks and spaces, so wrapped lines compare with source text."""
    return re.sub(r"\s+", "", text)


def read_html(path: Path) -> str:
    """An HTML output without the line-composition spans (typeset.runs), so text reads as written.

    The layouts have no other spans; tests/test_typesetting.py checks what the spans do on the page.
    """
    return re.sub(r'<span class="(?:nobr|latin|tight)">|</span>', "", path.read_text(encoding="utf-8"))


def docx_part(path: Path, name: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as package:
        return package.read(name).decode("utf-8")


def libreoffice_pdf(docx: Path, outdir: Path) -> Path:
    """Convert a Word file with the real word processor, as a department's PC would open it."""
    subprocess.run(
        ["soffice", f"-env:UserInstallation={SOFFICE_PROFILE.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
        capture_output=True, check=True, timeout=300,
    )
    return outdir / (docx.stem + ".pdf")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped project, built once in every format."""
    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    result = run_cli(root, "build", "--format", "pdf", "--format", "docx", "--format", "html")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="session")
def print_booklet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The booklet built once with --profile print (laid out in one pass: nothing to cache), and
    what the PDF renderer reported about that build (render/pdf/parts.py's PartsBuild)."""
    from planpress.build import build
    from planpress.render.pdf import parts
    from planpress.project import Project

    root = copy_project(tmp_path_factory.mktemp("print") / "project")
    [path] = build(Project.at(root), names=["booklet"], formats=["pdf"], profile="print", quiet=True)
    return path, parts.LAST_BUILDS["booklet"]


@pytest.fixture(scope="session")
def word_in_libreoffice(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Word booklet as LibreOffice lays it out (a department PC without Word)."""
    return libreoffice_pdf(built / "output" / "booklet.docx", tmp_path_factory.mktemp("word-booklet"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the shipped project to change (with the warm section cache)."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def cold_project(tmp_path: Path) -> Path:
    """A fresh copy of the shipped project without a section cache."""
    return copy_project(tmp_path / "project", warm=False)


#: Two photos of project 1 with edge bands a reader sees only if the photo is shown whole: a tall
#: one (a tower: red top, blue bottom, each a tenth of its height) and a wide one (a panorama:
#: magenta left, cyan right), as (caption in content/booklet/projects.yaml, file, size, bands).
BANDED_PHOTOS = (
    ("キラキラ公園で行われたキッチンカーイベント", "tower.jpg", (600, 1200), ((255, 0, 0), (0, 0, 255))),
    ("TOMAKOMAI MIRAIFEST 2022ロゴ", "panorama.jpg", (1600, 600), ((255, 0, 255), (0, 255, 255))),
)


def register_banded_photos(project: Path) -> None:
    """Make BANDED_PHOTOS under content/booklet/photos/ and give their slots in projects.yaml their files."""
    from PIL import Image, ImageDraw

    photos = project / "content" / "booklet" / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    path = project / "content" / "booklet" / "projects.yaml"
    text = path.read_text(encoding="utf-8")
    for caption, name, (width, height), (start, end) in BANDED_PHOTOS:
        photo = Image.new("RGB", (width, height), (0, 160, 0))
        draw = ImageDraw.Draw(photo)
        if height > width:
            draw.rectangle((0, 0, width, height // 10 - 1), fill=start)
            draw.rectangle((0, height - height // 10, width, height), fill=end)
        else:
            draw.rectangle((0, 0, width // 10 - 1, height), fill=start)
            draw.rectangle((width - width // 10, 0, width, height), fill=end)
        photo.save(photos / name, quality=95)
        text = text.replace(f"{caption}\n        image: null", f"{caption}\n        image: booklet/photos/{name}", 1)
    path.write_text(text, encoding="utf-8")


def colour_box(image: object, colour: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of the pixels of ``image`` (a Pillow RGB image) in ``colour``."""
    from PIL import Image, ImageChops

    difference = ImageChops.difference(image, Image.new("RGB", image.size, colour)).convert("L")  # type: ignore[attr-defined]
    return difference.point(lambda value: 255 if value < 24 else 0).getbbox()
