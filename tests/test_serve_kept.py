"""`planpress serve` keeps what a save did not change (the print preview per document, the web
edition per page) and serves exactly the pages a whole rebuild makes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from conftest import copy_project, register_banded_photos


def _rebuild(root: Path, live: object, editions: tuple[object, ...]) -> list[str]:
    from planpress.project import Project
    from planpress.serve import rebuild

    said: list[str] = []
    rebuild(Project.at(root), live, editions, None, said.append)  # type: ignore[arg-type]
    return said


def _fresh(root: Path) -> dict[str, object]:
    """The pages of a whole rebuild: a new Live, new editions."""
    from planpress.serve.preview import PrintPreview
    from planpress.serve.server import Live
    from planpress.site.edition import WebEdition

    live = Live()
    _rebuild(root, live, (PrintPreview(), WebEdition()))
    assert live.problems == []
    return live.pages


def _mtimes(root: Path) -> dict[Path, float]:
    return {path: path.stat().st_mtime for folder in ("content", "layouts") for path in (root / folder).rglob("*") if path.is_file()}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_commentary(root: Path) -> None:
    _replace(root / "content" / "evaluations" / "2021.yaml", "市民自治の推進に向けて、", "市民自治の一層の推進に向けて、")


def _edit_title(root: Path) -> None:  # a policy's name: navigation, breadcrumbs, contents, links
    _replace(root / "content" / "policy.yaml", "name: 市民自治の推進", "name: 市民自治の推進と協働")


def _edit_group(root: Path) -> None:  # a group's title: its policies' breadcrumbs and their chapter's page list
    _replace(root / "content" / "policy.yaml", "title: 健康な暮らしの実現", "title: 健康で安心な暮らしの実現")


def _edit_term(root: Path) -> None:  # the glossary: its page, and the ※ links of every page
    _replace(root / "content" / "glossary.yaml", "  - term: ジェンダー平等\n", "  - term: 平等\n")


def _edit_reading(root: Path) -> None:  # the glossary's order, so every term's link (term-N) moves
    _replace(root / "content" / "glossary.yaml", "reading: ちいきほうかつけあしすてむ", "reading: わわわ")


def _edit_template(root: Path) -> None:
    _replace(root / "layouts" / "site" / "page.html", '<span class="pager-label">次のページ</span>',
             '<span class="pager-label">次へ</span>')


def _edit_css(root: Path) -> None:
    with (root / "layouts" / "print.css").open("a", encoding="utf-8") as file:
        file.write("\n.note { color: #123456; }\n")


def _add_photos(root: Path) -> None:
    register_banded_photos(root)


def _replace_photo(root: Path) -> None:  # the same name, other bytes
    path = root / "content" / "booklet" / "photos" / "tower.jpg"
    Image.new("RGB", (500, 900), (200, 30, 30)).save(path, quality=90)


def _break(root: Path) -> None:
    _replace(root / "content" / "evaluations" / "2021.yaml", "    grade: B\n", "    grade: Q\n")


def _fix(root: Path) -> None:
    _replace(root / "content" / "evaluations" / "2021.yaml", "    grade: Q\n", "    grade: B\n")


EDITS: tuple[tuple[str, Callable[[Path], None]], ...] = (
    ("commentary", _edit_commentary), ("title", _edit_title), ("group", _edit_group), ("term", _edit_term),
    ("reading", _edit_reading), ("template", _edit_template),
    ("css", _edit_css), ("photos", _add_photos), ("photo replaced", _replace_photo), ("error", _break), ("fix", _fix))


@pytest.mark.slow
def test_every_page_after_each_kind_of_edit_is_the_whole_rebuilds(tmp_path: Path) -> None:
    from planpress.serve.preview import PrintPreview
    from planpress.serve.server import Live
    from planpress.site.edition import WebEdition

    root = copy_project(tmp_path / "project", warm=False)
    preview, web = PrintPreview(), WebEdition()
    live = Live()
    _rebuild(root, live, (preview, web))
    tick = max(_mtimes(root).values())
    for name, edit in EDITS:
        before = {document: dict(kept.made) for document, kept in web.kept.items()}
        stamps = _mtimes(root)
        edit(root)
        tick += 10  # each save a date of its own (the newest file's), as saves seconds apart have
        for path, stamp in _mtimes(root).items():
            if stamps.get(path) != stamp:
                os.utime(path, (tick, tick))
        _rebuild(root, live, (preview, web))
        if name == "error":
            assert live.problems and live.pages, "the last good pages stay"
            continue
        assert live.problems == [], name
        fresh = _fresh(root)
        assert sorted(live.pages) == sorted(fresh), name
        different = [url for url in fresh if live.pages[url] != fresh[url]]
        assert different == [], f"{name}: {different[:5]}"
        if name == "commentary":  # made again: the pages that show it (the report's and the booklet's review), no other
            for document, kept in web.kept.items():
                again = {page for page, made in kept.made.items() if before[document].get(page) is not made}
                changed = {page for page, made in kept.made.items() if before[document][page].html != made.html}
                assert again == changed and len(changed) <= 2, (document, again, changed)


@pytest.mark.slow
def test_a_layout_that_reads_past_the_key_gets_its_pages_made_whole(tmp_path: Path) -> None:
    """A page template that reads the next page's blocks, and a layout that cuts the date: no page
    is kept (the guards refuse the read; the date is in the key), and every page is the whole rebuild's."""
    from planpress.serve import dates
    from planpress.serve.preview import PrintPreview
    from planpress.serve.server import Live
    from planpress.site.edition import WebEdition

    root = copy_project(tmp_path / "project", warm=False)
    _replace(root / "layouts" / "site" / "page.html", "{% block pager %}",
             "{% block pager %}{% if page.next %}<p>{{ page.next.blocks | length }}</p>{% endif %}")
    _replace(root / "layouts" / "site" / "layout.html", "<title>", "<meta name=\"year\" content=\"{{ date[:4] }}\"><title>")
    preview, web, live = PrintPreview(), WebEdition(), Live()
    _rebuild(root, live, (preview, web))
    _edit_commentary(root)
    _rebuild(root, live, (preview, web))
    assert live.problems == []
    fresh = _fresh(root)
    assert [url for url in fresh if live.pages[url] != fresh[url]] == []
    pages = [made for kept in web.kept.values() for made in kept.made.values()]
    assert [made.key for made in pages if "pager-next" in made.html and made.key] == []  # a page with a next one: made whole
    assert not any(dates.MARK in made.html for made in pages)  # the date itself, in the key


