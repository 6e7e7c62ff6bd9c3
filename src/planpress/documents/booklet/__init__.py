"""The plan booklet (基本計画冊子): cover, contents, review of the 6th plan, 第1–第9, policy pages, glossary.

The package is the booklet's document: this module puts it together, pages.py lays out the
priority projects and policy pages, links.py the links between them, charts.py and diagrams.py
draw, glossary.py places the ※ marks. Its content is read in planpress.content (booklet.py)."""

from __future__ import annotations

from functools import partial

from planpress import japanese
from planpress.content import Content
from planpress.content.booklet import DRAFT, Booklet
from planpress.design import SDG_ICON_TABLE
from planpress.document import (Block, Cell, Column, Document, DocumentSpec, Figure, Heading, Paragraph, RunningHead,
                                Section, Table, TitleBlock, Toc, TocEntry)
from planpress.documents import evaluation
from planpress.documents.booklet import charts, diagrams, pages
from planpress.documents.booklet.glossary import Marker
from planpress.documents.booklet.links import links
from planpress.documents.booklet.pages import MISSING, policy_sections, project_sections
from planpress.documents.evaluation import summary_blocks
from planpress.errors import Problems

NAME = "booklet"


def waiting(content: Content) -> dict[str, str]:
    """The booklet content/booklet/ asks for but its plan's missing tree stops, with the reason."""
    return {NAME: content.booklet_waiting} if content.booklet_waiting else {}


def specs(content: Content) -> list[DocumentSpec]:
    if content.booklet is None:
        return []
    booklet = content.booklet
    title = f"{content.city.city}総合計画　{booklet.plan.name}"
    return [DocumentSpec(NAME, title, partial(booklet_document, booklet, content.city.city))]


#: The document the glossary check made of a booklet just loaded, taken by the first make of it
#: (a build checks, then makes the same content's document: a ×16 booklet takes 0.25 s to make).
_CHECKED: list[tuple[Booklet, str, Document]] = []


def booklet_document(booklet: Booklet, city: str) -> Document:
    """Every chapter in the booklet's order, with ※ marks from the glossary and a filled contents."""
    if _CHECKED and _CHECKED[0][0] is booklet and _CHECKED[0][1] == city:
        return _CHECKED.pop()[2]
    document, _ = build(booklet, city)
    return document


def build(booklet: Booklet, city: str) -> tuple[Document, list[str]]:
    """The document and the glossary terms it marked (for `planpress check`)."""
    marker = Marker(booklet.glossary)
    body = marker.sections(_chapters(booklet))
    body.append(_glossary_section(booklet))
    plan = booklet.plan
    title = f"{city}総合計画　{plan.name}"
    period = f"{japanese.fiscal_year_short(plan.start)}～{japanese.fiscal_year_short(plan.end)}"
    cover = Section(title, "cover", (TitleBlock(title, period, city),), style="cover")
    toc = Section("目次", "sec-contents", (Heading("目次", 1, anchor="contents-title"), Toc(_toc(body))))
    document = Document(name=NAME, title=title, author=city, sections=(cover, toc, *body),
                        subject=f"{title}（{period}）", keywords=("総合計画", plan.name, period),
                        links=links(booklet), stylesheets=("booklet.css",))
    return document, marker.used


def check_glossary_use(content: Content | None, problems: Problems) -> None:
    """Lay the booklet out (model only, no rendering) and report definitions no text uses: only
    the laid-out text shows where a term is printed, so loading cannot tell."""
    if content is None or content.booklet is None or problems.errors:
        return
    document, used = build(content.booklet, content.city.city)
    _CHECKED[:] = [(content.booklet, content.city.city, document)]
    for term in content.booklet.glossary.terms:
        if term.term not in used:
            problems.warning(term.location, f"用語「{term.term}」: 冊子の本文に出てこないため、※印が付かず用語解説にだけ載ります")


