"""Shadings and images that the batches repeat, copied into the merged PDF once.

WeasyPrint writes a shading (a gradient) for every box that draws one, with its colour stops as a
stitching function of some hundred parts: the booklet's striped placeholders (未入力, a photo
not yet given) each carry one of ~25 kB, and all of them are one of two. At ×16 the batches held
~900 such shadings, most of the merged PDF's object text, which copying and saving went through
one by one. Before a batch's pages are copied, each of its shadings whose text equals one already
copied is pointed at that copy; the pages draw the same.

Only shadings that are whole in their own text are shared: a dictionary (not a stream) that names
no other object, so two with the same text are the same shading.

Images too: WeasyPrint writes an image once per pass, so an image (an SDG icon, a photo) that two
sections of one batch draw is one object, and one per batch otherwise. Each image is copied once
for the whole document (the same data, dictionary, soft mask and colour space: ``_identity``), so
the merged PDF does not depend on which sections were laid out together, and holds each image once.
"""

from __future__ import annotations

import hashlib
import re

import pikepdf
from pikepdf import Dictionary

#: A batch shading's key holding its text's digest (``mark``); the merged PDF has none.
MARK = "/PlanpressText"
#: An indirect reference in an object's text: such a shading's text does not say all it is.
_REFERENCE = re.compile(rb"\d+ \d+ R\b")

#: Where a shading is named: the indirect object that holds the name, the keys down to it.
_Place = tuple[pikepdf.Object, tuple[str, ...], pikepdf.Object]


class SharedShadings:
    """The shadings copied into ``base`` so far, by their text."""

    def __init__(self, base: pikepdf.Pdf) -> None:
        self.base = base
        self.known: dict[bytes, pikepdf.Object] = {}
        self.held: list[pikepdf.Page] = []  # the base's own pages, their shadings not known yet (``hold``)

    def hold(self, pages: list[pikepdf.Page]) -> None:
        """The base's own pages (a merge in place, into the last merged PDF): a page copied in
        later points at their shadings and images, as it would at the copies of a merge of every
        batch. Read only once a copied page names one (an edited policy page often names none)."""
        self.held = pages

    def _know_held(self) -> None:
        shadings, images = _places(self.held)
        self.held = []
        seen: set[tuple[int, int]] = set()  # the merged PDF's pages name a few shadings hundreds of times
        for places, identity in ((shadings, _digest), (images, _identity)):
            for _, _, value in places:
                if value.objgen in seen:
                    continue
                seen.add(value.objgen)
                key = identity(value)
                if key is not None:
                    self.known.setdefault(key, value)

    def take(self, source: pikepdf.Pdf, first: int, count: int) -> None:
        """Just before ``source``'s pages first…first+count are copied into the base: point their
        repeated shadings and images at the copy of the first (the source is only read, never saved: it is
        changed in memory). Page by page, as the pages are copied: the base's objects are then
        made in the same order whichever batches the pages come from, and so are its bytes."""
        shadings, images = _places(source.pages[first:first + count])
        # An image is shared by all it is (its data too: ``_identity``); a shading by its text.
        for places, identity in ((shadings, _marked), (images, _identity)):
            for owner, path, value in places:
                key = identity(value)
                if key is None:
                    continue
                if self.held:
                    self._know_held()
                known = self.known.get(key)
                if known is None:
                    known = self.known[key] = self.base.copy_foreign(value)
                    if MARK in known:
                        del known[MARK]
                del _at(owner, path[:-1])[path[-1]]  # so that the copy below does not copy it again
                _at(self.base.copy_foreign(owner), path[:-1])[path[-1]] = known


def mark(pdf: pikepdf.Pdf) -> None:
    """Write in each shading of a batch PDF the digest of its text (``MARK``), which the merge
    reads instead of the text: in the worker, for the pages laid out, not in the merge for every
    page (at ×16, 889 shadings of ~25 kB written out: a tenth of the merge's time)."""
    for _, _, shading in _places(pdf.pages)[0]:
        text = _text(shading)
        if text is not None:
            shading[MARK] = pikepdf.String(hashlib.sha256(text).hexdigest())


def _marked(shading: pikepdf.Object) -> bytes | None:
    """What a shading is: its text's digest, as ``mark`` wrote it, else the digest of its text
    (a shading of a merged PDF, which has no mark: the same key as the batches' copies of it)."""
    digest = shading.get(MARK) if isinstance(shading, Dictionary) and not isinstance(shading, pikepdf.Stream) else None
    if digest is not None:
        return b"T" + bytes(digest)
    text = _text(shading)
    if text is None:
        return None
    found = hashlib.sha256(text).hexdigest()
    shading[MARK] = pikepdf.String(found)  # read once: a merged PDF's pages name a few shadings many times
    return b"T" + found.encode("ascii")


def _digest(shading: pikepdf.Object) -> bytes | None:
    """``_marked``'s key of a shading of the base, which it leaves as it is (it is written)."""
    text = _text(shading)
    return None if text is None else b"T" + hashlib.sha256(text).hexdigest().encode("ascii")


def _text(shading: pikepdf.Object) -> bytes | None:
    """A shading's whole text, or None if it is a stream or names another object."""
    if isinstance(shading, pikepdf.Stream) or not isinstance(shading, Dictionary):
        return None
    text = bytes(shading.unparse(resolved=True))  # its own text; an object it names stays "n 0 R"
    # " R" first: a search for it is quick, and only a reference (or a string) holds one
    return None if b" R" in text and _REFERENCE.search(text) else text


def _at(holder: pikepdf.Object, path: tuple[str, ...]) -> pikepdf.Object:
    for key in path:
        holder = holder[key]
    return holder


def _places(pages: list[pikepdf.Page]) -> tuple[list[_Place], list[_Place]]:
    """Every indirect shading named by the pages' resources and by those of their patterns and
    forms, each place once, in page order; and every place they name an image (an image named
    twice: both places)."""
    found: list[_Place] = []
    images: list[_Place] = []
    seen: set[tuple[int, int]] = set()

    def visit(owner: pikepdf.Object, prefix: tuple[str, ...], resources: object) -> None:
        if not isinstance(resources, Dictionary):
            return
        if resources.is_indirect:
            if resources.objgen in seen:
                return
            seen.add(resources.objgen)
            owner, prefix = resources, ()
        table = resources.get("/Shading")
        if isinstance(table, Dictionary):
            where, start = (table, ()) if table.is_indirect else (owner, (*prefix, "/Shading"))
            found.extend((where, (*start, name), table[name]) for name in sorted(table.keys()) if table[name].is_indirect)
        for category in ("/Pattern", "/XObject"):
            children = resources.get(category)
            for name in sorted(children.keys()) if isinstance(children, Dictionary) else ():
                child = children[name]
                if child.is_indirect and child.get("/Subtype") == "/Image":
                    where, start = (children, ()) if children.is_indirect else (owner, (*prefix, category))
                    images.append((where, (*start, name), child))
                    continue
                if not child.is_indirect or child.objgen in seen:
                    continue
                seen.add(child.objgen)
                shading = child.get("/Shading")  # a shading pattern
                if isinstance(shading, pikepdf.Object) and shading.is_indirect:
                    found.append((child, ("/Shading",), shading))
                visit(child, ("/Resources",), child.get("/Resources"))

    for page in pages:
        visit(page.obj, ("/Resources",), page.obj.get("/Resources"))
    return found, images


def _identity(value: object, depth: int = 0) -> bytes | None:
    """What an image is, all of it (its data, dictionary, soft mask, colour space), as bytes; None
    if it reaches too deep to say."""
    if depth > 4:
        return None
    if isinstance(value, pikepdf.Stream):
        inner = _identity(value.stream_dict, depth + 1)
        return None if inner is None else b"S" + hashlib.sha256(value.read_raw_bytes()).digest() + inner
    if isinstance(value, Dictionary):
        parts = [b"D"]
        for key in sorted(value.keys()):
            if key == "/Length":
                continue
            inner = _identity(value[key], depth + 1)
            if inner is None:
                return None
            parts += [key.encode("latin-1"), inner]
        return b"\x00".join(parts) + b"\x01"
    if isinstance(value, pikepdf.Array):
        parts = [b"A"]
        for item in value:
            inner = _identity(item, depth + 1)
            if inner is None:
                return None
            parts.append(inner)
        return b"\x00".join(parts) + b"\x01"
    return b"V" + (bytes(value.unparse()) if isinstance(value, pikepdf.Object) else repr(value).encode("utf-8"))
