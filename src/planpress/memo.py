"""Whole results kept in .planpress-cache/ between builds: the checked content, each output file,
the Word contents' page numbers, drawings painted as PNG; with these keys and slots, each content
file's record and glyph findings (content/files.py, checks/glyphs.py) and each section's HTML for
the PDF engine's keys (render/pdf/sources.py).

Each result is stored with a key that hashes everything that shapes it (``fingerprint`` walks the
value a result is made from: the document model, every file a path in it names, the layouts, the
fonts, planpress's code and the versions of the libraries involved). A result is read back only
when the key matches exactly, so a build from the cache gives the bytes a cold build gives; a
miss simply makes the result again. ``planpress clean`` removes the folder with the part cache.

A key is made often (an output file's, each Word section's layout's), so ``fingerprint`` writes a
value as one list of tokens hashed once, and a large frozen dataclass (a section, a table, a
drawing) stands in its container as its own digest, kept while the object lives: a document's
key reuses the digests its sections' keys made. Keys hold no hash(), id() or pickle bytes, so
every process makes the same key from the same value.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import os
import pickle
import shutil
import sys
import threading
import weakref
from collections.abc import Callable
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from planpress import __version__
from planpress.cache import CACHE_DIR, code_identity, fonts_identity, layouts_identity
from planpress.project import Project

#: Content-addressed entries kept per folder: a drawing's PNG, a Word section's layout. A ×16
#: booklet has some 820 drawings and 900 sections; with fewer kept, every build made them all again.
MAX_ENTRIES = 4000


#: A value's serialisation is a list of tokens joined by NUL and hashed once. No token holds a NUL
#: (scalars are written by repr, which escapes it; names and numbers have none), and each value's
#: tokens say where they end (a container starts with its length), so no two values give one list.
_SEPARATOR = "\x00"
_SCALARS: dict[type, str] = {str: "str:", int: "int:", float: "float:", bool: "bool:", bytes: "bytes:",
                             Decimal: "Decimal:", type(None): "NoneType:"}
#: A dataclass instance whose serialisation has at least this many tokens is hashed on its own and
#: stands in its container as its digest (a section, a table, a drawing); smaller ones are inlined.
_SPLIT = 48
#: Frozen dataclass instances' digests, by id, kept while the instance lives (a weak reference
#: removes the entry when it goes): a document's print reuses its sections', which the Word
#: layout keys computed. Only instances of nothing but frozen dataclasses, tuples and plain
#: values are kept: a Path's file may change under the same name, a list may be changed in place.
_DIGESTS: dict[int, tuple[weakref.ref[Any], str]] = {}
_CLASSES: dict[type, tuple[str, tuple[str, ...], bool]] = {}


def fingerprint(*values: Any) -> str:
    """A digest of the values, the contents of every file a Path among them names included."""
    tokens: list[str] = []
    for value in values:
        _tokens(value, tokens)
    return hashlib.sha256(_SEPARATOR.join(tokens).encode("utf-8")).hexdigest()[:40]


def _tokens(value: Any, out: list[str]) -> bool:
    """Append the value's tokens to ``out``; whether its digest may be kept (see _DIGESTS)."""
    kind = type(value)
    tag = _SCALARS.get(kind)
    if tag is not None:
        out.append(tag + repr(value))
        return True
    if kind is tuple or kind is list:
        out.append(f"{kind.__name__}:{len(value)}")
        stable = kind is tuple
        for item in value:
            tag = _SCALARS.get(type(item))
            if tag is not None:
                out.append(tag + repr(item))
            elif not _tokens(item, out):
                stable = False
        return stable
    if kind in _CLASSES or dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_tokens(value, out)
    return _other_tokens(value, out)


def _dataclass_tokens(value: Any, out: list[str]) -> bool:
    """A dataclass instance: its class and each field by name, or its digest if it is large."""
    entry = _DIGESTS.get(id(value))
    if entry is not None and entry[0]() is value:
        out.append("#" + entry[1])
        return True
    header, names, frozen = _class_info(type(value))
    own = [header]
    stable = frozen
    for name in names:
        own.append(name)
        item = getattr(value, name)
        tag = _SCALARS.get(type(item))  # most fields: written here, not by a call
        if tag is not None:
            own.append(tag + repr(item))
        elif not _tokens(item, own):
            stable = False
    if len(own) < _SPLIT:
        out.extend(own)
        return stable
    digest = hashlib.sha256(_SEPARATOR.join(own).encode("utf-8")).hexdigest()
    out.append("#" + digest)
    if stable:
        _remember(value, digest)
    return stable


def _class_info(kind: type) -> tuple[str, tuple[str, ...], bool]:
    info = _CLASSES.get(kind)
    if info is None:
        names = tuple(item.name for item in dataclasses.fields(kind))
        frozen = kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
        info = _CLASSES[kind] = (f"dc:{kind.__module__}.{kind.__qualname__}", names, frozen)
    return info


