"""Each output profile's PDF holds the objects its standard requires, read back with pikepdf.

No validator (veraPDF, a preflight) installs here, so each required object is checked on its
own, named in the assertion: PDF/UA-1 (web), PDF/X-4 (print), PDF/A-2u (archive).
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from conftest import run_cli

#: Builds the documents many times over (make test-all, CI).
pytestmark = pytest.mark.slow

XMP_PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}part"
XMP_PDFAID_PART = "{http://www.aiim.org/pdfa/ns/id/}part"
XMP_PDFAID_CONFORMANCE = "{http://www.aiim.org/pdfa/ns/id/}conformance"
XMP_PDFXID = "{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"
A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped project built in each profile: the report in all three, the booklet merged from
    parallel batches (web, archive) and laid out in one pass (print)."""
    from conftest import copy_project

    built = {}
    for profile in ("web", "print", "archive"):
        root = copy_project(tmp_path_factory.mktemp(profile) / "project")
        result = run_cli(root, "build", "--format", "pdf", "--profile", profile)
        assert result.returncode == 0, result.stderr
        built[profile] = root / "output"
    return built


def _xmp(pdf: pikepdf.Pdf) -> dict[str, str]:
    return {key: str(value) for key, value in pdf.open_metadata().items()}


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found = {}
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", {}).values():
            for descendant in font.get("/DescendantFonts", [font]):
                found[descendant.objgen] = descendant
    return list(found.values())


def _common(pdf: pikepdf.Pdf) -> None:
    xmp = _xmp(pdf)
    info = pdf.trailer.Info
    assert "/ID" in pdf.trailer, "file identifier (/ID) in the trailer"
    assert "/Encrypt" not in pdf.trailer, "no encryption"
    assert xmp["{http://purl.org/dc/elements/1.1/}title"] == str(info.Title), "XMP dc:title is the /Info title"
    for key, name in (("/CreationDate", "CreateDate"), ("/ModDate", "ModifyDate")):
        date = str(info[key])[2:]
        stamp = f"{date[0:4]}-{date[4:6]}-{date[6:8]}T{date[8:10]}:{date[10:12]}:{date[12:14]}Z"
        assert xmp["{http://ns.adobe.com/xap/1.0/}" + name] == stamp, f"XMP xmp:{name} is /Info {key}"
    fonts = _fonts(pdf)
    assert fonts, "the document has fonts"
    for font in fonts:
        descriptor = font.FontDescriptor
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, f"font {font.get('/BaseFont')} embedded"


@pytest.mark.parametrize("name", ["booklet", "evaluation-2021"])
def test_web_profile_declares_pdf_ua_1(profiles: dict[str, Path], name: str) -> None:
    with pikepdf.open(profiles["web"] / f"{name}.pdf") as pdf:
        _common(pdf)
        assert _xmp(pdf)[XMP_PDFUAID] == "1", "PDF/UA-1: XMP pdfuaid:part"
        assert pdf.Root.MarkInfo.Marked is True, "PDF/UA-1: /MarkInfo /Marked true"
        assert "/StructTreeRoot" in pdf.Root, "PDF/UA-1: structure tree"
        assert str(pdf.Root.Lang) == "ja", "PDF/UA-1: document language"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True, "PDF/UA-1: DisplayDocTitle"
        assert str(pdf.trailer.Info.Title), "PDF/UA-1: a title"