def _toc(sections: list[Section]) -> tuple[TocEntry, ...]:
    entries = []
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Heading) and block.level <= 2 and block.anchor:
                entries.append(TocEntry(block.text, block.anchor, block.level))
    return tuple(entries)


def _chapters(booklet: Booklet) -> list[Section]:
    sections = [_review_section(booklet)] if booklet.review is not None else []
    sections.append(_outline_section(booklet))
    sections.append(_population_section(booklet))
    sections.append(_sdgs_section(booklet))
    sections += project_sections(booklet, _chapter_heading(booklet, 8), _chapter_text(booklet, 8))
    sections.append(_tree_section(booklet))
    sections += policy_sections(booklet)
    return sections


def _chapter_heading(booklet: Booklet, number: int) -> Heading:
    chapter = booklet.chapters.get(number)
    assert chapter is not None  # checked when loading
    return Heading(f"第{number}　{chapter.title}", 1, anchor=f"chapter-{number}")


def _chapter_text(booklet: Booklet, number: int) -> tuple[Block, ...]:
    chapter = booklet.chapters.get(number)
    assert chapter is not None
    return tuple(Paragraph(text) for text in chapter.paragraphs)


def _review_section(booklet: Booklet) -> Section:
    review, plan = booklet.review, booklet.review_plan
    assert review is not None and plan is not None
    blocks = (Heading(review.title, 1, anchor="review"), *summary_blocks(review, plan, level=3))
    return Section(review.title, "sec-review", blocks)


def _outline_section(booklet: Booklet) -> Section:
    """第1–第5 on their own pages after the review: texts, the structure diagram, the period chart."""
    blocks: list[Block] = []
    for number in range(1, 6):
        blocks += [_chapter_heading(booklet, number), *_chapter_text(booklet, number)]
        if number == 2:
            blocks.append(Figure((diagrams.structure_diagram(booklet.tree),), "計画の構成"))
        if number == 3:
            blocks.append(Figure((charts.period_chart(booklet.period),), "計画の期間", data=_period_table(booklet)))
    return Section("第1～第5", "sec-outline", tuple(blocks), running_title=_outline_running_title(booklet))


def _outline_running_title(booklet: Booklet) -> str:
    titles = "・".join(booklet.chapters.get(n).title for n in range(1, 6))  # type: ignore[union-attr]
    # ～ (U+FF5E), as the cover and the plan period write a range.
    return f"第1～第5　{titles}"


def running_heads(content: Content) -> list[RunningHead]:
    """Each running header the booklet prints from a name in content/ (the contents, 第9 and the
    glossary print fixed ones), at that name; the header of 第1–第5, which joins five titles, at the
    longest."""
    if content.booklet is None:
        return []
    booklet, review = content.booklet, content.booklet.review
    heads = [RunningHead(review.title, evaluation.label(review), review.positions["title"])] if review else []
    chapters = {n: booklet.chapters.get(n) for n in range(1, 9)}
    outline = max((chapters[n] for n in range(1, 6)), key=lambda chapter: len(chapter.title))  # type: ignore[union-attr]
    heads.append(RunningHead(_outline_running_title(booklet), f"第{outline.number}", outline.positions["title"]))  # type: ignore[union-attr]
    heads += [RunningHead(_chapter_heading(booklet, n).text, f"第{n}", chapters[n].positions["title"]) for n in (6, 7, 8)]  # type: ignore[union-attr]
    return heads + pages.running_heads(booklet)


def _period_table(booklet: Booklet) -> Table:
    """The period chart's bars and marks as rows (the web edition shows it under the chart)."""
    period = booklet.period
    rows = [(Cell((bar.label,)), Cell((f"{japanese.fiscal_year(bar.start)}～{japanese.fiscal_year(bar.end)}",)))
            for bar in period.bars]
    rows += [(Cell((mark.label,)), Cell((japanese.fiscal_year(mark.year),))) for mark in period.marks]
    return Table((Column("区分", 30), Column("年度", 70)), tuple(rows), caption="計画の期間（図の内容）")


