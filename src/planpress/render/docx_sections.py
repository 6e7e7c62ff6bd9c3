"""Word sections kept between builds: the XML a section's blocks wrote, written again as it was.

python-docx builds a section's paragraphs and tables element by element (a ×16 booklet's 780
sections: 4 s on every build, most of the Word file's time after an edit). What the blocks write
depends on the section and on what the file holds before it: the ids it is given (relationship
ids, picture part names, shape and bookmark ids) and which pictures are already in the package.
So each section's entry is kept under a key of

- the section itself (its fingerprint: text, drawings, the photo files it names),
- everything outside the content that shapes a Word file (layouts with the reference document,
  fonts, planpress's code, python-docx, lxml and Pillow),
- a digest of every id given out before its blocks, in order (the *journal*: each new part,
  relationship, shape id and bookmark id of the sections before it and of its own header).

An entry holds the elements the blocks added (one XML text) and the journal of its blocks. Taking
it, the journal is played again through the same calls that made it (docx_parts.Pictures gives
the same ids from the same state, and checks it does), then the elements are put in place. So a
file with sections taken from the cache has the bytes of a file written from scratch; an edit
that gives a section another picture moves the ids of every section after it, whose keys then
change: they are written anew. The section's page setup and running header are always written
(a few elements each): they take the section before into account.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import TYPE_CHECKING, Any

from docx.document import Document as WordDocument
from docx.opc.part import Part
from docx.oxml import parse_xml
from lxml import etree

from planpress import memo
from planpress.document import Section
from planpress.project import Project
from planpress.render import wordxml

if TYPE_CHECKING:
    from planpress.render.docx_parts import Pictures
    from planpress.render.docx_svg import SvgParts


class Journal:
    """The ids a file being filled has given out so far, as one running digest, and the events of
    the section being recorded (``events``: JSON-ready lists, in the order they happened)."""

    def __init__(self, salt: str) -> None:
        self._digest = hashlib.sha256(salt.encode("utf-8"))
        self.events: list[list[Any]] = []
        #: the bytes of each picture part given out, by the digest its event names (kept with the entry)
        self.blobs: dict[str, bytes] = {}

    def add(self, *event: Any) -> None:
        self.events.append(list(event))

    def mark(self) -> str:
        """The digest of everything given out so far; the events since the last mark are folded in."""
        if self.events:
            self._digest.update(json.dumps(self.events, ensure_ascii=False).encode("utf-8"))
            self.events = []
        return self._digest.hexdigest()[:40]


class SectionCache:
    """The entries of one document's Word sections, kept together in one file (``docx-xml``: read
    and written once a build, not a file per section), and the pictures' bytes they need
    (``docx-media``, by digest, written once), for the file being filled with ``journal``."""

    def __init__(self, project: Project, name: str) -> None:
        self.shelf, self.name = memo.Shelf(project, "docx-xml"), name + ".json"
        self.media = memo.Shelf(project, "docx-media")
        self.salt = memo.fingerprint("docx-xml", memo.environment(project),
                                     memo.versions("python-docx", "lxml", "pillow"))
        self.journal = Journal(self.salt)
        self.found: dict[str, Any] | None = None  # the entries of the last build, read on first use
        self.used: dict[str, Any] = {}  # this file's entries: kept for the next build
        self.taken = 0  # sections written from an entry in this file (the tests read it)

    def _entries(self) -> dict[str, Any]:
        if self.found is None:
            raw = self.shelf.get(self.name)
            try:
                self.found = json.loads(raw) if raw is not None else {}
            except ValueError:
                self.found = {}
            if not isinstance(self.found, dict):
                self.found = {}
        return self.found

    def close(self) -> None:
        """The file is whole: keep its sections' entries (only those) if they are not kept already."""
        if self.used.keys() != self._entries().keys():
            self.shelf.put(self.name, json.dumps(self.used, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def key(self, section: Section, first: bool) -> str:
        """The key of a section's blocks, written after everything the file holds now."""
        return memo.fingerprint(self.salt, section, first, self.journal.mark())

    def take(self, word: WordDocument, key: str, pictures: Pictures, svgs: SvgParts, state: Any, *,
             spliced: bool = False) -> bool:
        """Write the entry ``key`` at the end of the body, if the cache has it whole: its ids
        given again (``pictures``: docx_parts.Pictures, ``svgs``: docx_svg.SvgParts, ``state``: the
        render's bookmark count). False, having changed nothing, if it is missing or damaged.
        ``spliced``: its elements are written as their text when the file is saved (wordxml.stand_in),
        for a section nothing reads or changes in the tree afterwards."""
        entry = self._entries().get(key)
        if entry is None:
            return False
        try:
            events, text = entry["events"], entry["xml"]
            xml, inner = text.encode("utf-8"), _children_text(text)
            if not _playable(events, str(word.part.partname)):
                return False
            blobs = {event[1]: self.media.get(event[1]) for event in events if event[0] in ("image", "svg")}
        except (KeyError, TypeError, AttributeError, ValueError):
            return False
        if any(blob is None for blob in blobs.values()):
            return False  # a picture's bytes are gone (the shelf keeps the newest): written anew
        stand_in = wordxml.stand_in(inner) if spliced else None
        elements = [stand_in] if stand_in is not None else list(parse_xml(xml)) if inner else []
        _replay(word, events, blobs, pictures, svgs, state, self.journal)
        self.journal.blobs.clear()  # in the package; kept in the shelf already
        sentinel = word.element.body[-1]
        for element in elements:
            sentinel.addprevious(element)
        self.used[key] = entry
        self.taken += 1
        return True

    def keep(self, word: WordDocument, key: str, after: Any) -> None:
        """Keep what the blocks just wrote (the body's elements after ``after``, or all of them if
        None, up to its own w:sectPr) and the journal of its blocks under ``key``."""
        body = word.element.body
        added = list(after.itersiblings()) if after is not None else list(body)
        wrapper = etree.Element(body.tag, nsmap=word.element.nsmap)
        for element in added[:-1]:  # the last is the body's own w:sectPr
            wrapper.append(copy.deepcopy(element))
        events = self.journal.events
        for event in events:
            if event[0] in ("image", "svg") and not self.media.has(event[1]):
                self.media.put(event[1], self.journal.blobs[event[1]])
        self.journal.blobs.clear()
        self.used[key] = {"events": list(events), "xml": etree.tostring(wrapper, encoding="unicode")}


def _children_text(xml: str) -> str:
    """The text of a kept entry's elements: its wrapper's (``keep``) start and end tags taken
    off. The wrapper declares the namespaces the document's root declares, and nothing else: its
    children's text is the text they serialize to in the body."""
    start = xml.index(">") + 1
    if xml[start - 2] == "/":
        return ""  # <w:body .../>: no elements
    return xml[start:xml.rindex("</")]


def _playable(events: Any, owner: str) -> bool:
    """Whether a journal read back is one ``_replay`` plays: known events, each relationship from
    the document part to a part an earlier event of its own made."""
    if not isinstance(events, list):
        return False
    made = set()
    for event in events:
        if not isinstance(event, list) or not event:
            return False
        if event[0] in ("image", "svg") and len(event) == 3 and all(isinstance(item, str) for item in event[1:]):
            made.add(event[2])
        elif event[0] == "rel" and len(event) == 5 and event[1] == owner and event[3] in made and isinstance(event[2], str):
            continue
        elif event[0] in ("shape", "bookmark") and len(event) == 2 and type(event[1]) is int:
            continue
        else:
            return False
    return True


def _replay(word: WordDocument, events: list[list[Any]], blobs: dict[str, bytes | None], pictures: Pictures,
            svgs: SvgParts, state: Any, journal: Journal) -> None:
    """Give out the ids of an entry's journal again, through the calls that gave them; the same
    ids, or an AssertionError (the key left out something that shapes them: a bug)."""
    package = word.part.package
    made: dict[str, tuple[Part, str | None]] = {}  # part name as kept -> part, and its SVG's digest
    for event in events:
        kind = event[0]
        if kind == "image":
            suffix = event[2].rpartition(".")[2]
            made[event[2]] = (pictures.image_part(package, blobs[event[1]], digest=event[1], ext=suffix), None)
        elif kind == "svg":
            part = Part(svgs.next_name(package), "image/svg+xml", blobs[event[1]], package)
            journal.add("svg", event[1], str(part.partname))
            made[event[2]] = (part, event[1])
        elif kind == "rel":
            target, svg = made[event[3]]
            found = pictures.relate(word.part, target, event[2])
            if svg is not None:
                svgs.ids[(str(word.part.partname), svg)] = found
        elif kind == "shape":
            pictures.next_ids[id(word.part)] = event[1] + 1
            journal.add(*event)
        elif kind == "bookmark":
            state.bookmarks = event[1]
            journal.add(*event)
    if journal.events != events:
        raise AssertionError("a Word section's ids differ from those it was kept with")