@pytest.mark.parametrize("name", ["booklet", "evaluation-2021"])
def test_print_profile_is_pdf_x_4(profiles: dict[str, Path], name: str) -> None:
    with pikepdf.open(profiles["print"] / f"{name}.pdf") as pdf:
        _common(pdf)
        assert pdf.pdf_version >= "1.6", "PDF/X-4: PDF 1.6 or later"
        assert _xmp(pdf)[XMP_PDFXID] == "PDF/X-4", "PDF/X-4: XMP pdfxid:GTS_PDFXVersion"
        assert pdf.trailer.Info.Trapped == pikepdf.Name("/False"), "PDF/X-4: /Trapped /False"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX, "PDF/X-4: output intent /S /GTS_PDFX"
        assert int(intent.DestOutputProfile.N) == 4, "PDF/X-4: a CMYK destination output profile"
        assert bytes(intent.DestOutputProfile.read_bytes()[12:16]) == b"prtr", "PDF/X-4: an output (printer) profile"
        for number, page in enumerate(pdf.pages, 1):
            media, bleed, trim = (_box(page.obj[key]) for key in ("/MediaBox", "/BleedBox", "/TrimBox"))
            assert _inside(trim, bleed) and _inside(bleed, media), f"PDF/X-4: page {number} TrimBox ⊂ BleedBox ⊂ MediaBox"
            assert (round(trim[2] - trim[0], 2), round(trim[3] - trim[1], 2)) == A4, f"PDF/X-4: page {number} trimmed to A4"
            assert round(trim[0] - bleed[0], 2) == round(3 / 25.4 * 72, 2), f"PDF/X-4: page {number} has 3 mm bleed"
            assert media[0] < bleed[0], f"page {number}: room for the trim marks outside the bleed"
            for annotation in page.obj.get("/Annots", []):
                rect = _box(annotation.Rect)
                inside = rect[0] < bleed[2] and rect[2] > bleed[0] and rect[1] < bleed[3] and rect[3] > bleed[1]
                assert annotation.Subtype in ("/PrinterMark", "/TrapNet") or not inside, \
                    f"PDF/X-4: page {number} has a {annotation.Subtype} annotation inside the BleedBox"
            assert "/DefaultRGB" in page.obj.Resources.ColorSpace, f"PDF/X-4: page {number} declares DefaultRGB (sRGB)"
            parts = [stream.read_bytes() for stream in page.obj.Contents] if isinstance(page.obj.Contents, pikepdf.Array) \
                else [page.obj.Contents.read_bytes()]
            assert _operators(pdf, b"".join(parts)) == [op for part in parts for op in _operators(pdf, part)], \
                f"page {number}: its content streams divide between tokens (ISO 32000-1 7.8.2), read joined or apart"
            assert _untagged_painting(pdf, b"\n".join(parts)) == [], \
                f"page {number}: everything painted is tagged or an artifact (the trim marks too: the file is a tagged PDF)"


def test_print_profile_draws_a_layouts_gradient_in_srgb(tmp_path: Path) -> None:
    """WeasyPrint 70 wrote a gradient's shading in the CMYK output intent's space with the stops'
    three RGB values, which readers refuse to draw (print-shop.css painted the draft's hatched
    placeholders flat to avoid it): any gradient a layout draws is now in sRGB."""
    from conftest import copy_project

    root = copy_project(tmp_path / "project")
    with (root / "layouts" / "report.css").open("a", encoding="utf-8") as css:
        css.write("\nh2 { background: linear-gradient(90deg, #e0ecf8, #ffffff); }\n")
    result = run_cli(root, "build", "evaluation-2021", "--format", "pdf", "--profile", "print")
    assert result.returncode == 0, result.stderr
    with pikepdf.open(root / "output" / "evaluation-2021.pdf") as pdf:
        shadings = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary | pikepdf.Stream) and "/ShadingType" in o]
        assert shadings, "the headings' gradients are in the PDF"
        for shading in shadings:
            stops = shading.Function.Functions[0] if "/Functions" in shading.Function else shading.Function
            space = shading.ColorSpace
            assert int(space[1].N) == len(stops.C0) == 3, "a gradient's colour space has as many components as its stops"
            assert space[1].read_bytes()[16:20] == b"RGB ", "the gradient is drawn in sRGB"


def test_print_profile_uses_the_print_shops_profile_from_layouts(profiles: dict[str, Path], tmp_path: Path) -> None:
    """layouts/print-output.icc, where the office puts the print shop's profile, is the output intent."""
    from conftest import copy_project

    root = copy_project(tmp_path / "project")
    with pikepdf.open(profiles["print"] / "evaluation-2021.pdf") as pdf:
        generic = pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()
    shop = bytearray(generic)
    shop[44:48] = b"SHOP"  # a distinct profile (header's manufacturer field), otherwise the same
    (root / "layouts" / "print-output.icc").write_bytes(bytes(shop))
    result = run_cli(root, "build", "evaluation-2021", "--format", "pdf", "--profile", "print")
    assert result.returncode == 0, result.stderr
    assert "print-output.icc がないため" not in result.stderr
    with pikepdf.open(root / "output" / "evaluation-2021.pdf") as pdf:
        assert pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes()[44:48] == b"SHOP"


