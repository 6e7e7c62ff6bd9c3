"""Each section's HTML as the PDF engine keys, weighs and batches it, kept between builds.

A build needs the HTML of every section of a document (its content key hashes it, its length
weighs it for the batches), but lays out only the changed ones: making all that HTML through the
templates was most of the main process's own work after one edit of a large booklet. A section's
HTML is a function of the section model and the document's other fields, the layouts, planpress's
code, the template libraries' versions and the profile: all of it is in its key here, and the
document's date too where the page read it (html.PageContext notes that; the PDF engine's HTML
leaves the date out of the head). The HTML of a key is read back whole, so the content keys made
from it are those a cold build makes. One file per document and profile holds the sections it
had at its last build; the stylesheets every section inlines are stored once, not in each entry.

What the engine reads off a section's HTML (its digest, its weight, whether it links out, the
files it names) is kept beside it: they are functions of the HTML alone. A ×16 booklet's 780
sections are 15 MB of HTML with their styles (13 kB each): hashing, weighing and searching it all
again took 0.14 s of CPU after one edit, before the first batch could start.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from planpress import memo
from planpress.document import Document
from planpress.project import Project
from planpress.render import html

#: Bump when the file's layout changes.
_FORMAT = "sections-2"
#: An entry: the HTML before the styles, after them (None: no styles taken out), the date it read,
#: and what the engine reads off the whole HTML (``_facts``).
_Entry = tuple[str, str | None, str | None, "_Facts"]
#: The HTML's digest, weight, whether it links out, the file: URLs it names (sorted).
_Facts = tuple[str, int, bool, tuple[str, ...]]

_DATA_URL = re.compile(r"data:[^\"')\s]+")
_LINK = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'id="([^"]+)"')
#: A file: URL in a page's HTML (a photo WeasyPrint reads from content/).
_FILE_URL = re.compile(r"file://[^\"'()\s<>]+")


@dataclass(frozen=True)
class SectionSource:
    """One section's HTML (``html``, joined when asked for) and what the engine reads off it."""

    head: str
    tail: str | None
    styles: str
    #: a digest of the whole HTML (cache.content_key hashes it in its place)
    digest: str
    #: how much layout it is likely to cost: its length without embedded data: URLs
    weight: int
    #: whether it links to an anchor outside it (a contents, a cross-reference)
    links_out: bool
    #: every file it names by a file: URL
    files: tuple[str, ...]

    @property
    def html(self) -> str:
        return self.head if self.tail is None else self.head + self.styles + self.tail


def weight(source: str) -> int:
    """How much layout a page's HTML is likely to cost: its length without embedded data: URLs."""
    return len(_DATA_URL.sub("", source))


def section_sources(document: Document, sections: Sequence[Document], project: Project, profile: str,
                    date: float, *, keep: bool = True) -> list[SectionSource]:
    """Each of ``sections`` (one-section documents of ``document``) as
    html.render(section, project, profile=profile, date=date, head_dates=False) makes it
    (``keep``: what was made is kept for the next build; ``planpress check`` writes nothing)."""
    styles = html.page_styles(document, project, profile)
    frame = memo.fingerprint(_FORMAT, memo.page_environment(project), memo.versions(*html.LIBRARIES), profile,
                             replace(document, sections=()))
    when = html.iso_date(date)
    slot = memo.Slot(project, f"{document.name}.{profile}.sections")
    kept = slot.get_object(frame)
    kept = kept if isinstance(kept, dict) else {}
    fresh: dict[str, _Entry] = {}
    found: list[SectionSource] = []
    for section in sections:
        key = memo.fingerprint(frame, section.sections)
        entry = kept.get(key)
        if entry is None or entry[2] not in (None, when):
            source, dated = html.render_dated(section, project, styles, date, False)
            entry = _entry(source, styles, when if dated else None)
        fresh[key] = entry
        head, tail, _, (digest, size, links_out, files) = entry
        found.append(SectionSource(head, tail, styles, digest, size, links_out, files))
    if keep and fresh != kept:
        slot.put_object(frame, fresh)
    return found


def _entry(source: str, styles: str, dated: str | None) -> _Entry:
    head, found, tail = source.partition(styles) if styles else (source, "", "")
    facts = (hashlib.sha256(source.encode("utf-8")).hexdigest(), weight(source), _links_out(source),
             tuple(sorted(set(_FILE_URL.findall(source)))))
    return (head, tail, dated, facts) if found else (source, None, dated, facts)


def _links_out(source: str) -> bool:
    """Whether a page's HTML links to an anchor outside it (a contents, a cross-reference)."""
    return bool(set(_LINK.findall(source)) - set(_ID.findall(source)))
