"""Pages parsed by libxml2 where that gives WeasyPrint's own tree (render/pdf/htmltree.py): the same
tree as tinyhtml5 for every page planpress makes, and tinyhtml5 itself for what HTML5 reads its own way."""

from __future__ import annotations

import io
import random
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import tinyhtml5
from PIL import Image

from conftest import copy_project
from planpress import build
from planpress.project import Project
from planpress.render import html
from planpress.render.pdf import htmltree, parts, sources, weasy


def _shape(element: ElementTree.Element, depth: int = 0, out: list[Any] | None = None) -> list[Any]:
    """Everything WeasyPrint reads of a tree: each element's tag, attributes in order, text and tail."""
    out = [] if out is None else out
    tag = element.tag if isinstance(element.tag, str) else "<comment>"
    out.append((depth, tag, list(element.attrib.items()), element.text, element.tail))
    for child in element:
        _shape(child, depth + 1, out)
    return out


def _html5(source: str) -> list[Any]:
    return _shape(tinyhtml5.parse(source, namespace_html_elements=False))


def _page(body: str, *, after: str = "\n</html>\n") -> str:
    return f'<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n<title>t</title>\n</head>\n<body>\n{body}\n</body>{after}'


def test_every_page_of_the_shipped_documents_parses_as_weasyprints_parser_would(tmp_path: Path) -> None:
    project = Project.at(copy_project(tmp_path / "project", warm=False))
    content, _ = build.load(project)
    date = project.build_date()
    pages = []
    for job in build.plan_jobs(content, ["booklet", "evaluation-2021"], ["pdf"]):
        document = job.spec.make()
        for profile in ("web", "print"):
            made = sources.section_sources(document, parts.split(document), project, profile, date, keep=False)
            pages += [source.html for source in made]
            pages.append(html.render(document, project, profile=profile, date=date, head_dates=False))
    assert len(pages) > 100
    for page in pages:
        tree = htmltree.quick_tree(page)
        assert tree is not None, page[:300]
        assert _shape(tree) == _html5(page)


@pytest.mark.parametrize("body", [
    "<p>a&amp;b &lt;c&gt; &#34;d&#39; e&nbsp;f\u3000g<br>h<br/>i</p>",
    "<!-- a note --><p>text</p><!-- another -->",
    "<ul><li>one<ul><li>inner</li></ul></li><li>two</li></ul>",
    "<table><thead><tr><th>a</th></tr></thead><tbody>\n<tr><td>1</td></tr>\n</tbody></table>",
    "<section><h2>見出し</h2><p><span class=x>a</span><img src=x.png alt=''></p></section>",
    "",
])
def test_a_page_with_every_element_written_out_parses_as_weasyprints_parser_would(body: str) -> None:
    for after in ("\n</html>\n", "\n</html>", "\n\n</html>\n\n", "</html>"):
        page = _page(body, after=after)
        tree = htmltree.quick_tree(page)
        assert tree is not None
        assert _shape(tree) == _html5(page)


@pytest.mark.parametrize("page", [
    _page("<table><tr><td>a row without its tbody</td></tr></table>"),
    _page("<table><tbody><tr><td>a</td></tr>text</tbody></table>"),
    _page("<p>a paragraph<div>left open before a block</div></p>"),
    _page("<p>open"),
    _page("<h1>a<h2>heading in a heading</h2></h1>"),
    _page('<a href="#x">a link <a href="#y">in a link</a></a>'),
    _page("<ul><li>one<li>two</li></ul>"),
    _page("<b><i>crossed</b></i>"),
    _page("<svg><rect/></svg>"),
    _page("<pre>\na line break HTML5 drops</pre>"),
    _page("<table>&nbsp;</table>"),
    _page("<ul><li>a</li><address>libxml2 closes the list here</address></ul>"),
    _page("<div/>HTML5 reads the slash as nothing"),
    _page("<td>a cell outside its row</td>"),
    _page("<div><body>a second body</body></div>"),
    _page("<p>void in HTML5<wbr>but not in libxml2</p>"),
    _page("<p>&copy without its semicolon</p>"),
    _page("<p>&#128; a C1 control</p>"),
    _page("<p>a carriage\r\nreturn</p>"),
    _page("<p>text</p>", after="\n<!-- after the body -->\n</html>\n"),
    _page("<p>text</p>", after="\n</html>\nafter the root"),
    "<!DOCTYPE html>\ntext before the root<html><head></head><body></body></html>",
    "<!DOCTYPE html>\n<html><head><base href=\"http://example.com/\"></head><body></body></html>",
    "<!DOCTYPE html>\n<html><head><p>a paragraph in the head</p></head><body></body></html>",
    "<!DOCTYPE html>\n<html><body>no head</body></html>",
])
def test_what_html5_reads_its_own_way_is_left_to_weasyprints_parser(page: str) -> None:
    assert htmltree.quick_tree(page) is None