def test_print_profile_gives_the_same_bytes_each_build(profiles: dict[str, Path], tmp_path: Path) -> None:
    """Two builds of the same content give the same PDF/X file: its XMP DocumentID (WeasyPrint
    writes a random one) is made from the file identifier."""
    from conftest import copy_project

    root = copy_project(tmp_path / "project")
    result = run_cli(root, "build", "evaluation-2021", "--format", "pdf", "--profile", "print")
    assert result.returncode == 0, result.stderr
    again = (root / "output" / "evaluation-2021.pdf").read_bytes()
    assert again == (profiles["print"] / "evaluation-2021.pdf").read_bytes()
    with pikepdf.open(root / "output" / "evaluation-2021.pdf") as pdf:
        assert _xmp(pdf)["{http://ns.adobe.com/xap/1.0/mm/}DocumentID"].startswith("xmp.did:")


def test_print_profile_says_once_a_build_when_it_uses_the_generic_profile(tmp_path: Path) -> None:
    """Without layouts/print-output.icc the PDFs declare a generic CMYK output condition: a whole
    build says so in one line naming the file to put there (each document's layout said it, so a
    build of the booklet and the report said it twice)."""
    from conftest import copy_project

    root = copy_project(tmp_path / "project")
    result = run_cli(root, "build", "--format", "pdf", "--profile", "print")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "print-output.icc" in line] == [
        "planpress: 警告: layouts/print-output.icc がないため、PDF/X-4 の出力条件に汎用のCMYKプロファイル"
        "（/usr/share/color/icc/ghostscript/default_cmyk.icc）を使います。入稿前に印刷所が指定するプロファイル"
        "（例: Japan Color 2011 Coated）を layouts/print-output.icc として置いてください"]
    assert {path.name for path in (root / "output").iterdir()} == {"booklet.pdf", "evaluation-2021.pdf"}


