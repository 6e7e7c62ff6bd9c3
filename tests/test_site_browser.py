"""The web edition in a real browser: Debian's Chromium driven by Playwright (no browser
download), axe-core on a sample of pages, every link followed, the search used as a reader would,
the keyboard, a phone's width, and no request leaving the site's folder.

Skipped only where no chromium is installed (tools/system-deps.sh installs it; CI has it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import BANDED_PHOTOS, colour_box, copy_project, register_banded_photos, run_cli

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("chromium がないためブラウザのテストを飛ばします（tools/system-deps.sh が入れます）", allow_module_level=True)

import axe_playwright_python  # noqa: E402  (after the skip: both come with the test extra)
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
#: Without preloading: axe would fetch the stylesheets again with XHR, which file: URLs refuse.
AXE_RUN = "async () => await axe.run(document, {resultTypes: ['violations'], preload: false})"
#: The home page and one page of every kind: chapters with a chart, a diagram, the SDGs table, a
#: project, the policies' index, both kinds of policy page, the glossary, the search page.
SAMPLE = ("index.html", "review.html", "chapter-2.html", "chapter-6.html", "chapter-7.html", "chapter-9.html",
          "project-1.html", "policies.html", "policy-m01.html", "policy-p17.html", "glossary.html", "search.html?q=港湾")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("browser") / "project")
    result = run_cli(root, "build", "booklet", "--format", "site")
    assert result.returncode == 0, result.stderr
    return root / "output" / "booklet-site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A tab that records every request leaving the site's files and every request that failed."""
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.outside = []  # type: ignore[attr-defined]
    tab.failed = []  # type: ignore[attr-defined]
    tab.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:")) else tab.outside.append(r.url))  # type: ignore[attr-defined]
    tab.on("requestfailed", lambda r: tab.failed.append((r.url, r.failure)))  # type: ignore[attr-defined]
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))  # type: ignore[attr-defined]
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type in ("error", "warning") else None)  # type: ignore[attr-defined]
    yield tab
    assert not tab.outside, tab.outside  # type: ignore[attr-defined]
    assert not tab.failed, tab.failed  # type: ignore[attr-defined]
    assert not tab.errors, tab.errors  # type: ignore[attr-defined]  # no script error, no console warning
    tab.close()


def url(site: Path, name: str) -> str:
    return site.as_uri() + "/" + name


def test_axe_finds_no_serious_or_critical_violation(site: Path, page: Page) -> None:
    found = {}
    for name in SAMPLE:
        page.goto(url(site, name))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(AXE_RUN)
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = serious
    assert not found, found


