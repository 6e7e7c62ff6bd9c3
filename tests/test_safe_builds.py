"""Content is data, never markup: hostile text prints literally and fetches nothing."""

from __future__ import annotations

from pathlib import Path

from conftest import docx_part, pdf_pages, read_html, run_cli

HOSTILE = '<script>alert("x")</script><img src="https://evil.example/x.png">&amp;'
COMMENTARY = "    commentary: 平和の推進について、成果は見えにくいが、多くの市民理解が得られている。\n"


def _with_hostile_text(project: Path) -> None:
    evaluation = project / "content" / "evaluations" / "2021.yaml"
    text = evaluation.read_text(encoding="utf-8")
    hostile = HOSTILE.replace('"', '\\"')
    evaluation.write_text(text.replace(COMMENTARY, f'    commentary: "{hostile}"\n'), encoding="utf-8")


def test_markup_in_content_prints_literally_in_pdf_and_word(project: Path) -> None:
    _with_hostile_text(project)
    # The report in every format; the booklet (whose policy pages print the same commentary) in
    # HTML: its PDF and Word files are made by the same renderers from the same escaped text.
    result = run_cli(project, "build", "evaluation-2021", "--format", "pdf", "--format", "docx", "--format", "html")
    assert result.returncode == 0, result.stderr
    booklet = run_cli(project, "build", "booklet", "--format", "html")
    assert booklet.returncode == 0, booklet.stderr
    output = project / "output"
    printed = "".join(pdf_pages(output / "evaluation-2021.pdf"))
    # The cell wraps after "evil.example/"; pdftotext reads the next line later on the page.
    for part in ('<script>alert("x")</script>', '<img src="https://evil.example/', 'x.png">&amp;'):
        assert part in printed
    document = docx_part(output / "evaluation-2021.docx")
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;&lt;img src=\"https://evil.example/x.png\"&gt;&amp;amp;" in document
    page = read_html(output / "evaluation-2021.html")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    booklet_page = read_html(output / "booklet.html")
    assert "<script" not in booklet_page and "evil.example/x.png\"><" not in booklet_page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in booklet_page


def test_shipped_layouts_fetch_nothing_from_outside(built: Path) -> None:
    """The real build passes through the restricted fetcher without a refusal or a warning."""
    result = run_cli(built, "check")
    assert result.returncode == 0
    assert result.stderr.splitlines()[-1].startswith("問題はありません")
    assert "WeasyPrint" not in result.stderr and "読み込めません" not in result.stderr
