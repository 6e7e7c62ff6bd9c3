"""Shared fixtures: real projects copied to a temporary folder and built for real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "000_a1b74b276596d095.txt"
PROJECTS = Path(__file__).resolve().parent / "projects"


def copy_project(target: Path, source: Path = REPO) -> Path:
    """A copy of a project's content/ and layouts/ (never output/) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("content", "layouts"):
        shutil.copytree(source / folder, target / folder)
    return target


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``planpress`` as the office would, in the project's folder."""
    return subprocess.run(
        [sys.executable, "-m", "planpress", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


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
    return re.sub(r'<span class="(?:nobr|latin)">|</span>', "", path.read_text(encoding="utf-8"))


def docx_part(path: Path, name: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as package:
        return package.read(name).decode("utf-8")


def libreoffice_pdf(docx: Path, outdir: Path) -> Path:
    """Convert a Word file with the real word processor, as a department's PC would open it."""
    profile = outdir / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
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


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the shipped project to change."""
    return copy_project(tmp_path / "project")