def _remember(value: Any, digest: str) -> None:
    key = id(value)

    def forget(reference: weakref.ref[Any]) -> None:
        if _DIGESTS.get(key, (None,))[0] is reference:
            _DIGESTS.pop(key, None)

    try:
        _DIGESTS[key] = (weakref.ref(value, forget), digest)
    except TypeError:  # a class with __slots__ and no __weakref__: computed each time
        pass


def _other_tokens(value: Any, out: list[str]) -> bool:
    """Dicts and sets (in a canonical order), paths (with their file's bytes), enums, subclasses."""
    if isinstance(value, dict):
        out.append(f"dict:{len(value)}")
        for key in sorted(value, key=repr):
            _tokens(key, out)
            _tokens(value[key], out)
        return False
    if isinstance(value, (set, frozenset)):
        out.append(f"set:{len(value)}")
        for item in sorted(value, key=repr):
            _tokens(item, out)
        return isinstance(value, frozenset)
    if isinstance(value, Path):
        out.append(f"path:{value}")
        out.append(file_digest(value))  # a photo or icon replaced under the same name
        return False
    if isinstance(value, (list, tuple)):  # a named tuple
        out.append(f"{type(value).__name__}:{len(value)}")
        return all([_tokens(item, out) for item in value])
    if isinstance(value, (str, int, float, bytes, enum.Enum)):  # a subclass (an enum, a str enum)
        out.append(f"{type(value).__name__}:{value!r}")
        return True
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


class ByObject:
    """A few values remembered by the objects they were made for, the oldest forgotten first.

    A key is a tuple of objects, taken by identity, and strings, taken by value. An entry holds
    its objects, so that their ids are not reused while it is remembered. Safe across threads
    (the Word thread and the main thread ask at once).
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._entries: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _ids(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(part if isinstance(part, str) else id(part) for part in key)

    def get(self, *key: Any, take: bool = False) -> Any:
        """The value put under ``key``, or None; with ``take``, forgotten once given."""
        with self._lock:
            ids = self._ids(key)
            found = self._entries.pop(ids, None) if take else self._entries.get(ids)
        if found is None or any(held is not part for held, part in zip(found[0], key)):
            return None
        return found[1]

    def put(self, *key: Any, value: Any) -> None:
        with self._lock:
            while len(self._entries) >= self._limit:
                self._entries.pop(next(iter(self._entries)))
            self._entries[self._ids(key)] = (key, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: Each document's print, by the document object.
_PRINTS = ByObject(8)
#: Documents made from content of a known key (``made_from``), with that key.
_MADE = ByObject(8)


def made_from(document: Any, key: str) -> None:
    """Note that ``document`` is the model that what ``key`` names made (build.py: the checked
    content's key and the document's name): ``document_print`` keeps its print by that key."""
    _MADE.put(document, value=key)


def document_print(document: Any, project: Project | None = None) -> str:
    """``fingerprint(document)``, computed once per document object (a build asks for it per format).

    A document ``made_from`` a known key has its print kept in the project's cache by that key: a
    build with nothing changed takes it from there instead of walking the model (×16 booklet:
    0.18 s of CPU, a fifth of such a build). The key holds all the model is made from (Content.key).
    """
    digest = _PRINTS.get(document)
    if digest is not None:
        return digest
    made = _MADE.get(document)
    if made is not None and project is not None:
        slot = Slot(project, f"{document.name}.print")
        kept = slot.get(made)
        digest = kept.decode("ascii") if kept is not None else fingerprint(document)
        if kept is None:
            slot.put(made, digest.encode("ascii"))
    else:
        digest = fingerprint(document)
    _PRINTS.put(document, value=digest)
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
    return (__version__, sys.version, *(f"{name}={_version(name)}" for name in packages))


@functools.cache
def _version(package: str) -> str:
    # Read once per process (importlib.metadata searches every installed distribution, 2 ms a
    # name): the library this process runs is the one it imported, whatever is installed later.
    return metadata.version(package)


def environment(project: Project) -> tuple[str, ...]:
    """Everything outside the content that shapes any output: layouts, fonts, planpress's code."""
    return (*page_environment(project), fonts_identity())


def page_environment(project: Project) -> tuple[str, ...]:
    """What shapes a page's HTML besides its document model: the project's folder (the files' URLs),
    the layouts (templates and styles) and planpress's code (filters, typesetting, design values)."""
    return (str(project.root), layouts_identity(project), code())


