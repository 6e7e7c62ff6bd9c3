"""What every cache in .planpress-cache/ shares: the folder, and the identities of what shapes
an output besides its content (the installed fonts, the layouts, planpress's own code).

The PDF engine's section cache is render/pdf/cache.py; whole results (checked content, output
files) are memo.py's. ``planpress clean`` removes the folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from planpress.project import Project

CACHE_DIR = ".planpress-cache"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")


def digest(*chunks: bytes | str) -> str:
    """A short hash of the chunks, each length-prefixed (so no two lists of chunks collide)."""
    hasher = hashlib.sha256()
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()[:32]


def fonts_identity() -> str:
    """Path, size and modification time of every installed font file."""
    entries: list[str] = []
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        for dirpath, _, names in os.walk(root):
            for name in names:
                stat = os.stat(os.path.join(dirpath, name))
                entries.append(f"{dirpath}/{name}\t{stat.st_size}\t{stat.st_mtime_ns}")
    return digest("\n".join(sorted(entries)))


def layouts_identity(project: Project) -> str:
    files = sorted(p for p in project.layouts_dir.rglob("*") if p.is_file())
    return digest(*(f"{p.relative_to(project.layouts_dir).as_posix()}" for p in files), *(p.read_bytes() for p in files))


def code_identity() -> str:
    """planpress's own code: its layout hooks (render/pdf/justify.py, render/pdf/batch.py) shape
    pages too, and a working copy changes them without changing the version number."""
    package = Path(__file__).parent
    files = sorted(package.rglob("*.py"))
    return digest(*(p.relative_to(package).as_posix() for p in files), *(p.read_bytes() for p in files))


def clean(project: Project) -> list[Path]:
    """Remove output/ and the cache; return what was removed."""
    removed = []
    for folder in (project.output_dir, project.root / CACHE_DIR):
        if folder.exists():
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
