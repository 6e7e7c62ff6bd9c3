"""The section cache in .planpress-cache/: laid-out parts of a PDF, keyed by all that shapes them.

A part's *content key* hashes its HTML (styles inlined), every file under layouts/, the
identity of the installed font files, planpress's code and the WeasyPrint and pydyf versions. Its
metadata (page count, anchors, bookmarks, the anchors its layout looked up) is stored once per
content key; its PDF once per *variant*: the content key, its first page number and the page
numbers of the anchors it looked up (a table of contents). A wrong variant is never read, so
the cache cannot make output stale; ``planpress clean`` removes it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from planpress import __version__
from planpress.cache import CACHE_DIR, code_identity, digest, fonts_identity, layouts_identity
from planpress.memo import checked, file_digest, sealed, write_renamed
from planpress.output import WriteError, write_atomic
from planpress.project import Project

if TYPE_CHECKING:
    from planpress.render.pdf.sources import SectionSource


@dataclass(frozen=True)
class PartMeta:
    """What the layout of a part found out, independent of where the part starts."""

    pages: int
    #: anchor → 0-based page index inside the part
    anchors: dict[str, int]
    #: (level, label, state) of each bookmark in document order; positions come from the PDF
    bookmarks: list[tuple[int, str, str]]
    #: anchors that target-counter()/target-text() looked up: their pages shape the part
    lookups: list[str]


@dataclass(frozen=True)
class Placed:
    """Where a document's last merge put its sections: the merged PDF (``merge.MERGED``…) and the
    first page of each section variant there (merge._rebase)."""

    pdf: str
    first: dict[str, int]
    #: by font (/BaseFont), a digest of the glyph ids its program and dictionary in ``pdf`` were
    #: joined for (fontmerge.glyph_digests); empty if that merge did not know every page's glyphs
    fonts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PageRange:
    """Pages ``first``… (0-based, ``count`` of them) of the batch PDF ``batch``."""

    batch: str
    first: int
    count: int
    #: the glyph ids they draw, by font (/BaseFont), sorted; None if unknown (canonical.Drawn)
    drawn: dict[str, list[int]] | None = None


def environment_key(project: Project, *, profile: str = "web") -> str:
    """Everything outside a part's HTML that shapes its PDF (the profile: its PDF standard)."""
    versions = [__version__] + [metadata.version(name) for name in ("weasyprint", "pydyf")]
    return digest(layouts_identity(project), fonts_identity(), code_identity(), profile, *versions)


def content_key(environment: str, source: SectionSource, *, first: bool, files: dict[str, str] | None = None) -> str:
    """A section's key: its HTML (by its digest, sources.SectionSource), which holds the
    document's date only where a layout shows it (the PDF engine gives WeasyPrint the date as data,
    and the merge writes it: pdf_dates), and the bytes of every file it names by a file: URL (a
    photo replaced under its name is another page). ``files``: the digests of files already read,
    by URL (a build reads each file once)."""
    return digest(environment, source.digest, "first" if first else "later", *_named_files(source.files, {} if files is None else files))


def _named_files(urls: tuple[str, ...], known: dict[str, str]) -> list[str]:
    """Each file named by a file: URL, with the digest of its bytes (read now: a photo may be
    replaced under its name)."""
    found = []
    for url in urls:
        if url not in known:
            known[url] = file_digest(Path(unquote(urlsplit(url).path)))
        found.append(f"{url}={known[url]}")
    return found


def batch_name(pdf: bytes) -> str:
    """A batch PDF's name in the cache: the hash of its bytes (the merge checks a file by it)."""
    return "batch-" + hashlib.sha256(pdf).hexdigest()[:32]


def pdf_dates(timestamp: float) -> dict[str, str]:
    """The PDF /Info dates for the document's date (Project.build_date, which layouts/base.html shows
    as dcterms.created and dcterms.modified), as WeasyPrint writes them: D:YYYYMMDDHHMMSSZ."""
    date = time.strftime("D:%Y%m%d%H%M%SZ", time.gmtime(timestamp))
    return {"/CreationDate": date, "/ModDate": date}


def variant_key(content: str, start: int, targets: Mapping[str, int]) -> str:
    looked_up = "\n".join(f"{name}\t{page}" for name, page in sorted(targets.items()))
    return digest(content, str(start), looked_up)