def _shop_profiles() -> dict[str, tuple[bytes, str]]:
    """Files an office might put in layouts/print-output.icc that no PDF/X-4 output intent can be,
    each with what the build says about it."""
    from importlib.resources import files

    cmyk = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc").read_bytes()
    gray = bytearray(cmyk)
    gray[16:20] = b"GRAY"
    unreadable = "ICCプロファイルとして読めません（壊れているか、途中で切れているか、ICCプロファイルではありません）"
    return {
        "an sRGB display profile": ((files("weasyprint.pdf") / "sRGB2014.icc").read_bytes(), "ディスプレイ用のRGBのプロファイルです"),
        "a printer profile of grey": (bytes(gray), "出力（印刷）用のグレーのプロファイルです"),
        "a truncated download": (cmyk[: len(cmyk) // 2], unreadable),
        "not a profile at all": ("印刷所の連絡先\n".encode(), unreadable),
        "a profile whose tables are gone": (cmyk[:132] + bytes(len(cmyk) - 132), "このICCプロファイルでは色を変換できません（壊れています）"),
    }


@pytest.mark.parametrize("case", sorted(_shop_profiles()))
def test_print_profile_refuses_a_shop_profile_that_is_no_cmyk_output_profile(tmp_path: Path, case: str) -> None:
    """WeasyPrint declared any profile it could parse as the CMYK output intent (an sRGB one with
    /N 4) and a file it could not parse ended in a traceback: the build now stops at the file."""
    from conftest import copy_project

    data, message = _shop_profiles()[case]
    root = copy_project(tmp_path / "project")
    (root / "layouts" / "print-output.icc").write_bytes(data)
    result = run_cli(root, "build", "evaluation-2021", "--format", "pdf", "--profile", "print")
    assert result.returncode == 1, result.stderr
    assert f"layouts/print-output.icc: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "output" / "evaluation-2021.pdf").exists()


@pytest.mark.parametrize("name", ["booklet", "evaluation-2021"])
def test_archive_profile_is_pdf_a_2u(profiles: dict[str, Path], name: str) -> None:
    with pikepdf.open(profiles["archive"] / f"{name}.pdf") as pdf:
        _common(pdf)
        xmp = _xmp(pdf)
        assert xmp[XMP_PDFAID_PART] == "2", "PDF/A-2u: XMP pdfaid:part"
        assert xmp[XMP_PDFAID_CONFORMANCE] == "U", "PDF/A-2u: XMP pdfaid:conformance"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1, "PDF/A-2u: output intent /S /GTS_PDFA1"
        assert int(intent.DestOutputProfile.N) == 3, "PDF/A-2u: sRGB output profile"
        assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/AA" not in pdf.Root, "PDF/A-2u: no JavaScript"
        assert "/StructTreeRoot" in pdf.Root, "tagged (the council's record stays accessible)"


def test_archive_profile_pictures_are_not_interpolated(tmp_path: Path) -> None:
    """PDF/A forbids an image with /Interpolate true, which WeasyPrint writes for every picture
    (image-rendering: auto): a photo (<img>) and an official SDG icon (an <image> in a drawing)."""
    from PIL import Image

    from conftest import copy_project

    root = copy_project(tmp_path / "project")
    Image.new("RGB", (640, 480), (40, 90, 160)).save(root / "content" / "photo.png")
    Image.new("RGB", (300, 300), (229, 36, 59)).save(root / "content" / "goal-01.png")
    projects = root / "content" / "booklet" / "projects.yaml"
    text = projects.read_text(encoding="utf-8")
    photo = "      - caption: キラキラ公園で行われたキッチンカーイベント\n        image: null\n"
    assert photo in text
    projects.write_text(text.replace(photo, photo.replace("null", "photo.png")), encoding="utf-8")
    goals = root / "content" / "booklet" / "sdgs.yaml"
    text = goals.read_text(encoding="utf-8")
    goal = '    color: "#E5243B"\n'
    assert goal in text
    goals.write_text(text.replace(goal, goal + "    image: goal-01.png\n", 1), encoding="utf-8")
    result = run_cli(root, "build", "booklet", "--format", "pdf", "--profile", "archive")
    assert result.returncode == 0, result.stderr
    with pikepdf.open(root / "output" / "booklet.pdf") as pdf:
        pictures = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image]
        assert {int(o.Width) for o in pictures} >= {640, 300}, "the photo and the icon are in the PDF"
        interpolated = [int(o.Width) for o in pictures if o.get("/Interpolate") is True]
        assert interpolated == [], "PDF/A-2u: no image with /Interpolate true"


def _operators(pdf: pikepdf.Pdf, data: bytes) -> list[str]:
    return [str(operator) for _, operator in pikepdf.parse_content_stream(pikepdf.Stream(pdf, data))]


#: Operators that paint: a path, an XObject, a shading, text.
_PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh", "Tj", "TJ", "'", '"'}


def _untagged_painting(pdf: pikepdf.Pdf, data: bytes) -> list[str]:
    """The painting operators of a content stream outside any marked content (BDC/BMC … EMC)."""
    depth, found = 0, []
    for _, operator in pikepdf.parse_content_stream(pikepdf.Stream(pdf, data)):
        name = str(operator)
        depth += {"BDC": 1, "BMC": 1, "EMC": -1}.get(name, 0)
        if depth == 0 and name in _PAINTING:
            found.append(name)
    return found


def _box(array: pikepdf.Array) -> tuple[float, float, float, float]:
    return tuple(float(value) for value in array)  # type: ignore[return-value]


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


@pytest.mark.parametrize("profile", ["web", "print"])
def test_each_run_of_text_is_read_in_the_element_the_parent_tree_names(profiles: dict[str, Path], profile: str) -> None:
    """Every marked-content id a page draws is a kid of the element its parent-tree entry names,
    merged from batches (web) or laid out in one pass (print); no text run has a /Span element of
    its own with nothing in it (tags.flatten_text_spans: half the objects of the file)."""
    with pikepdf.open(profiles[profile] / "booklet.pdf") as pdf:
        numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
        entries = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
        read = 0
        for number, page in enumerate(pdf.pages, 1):
            entry = entries[int(page.obj.StructParents)]
            for operands, operator in pikepdf.parse_content_stream(page, "BDC"):
                if not isinstance(operands[1], pikepdf.Dictionary) or "/MCID" not in operands[1]:
                    continue
                mcid = int(operands[1].MCID)
                element = entry[mcid] if mcid < len(entry) else None
                if not isinstance(element, pikepdf.Dictionary):
                    continue  # the page margins' text: outside the tree (merge.py, tags.py)
                kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
                assert mcid in [int(kid) for kid in kids if isinstance(kid, int)], f"page {number}: MCID {mcid} is not read in {element.S}"
                assert element.Pg.objgen == page.obj.objgen, f"page {number}: MCID {mcid}'s element is on another page"
                read += 1
        assert read > 10 * len(pdf.pages), "the pages' text is tagged"
        bare = [element for element in pdf.objects if isinstance(element, pikepdf.Dictionary) and element.get("/S") == "/Span"
                and set(element.keys()) == {"/Type", "/S", "/K", "/P", "/Pg"} and len(element.K) == 1 and isinstance(element.K[0], int)]
        assert not bare, f"{len(bare)} text runs with a /Span element of their own"
