"""What every cache in .planpress-cache/ shares: the folder, and the identities of what shapes
an output besides its content (the installed fonts, the layouts, planpress's own code).

The PDF engine's section cache is render/pdf/cache.py; whole results (checked content, output
files) are memo.py's. ``planpress clean`` removes the folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


#: Said once when a build, check or clean waits for another one of the same project.
WAITING = "planpress: 別の planpress がこのプロジェクトの .planpress-cache/ を使っています。終わるのを待っています"


@contextmanager
def taking_turns(project: Project, *, shared: bool = False, create: bool = True,
                 waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the project's cache: a build (or ``clean``) alone, checks (``shared``) together.

    A build's clean-up deletes what no document of its own uses; another build of the same project
    (``planpress serve`` building the PDFs beside a ``planpress build``) lost the batches it had
    just laid out and failed. The lock is on a file in the cache folder, freed even if killed;
    ``waiting`` is called once if another holds it. Without ``create`` (a check, a clean: they
    make no cache) a project whose lock file no build has made is not locked; a project whose
    cache cannot be made (read-only) is built without it.
    """
    folder = project.root / CACHE_DIR
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder / "turn.lock", os.O_RDWR | os.O_CREAT if create else os.O_RDONLY, 0o644)
    except OSError:
        yield
        return
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, mode)
        except OSError:  # a file system without locks (some network shares): as before, unlocked
            pass
        yield
    finally:
        os.close(handle)
