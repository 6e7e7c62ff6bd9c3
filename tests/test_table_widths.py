"""Tables of text keep their columns' declared widths in print (table-layout: fixed, for speed):
the pages must be those of WeasyPrint's automatic table layout, page image for page image."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from planpress.project import Project

pytestmark = pytest.mark.slow  # lays each document out twice in this process (the booklet: 15-25 s)


@pytest.mark.parametrize("name", ["evaluation-2021", "booklet"])
def test_fixed_widths_print_the_pages_of_the_automatic_layout(built: Path, tmp_path: Path, name: str) -> None:
    from PIL import Image, ImageChops
    from weasyprint import CSS

    from planpress import build
    from planpress.documents import available
    from planpress.render import html
    from planpress.render.pdf import weasy

    project = Project.at(built)
    content, _ = build.load(project, keep=False)
    document = next(spec.make() for spec in available(content) if spec.name == name)
    source = html.render(document, project, date=0.0)
    assert source.count("fixed-widths") >= 2  # the items table and another (the booklet: a hundred)
    fonts = weasy.FontConfiguration()
    # A user stylesheet (what ``stylesheets`` gives) wins over the layouts' rule only when important.
    automatic = CSS(string="table.data-table.fixed-widths { table-layout: auto !important; }", font_config=fonts)
    pages = {}
    for kind, extra in (("fixed", []), ("auto", [automatic])):
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(weasy.weasy_html(source, project).render(font_config=fonts, stylesheets=extra).write_pdf())
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / kind)], check=True)
        pages[kind] = sorted(tmp_path.glob(f"{kind}-*.png"))
    assert len(pages["fixed"]) == len(pages["auto"])
    differing = [fixed.name for fixed, auto in zip(pages["fixed"], pages["auto"])
                 if ImageChops.difference(Image.open(fixed).convert("RGB"), Image.open(auto).convert("RGB")).getbbox()]
    assert not differing, f"{name}: pages laid out differently with the columns' declared widths: {differing}"


def test_a_cell_line_with_a_carriage_return_is_measured_as_two_lines() -> None:
    """A commentary may hold a carriage return (check lets line breaks through): Word breaks the
    line there, and the text measure, which takes one line, failed on it (raqm_layout())."""
    from planpress.render.docx_widths import cell_height_pt

    font, width = ("BIZ UDGothic", False, 9.0), 4000
    one = cell_height_pt(("成果",), font, 1.0, width)
    assert cell_height_pt(("成果\r次の行",), font, 1.0, width) == cell_height_pt(("成果", "次の行"), font, 1.0, width) == 2 * one
    assert cell_height_pt(("0\r",), font, 1.0, width) == one