def test_weasyprint_parses_only_the_pages_the_quick_tree_leaves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    project = Project.at(copy_project(tmp_path / "project", warm=False))
    parsed: list[str] = []
    real = weasyprint.tinyhtml5.parse

    def counted(source: Any, **kwargs: Any) -> Any:  # the real parser runs: only counted
        parsed.append(source)
        return real(source, **kwargs)

    Image.new("RGB", (4, 4), (200, 30, 30)).save(project.layouts_dir / "dot.png")
    plain, crossed = _page('<p>日本語の段落<img src="dot.png" alt="点"></p>'), _page("<b><i>crossed</b></i>")
    expected = [_html5(plain), _html5(crossed)]
    monkeypatch.setattr(weasyprint.tinyhtml5, "parse", counted)
    quick = weasy.weasy_html(plain, project)
    assert parsed == []
    assert _shape(quick.etree_element) == expected[0]
    slow = weasy.weasy_html(crossed, project)
    assert len(parsed) == 1
    assert _shape(slow.etree_element) == expected[1]
    # both give WeasyPrint's pages: the same PDF from either tree of one page, the image found
    # from the same base URL (a file: URL, as WeasyPrint makes of the folder it is given)
    base = str(project.layouts_dir) + "/"
    assert quick.base_url == weasyprint.HTML(string=plain, base_url=base).base_url
    data = weasy.weasy_html(plain, project).write_pdf()
    assert data == weasyprint.HTML(string=plain, base_url=base, url_fetcher=weasy.ProjectFetcher(project)).write_pdf()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert [obj.Width for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"] == [4]


#: What the random pages are made of: elements of every kind (block, phrasing, lists, tables, ruby,
#: formatting, HTML 4 leftovers), void ones, and text with references and every kind of space.
_ELEMENTS = ("div", "p", "p", "span", "a", "a", "b", "i", "em", "strong", "section", "article", "h1", "h2", "h3",
             "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "td", "th", "caption", "figure",
             "figcaption", "small", "sub", "sup", "ruby", "rt", "rp", "rb", "header", "footer", "nav", "aside",
             "blockquote", "q", "abbr", "code", "mark", "u", "s", "cite", "time", "nobr", "font", "center", "main",
             "address", "details", "summary", "big", "tt", "strike", "var", "kbd", "bdo", "ins", "del", "map",
             "object", "marquee", "fieldset", "legend", "dir", "menu")
_VOIDS = ("br", "img", "hr", "col", "meta", "link", "input", "area")
_TEXTS = ("あ", "漢字", " ", "\n", "\t", "a&amp;b", "&lt;x&gt;", "&#34;", "&#x3042;", "&nbsp;", "\u3000", "x y", "\x85")


def _random_body(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(0, 4)):
        pick = rng.random()
        if pick < 0.4 or depth > 5:
            out.append(rng.choice(_TEXTS))
        elif pick < 0.5:
            out.append(f"<{rng.choice(_VOIDS)}>")
        else:
            name, attributes = rng.choice(_ELEMENTS), rng.choice(("", ' class="c"', " id=i", ' title="a&amp;b"', " hidden"))
            out.append(f"<{name}{attributes}>{_random_body(rng, depth + 1)}</{name}>")
    return "".join(out)


def test_random_pages_either_parse_as_weasyprints_parser_would_or_go_to_it() -> None:
    """Well-nested pages of any elements: each quick tree is tinyhtml5's (libxml2's HTML 4 rules
    close, move or drop elements in some of them: those must be found and left to tinyhtml5)."""
    rng = random.Random(20261205)
    quick = 0
    for _ in range(600):
        page = _page(_random_body(rng))
        tree = htmltree.quick_tree(page)
        if tree is not None:
            quick += 1
            assert _shape(tree) == _html5(page), page
    assert quick > 300  # most are read by libxml2: the guards do not send everything to tinyhtml5