def test_axe_sees_a_real_violation(site: Path, page: Page, tmp_path: Path) -> None:
    """The check above can fail: axe reports an image without text and text too pale to read."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>x</title></head><body><main><img src="x.png">'
                   '<p style="color:#ddd">薄い文字</p></main></body></html>', encoding="utf-8")
    page.goto(bad.as_uri())
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(AXE_RUN)
    assert {"image-alt", "color-contrast", "html-has-lang"} <= {v["id"] for v in result["violations"]}
    page.failed.clear()  # type: ignore[attr-defined]  # x.png does not exist, on purpose
    page.errors.clear()  # type: ignore[attr-defined]


def test_every_link_of_every_page_leads_to_a_page_and_its_fragment(site: Path, page: Page) -> None:
    ids: dict[Path, set[str]] = {}
    links: list[tuple[str, str]] = []
    for file in sorted(site.glob("*.html")):
        page.goto(file.as_uri())
        ids[file] = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
        for href in page.eval_on_selector_all("a[href], link[href]", "nodes => nodes.map(n => n.href)"):
            links.append((file.name, href))
        assert page.eval_on_selector_all("script[src]", "nodes => nodes.every(n => n.src.startsWith('file:'))")
    assert len(links) > 1000
    for source, href in links:
        parts = urlsplit(href)
        assert parts.scheme == "file", (source, href)
        target = Path(unquote(parts.path))
        assert target.is_file() and site in target.parents, (source, href)
        if parts.fragment and target.suffix == ".html":
            assert unquote(parts.fragment) in ids[target], (source, href)


def test_pages_are_set_in_the_fonts_the_site_carries(site: Path, page: Page) -> None:
    page.goto(url(site, "policy-p17.html"))
    loaded = page.evaluate("""async () => { await document.fonts.ready;
        return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight); }""")
    assert {"BIZ UDPGothic 400", "BIZ UDPGothic 700", "BIZ UDGothic 400"} <= set(loaded), loaded


def test_a_search_for_a_policy_name_finds_its_page(site: Path, page: Page) -> None:
    page.goto(url(site, "index.html"))
    page.get_by_label("サイト内検索").fill("港湾整備とポートセールスの推進")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    first = page.locator("#search-results li a").first
    assert first.get_attribute("href") == "policy-p17.html"
    assert "件" in page.locator("#search-status").inner_text()
    first.click()
    assert page.locator("h1").inner_text() == "基本施策17　港湾整備とポートセールスの推進"


def test_search_finds_words_of_the_text_and_says_when_nothing_is_found(site: Path, page: Page) -> None:
    page.goto(url(site, "search.html?q=ふ頭　ポートセールス"))  # two words, a full-width space between
    hrefs = page.eval_on_selector_all("#search-results li a", "nodes => nodes.map(n => n.getAttribute('href'))")
    assert "policy-p17.html" in hrefs
    assert page.locator("#search-results mark").first.inner_text() in ("ふ頭", "ポートセールス")
    page.goto(url(site, "search.html?q=ぽーとせーるす"))  # typed in hiragana, printed in katakana
    assert page.locator("#search-results li a").first.get_attribute("href") == "policy-p17.html"
    assert page.locator("#search-results mark").first.inner_text() == "ポートセールス"
    page.goto(url(site, "search.html?q=存在しない言葉ぴよ"))
    assert "ありません" in page.locator("#search-status").inner_text()
    assert page.locator("#search-results li").count() == 0


def test_search_results_quote_the_page_as_printed_and_mark_what_matched(site: Path, page: Page) -> None:
    """Matching folds the text (NFKC: ① is 1, ＩＣＴ is ict), but the titles and excerpts a reader
    gets are the pages' own, with the matched words marked where they are."""
    page.goto(url(site, "search.html?q=都市再生コンセプトプラン"))
    result = page.locator("#search-results li", has=page.locator('a[href="project-1.html"]'))
    assert result.locator("a").inner_text() == "重点プロジェクト1　人が集まる魅力の創造"
    excerpt = result.locator(".result-text").inner_text()
    assert "アプローチ①　都市再生コンセプトプランの具現化 令和3年（2021年）に策定した" in excerpt, excerpt
    assert result.locator("mark").first.inner_text() == "都市再生コンセプトプラン"
    page.goto(url(site, "search.html?q=アプローチ1"))  # typed as a digit: found, and marked as printed
    assert page.locator("#search-results mark").first.inner_text() == "アプローチ①"
    page.goto(url(site, "search.html?q=ict"))  # printed in full-width letters on project-1
    result = page.locator("#search-results li", has=page.locator('a[href="project-1.html"]'))
    assert "ＩＣＴ" in result.locator("mark").all_inner_texts()


@pytest.mark.parametrize("typed", ["17-3", "17－3", "17ー3", "17−3"])
def test_a_citation_typed_with_any_dash_finds_the_pages_that_print_it_with_a_minus_sign(site: Path, page: Page,
                                                                                     typed: str) -> None:
    """The pages print 基本施策17−3 (U+2212, which NFKC keeps); a reader types a hyphen, a full-width
    one, or the long vowel mark a Japanese keyboard gives for -."""
    page.goto(url(site, f"search.html?q={typed}"))
    hrefs = page.eval_on_selector_all("#search-results li a", "nodes => nodes.map(n => n.getAttribute('href'))")
    assert {"project-1.html", "policy-p17.html"} <= set(hrefs), (typed, hrefs)
    assert page.locator("#search-results mark").first.inner_text() == "17−3"


def test_a_period_typed_with_either_tilde_finds_the_other(site: Path, page: Page) -> None:
    """Windows' IME types ～ (U+FF5E), a Mac's 〜 (U+301C, which NFKC keeps); the pages print both."""
    for typed, printed_on in (("2018～2027", "chapter-3.html"), ("令和5年度〜", "index.html")):
        page.goto(url(site, f"search.html?q={typed}"))
        hrefs = page.eval_on_selector_all("#search-results li a", "nodes => nodes.map(n => n.getAttribute('href'))")
        assert printed_on in hrefs, (typed, hrefs)


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_to_the_main_part(site: Path, page: Page) -> None:
    page.goto(url(site, "policy-p17.html"))
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.textContent, document.activeElement.getBoundingClientRect().top]")
    assert focused[0] == "本文へ移動" and focused[1] >= 0  # shown while focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


