"""What a print shop's preflight rejects, found by `planpress check` before the file is sent:
a photo with too few pixels for the size it prints at, a rule too thin, text too small or a page
margin too narrow in the print stylesheets; and the print file's text kept inside the safe area."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest

from conftest import REPO, run_cli
from planpress import design

MM = 72 / 25.4

#: Project 1's photo slots, in projects.yaml's order.
_CAPTIONS = ("キラキラ公園で行われたキッチンカーイベント", "TOMAKOMAI MIRAIFEST 2022ロゴ", "苫小牧市スマートシティ官民連携協議会",
             "総合体育館などに配備されたバスロケーションシステム（デジタルサイネージ）", "市内全域に配備が完了した防災行政無線")


def _register(project: Path, photos: dict[str, tuple[tuple[int, int], int]]) -> dict[str, tuple[int, int]]:
    """Make each photo (file name → (stored pixel size, EXIF orientation)) and give project 1's slots
    their files in order; where each file's name is written in projects.yaml (line, column)."""
    from PIL import Image

    folder = project / "content" / "booklet" / "photos"
    folder.mkdir(parents=True)
    path = project / "content" / "booklet" / "projects.yaml"
    text = path.read_text(encoding="utf-8")
    for caption, (name, (size, orientation)) in zip(_CAPTIONS, photos.items()):
        exif = Image.Exif()
        exif[0x0112] = orientation
        Image.new("RGB", size, "#3366AA").save(folder / name, quality=90, exif=exif.tobytes())
        text = text.replace(f"{caption}\n        image: null", f"{caption}\n        image: booklet/photos/{name}", 1)
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    return {name: next((number, line.index("booklet/") + 1) for number, line in enumerate(lines, 1)
                       if line.endswith(f"image: booklet/photos/{name}")) for name in photos}


def test_a_photo_too_coarse_for_print_is_named_at_its_line_with_what_to_send_instead(project: Path) -> None:
    """A 320×240 thumbnail prints 48 × 36 mm in its 53 × 36 mm frame: 169 ppi, where a print shop
    asks 300 and flags under 200. check says so at the photo's name with its size, its resolution
    and the pixels to send; build says it too (its own line, not among the slots to fill). A phone
    photo is measured as it prints, turned upright by its EXIF orientation. A photo with pixels
    enough (at 200 ppi and over, a huge one the documents embed scaled down) gives no line."""
    at = _register(project, {
        "thumbnail.jpg": ((320, 240), 1),       # 169 ppi
        "phone.jpg": ((200, 360), 6),           # stored portrait, shown 360×200: 53 × 29 mm, 173 ppi
        "just-enough.jpg": ((426, 290), 1),     # 204 ppi
        "huge.jpg": ((3000, 2000), 1),          # scaled to 2400 px for the documents: 1150 ppi
        "portrait.jpg": ((360, 200), 6),        # stored landscape (173 ppi so), shown 200×360: 254 ppi
    })
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    coarse = [line for line in check.stderr.splitlines() if "ppi" in line]
    line, col = at["thumbnail.jpg"]
    assert coarse[0] == (
        f"content/booklet/projects.yaml:{line}:{col}: 警告: 重点プロジェクト1: 写真「{_CAPTIONS[0]}」: "
        "「booklet/photos/thumbnail.jpg」: 320×240ピクセルで、冊子に印刷する大きさ（48×36mm）では169ppiです。"
        "印刷には解像度が足りず、粗く印刷されます。300ppi（この大きさで567×425ピクセル）以上の写真に差し替えてください"
        "（縮小していない元の写真。メールやチャットで送ると縮小されることがあります）")
    line, col = at["phone.jpg"]
    assert coarse[1].startswith(f"content/booklet/projects.yaml:{line}:{col}: 警告: ")
    assert "「booklet/photos/phone.jpg」: 360×200ピクセルで、冊子に印刷する大きさ（53×29mm）では173ppiです。" in coarse[1]
    assert "（この大きさで626×348ピクセル）" in coarse[1]
    assert len(coarse) == 2 and not any(name in "".join(coarse) for name in ("just-enough", "huge", "portrait"))
    build = run_cli(project, "build", "booklet", "--format", "html")
    assert build.returncode == 0, build.stderr
    assert [line for line in build.stderr.splitlines() if "ppi" in line] == coarse


