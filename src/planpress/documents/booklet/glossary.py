"""※ marks generated from the glossary: the first use of each term in the booklet's running text."""

from __future__ import annotations

import dataclasses
import re

from planpress.content.booklet import Glossary
from planpress.document import Block, Cell, Paragraph, Section, Table

MARK = "※"
#: Styles of text that carries marks: running text and table text, not captions or headings.
MARKED_STYLES = ("body-text", "table-text")


class Marker:
    """Marks each glossary term once, where it first appears, and remembers which were used."""

    def __init__(self, glossary: Glossary) -> None:
        # Longest first, so ZEB・ZEH is found before a shorter term inside it.
        self.terms = sorted((t.term for t in glossary.terms), key=len, reverse=True)
        self.used: list[str] = []

    def mark(self, text: str) -> str:
        for term in self.terms:
            if term not in text or term in self.used:  # most texts hold no term: no pattern run for them
                continue
            # A term glossed in parentheses takes the mark after them: DX（デジタルトランスフォーメーション）※
            # Its first use is the first not part of a longer term, which may come later in the text.
            matches = re.finditer(re.escape(term) + r"(?![A-Za-z])(（[^（）]*）)?", text)
            match = next((m for m in matches if not _inside_longer(text, m.start(), term, self.terms)), None)
            if match is not None:
                text = text[: match.end()] + MARK + text[match.end():]
                self.used.append(term)
        return text

    def sections(self, sections: list[Section]) -> list[Section]:
        """The sections with marks added, in document order."""
        return [dataclasses.replace(s, blocks=tuple(self._block(b) for b in s.blocks)) for s in sections]

    def _block(self, block: Block) -> Block:
        if isinstance(block, Paragraph) and block.style in MARKED_STYLES:
            return dataclasses.replace(block, text=self.mark(block.text))
        if isinstance(block, Table):
            rows = tuple(tuple(self._cell(cell) for cell in row) for row in block.rows)
            return dataclasses.replace(block, rows=rows)
        return block

    def _cell(self, cell: Cell) -> Cell:
        if cell.style not in MARKED_STYLES:
            return cell
        return dataclasses.replace(cell, lines=tuple(self.mark(line) for line in cell.lines))


def _inside_longer(text: str, start: int, term: str, terms: list[str]) -> bool:
    """True when the match is part of a longer term (CCS inside CCUS is not CCS)."""
    for other in terms:
        if len(other) > len(term) and term in other:
            offset = other.index(term)
            if text[start - offset: start - offset + len(other)] == other:
                return True
    return False