def _tab_stops(page: Page) -> list[int]:
    """Tab through the page from its start: the scroll regions the keyboard stops at, by their index among the page's regions."""
    page.evaluate("() => document.activeElement.blur()")
    stops = []
    for step in range(500):
        page.keyboard.press("Tab")
        at = page.evaluate("""first => { const e = document.activeElement;
            if (e === document.body || (!first && e.dataset.firstStop)) return null;
            if (first) e.dataset.firstStop = "1";
            return [...document.querySelectorAll('[role="region"]')].indexOf(e); }""", step == 0)
        if at is None:  # past the last stop
            return stops
        if at >= 0:
            stops.append(at)
    raise AssertionError("Tab never left the page")


def test_the_keyboard_stops_at_a_table_or_diagram_only_where_it_scrolls_sideways(site: Path, page: Page) -> None:
    """Every table and diagram sat in a focusable scroll region (tabindex="0"): Tab stopped at each
    of a page's regions on a desktop, where none scrolls. assets/site.js keeps a region a tab stop
    only while its content is wider than it: none on a desktop, and on a phone's width, reached by
    narrowing the window, each region that scrolls and no other."""
    page.goto(url(site, "review.html"))
    regions = page.locator('[role="region"]').count()
    assert regions == 2 and page.locator('[role="region"][tabindex="0"]').count() == 0
    assert _tab_stops(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_function("""() => [...document.querySelectorAll('[role="region"]')].every(
        e => (e.scrollWidth > e.clientWidth) === (e.getAttribute('tabindex') === '0'))""")
    scrolling = page.evaluate("""() => [...document.querySelectorAll('[role="region"]')].flatMap(
        (e, i) => e.scrollWidth > e.clientWidth ? [i] : [])""")
    assert len(scrolling) == 1
    assert _tab_stops(page) == scrolling
    page.reload()  # opened at a phone's width: marked from the start
    assert _tab_stops(page) == scrolling


@pytest.mark.parametrize("width", [320, 640])
def test_pages_reflow_at_a_phone_width_and_at_200_percent_zoom(site: Path, browser: Browser, width: int) -> None:
    """320 CSS px is a 1280 px screen at 400 % (WCAG reflow); 640 px at 200 %: no sideways scrolling of the page."""
    tab = browser.new_page(viewport={"width": width, "height": 800})
    try:
        for name in SAMPLE:
            tab.goto(url(site, name))
            overflow = tab.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (name, width, overflow)
    finally:
        tab.close()


def _printed(page: Page, site: Path, name: str, folder: Path) -> Path:
    """The page as the browser prints it (A4, backgrounds as the page's CSS asks: the print dialog's default)."""
    page.goto(url(site, name))
    page.evaluate("document.fonts.ready")
    pdf = folder / f"{name}.pdf"
    page.pdf(path=str(pdf), format="A4")
    return pdf


def _contrast(png: Path, box: tuple[float, float, float, float]) -> float:
    """The contrast ratio (WCAG) between the lightest and the darkest pixel inside ``box``."""
    from PIL import Image

    def luminance(rgb: tuple[int, ...]) -> float:
        c = [v / 255 for v in rgb[:3]]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    with Image.open(png) as image:
        data = image.convert("RGB").crop(box).tobytes()
    seen = [luminance(tuple(data[i:i + 3])) for i in range(0, len(data), 3)]
    return (max(seen) + 0.05) / (min(seen) + 0.05)


def test_a_printed_page_keeps_its_white_on_navy_headings_legible(site: Path, page: Page, tmp_path: Path) -> None:
    """A browser prints no backgrounds unless the page asks: the h1 and the table headers, white on
    navy on screen, came out pale grey on white paper (2:1)."""
    pdf = _printed(page, site, "policy-p17.html", tmp_path)
    subprocess.run(["pdftoppm", "-r", "144", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "p1"], check=True)
    words = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", pdf, "-"], capture_output=True, text=True, check=True).stdout
    boxes = {m.group(5): tuple(float(m.group(i)) * 2 for i in range(1, 5)) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>', words)}
    for word in ("港湾整備とポートセールスの推進", "番号"):  # the h1, a table header cell
        assert word in boxes, (word, sorted(boxes)[:20])
        assert _contrast(tmp_path / "p1.png", boxes[word]) >= 4.5, word


def test_a_printed_table_breaks_between_rows_not_inside_one(site: Path, page: Page, tmp_path: Path) -> None:
    """The SDGs table runs over two A4 sheets: each goal's row is whole on one of them."""
    pdf = _printed(page, site, "chapter-7.html", tmp_path)
    rows = page.eval_on_selector_all("main table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText))")
    assert len(rows) == 17
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout).group(1))
    assert count >= 2
    sheets = ["".join(subprocess.run(["pdftotext", "-raw", "-f", str(n), "-l", str(n), pdf, "-"], capture_output=True,
                                     text=True, check=True).stdout.split()) for n in range(1, count + 1)]
    split = [row[2] for row in rows if len(row) > 2 and not any(
        all("".join(cell.split()) in sheet for cell in row if cell) for sheet in sheets)]
    assert not split, split