@functools.cache
def code() -> str:
    """planpress's code (cache.code_identity), read once per process, as for the libraries: the
    code running is the code imported at its start."""
    return code_identity()


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
        """The value if it was stored under ``key`` and is whole; a file of another key is not
        read past its first line (a Word booklet kept at ×16 is 50 MB: an edit's build read it
        whole to miss)."""
        expected = key.encode("ascii") + b" "
        try:
            with self.path.open("rb") as file:
                if file.read(len(expected)) != expected:
                    return None
                line, value = file.readline(), file.read()  # not joined: 50 MB copied again
                return value if _matches(line.rstrip(b"\n"), value) else None
        except OSError:
            return None

    def put(self, key: str, value: bytes) -> None:
        write_quietly(self.path, key.encode("ascii") + b" " + sealed(value))

    def get_object(self, key: str) -> Any:
        """The object ``put_object`` stored under ``key``; None if there is none or it cannot be
        read back (a miss: the result is made again)."""
        data = self.get(key)
        try:
            return None if data is None else pickle.loads(data)
        except Exception:  # noqa: BLE001 - an unreadable entry is a miss
            return None

    def put_object(self, key: str, value: Any) -> None:
        self.put(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


class Shelf:
    """Many results by key in one folder (drawings as PNG); beyond MAX_ENTRIES the least recently
    used go.

    An entry's modification time is when a build last used it: ``get`` and ``has`` set it (one
    system call, ~2.5 µs: ~3 ms for the ~1,100 reads of a ×16 build after an edit). Ordered by
    when they were written, the entries every build reads (a ×16 booklet's 780 section layouts,
    written by its cold build) went before those of code no build runs any more, and the build
    after laid the whole Word booklet out in LibreOffice again (37 s of CPU at ×16).
    """

    def __init__(self, project: Project, name: str) -> None:
        self.folder = project.root / CACHE_DIR / name

    def get(self, key: str) -> bytes | None:
        try:
            with open(self.folder / key, "rb") as file:
                value = checked(file.read())
                if value is not None:
                    _used(file.fileno())
                return value
        except OSError:
            return None

    def has(self, key: str) -> bool:
        """Whether an entry ``key`` is there (not read: ``get`` checks it); it counts as used."""
        path = self.folder / key
        try:
            os.utime(path)
            return True
        except FileNotFoundError:
            return False
        except OSError:  # not written (a read-only project)
            return path.is_file()

    def made(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The entry ``key``, made and put when the shelf does not have it."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def put(self, key: str, value: bytes) -> None:
        write_quietly(self.folder / key, sealed(value))
        with _SHELVED_LOCK:
            # The folder is listed once a process, then when the entries written since may pass
            # MAX_ENTRIES (listing it on every write cost a cold ×16 Word booklet 9% of its time).
            count = _SHELVED.get(self.folder)
            _SHELVED[self.folder] = count = len(_listed(self.folder)) if count is None else count + 1
            if count <= MAX_ENTRIES:
                return
            # Down to a tenth under the limit, not to it: a full shelf was listed, and each of its
            # entries' times read, on every write after (a cold ×16 Word booklet writes 780 layouts).
            entries = sorted(_listed(self.folder), key=_written)
            keep = MAX_ENTRIES - MAX_ENTRIES // 10
            for path in entries[: max(0, len(entries) - keep)]:
                path.unlink(missing_ok=True)
            _SHELVED[self.folder] = min(len(entries), keep)


def _used(handle: int) -> None:
    """Mark an entry used now (its modification time), quietly: a read-only cache is still read."""
    try:
        os.utime(handle)
    except OSError:
        pass


#: Entries in each shelf's folder as this process counts them (other processes may add some).
_SHELVED: dict[Path, int] = {}
_SHELVED_LOCK = threading.Lock()


def _listed(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:  # not written (a read-only project): nothing to count
        return []


def _written(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # deleted meanwhile by another build's clean-up
        return 0


def sealed(value: bytes) -> bytes:
    """The value after a line with its digest, which ``checked`` compares when it is read back."""
    return hashlib.sha256(value).hexdigest()[:32].encode("ascii") + b"\n" + value


def checked(data: bytes) -> bytes | None:
    """The value ``sealed`` wrote if its digest line matches it; None (a miss: the result is made
    again) for an entry damaged outside planpress, such as a copy of the project cut short, which
    would otherwise reach output/ as it is."""
    line, _, value = data.partition(b"\n")
    return value if _matches(line, value) else None


def _matches(line: bytes, value: bytes) -> bool:
    return line == hashlib.sha256(value).hexdigest()[:32].encode("ascii")


def write_renamed(path: Path, data: bytes) -> None:
    """Write by renaming, without waiting for the disk (a reader sees the old entry or the new,
    whole); raise OSError if it cannot be written, leaving no temporary file behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)  # cut short by a full disk: not left to fill it
        raise


def write_quietly(path: Path, data: bytes) -> None:
    """``write_renamed``, for a cache that cannot be written (a read-only project) costs time,
    never the build."""
    try:
        write_renamed(path, data)
    except OSError:
        pass