def test_a_hairline_or_tiny_text_in_a_print_stylesheet_is_named_at_its_line(project: Path) -> None:
    """An office edit of layouts/ giving a rule under 0.25 pt (it prints broken or not at all) or
    text under 6 pt: check names the stylesheet's line and column and the size to use; the shipped
    layouts, a rule of 0.25 pt or none, a size relative to the font give no line."""
    shipped = run_cli(project, "check", "--no-layout")
    assert shipped.returncode == 0 and not [line for line in shipped.stderr.splitlines() if line.startswith("layouts/")]
    css = project / "layouts" / "booklet.css"
    text = css.read_text(encoding="utf-8")
    css.write_text(text + (
        "/* border: 0.1pt solid: a comment is no rule */\n"
        ".thin { border-bottom: 0.05mm solid var(--navy); outline: 0.2px solid; }\n"
        ".small { font-size: 5.5pt; }\n"
        ".fine { border-top: 0.25pt solid; border: 0; font-size: 0.5em; column-rule-width: 1px; }\n"), encoding="utf-8")
    line = text.count("\n") + 2
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    assert [l for l in check.stderr.splitlines() if l.startswith("layouts/")] == [
        f"layouts/booklet.css:{line}:24: 警告: border-bottom: 線の太さ 0.14pt（0.05mm）は印刷でかすれるか、印刷されません"
        "（印刷会社の入稿チェックで指摘されます）。0.25pt以上にしてください",
        f"layouts/booklet.css:{line}:59: 警告: outline: 線の太さ 0.15pt（0.05mm）は印刷でかすれるか、印刷されません"
        "（印刷会社の入稿チェックで指摘されます）。0.25pt以上にしてください",
        f"layouts/booklet.css:{line + 1}:21: 警告: font-size: 文字の大きさ 5.5pt は小さすぎて印刷では読めません"
        "（印刷会社の入稿チェックで指摘されます）。6pt以上にしてください",
    ]