@pytest.mark.parametrize("width", [1280, 375])
def test_serves_bar_leaves_the_web_editions_header_and_search_form_uncovered(project: Path, browser: Browser,
                                                                           width: int) -> None:
    """`planpress serve` puts its bar (documents, PDF, problems) over every page; fixed at the top,
    it hid the site's title and half its search form (all of it on a phone, where the bar wraps)."""
    import threading

    from planpress.build import load
    from planpress.project import Project
    from planpress.serve.server import Live, make_server
    from planpress.site.edition import WebEdition

    where = Project(project)
    content, _ = load(where)
    pages, listings = WebEdition().render(where, content)
    live = Live()
    live.update(pages=pages, listings=listings, problems=["content/policy.yaml:1:1: 問題の例"] * 2)
    server = make_server(where, live, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tab = browser.new_page(viewport={"width": width, "height": 700})
    try:
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/booklet-site/policy-p17.html")
        for selector in (".site-title a", "#search-query", ".site-search button"):
            hit = tab.evaluate("""selector => { const e = document.querySelector(selector), r = e.getBoundingClientRect();
                return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === e; }""", selector)
            assert hit, (width, selector)
        tab.mouse.wheel(0, 2000)
        tab.wait_for_function("() => window.scrollY > 0")
        assert tab.evaluate("() => document.getElementById('planpress-bar').getBoundingClientRect().top") == 0  # still shown
    finally:
        tab.close()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_tall_and_a_wide_photo_are_shown_whole_in_their_frames(project: Path, browser: Browser, width: int,
                                                                 tmp_path: Path) -> None:
    """A photo filled its 15 × 10 rem frame cut to size (object-fit: cover): a tower lost its top and
    bottom, a panorama its ends. Each is shown whole in its frame, centred, in its own proportions,
    on a desktop and on a phone, and the captions of a row stay on one line."""
    from PIL import Image

    register_banded_photos(project)
    result = run_cli(project, "build", "booklet", "--format", "site")
    assert result.returncode == 0, result.stderr
    tab = browser.new_page(viewport={"width": width, "height": 900})
    try:
        tab.goto(url(project / "output" / "booklet-site", "project-1.html"))
        tab.evaluate("() => Promise.all([...document.images].map(i => i.decode()))")
        for caption, name, (photo_width, photo_height), (start, end) in BANDED_PHOTOS:
            figure = tab.locator("figure.photo", has=tab.get_by_text(caption, exact=True))
            figure.locator("img").screenshot(path=str(tmp_path / name.replace(".jpg", ".png")))
            with Image.open(tmp_path / name.replace(".jpg", ".png")) as image:
                shot = image.convert("RGB")
            first, last = colour_box(shot, start), colour_box(shot, end)
            assert first is not None and last is not None, (width, name, first, last)  # both ends shown
            shown = (last[2] - first[0], last[3] - first[1])
            assert abs(shown[0] / shown[1] - photo_width / photo_height) < 0.05, (width, name, shown)
            assert shown[0] == pytest.approx(shot.width, abs=2) or shown[1] == pytest.approx(shot.height, abs=2), (
                width, name, shown, shot.size)  # as large as the frame allows
        if width == 1280:
            tops = [tab.locator("figcaption", has_text=caption).evaluate("e => e.getBoundingClientRect().top")
                    for caption, *_ in BANDED_PHOTOS]
            assert tops[0] == tops[1]  # one row, captions in line
    finally:
        tab.close()


def test_a_screen_reader_hears_a_photos_caption_once(project: Path, page: Page) -> None:
    """Each photo's alt repeated its caption, so a screen reader read it twice (the picture, then
    the caption). The figure is named by its caption and the picture is alt="" (WAI: an image whose
    text alternative is the text beside it); a missing photo is an image named 写真未登録 alone."""
    register_banded_photos(project)
    result = run_cli(project, "build", "booklet", "--format", "site")
    assert result.returncode == 0, result.stderr
    page.goto(url(project / "output" / "booklet-site", "project-1.html"))
    for caption, *_ in BANDED_PHOTOS:
        figure = page.get_by_role("figure", name=caption, exact=True)
        assert figure.count() == 1 and figure.locator("img").count() == 1, caption  # the photo is shown
        assert page.get_by_role("img", name=caption).count() == 0, caption
    missing = page.locator("figure.photo", has=page.locator(".photo-placeholder"))
    assert missing.count() == 6
    assert page.get_by_role("img", name="写真未登録", exact=True).count() == 6
