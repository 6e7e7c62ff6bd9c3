"""Synthetic multi-section documents made from the real evaluation content, for the part tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from planpress.build import load
from planpress.document import Cell, Column, Document, Heading, Paragraph, Section, Table, TitleBlock
from planpress.project import Project

TOC_TEMPLATE = """<nav class="toc"><ol>
{% for entry in block.entries %}<li class="toc-{{ entry[2] }}"><a href="#{{ entry[1] }}">{{ entry[0] }}</a></li>
{% endfor %}</ol></nav>
"""
TOC_CSS = """
.toc ol { list-style: none; margin: 0; padding: 0; }
.toc li.toc-2 { padding-left: 6mm; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after { content: leader(". ") target-counter(attr(href), page); }
"""


@dataclass(frozen=True)
class Toc:
    """A table of contents: (title, anchor, level) entries; pages come from target-counter().

    Not a Block subclass: it exists only in these tests (the registry test lists every Block),
    and the HTML renderer needs nothing but its ``kind``.
    """

    kind: ClassVar[str] = "toc"
    entries: tuple[tuple[str, str, int], ...]


def add_toc_layout(root: Path) -> None:
    """Give a project copy the template and styles of the test-only TOC block."""
    (root / "layouts" / "blocks" / "toc.html").write_text(TOC_TEMPLATE, encoding="utf-8")
    with (root / "layouts" / "print.css").open("a", encoding="utf-8") as css:
        css.write(TOC_CSS)


def synthetic_document(root: Path, *, chapters: int = 3, policies: int = 4, repeat: int = 2, name: str = "synthetic") -> Document:
    """A cover with a TOC, then chapters (level-1 bookmark) each followed by policy sections (level 2).

    Every text is real commentary from the evaluation, repeated ``repeat`` times per paragraph
    block so sections run over several pages.
    """
    content, _ = load(Project.at(root))
    items = content.evaluations[0].items
    sections: list[Section] = []
    entries: list[tuple[str, str, int]] = []
    counter = 0
    for chapter in range(1, chapters + 1):
        anchor = f"chapter-{chapter}"
        entries.append((f"第{chapter}章", anchor, 1))
        text = items[chapter % len(items)].commentary
        sections.append(Section(f"第{chapter}章", anchor, (Heading(f"第{chapter}章", level=1, anchor=f"{anchor}-h"), Paragraph(text))))
        for _ in range(policies):
            item = items[counter % len(items)]
            counter += 1
            anchor = f"policy-{counter}"
            entries.append((f"{item.code} {item.name}", anchor, 2))
            sections.append(_policy_section(item, anchor, counter, repeat))
    cover = Section("目次", "contents", (TitleBlock("合成文書", "部分組版の試験", "苫小牧市"), Toc(tuple(entries))))
    return Document(name, "合成文書（部分組版の試験）", "苫小牧市", (cover, *sections), subject="試験", keywords=("試験",))


def _policy_section(item, anchor: str, number: int, repeat: int) -> Section:  # noqa: ANN001 - an EvaluationItem
    paragraphs = tuple(Paragraph(item.commentary * (1 + (number + k) % repeat)) for k in range(repeat))
    table = Table((Column("項目", 30), Column("評価", 10, "table-center"), Column("評価の解説", 60)),
                  tuple((Cell((item.code, item.name), "table-item"), Cell((item.grade,), f"grade-{item.grade.lower()}"),
                         Cell((item.commentary,))) for _ in range(1 + number % 3)))
    blocks = (Heading(f"{item.code} {item.name}", anchor=f"{anchor}-h"), *paragraphs, Heading("評価", anchor=f"{anchor}-grade"), table)
    return Section(f"{item.code} {item.name}", anchor, blocks, running_title=item.name)