def _population_section(booklet: Booklet) -> Section:
    population = booklet.population
    heading = _chapter_heading(booklet, 6)
    years = population.years()
    columns = (Column("年", 20, "table-center"), *(Column(s.label, 40, "table-number") for s in population.series))
    rows = tuple((Cell((f"{y}年",), "table-center"),
                  *(Cell((japanese.number(s.values[y]) if y in s.values else "－",), "table-number") for s in population.series))
                 for y in years)
    assumptions = [Paragraph(f"・{a.label}" + (f"（{a.detail}）" if a.detail else ""), "list-item") for a in population.assumptions]
    assumptions = assumptions or [Paragraph(MISSING, "missing")]  # a gap check reports (booklet_rules)
    blocks = (heading, *_chapter_text(booklet, 6), Heading(population.chart_title, 3, anchor="population-chart"),
              # Titled once, by the heading; the unit stands on the chart's axis.
              Figure((charts.population_chart(population),)),
              Table(columns, rows, caption=f"グラフの数値（単位：{population.unit}）", style="data-table caption-top narrow"),
              Heading("将来展望の仮定", 3), *assumptions)
    return Section(heading.text, "sec-chapter-6", blocks)


def _sdgs_section(booklet: Booklet) -> Section:
    heading = _chapter_heading(booklet, 7)
    columns = (Column("アイコン", 14, "table-center"), Column("ゴール", 20), Column("内容", 36), Column("関連項目", 30))
    rows = []
    for goal in sorted(booklet.goals.goals, key=lambda g: g.number):
        related = [f"{kind}　{'，'.join(f'{n:02d}' for n in numbers)}"
                   for kind, numbers in (("運営方針", goal.management), ("基本施策", goal.policies)) if numbers]
        rows.append((Cell((), "table-icon", (charts.sdg_icon(goal, SDG_ICON_TABLE, booklet.icons.get(goal.number)),)),
                     Cell((f"【{goal.title}】",), "table-item"), Cell((goal.description,)),
                     Cell(tuple(related) or ("－",))))
    table = Table(columns, tuple(rows), caption=f"SDGsの{len(rows)}のゴールと関連する運営方針・基本施策", style="data-table caption-top")
    return Section(heading.text, "sec-chapter-7", (heading, *_chapter_text(booklet, 7), table))


def _tree_section(booklet: Booklet) -> Section:
    heading = Heading("第9　施策の体系", 1, anchor="chapter-9")
    figures = [Figure((diagrams.structure_diagram(booklet.tree),), "施策の体系の全体")]
    figures += [Figure((diagrams.branch_diagram(booklet.tree, b),), f"{b.side}　第{b.number}　{b.title}", "figure tree")
                for b in diagrams.branches(booklet.tree)]
    return Section(heading.text, "sec-chapter-9", (heading, *figures))


def _glossary_section(booklet: Booklet) -> Section:
    """The terms in 五十音順; with none written, 未入力 where the table would be (a gap check
    reports, booklet_rules), not an empty table captioned 0語."""
    heading = Heading("用語解説", 1, anchor="glossary")
    if not booklet.glossary.terms:
        return Section(heading.text, "sec-glossary", (heading, Paragraph(MISSING, "missing")))
    terms = sorted(booklet.glossary.terms, key=lambda t: japanese.gojuon_key(t.reading))
    rows = tuple((Cell((t.term,), "glossary-term"), Cell((t.definition if t.reviewed else DRAFT + t.definition,))) for t in terms)
    table = Table((Column("用語", 24), Column("解説", 76)), rows, caption=f"本文中の※印の用語（{len(rows)}語、五十音順）", style="data-table caption-top")
    return Section(heading.text, "sec-glossary", (heading, table))
