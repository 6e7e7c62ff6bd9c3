"""The web edition's pages, cut from the document model: one page per chapter and per heading
that opens a section of its own (a project, a 運営方針 or 基本施策), with its place (parent,
trail), its neighbours and its links.

A page starts with every section, at every level-1 heading, and at an anchored level-2 heading
right after a level-1 heading (施策ごとの計画 opens with the first policy's heading). The
cover's title block and the document's contents become the home page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from planpress.document import Block, Document, Heading, Link, Section, Table, TitleBlock, Toc

HOME = "index"


@dataclass(eq=False)
class Page:
    """One HTML file of the site."""

    slug: str
    title: str
    blocks: tuple[Block, ...]
    #: Heading anchors on this page (the first is the page's own).
    anchors: list[str] = field(default_factory=list)
    trail: tuple[str, ...] = ()
    parent: Page | None = None
    children: list[Page] = field(default_factory=list)
    previous: Page | None = None
    next: Page | None = None
    #: Links from this page, by group, in the order the document gives them.
    links: dict[str, list[Link]] = field(default_factory=dict)
    #: Ids of the headings over this page's children, one per trail prefix (breadcrumbs link there).
    group_ids: dict[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.slug}.html"

    def heading_level(self, heading: Heading) -> int:
        """The page's first heading is its one h1; the others as level() numbers them."""
        return 1 if heading is self.blocks[0] else self.level(heading.level)

    def level(self, level: int) -> int:
        """The HTML level of a model heading level below the page's own: 2, 3 … without gaps."""
        below = {b.level for b in self.blocks[1:] if isinstance(b, Heading)}
        return 2 + sum(1 for present in below if present < level)

    @property
    def child_groups(self) -> list[tuple[list[tuple[int, str, str]], list[Page]]]:
        """Children in order, gathered by trail: for each group the trail headings it opens
        (depth from 1, text, id) and its pages."""
        groups: list[tuple[list[tuple[int, str, str]], list[Page]]] = []
        previous: tuple[str, ...] = ()
        for child in self.children:
            if groups and child.trail == previous:
                groups[-1][1].append(child)
                continue
            same = next((i for i, (a, b) in enumerate(zip(previous, child.trail)) if a != b), min(len(previous), len(child.trail)))
            opened = [(depth, child.trail[depth - 1], self.group_ids[child.trail[:depth]])
                      for depth in range(same + 1, len(child.trail) + 1)]
            groups.append((opened, [child]))
            previous = child.trail
        return groups

    @property
    def ancestors(self) -> list[Page]:
        """From the home page down to the parent."""
        found: list[Page] = []
        page = self.parent
        while page is not None:
            found.insert(0, page)
            page = page.parent
        return found


@dataclass
class Site:
    """Every page in reading order (the home page first) and where each anchor lives."""

    title: str
    pages: list[Page]
    where: dict[str, Page]

    def href(self, anchor: str) -> str:
        """The URL of a heading: its page, with a fragment unless it is the page's own heading."""
        page = self.where[anchor]
        return page.file if page.anchors and page.anchors[0] == anchor else f"{page.file}#{anchor}"


def cut(document: Document) -> Site:
    home = Page(HOME, document.title, _home_blocks(document))
    pages = [home]
    for section in document.sections:
        for blocks in _chunks(section):
            pages.append(_page(section, blocks, len(pages)))
    _place(pages)
    for page in pages:
        for child in page.children:
            for depth in range(1, len(child.trail) + 1):
                page.group_ids.setdefault(child.trail[:depth], f"group-{len(page.group_ids) + 1}")
    where = {anchor: page for page in pages for anchor in page.anchors}
    for link in document.links:
        if link.source in where and link.target in where:
            where[link.source].links.setdefault(link.group, []).append(link)
    return Site(document.title, pages, where)


def _home_blocks(document: Document) -> tuple[Block, ...]:
    """The section holding the title block, whole (a report of one section is one page)."""
    cover = next((s for s in document.sections if any(isinstance(b, TitleBlock) for b in s.blocks)), None)
    if cover is None:
        return (Heading(document.title, 1),)
    blocks = list(cover.blocks)
    title = next(i for i, b in enumerate(blocks) if isinstance(b, TitleBlock))
    return tuple(_captioned([blocks.pop(title), *blocks]))


def _chunks(section: Section) -> list[tuple[Block, ...]]:
    """The section's blocks cut into pages; a title block and the contents stay on the home page."""
    if any(isinstance(block, Toc) for block in section.blocks):
        return []  # the home page lists every page
    if any(isinstance(block, TitleBlock) for block in section.blocks):
        return []  # the cover (or a report's only section) is the home page
    chunks: list[list[Block]] = []
    for block in section.blocks:
        if isinstance(block, TitleBlock):
            continue
        opens = isinstance(block, Heading) and (block.level == 1 or (
            block.level == 2 and bool(block.anchor) and bool(chunks) and _lone_chapter_heading(chunks[-1])))
        if opens or not chunks:
            chunks.append([])
        chunks[-1].append(block)
    # A cover holds only its title block; a leading run without a heading joins no page.
    return [tuple(_captioned(chunk)) for chunk in chunks if chunk and isinstance(chunk[0], Heading)]


def _lone_chapter_heading(chunk: list[Block]) -> bool:
    return len(chunk) == 1 and isinstance(chunk[0], Heading) and chunk[0].level == 1


def _captioned(blocks: list[Block]) -> list[Block]:
    """Every table gets a caption: a table without one is named by the heading before it (hidden, the heading shows it)."""
    result: list[Block] = []
    heading = ""
    for block in blocks:
        if isinstance(block, Heading):
            heading = block.text
        if isinstance(block, Table) and not block.caption and heading:
            block = replace(block, caption=heading, style=f"{block.style} caption-hidden")
        result.append(block)
    return result


def _page(section: Section, blocks: tuple[Block, ...], index: int) -> Page:
    top = blocks[0]
    assert isinstance(top, Heading)
    anchors = [b.anchor for b in blocks if isinstance(b, Heading) and b.anchor]
    slug = top.anchor or f"{section.anchor}-{index}"
    if not top.anchor:
        anchors.insert(0, slug)
    # A page that opens a chapter (level 1) sits under the home page; the others under their chapter.
    trail = section.trail if top.level > 1 else ()
    return Page(slug, top.text, blocks, anchors, trail)


def _place(pages: list[Page]) -> None:
    """Parents (the chapter before, else home), children and previous/next in reading order."""
    home = pages[0]
    chapter = home
    for before, page in zip(pages, pages[1:]):
        first = page.blocks[0]
        if isinstance(first, Heading) and first.level == 1:
            chapter = home
        page.parent = chapter
        chapter.children.append(page)
        if isinstance(first, Heading) and first.level == 1:
            chapter = page
        page.previous, before.next = before, page