@pytest.mark.parametrize(("template", "holder", "plain"), [
    ("<meta content=\"{{ date }}\">{% if x %}{{ date }}{% endif %}{% for y in z %}{{ date }}{% endfor %}", None, True),
    ("{{ date[:4] }}", None, False),
    ("{{ date | upper }}", None, False),
    ("{% set when = date %}{{ when }}", None, False),
    ("{% filter upper %}{% include 'head.html' %}{% endfilter %}", None, False),
    ("{% macro m() %}{{ date }}{% endmacro %}", None, False),
    ("{% block b %}{% endblock %}{{ self.b() }}", None, False),
    ("{% import 'x.html' as x with context %}", None, False),
    ("{% if page.head_dates %}{{ page.date }}{% endif %}{{ page.document.title }}", "page", True),
    ("{{ page.when[:4] }}", "page", False),
    ("{% set p = page %}{{ p.date }}", "page", False),
])
def test_the_date_may_be_filled_in_after_only_where_the_layouts_just_print_it(
        tmp_path: Path, template: str, holder: str | None, plain: bool) -> None:
    from planpress.serve import dates

    (tmp_path / "page.html").write_text(template, encoding="utf-8")
    assert dates.printed_only((tmp_path,), holder) is plain


def test_the_shipped_layouts_just_print_the_date() -> None:
    from conftest import REPO
    from planpress.serve import dates

    layouts = REPO / "layouts"
    assert dates.printed_only((layouts,), "page") and dates.printed_only((layouts / "site", layouts), None)