#: The caches of renders not merged yet: what they have written or read is not another document's
#: to delete (``keep_only``).
_LIVE: weakref.WeakSet[PartCache] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


class PartCache:
    """Files under the project's .planpress-cache/; every write is atomic."""

    def __init__(self, project: Project) -> None:
        self.root = project.root / CACHE_DIR
        self.held: set[str] = set()  # the keys this render stored or found
        with _LIVE_LOCK:
            _LIVE.add(self)

    def _hold(self, *keys: str) -> None:
        """Keys this render uses: under the lock, as ``keep_only`` reads every render's set from
        another thread (a set changed while it is read raises). A render that uses a key after its
        merge recorded what it uses (``keep_only``) is laid out again (a batch of the cache found
        damaged at the merge): it is live again, or another document's merge would delete the
        batches it lays out now, which its record does not name yet."""
        with _LIVE_LOCK:
            self.held.update(keys)
            _LIVE.add(self)

    def meta(self, content: str) -> PartMeta | None:
        found = _read_meta(self.root / f"{content}.json")
        if found is not None:
            self._hold(content)
        return found

    def store_meta(self, content: str, meta: PartMeta) -> None:
        self._hold(content)
        _write_small(self.root / f"{content}.json", json.dumps(asdict(meta), ensure_ascii=False).encode("utf-8"))

    def pdf_path(self, key: str) -> Path:
        return self.root / f"{key}.pdf"

    def has_pdf(self, key: str) -> bool:
        return self.pdf_path(key).is_file()

    def store_pdf(self, key: str, data: bytes) -> None:
        self._hold(key)
        try:
            write_atomic(self.pdf_path(key), data)
        except OSError as error:  # a full disk: the build says which file, output/ stays as it was
            raise WriteError(self.pdf_path(key), error) from None

    def forget_pdf(self, key: str) -> None:
        """Delete a PDF that cannot be read: what it held is made again."""
        self.pdf_path(key).unlink(missing_ok=True)

    def pages(self, variant: str) -> PageRange | None:
        """Where a section variant's pages are: a batch PDF and a page range in it. Once found, its
        batch is held: another document's ``keep_only`` keeps it (it may be a batch an interrupted
        build laid out, which no record names yet)."""
        found = _read_pages(self.root / f"{variant}.ref")
        if found is None:
            return None
        self._hold(variant, found.batch)  # held first, then looked for: keep_only deletes it before, or keeps it
        return found if self.has_pdf(found.batch) else None

    def store_pages(self, variant: str, pages: PageRange) -> None:
        self._hold(variant)
        _write_small(self.root / f"{variant}.ref", json.dumps(asdict(pages)).encode("utf-8"))

    def counts(self, document: str) -> list[int] | None:
        """Each section's page count in ``document``'s last build (``store_counts``), if known."""
        try:
            found = json.loads(_read_small(self.root / f"{document}.counts"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, list) and all(isinstance(count, int) for count in found) else None

    def store_counts(self, document: str, counts: list[int]) -> None:
        _write_small(self.root / f"{document}.counts", json.dumps(counts).encode("utf-8"))

    def placed(self, document: str) -> Placed | None:
        """Where ``document``'s last merge put each section variant's pages (``store_placed``)."""
        try:
            found = json.loads(_read_small(self._record(f"{document}.placed")))
            fonts = {str(font): str(digest) for font, digest in found.get("fonts", {}).items()}
            return Placed(str(found["pdf"]), {str(variant): int(first) for variant, first in found["first"].items()}, fonts)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def store_placed(self, document: str, placed: Placed) -> None:
        """One record for the whole merge, not one per section (780 at ×16: 0.5 s of writes)."""
        _write_small(self.root / f"{document}.placed",
                     json.dumps({"pdf": placed.pdf, "first": placed.first, "fonts": placed.fonts}, sort_keys=True).encode("utf-8"))

    def pages_in(self, variant: str, pdf: str, first: int) -> PageRange | None:
        """A section variant's pages from page ``first`` of the merged PDF ``pdf``: its page count
        and glyphs are those of its own record (``pages``), whichever batch that names."""
        found = _read_pages(self._record(f"{variant}.ref"))
        if found is None:
            return None
        self._hold(variant, pdf)  # held first, then looked for, as in ``pages``
        return PageRange(pdf, first, found.count, found.drawn) if self.has_pdf(pdf) else None

    def _record(self, name: str) -> Path:
        return self.root / name

    def keep_only(self, document: str, keys: Iterable[str]) -> None:
        """Record what ``document`` uses now; delete files no document's record names and no other
        render of this process still being laid out has written (a build lays its documents out
        at the same time: the report's merge deleted the booklet's new batches, laid out again)."""
        keys, record = sorted(set(keys)), self.root / f"{document}.uses"
        with _LIVE_LOCK:
            _LIVE.discard(self)
            others = {key for cache in _LIVE if cache.root == self.root for key in cache.held}
            used = others | set(keys) | {line for other in self.root.glob("*.uses") if other != record
                                         for line in _read_small(other).decode("utf-8").split()}
            for path in self.root.iterdir():
                if path.suffix in (".json", ".pdf", ".ref") and path.stem not in used:
                    path.unlink(missing_ok=True)
            # Written after the deletions: on a full disk they make the room it needs.
            _write_small(record, "\n".join(keys).encode("utf-8"))


class ScratchCache(PartCache):
    """The project's cache, read only: what a check lays out goes to ``scratch`` (a temporary
    folder the caller removes), so ``planpress check`` leaves no file in the project."""

    def __init__(self, project: Project, scratch: Path) -> None:
        super().__init__(project)
        self.scratch = scratch
        self.unreadable: set[str] = set()  # the project's files forgotten (``forget_pdf``), left in place

    def _found(self, name: str) -> Path:
        fresh = self.scratch / name
        return fresh if fresh.exists() or name in self.unreadable else self.root / name

    def forget_pdf(self, key: str) -> None:
        (self.scratch / f"{key}.pdf").unlink(missing_ok=True)
        self.unreadable.add(f"{key}.pdf")

    def meta(self, content: str) -> PartMeta | None:
        return _read_meta(self._found(f"{content}.json"))

    def store_meta(self, content: str, meta: PartMeta) -> None:
        _write_small(self.scratch / f"{content}.json", json.dumps(asdict(meta), ensure_ascii=False).encode("utf-8"))

    def pdf_path(self, key: str) -> Path:
        return self._found(f"{key}.pdf")

    def store_pdf(self, key: str, data: bytes) -> None:
        try:
            self.scratch.mkdir(parents=True, exist_ok=True)
            (self.scratch / f"{key}.pdf").write_bytes(data)
        except OSError as error:  # a full temporary folder: the check says which file
            raise WriteError(self.scratch / f"{key}.pdf", error) from None

    def pages(self, variant: str) -> PageRange | None:
        found = _read_pages(self._found(f"{variant}.ref"))
        return found if found is not None and self.has_pdf(found.batch) else None

    def store_pages(self, variant: str, pages: PageRange) -> None:
        _write_small(self.scratch / f"{variant}.ref", json.dumps(asdict(pages)).encode("utf-8"))

    def store_counts(self, document: str, counts: list[int]) -> None:
        """A check leaves the last build's counts as they are."""

    def store_placed(self, document: str, placed: Placed) -> None:
        """And where the last build's merge put the sections."""

    def _record(self, name: str) -> Path:
        return self._found(name)

    def keep_only(self, document: str, keys: Iterable[str]) -> None:
        """A check deletes nothing either."""


def _read_meta(path: Path) -> PartMeta | None:
    try:
        raw = json.loads(_read_small(path))
        return PartMeta(raw["pages"], raw["anchors"], [tuple(b) for b in raw["bookmarks"]], raw["lookups"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_pages(path: Path) -> PageRange | None:
    try:
        raw = json.loads(_read_small(path))
        return PageRange(raw["batch"], raw["first"], raw["count"], raw["drawn"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_small(path: Path) -> bytes:
    """A record ``_write_small`` wrote; empty if damaged outside planpress (a page range with a
    digit changed would take the wrong pages: read as a cache miss instead)."""
    return checked(path.read_bytes()) or b""


def _write_small(path: Path, data: bytes) -> None:
    """Write a small record by renaming, without waiting for the disk (PDFs do wait, write_atomic),
    after the line of its digest (``memo.sealed``).

    After a crash a record may be empty or missing; either reads as a cache miss.
    """
    try:
        write_renamed(path, sealed(data))
    except OSError as error:  # a full disk: the build says which file, output/ stays as it was
        raise WriteError(path, error) from None
