"""Whole results kept in .planpress-cache/ between builds: the checked content, each output file,
the Word contents' page numbers, drawings painted as PNG.

Each result is stored with a key that hashes everything that shapes it (``fingerprint`` walks the
value a result is made from: the document model, every file a path in it names, the layouts, the
fonts, planpress's code and the versions of the libraries involved). A result is read back only
when the key matches exactly, so a build from the cache gives the bytes a cold build gives; a
miss simply makes the result again. ``planpress clean`` removes the folder with the part cache.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import os
import shutil
import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from planpress import __version__
from planpress.cache import CACHE_DIR, code_identity, fonts_identity, layouts_identity
from planpress.project import Project

#: Content-addressed entries kept per folder: a drawing's PNG, a Word section's layout. A ×16
#: booklet has some 820 drawings and 900 sections; with fewer kept, every build made them all again.
MAX_ENTRIES = 4000


class _Hasher:
    """A canonical serialisation of plain values into SHA-256 (no pickle: its bytes may vary)."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def add(self, value: Any) -> None:
        tag = type(value).__name__
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            self._chunk(f"dc:{type(value).__module__}.{type(value).__qualname__}")
            for item in dataclasses.fields(value):
                self._chunk(item.name)
                self.add(getattr(value, item.name))
        elif isinstance(value, (list, tuple)):
            self._chunk(f"{tag}:{len(value)}")
            for item in value:
                self.add(item)
        elif isinstance(value, dict):
            self._chunk(f"dict:{len(value)}")
            for key in sorted(value, key=repr):
                self.add(key)
                self.add(value[key])
        elif isinstance(value, (set, frozenset)):
            self._chunk(f"set:{len(value)}")
            for item in sorted(value, key=repr):
                self.add(item)
        elif isinstance(value, Path):
            self._chunk(f"path:{value}")
            self._chunk(file_digest(value))  # a photo or icon replaced under the same name
        elif isinstance(value, (str, int, float, bool, bytes, enum.Enum)) or value is None:
            self._chunk(f"{tag}:{value!r}")
        else:
            raise TypeError(f"cannot fingerprint {tag}")

    def _chunk(self, text: str | bytes) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        self.hash.update(len(data).to_bytes(8, "big"))
        self.hash.update(data)


def fingerprint(*values: Any) -> str:
    """A digest of the values, the contents of every file a Path among them names included."""
    hasher = _Hasher()
    for value in values:
        hasher.add(value)
    return hasher.hash.hexdigest()[:40]


_PRINTS: dict[int, tuple[Any, str]] = {}
_PRINTS_LOCK = threading.Lock()


def document_print(document: Any) -> str:
    """``fingerprint(document)``, computed once per document object (a build asks for it per format).

    The entry holds the object, so its id cannot be reused while it is remembered.
    """
    with _PRINTS_LOCK:  # asked from the Word thread and the main thread at once
        found = _PRINTS.get(id(document))
        if found is not None and found[0] is document:
            return found[1]
    digest = fingerprint(document)
    with _PRINTS_LOCK:
        while len(_PRINTS) >= 8:
            _PRINTS.pop(next(iter(_PRINTS)))
        _PRINTS[id(document)] = (document, digest)
    return digest


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"unreadable:{error.errno}"


def tree_digest(folder: Path) -> str:
    """Every file under ``folder``: its relative name and its bytes."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return fingerprint(*((p.relative_to(folder).as_posix(), file_digest(p)) for p in files))


def versions(*packages: str) -> tuple[str, ...]:
    """planpress, Python and the named libraries' versions."""
    return (__version__, sys.version, *(f"{name}={metadata.version(name)}" for name in packages))


def environment(project: Project) -> tuple[str, ...]:
    """Everything outside the content that shapes any output: layouts, fonts, planpress's code."""
    return (str(project.root), layouts_identity(project), fonts_identity(), code_identity())


def tool_identity(name: str) -> str:
    """Where an external program is and which file it is (a new LibreOffice lays pages out anew)."""
    found = shutil.which(name)
    if found is None:
        return f"{name}:absent"
    real = Path(found).resolve()
    stat = real.stat()
    return f"{name}:{real}:{stat.st_size}:{stat.st_mtime_ns}"


class Slot:
    """One named result of which only the newest is kept (an output file, the checked content)."""

    def __init__(self, project: Project, name: str) -> None:
        self.path = project.root / CACHE_DIR / "results" / name

    def get(self, key: str) -> bytes | None:
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        stored, _, value = data.partition(b"\n")
        return value if stored == key.encode("ascii") else None

    def put(self, key: str, value: bytes) -> None:
        write_quietly(self.path, key.encode("ascii") + b"\n" + value)


class Shelf:
    """Many results by key in one folder (drawings as PNG); the oldest go beyond MAX_ENTRIES."""

    def __init__(self, project: Project, name: str) -> None:
        self.folder = project.root / CACHE_DIR / name

    def get(self, key: str) -> bytes | None:
        try:
            return (self.folder / key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, value: bytes) -> None:
        write_quietly(self.folder / key, value)
        entries = list(self.folder.iterdir())
        if len(entries) > MAX_ENTRIES:
            entries.sort(key=lambda p: p.stat().st_mtime_ns)
            for path in entries[: len(entries) - MAX_ENTRIES]:
                path.unlink(missing_ok=True)


def write_quietly(path: Path, data: bytes) -> None:
    """Write by renaming (a reader sees the old entry or the new, whole); a cache that cannot be
    written (a read-only project) costs time, never the build."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass
