"""The web edition's pages kept between saves in `planpress serve`: a page whose key is unchanged
is not made again.

A page's HTML is a function of what its template reads. Its template gets the page, the site and
the document through guards that let it read only what the key holds: its own page's blocks and
links; every page's place (slug, title, anchors, trail, parent, children, previous, next, group
ids: one digest for the site, the ``shape``); the site's title and anchors; the document's fields
but its sections. Reading anything else (another page's blocks, the document's sections, a Python
internal such as ``__dict__``) raises ViewMiss, and that page is made from the real objects, not
kept. The filters read the glossary's terms (in the key), the site's anchors (in the shape) and
pictures (each picture a page asked for is asked again when it is reused: a photo replaced under
its name gives another file name, and the page is made again). The layouts, planpress's code and
the template libraries' versions are in the key; the date is in it unless the layouts only print
it (serve/dates.py: then it is filled in after).

Templates that reach past the model through Python internals (``__self__``, ``__globals__``) are
beyond any key: layouts read the model through attributes and items, as the shipped ones do.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import jinja2

from planpress import memo
from planpress.document import Document
from planpress.serve import dates
from planpress.site.pages import Page, Site
from planpress.site.search import page_text

#: What a template may read of any page (its place in the site), and of its own page only.
SHARED = frozenset({"slug", "title", "anchors", "trail", "parent", "children", "previous", "next", "group_ids",
                    "file", "child_groups", "ancestors"})
OWN = frozenset({"blocks", "links", "heading_level", "level"})
SITE = frozenset({"title", "pages", "where", "href"})
DOCUMENT = frozenset(field.name for field in dataclasses.fields(Document)) - {"sections"}


class ViewMiss(Exception):
    """A template read what a kept page's key does not hold: the page is made from the real objects."""


@dataclasses.dataclass(frozen=True)
class Made:
    """A page as kept: its key ("": made from the real objects, not kept), its HTML (dates.MARK
    for the date), the pictures it asked for (path, file name), the characters it shows and its
    search text (MARK taken out of the characters: ``dated`` says whether it held one)."""

    key: str
    html: str
    pictures: tuple[tuple[Any, str], ...]
    characters: frozenset[str]
    dated: bool
    text: str


class KeptPages:
    """One document's site pages from the last save, by page file."""

    def __init__(self) -> None:
        self.made: dict[str, Made] = {}

    def pages(self, env: jinja2.Environment, site: Site, document: Document, common: dict[str, Any],
              pictures: Any, frame: str) -> dict[str, str]:
        """Every page's HTML as ``page.html`` makes it from ``common`` (the date as the templates
        get it: dates.MARK or the date), made again only where its key changed; ``frame`` holds
        what shapes every page besides the site (the layouts, the code, the terms, the date)."""
        frame = memo.fingerprint(frame, shape(site), memo.fingerprint(dataclasses.replace(document, sections=())))
        made: dict[str, Made] = {}
        for page in site.pages:  # by file: a page's place in ``shape``
            key = memo.fingerprint(frame, page.blocks)  # its links: the document's, in the frame
            kept = self.made.get(page.file)
            if kept is None or kept.key != key or not _same_pictures(kept, pictures):
                kept = _make(env, site, document, page, common, pictures, key)
            made[page.file] = kept
        self.made = made
        return {name: entry.html for name, entry in made.items()}

    def text(self, file: str, date: str) -> str:
        """The search text of a page ``pages`` made, of the date ``date``."""
        return dates.dated(self.made[file].text, date)

    def characters(self, date: str) -> set[str]:
        """The characters of every page ``pages`` made, of the date ``date``."""
        shown = set().union(*(entry.characters for entry in self.made.values()))
        return shown | set(date) if any(entry.dated for entry in self.made.values()) else shown


def _make(env: jinja2.Environment, site: Site, document: Document, page: Page, common: dict[str, Any],
          pictures: Any, key: str) -> Made:
    template = env.get_template("page.html")
    asked = len(pictures.asked)
    guards = Guards(page)
    try:
        html = template.render({**common, "page": guards.wrap(page), "site": guards.wrap(site),
                                "document": guards.wrap(document)})
    except ViewMiss:  # the template read past the key: made from the real objects, and not kept
        del pictures.asked[asked:]
        html = template.render({**common, "page": page})
        key = ""
    return Made(key, html, tuple(pictures.asked[asked:]), frozenset(html.replace(dates.MARK, "")),
                dates.MARK in html, page_text(html))


def _same_pictures(kept: Made, pictures: Any) -> bool:
    """Whether each picture the page asked for is the file it was (asked again: the site holds it)."""
    return all(pictures.url(path) == name for path, name in kept.pictures)


def shape(site: Site) -> str:
    """Every page's place in the site: all a template may read of a page other than its own."""
    number = {id(page): index for index, page in enumerate(site.pages)}

    def at(page: Page | None) -> int:
        return -1 if page is None else number[id(page)]

    return memo.fingerprint(site.title, [
        (page.slug, page.title, page.anchors, page.trail, at(page.parent), [at(child) for child in page.children],
         at(page.previous), at(page.next), page.group_ids) for page in site.pages])


class Guards:
    """The guards of one page's render: one per object, so that identity is the real objects'."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.made: dict[int, Guard] = {}

    def wrap(self, value: Any) -> Any:
        """``value`` as a template may see it: a page, the site or the document guarded, a
        container holding one copied with its items wrapped, anything else itself."""
        if isinstance(value, (Page, Site, Document)):
            guard = self.made.get(id(value))
            if guard is None:
                guard = self.made[id(value)] = Guard(value, self._readable(value), self)
            return guard
        if isinstance(value, (list, tuple)):
            items = [self.wrap(item) for item in value]
            changed = any(item is not original for item, original in zip(items, value))
            return value if not changed else items if isinstance(value, list) else type(value)(items)
        if isinstance(value, dict):
            pairs = {key: self.wrap(item) for key, item in value.items()}
            return pairs if any(pairs[key] is not value[key] for key in value) else value
        return value

    def _readable(self, value: Page | Site | Document) -> frozenset[str]:
        if isinstance(value, Page):
            return SHARED | OWN if value is self.page else SHARED
        return SITE if isinstance(value, Site) else DOCUMENT


class Guard:
    """A page, the site or the document as a kept page's template reads it (see the module)."""

    __slots__ = ("_real", "_readable", "_guards", "_fields")

    def __init__(self, real: Any, readable: frozenset[str], guards: Guards) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_readable", readable)
        object.__setattr__(self, "_guards", guards)
        object.__setattr__(self, "_fields", {})

    def __getattribute__(self, name: str) -> Any:
        real = object.__getattribute__(self, "_real")
        if name == "__class__":  # isinstance() and Jinja's tests see the real object's class
            return type(real)
        if name not in object.__getattribute__(self, "_readable"):
            raise ViewMiss(name)
        guards: Guards = object.__getattribute__(self, "_guards")
        if name not in _field_names(type(real)):
            return guards.wrap(getattr(real, name))  # a property or method: made anew, as on the real object
        fields: dict[str, Any] = object.__getattribute__(self, "_fields")
        if name not in fields:  # a field: the same object each time, as on the real object
            fields[name] = guards.wrap(getattr(real, name))
        return fields[name]

    def __eq__(self, other: object) -> bool:
        return other is self  # one guard per object: the real objects' identity (a page's equality)

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_real"))

    def __str__(self) -> str:
        raise ViewMiss("str")

    def __repr__(self) -> str:
        raise ViewMiss("repr")

    def __format__(self, spec: str) -> str:
        raise ViewMiss("format")


@functools.cache
def _field_names(kind: type) -> frozenset[str]:
    return frozenset(field.name for field in dataclasses.fields(kind))
