"""Links from the ※ marks of the running text to their terms in the glossary (用語解説).

A table cell styled ``glossary-term`` holds a term (the glossary's first column): it gets an id,
and every ※ that follows that term in the text (or follows the term and its gloss in
parentheses, as documents/booklet/glossary.py marks it) links there.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from planpress.documents.booklet.glossary import MARK
from planpress.document import Table
from planpress.site.pages import Site

TERM_STYLE = "glossary-term"


def term_ids(site: Site) -> dict[str, tuple[str, str]]:
    """Each term → (its cell's id, the URL of that cell), in the glossary's order."""
    found: dict[str, tuple[str, str]] = {}
    for page in site.pages:
        for block in page.blocks:
            if not isinstance(block, Table):
                continue
            for row in block.rows:
                for cell in row:
                    if cell.style == TERM_STYLE and cell.lines and cell.lines[0] not in found:
                        anchor = f"term-{len(found) + 1}"
                        found[cell.lines[0]] = (anchor, f"{page.file}#{anchor}")
    return found


def linked(text: str, terms: dict[str, tuple[str, str]]) -> Markup:
    """The text, escaped, with each ※ after a known term a link to the term's definition."""
    longest = sorted(terms, key=len, reverse=True)
    parts: list[str] = []
    position = 0
    for match in re.finditer(re.escape(MARK), text):
        before = re.sub(r"（[^（）]*）$", "", text[: match.start()])  # a gloss in parentheses comes before the mark
        term = next((t for t in longest if before.endswith(t)), None)
        if term is None:
            continue
        parts.append(str(escape(text[position: match.start()])))
        parts.append(f'<a class="term-mark" href="{escape(terms[term][1])}" '
                     f'aria-label="{escape(f"用語解説「{term}」")}">{MARK}</a>')
        position = match.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))