def _give_icons(project: Path, sides: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Make a square icon file of ``side`` pixels for each goal (number → side) and name it in
    sdgs.yaml; where each name is written (line, column)."""
    from PIL import Image

    folder = project / "content" / "booklet" / "sdgs"
    folder.mkdir()
    path = project / "content" / "booklet" / "sdgs.yaml"
    text = path.read_text(encoding="utf-8")
    for number, side in sides.items():
        Image.new("RGB", (side, side), "#E5243B").save(folder / f"goal-{number:02d}.png")
        record = re.search(rf"  - number: {number}\n(?:    .*\n)*?    color: .*\n", text)
        text = text[:record.end()] + f"    image: booklet/sdgs/goal-{number:02d}.png\n" + text[record.end():]
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    return {number: next((index, line.index("booklet/") + 1) for index, line in enumerate(lines, 1)
                         if line.endswith(f"image: booklet/sdgs/goal-{number:02d}.png")) for number in sides}


def _placed_ppi(pdf: Path, width: int) -> list[int]:
    """The resolution (x-ppi) at which the PDF places each picture ``width`` pixels wide, as pdfimages reads it."""
    import subprocess

    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    return [int(row[12]) for row in rows if row[2] == "image" and int(row[3]) == width]


def test_an_official_sdg_icon_too_coarse_for_print_is_named_at_its_line(project: Path) -> None:
    """An official SDG icon prints 16 mm square in 第7's table of the goals and 15 mm in a policy
    page's row (planpress.design SDG_ICON_TABLE, SDG_ICON_ROW). A 125-pixel file is 198 ppi at the
    larger, 212 at the smaller: check names it at its file name with the size it prints largest at
    and the pixels to send, as it does a photo; a 240-pixel file gives no line. The PDF places the
    coarse file at just the resolutions check measures (read back with pdfimages)."""
    at = _give_icons(project, {1: 125, 2: 240})
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    coarse = [line for line in check.stderr.splitlines() if "ppi" in line]
    line, col = at[1]
    assert coarse == [
        f"content/booklet/sdgs.yaml:{line}:{col}: 警告: SDGsゴール1: 「booklet/sdgs/goal-01.png」: 125×125ピクセルで、"
        "冊子に印刷する大きさ（16×16mm）では198ppiです。印刷には解像度が足りず、粗く印刷されます。"
        "300ppi（この大きさで189×189ピクセル）以上のアイコン画像に差し替えてください"]
    build = run_cli(project, "build", "booklet", "--format", "pdf")
    assert build.returncode == 0, build.stderr
    placed = _placed_ppi(project / "output" / "booklet.pdf", 125)
    assert min(placed) == 198 and max(placed) == 212, placed


def _text_near_trim(pdf: Path, safe_mm: float) -> list[tuple[int, str, str, float]]:
    """Each text line of the PDF nearer than ``safe_mm`` to its page's trim (TrimBox), as pdftotext
    lays the page out: (page, side, text, distance in mm); a line outside the trim counts negative."""
    with pikepdf.open(pdf) as printed:
        boxes = [([float(v) for v in page.MediaBox], [float(v) for v in page.TrimBox]) for page in printed.pages]
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    xhtml = "{http://www.w3.org/1999/xhtml}"
    pages = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", layout)).iter(f"{xhtml}page")
    near = []
    for number, (page, (media, trim)) in enumerate(zip(pages, boxes, strict=True), 1):
        for line in page.iter(f"{xhtml}line"):
            x0, y0, x1, y1 = (float(line.get(key)) for key in ("xMin", "yMin", "xMax", "yMax"))  # from the MediaBox's top left
            text = "".join(word.text or "" for word in line)
            for side, distance in (("left", media[0] + x0 - trim[0]), ("right", trim[2] - media[0] - x1),
                                   ("top", trim[3] - media[3] + y0), ("bottom", media[3] - y1 - trim[1])):
                if distance < safe_mm * MM:
                    near.append((number, side, text, round(distance / MM, 2)))
    return near


def test_a_page_margin_under_3mm_is_named_at_its_line_and_its_text_prints_near_the_trim(project: Path) -> None:
    """A print shop asks all text to keep 3 mm inside the trim (the guillotine may cut nearer). An office
    edit of layouts/print.css to a page margin of 1 mm: check names the margin's line and column and the
    sides; the report built for the print shop has its text that near the trim, as the print file's
    text read back says (the test of the shipped booklet, below, reads it the same way). The shipped
    layouts' margins, a margin box's own margin and an element's margin give no line."""
    css = project / "layouts" / "print.css"
    text = css.read_text(encoding="utf-8")
    assert text.count("  margin: var(--page-margins);\n") == 1
    text = text.replace("  margin: var(--page-margins);\n", "  margin: 1mm 20mm 2mm;\n")
    css.write_text(text.replace("  @bottom-center {\n", "  @bottom-center {\n    margin: 0;\n") + ".tight { margin: 0; }\n", encoding="utf-8")
    line = text[:text.index("margin: 1mm")].count("\n") + 1
    check = run_cli(project, "check", "--no-layout")
    assert check.returncode == 0, check.stderr
    tail = "では、文字が仕上がり線（断裁する位置）から3mm以内に入り、断裁で切れることがあります（印刷会社の入稿チェックで指摘されます）。3mm以上にしてください"
    assert [l for l in check.stderr.splitlines() if l.startswith("layouts/")] == [
        f"layouts/print.css:{line}:11: 警告: margin: ページの余白（上）1mm {tail}",
        f"layouts/print.css:{line}:20: 警告: margin: ページの余白（下）2mm {tail}",
    ]
    build = run_cli(project, "build", "evaluation-2021", "--format", "pdf", "--profile", "print")
    assert build.returncode == 0, build.stderr
    near = _text_near_trim(project / "output" / "evaluation-2021.pdf", design.SAFE_MARGIN_MM)
    assert {side for _, side, _, _ in near} == {"top", "bottom"}, near
    assert min(distance for _, side, _, distance in near if side == "top") < 1.5, near


@pytest.mark.slow  # the whole booklet laid out in one pass, shared with test_booklet and test_parts
def test_the_print_booklet_keeps_its_text_3mm_inside_the_trim(print_booklet: tuple[Path, object]) -> None:
    """The print file's pages are A4 trimmed (TrimBox at the page's origin) with the bleed
    layouts/print-shop.css gives round it (BleedBox), and every text line, running text, header and
    page number alike, lies at least 3 mm inside the trim (the shipped booklet: 20 mm at the sides,
    the header about 9.6 mm from the top, the page number about 8.4 mm from the bottom)."""
    path, _ = print_booklet
    bleed = float(re.search(r"@page\s*\{\s*bleed:\s*([\d.]+)mm", (REPO / "layouts" / "print-shop.css").read_text(encoding="utf-8"))[1])
    assert design.PAGE == (210.0, 297.0) and bleed == 3.0
    width, height = design.PAGE[0] * MM, design.PAGE[1] * MM
    with pikepdf.open(path) as printed:
        for page in printed.pages:
            assert [float(v) for v in page.TrimBox] == pytest.approx([0, 0, width, height], abs=0.01)
            assert [float(v) for v in page.BleedBox] == pytest.approx([-bleed * MM, -bleed * MM, width + bleed * MM, height + bleed * MM], abs=0.01)
    assert _text_near_trim(path, design.SAFE_MARGIN_MM) == []
    in_margins = _text_near_trim(path, 19.9)  # the reading sees the page furniture, and nothing else, in the margins
    assert {side for _, side, _, _ in in_margins} == {"top", "bottom"} and min(d for *_, d in in_margins) > 8, in_margins[:5]
