"""Rules across the booklet's files: citations resolve, numbers exist, sums agree, slots are filled.

``check`` reports problems and returns what resolving found (``Resolution``: the cited policies,
the photo and icon files, the slots still to fill); it changes nothing it is given."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from planpress import design, images, japanese
from planpress.content.booklet import (DRAFT, STEP_RATIO, UNNUMBERED_GOAL, Booklet, FigureTable, Goal, Period,
                                       PriorityProject, Series)
from planpress.content.citations import Resolved, name_mismatch, resolve
from planpress.content.period_rules import check_period
from planpress.content.model import KINDS, item_code
from planpress.errors import Location, Problem, Problems, Severity
from planpress.figures import unfilled_placeholders
from planpress.project import Project

#: The chapters the booklet lays out from their own data, by number.
REQUIRED_CHAPTERS = tuple(range(1, 9))
GLOSSARY_MARK = "※"
#: An official SDG icon is measured where it prints largest, with the fewest pixels to the inch.
ICON_FRAME = (max(design.SDG_ICON_TABLE, design.SDG_ICON_ROW),) * 2
ICON_INSTEAD = "アイコン画像に差し替えてください"


@dataclass
class Resolution:
    """What the rules resolve for the pages (the Booklet's fields of the same names)."""

    #: The period chart with every bar's name and years.
    period: Period | None = None
    examples: dict[tuple[int, int], list[Resolved]] = field(default_factory=dict)
    images: dict[tuple[int, int], Path] = field(default_factory=dict)
    icons: dict[int, Path] = field(default_factory=dict)
    gaps: list[Problem] = field(default_factory=list)
    gap_kinds: list[str] = field(default_factory=list)

    def gap(self, problems: Problems, kind: str, location: Location, message: str) -> None:
        """A slot still to fill: a warning now, refused by a --final build."""
        problem = Problem(location, message, Severity.WARNING)
        self.gaps.append(problem)
        self.gap_kinds.append(kind)
        problems.extend([problem])


def check(booklet: Booklet, project: Project, problems: Problems, *, unreadable: set[str] = frozenset()) -> Resolution:
    """Every rule across the files; an item already reported unreadable is not also reported missing."""
    found = Resolution()
    _chapters(booklet, problems, unreadable)
    found.period = check_period(booklet, problems)
    _goals(booklet, problems, unreadable)
    found.icons = _icons(booklet, project, problems, found)
    for priority in booklet.projects.projects:
        found.examples |= _examples(booklet, priority, problems)
        for table in priority.figures:
            _figures(priority, table, problems)
        found.images |= _photos(priority, project, problems, found)
    _pages(booklet, problems, found)
    _assumptions(booklet, problems, found)
    _review_complete(booklet, problems)
    _review_names(booklet, problems)
    _typed_marks(booklet, problems)
    _placeholders(booklet, problems)
    _era_years(booklet, problems)
    _plan_period(booklet, problems)
    _projected_population(booklet, problems)
    _population_steps(booklet, problems)
    _glossary(booklet, problems, found)
    return found


def _chapters(booklet: Booklet, problems: Problems, unreadable: set[str]) -> None:
    seen: set[int] = set()
    for chapter in booklet.chapters.chapters:
        if chapter.number in seen:
            problems.error(chapter.location, f"第{chapter.number}: 同じ番号の章が2回あります")
        elif chapter.number not in REQUIRED_CHAPTERS:
            problems.error(chapter.positions["number"], f"第{chapter.number}: chapters.yaml の章は第1〜第8です。この章は冊子のどこにも"
                                                        f"印刷されません（第9 施策の体系は policy.yaml から作ります）")
        seen.add(chapter.number)
    for number in REQUIRED_CHAPTERS:
        if number not in seen and f"第{number}" not in unreadable:
            problems.error(booklet.chapters.positions["chapters"], f"第{number}: 章がありません（第1〜第8が必要です）")


def _goals(booklet: Booklet, problems: Problems, unreadable: set[str]) -> None:
    numbers = [goal.number for goal in booklet.goals.goals]
    for goal in booklet.goals.goals:
        if numbers.count(goal.number) > 1:
            problems.error(goal.location, f"SDGsゴール{goal.number}: 同じ番号のゴールが2回あります")
        for kind, field_name in zip(KINDS, ("management", "policies")):
            numbers_listed = getattr(goal, field_name)
            for number in sorted({n for n in numbers_listed if numbers_listed.count(n) > 1}):
                problems.error(goal.positions[field_name], f"SDGsゴール{goal.number}: {item_code(kind, number)}が2回書かれています（1回にしてください）")
            for number in getattr(goal, field_name):
                if booklet.tree.find(kind, number) is None:
                    problems.error(goal.positions[field_name], f"SDGsゴール{goal.number}: {item_code(kind, number)}は施策の体系にありません")
    if UNNUMBERED_GOAL in unreadable:
        return  # a goal whose number could not be read: which one is missing is not known
    for number in range(1, 18):
        if number not in numbers and f"SDGsゴール{number}" not in unreadable:
            problems.error(booklet.goals.positions["goals"], f"SDGsゴール{number}がありません（17のゴールすべてが必要です）")


def _icons(booklet: Booklet, project: Project, problems: Problems, found: Resolution) -> dict[int, Path]:
    """The official icon file of each goal that has one; goals without print a stand-in tile:
    a draft, refused by --final."""
    icons = {}
    for goal in booklet.goals.goals:
        label = Goal.LABEL.format(number=goal.number)
        path = _image_or_gap(project, problems, found, goal.image, (goal.location, goal.positions.get("image")),
                             "仮のSDGsアイコン", label,
                             ("公式アイコンの画像（image）がないため、仮のアイコン（色・番号・名称）を印刷します",
                              "アイコン画像「{name}」がありません（仮のアイコンを印刷します）"))
        if path is not None:
            icons[goal.number] = path
            _print_resolution(goal.positions["image"], goal.image, path, label, problems, frame=ICON_FRAME, instead=ICON_INSTEAD)
    return icons


def _examples(booklet: Booklet, priority: PriorityProject, problems: Problems) -> dict[tuple[int, int], list[Resolved]]:
    """The cited policies of each approach's 取組事例, by (project number, approach number)."""
    examples = {}
    for approach in priority.approaches:
        found = []
        for citation in approach.examples:
            resolved = resolve(citation, booklet.tree)
            if isinstance(resolved, str):
                problems.error(citation.location, f"重点プロジェクト{priority.number}: {resolved}")
                continue
            if any(earlier.code == resolved.code for earlier in found):
                problems.error(citation.location, f"重点プロジェクト{priority.number}: アプローチ{approach.number}の取組事例に{resolved.code}が2回あります（1回にしてください）")
                continue
            found.append(resolved)
            mismatch = name_mismatch(resolved, booklet.tree)
            if mismatch:
                problems.warning(citation.location, f"重点プロジェクト{priority.number}: {mismatch}（冊子には施策の体系の名称を印刷します）")
        examples[(priority.number, approach.number)] = found
    return examples


def _figures(priority: PriorityProject, table: FigureTable, problems: Problems) -> None:
    label = f"重点プロジェクト{priority.number}: 目安となる主な数値"
    if len(table.columns) != len(table.values):
        problems.error(table.positions["values"], f"{label}: 項目が{len(table.columns)}個、値が{len(table.values)}個です（同じ数にしてください）")
        return
    if None in table.columns or None in table.values:
        return  # a column or value that could not be read is reported where it is written
    by_label = {column.label: value for column, value in zip(table.columns, table.values)}  # type: ignore[union-attr]
    for rule in table.sums:
        unknown = [name for name in (rule.total, *rule.add, *rule.subtract) if name not in by_label]
        if unknown:
            problems.error(rule.location, f"{label}: 検算の項目「{'」「'.join(unknown)}」が表にありません")
            continue
        computed = sum(by_label[n] for n in rule.add) - sum(by_label[n] for n in rule.subtract)
        if computed != by_label[rule.total]:
            problems.warning(rule.location, f"{label}: {rule.total} {japanese.number(by_label[rule.total])} が内訳から計算した {japanese.number(computed)} と一致しません（差 {japanese.number(by_label[rule.total] - computed)}）")


def _image_file(project: Project, problems: Problems, name: str, at: Location, label: str) -> Path | None:
    """The image file ``name`` names under content/, or None when it cannot be used (reported here).

    A path that is not (yet) a file is returned: the caller prints a placeholder for it.
    """
    path = (project.content_dir / name).resolve()
    if not path.is_relative_to(project.content_dir.resolve()):
        problems.error(at, f"{label}: 「{name}」は content/ の外を指しています")
    elif path.is_dir():
        problems.error(at, f"{label}: 「{name}」はフォルダです（画像ファイルを指定してください）")
    elif path.is_file() and path.suffix.lower() != ".svg" and (unusable := images.problem(path)) is not None:
        problems.error(at, f"{label}: 「{name}」: {unusable}")
    else:
        return path
    return None


def _photos(priority: PriorityProject, project: Project, problems: Problems, found: Resolution) -> dict[tuple[int, int], Path]:
    """The photo files of a project that has them, by (project number, photo index)."""
    images = {}
    for index, photo in enumerate(priority.photos):
        label = f"重点プロジェクト{priority.number}: 写真「{photo.caption}」"
        path = _image_or_gap(project, problems, found, photo.image, (photo.location, photo.positions.get("image")),
                             "写真未登録", label,
                             ("画像が未登録です（仮の枠を印刷します）", "画像ファイル「{name}」がありません（仮の枠を印刷します）"))
        if path is not None:
            images[(priority.number, index)] = path
            _print_resolution(photo.positions["image"], photo.image, path, label, problems, frame=design.PHOTO_FRAME)
    return images


def _print_resolution(at: Location, name: str, path: Path, label: str, problems: Problems, *,
                      frame: tuple[float, float], instead: str = images.PHOTO_INSTEAD) -> None:
    """A picture with too few pixels for the size it prints at prints coarse: a print shop's
    preflight flags it (an SVG has no pixels to count)."""
    coarse = None if path.suffix.lower() == ".svg" else images.coarse_for_print(path, frame, instead)
    if coarse is not None:
        problems.warning(at, f"{label}: 「{name}」: {coarse}")


def _image_or_gap(project: Project, problems: Problems, found: Resolution, name: str | None,
                  at: tuple[Location, Location | None], kind: str, label: str, messages: tuple[str, str]) -> Path | None:
    """The image file a record names, or None: a gap of ``kind`` when it names none (at the record)
    or its file is missing (at the name; ``messages``), an error when the name cannot be used."""
    record, named = at
    if name is None:
        found.gap(problems, kind, record, f"{label}: {messages[0]}")
        return None
    assert named is not None  # a name read from the file has its position
    path = _image_file(project, problems, name, named, label)
    if path is not None and not path.is_file():
        found.gap(problems, kind, named, f"{label}: {messages[1].format(name=name)}")
        return None
    return path


def _pages(booklet: Booklet, problems: Problems, found: Resolution) -> None:
    written = {}
    for page in booklet.pages.pages:
        resolved = resolve(page.item, booklet.tree)
        if isinstance(resolved, str):
            problems.error(page.item.location, resolved)
        elif page.item.code in written:
            problems.error(page.location, f"{page.item.code}: 同じ項目が2回あります")
        else:
            written[page.item.code] = page
    for policy in booklet.tree.policies():
        page = written.get(policy.code)
        missing = [label for label, value in _slots(page) if not value]
        if missing:
            where = page.location if page else booklet.pages.positions.get("pages", booklet.pages.location)
            found.gap(problems, "未入力", where, f"{policy.code}: {'・'.join(missing)}が未入力です")


def _assumptions(booklet: Booklet, problems: Problems, found: Resolution) -> None:
    """第6 prints the 将来展望's assumptions under their own heading: none written is a slot to fill."""
    population = booklet.population
    if not population.assumptions:
        found.gap(problems, "未入力", population.positions.get("assumptions", population.location),
                  "第6 人口の想定: 将来展望の仮定が未入力です")


def _slots(page):  # noqa: ANN001, ANN202 - PolicyPage | None → (label, value) pairs
    if page is None:
        return (("現状と課題", None), ("目指す姿", None), ("成果指標", None))
    return (("現状と課題", page.current), ("目指す姿", page.vision), ("成果指標", page.indicators))


def _review_complete(booklet: Booklet, problems: Problems) -> None:
    """The booklet summarises every item of the previous plan's last evaluation: all must be filled,
    or its counts and shares would be those of fewer items than its table lists."""
    if booklet.review is None:
        return
    for item in booklet.review.unfilled:
        problems.error(item.location, f"{item.code}: 評価と解説が未記入です（冊子の「{booklet.review.title}」が"
                                      f"この年度の全{len(booklet.review.items)}項目を載せるため、すべての記入が必要です）")


def _review_names(booklet: Booklet, problems: Problems) -> None:
    """The previous plan's items are matched to this plan's by number: say where the names differ."""
    if booklet.review is None:
        return
    for item in booklet.review.items:
        policy = booklet.tree.find(item.kind, item.number)
        if policy is not None and policy.name != item.name:
            problems.warning(item.positions["name"], f"{item.code}: 評価の名称「{item.name}」が{booklet.plan.name}の「{policy.name}」と異なります（各施策のページには番号で対応させて載せます）")


def _running_texts(booklet: Booklet, *, review: bool = True) -> list[tuple[Location, str]]:
    """The booklet's running texts with where each is written (``review``: with the commentaries
    of the evaluation it reviews)."""
    texts = [(c.positions["paragraphs"], t) for c in booklet.chapters.chapters for t in c.paragraphs]
    for priority in booklet.projects.projects:
        texts += [(priority.positions["background"], t) for t in priority.background]
        texts += [(a.positions["paragraphs"], t) for a in priority.approaches for t in a.paragraphs]
    texts += [(g.positions["description"], g.description) for g in booklet.goals.goals]
    if review and booklet.review is not None:
        texts += [(i.positions["commentary"], i.commentary) for i in booklet.review.items]
    return texts


def _placeholders(booklet: Booklet, problems: Problems) -> None:
    """A {placeholder} in a text nothing fills would print as written, braces and all. (The
    commentaries of the evaluation the booklet reviews are checked with every year's, rules.py.)"""
    texts = _running_texts(booklet, review=False) + [(t.positions["definition"], t.definition) for t in booklet.glossary.terms]
    for location, text in texts:
        for message in unfilled_placeholders(text):
            problems.error(location, message)


#: 令和5年度（2023年度）: one year written twice, in 和暦 and in 西暦.
_ERA_PAIR = re.compile(r"((?:令和|平成|昭和)(?:元|\d+))年(度?)（(\d{4})年度?）")


def _era_years(booklet: Booklet, problems: Problems) -> None:
    """A year written in 和暦 and 西暦 must be the same year in both."""
    for location, text in _running_texts(booklet):
        for match in _ERA_PAIR.finditer(text):
            era, year = match.group(1), int(match.group(3))
            if japanese.era_year(year) != era:
                problems.error(location, f"「{match.group(0)}」: {year}年は{japanese.era_year(year)}年です（和暦と西暦が合いません）")


def _plan_period(booklet: Booklet, problems: Problems) -> None:
    """The chapter that states the plan period names the years city.yaml holds for it."""
    plan = booklet.plan
    if plan.period_problem() is not None:
        return  # city.yaml's period itself is reported wrong
    for chapter in booklet.chapters.chapters:
        text = "".join(chapter.paragraphs)
        if "計画期間" not in text:
            continue
        years = [int(year) for year in re.findall(r"（(\d{4})年度）", text)]
        if years and (years[0], years[-1]) != (plan.start, plan.end):
            problems.error(chapter.positions["paragraphs"],
                           f"第{chapter.number}: 本文の計画期間（{years[0]}〜{years[-1]}年度）が content/city.yaml の第{plan.number}次の期間"
                           f"（{plan.start}〜{plan.end}年度）と異なります")
        stated = re.search(r"(\d+)年間", text)
        if stated and int(stated.group(1)) != plan.years:
            problems.error(chapter.positions["paragraphs"],
                           f"第{chapter.number}: 本文の「{stated.group(0)}」が計画期間（{plan.start}〜{plan.end}年度、{plan.years}年間）と合いません")


#: 令和7年（2025年）が166,551人: a population figure the text states for a year.
_POPULATION = re.compile(r"（(\d{4})年）(?:が|は|には|の)([\d,]+)人")


def _projected_population(booklet: Booklet, problems: Problems) -> None:
    """A projection stated in a text (a paragraph naming a 推計) is one of the chart's figures for
    that year: the chapter and population.yaml print the same fact. Census figures are not
    projections and the chart does not hold them. A year whose chart figure is already reported
    (unreadable, or far from its neighbours) is not compared: one mistake, one message."""
    doubtful = {year for series in booklet.population.series
                for year in (*series.values.unreadable, *series.values.far_off())}
    for location, text in _running_texts(booklet):
        if "推計" not in text:
            continue
        for match in _POPULATION.finditer(text):
            year, stated = int(match.group(1)), int(match.group(2).replace(",", ""))
            charted = {series.label: series.values[year] for series in booklet.population.series if year in series.values}
            if charted and year not in doubtful and stated not in charted.values():
                listed = "、".join(f"{label} {value:,}人" for label, value in charted.items())
                problems.error(location, f"「{match.group(0)}」: 本文の{year}年の推計人口が content/booklet/population.yaml の値"
                                         f"（{listed}）と合いません")


def _population_steps(booklet: Booklet, problems: Problems) -> None:
    """A year's value far from the years beside it draws a spike the chart's scale is then made
    for: a warning at the value, naming its neighbours."""
    for series in booklet.population.series:
        for year in series.values.far_off():
            value, beside = series.values[year], series.values.beside(year)
            listed = "、".join(f"{other}年 {japanese.number(series.values[other])}" for other in beside)
            how = f"の{STEP_RATIO}倍を超えています" if value > series.values[beside[0]] else f"の{STEP_RATIO}分の1未満です"
            problems.warning(series.values.written[year],
                             f"{Series.LABEL.format(label=series.label)}: {year}年の値 {japanese.number(value)} が"
                             f"{'前後の年' if len(beside) > 1 else '隣の年'}の値（{listed}）{how}（桁の打ち間違いではありませんか）")


def _typed_marks(booklet: Booklet, problems: Problems) -> None:
    """※ marks are generated from the glossary: one typed by hand marks a term with no definition."""
    texts = _running_texts(booklet)
    terms = [term.term for term in booklet.glossary.terms]
    for location, text in texts:
        for index, char in enumerate(text):
            if char == GLOSSARY_MARK:
                before = text[max(0, index - 12):index]
                known = next((t for t in terms if before.endswith(t)), None)
                hint = f"「{known}」の※印は自動で付くため、削除してください" if known else "この用語は用語解説（glossary.yaml）にありません"
                problems.warning(location, f"「…{before}※」: ※印が本文に直接書かれています（{hint}）")


def _glossary(booklet: Booklet, problems: Problems, found: Resolution) -> None:
    """A term is defined once; definitions nobody at the office has checked yet print as drafts
    (（案）) and stop --final. No term at all leaves the 用語解説 chapter to fill: printed 未入力."""
    glossary = booklet.glossary
    if not glossary.terms:
        found.gap(problems, "未入力", glossary.positions.get("terms", glossary.location),
                  "用語解説: 用語が未入力です（冊子の用語解説に「未入力」と印刷します）")
    seen: set[str] = set()
    for term in booklet.glossary.terms:
        if term.term in seen:
            problems.error(term.location, f"用語「{term.term}」: 用語解説に2回あります（1回にしてください）")
        seen.add(term.term)
    for term in booklet.glossary.terms:
        if not term.reviewed:
            where = term.positions.get("reviewed", term.location)
            found.gap(problems, "用語解説未確認", where, f"用語「{term.term}」: 解説が未確認です（「{DRAFT}」と印刷します。担当課で確認したら reviewed: true にしてください）")

