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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from planpress import memo
from planpress.document import Document
from planpress.project import Project
from planpress.render import html

#: Bump when the file's layout changes.
_FORMAT = "sections-1"
#: An entry: the HTML before the styles, after them (None: no styles taken out), the date it read.
_Entry = tuple[str, str | None, str | None]


def section_html(document: Document, sections: Sequence[Document], project: Project, profile: str,
                 date: float, *, keep: bool = True) -> list[str]:
    """The HTML of each of ``sections`` (one-section documents of ``document``), as
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
    sources: list[str] = []
    for section in sections:
        key = memo.fingerprint(frame, section.sections)
        entry = kept.get(key)
        if entry is None or entry[2] not in (None, when):
            source, dated = html.render_dated(section, project, styles, date, False)
            entry = _entry(source, styles, when if dated else None)
        fresh[key] = entry
        sources.append(_source(entry, styles))
    if keep and fresh != kept:
        slot.put_object(frame, fresh)
    return sources


def _entry(source: str, styles: str, dated: str | None) -> _Entry:
    head, found, tail = source.partition(styles) if styles else (source, "", "")
    return (head, tail, dated) if found else (source, None, dated)


def _source(entry: _Entry, styles: str) -> str:
    head, tail, _ = entry
    return head if tail is None else head + styles + tail
