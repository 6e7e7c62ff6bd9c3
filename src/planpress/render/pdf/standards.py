"""The PDF standard each output profile declares: PDF/UA-1 (web), PDF/X-4 (print), PDF/A-2u (archive).

WeasyPrint 70 writes each of them (``pdf_variant``: XMP identification, output intent, trim and
bleed boxes); planpress adds what WeasyPrint leaves to the caller: the print shop's CMYK output
profile for PDF/X-4, with sRGB declared as the default RGB space (WeasyPrint draws the layouts'
colours as DeviceRGB, which PDF/X-4 accepts only with a DefaultRGB colour space), and XMP dates
that follow the document information dates when a merged PDF gets new ones.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pikepdf
from PIL import ImageCms

from planpress.errors import Location, PlanpressError
from planpress.render.pdf import _weasy_internals as weasy
from planpress.project import Project


#: WeasyPrint's ``pdf_variant`` per output profile.
VARIANTS = {"web": "pdf/ua-1", "print": "pdf/x-4", "archive": "pdf/a-2u"}
#: A generic CMYK press profile from Debian's libgs-common (tools/system-deps.sh installs it).
FALLBACK_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


def output_profile(project: Project) -> Path:
    """The CMYK profile of the print shop's output condition (the PDF/X output intent): the
    project's, checked, else the generic one (``generic_profile_warning`` says so, once a build)."""
    chosen = project.print_profile  # the print shop's output condition (e.g. Japan Color 2011 Coated)
    if chosen.is_file():
        _refuse_unusable(chosen, project)
        return chosen
    if FALLBACK_CMYK.is_file():
        return FALLBACK_CMYK
    raise PlanpressError(
        f"layouts/{chosen.name}: 印刷所の出力条件のICCプロファイル（CMYK）がありません"
        "（--profile print の PDF/X-4 に必要です。印刷所が指定するプロファイルを置いてください）"
    )


def generic_profile_warning(project: Project) -> str | None:
    """What a build's PDFs in the print profile say about their output intent when the project has
    no print shop's profile and the generic one stands in (None when it has one): the build says
    it once, not once for each document (render/pdf/weasy.py's ``render`` lays out one)."""
    chosen = project.print_profile
    if chosen.is_file() or not FALLBACK_CMYK.is_file():
        return None  # the shop's profile, or none at all: output_profile stops the build at that
    return (f"{project.display(chosen)} がないため、PDF/X-4 の出力条件に汎用のCMYKプロファイル（{FALLBACK_CMYK}）を使います。"
            f"入稿前に印刷所が指定するプロファイル（例: Japan Color 2011 Coated）を {project.display(chosen)} として置いてください")


#: ICC profile classes (header bytes 12-16) other than an output device's, as the office would name them.
_CLASSES = {b"scnr": "入力機器（スキャナ・カメラ）用", b"mntr": "ディスプレイ用", b"link": "デバイスリンク",
            b"spac": "色空間変換用", b"abst": "抽象", b"nmcl": "名前付きカラー"}


def _refuse_unusable(path: Path, project: Project) -> None:
    """Stop unless ``path`` is what a PDF/X-4 output intent for a CMYK press needs: a whole ICC
    output (printer) profile of CMYK whose colours convert. WeasyPrint would otherwise declare any
    profile it can parse as CMYK (an sRGB display profile with /N 4), and LittleCMS parses a
    truncated file into a profile without its tables."""
    where = Location(project.display(path))
    data = path.read_bytes()
    if len(data) < 128 or data[36:40] != b"acsp" or int.from_bytes(data[:4], "big") != len(data):
        raise PlanpressError("ICCプロファイルとして読めません（壊れているか、途中で切れているか、ICCプロファイルではありません）。"
                             "印刷所が指定するCMYKの出力プロファイルを置き直してください", where)
    space = data[16:20].decode("ascii", "replace").strip()
    if data[12:16] != b"prtr" or space != "CMYK":
        kind = "出力（印刷）用" if data[12:16] == b"prtr" else _CLASSES.get(data[12:16], "出力用でない")
        raise PlanpressError(f"{kind}の{'グレー' if space == 'GRAY' else space}のプロファイルです。PDF/X-4 の出力条件には印刷機の"
                             "CMYKの出力プロファイル（例: Japan Color 2011 Coated）を置いてください", where)
    try:
        ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(data)), ImageCms.createProfile("sRGB"), "CMYK", "RGB")
    except (OSError, ImageCms.PyCMSError):
        raise PlanpressError("このICCプロファイルでは色を変換できません（壊れています）。"
                             "印刷所が指定するCMYKの出力プロファイルを置き直してください", where) from None


def attach_output_profile(rendering: Any, path: Path) -> None:
    """Give a laid-out WeasyPrint document the CMYK profile (``output_profile``) its PDF/X output intent names."""
    with path.open("rb") as profile:
        rendering.color_profiles["device-cmyk"] = weasy.ColorProfile(  # WeasyPrint 70's class for @color-profile
            profile, path.name, "relative-colorimetric", (["c"], ["m"], ["y"], ["k"]))


def prepare(laid_out: Any, profile: str) -> None:
    """What a profile changes in a laid-out document before it is written. The print shop's file
    has no links: PDF/X allows no annotation inside the BleedBox (a preflight reports each), and
    paper has nothing to click. Its named destinations and bookmarks stay."""
    if profile == "print":
        for page in laid_out.pages:
            page.links = []


def finish(data: bytes, profile: str) -> bytes:
    """What the standard needs beyond WeasyPrint's file: DefaultRGB for PDF/X-4, gradients in sRGB
    (``_rgb_shadings``), trim marks outside the bleed (``_trim_marks``), and a DocumentID that does
    not change from build to build."""
    if profile != "print":
        return data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _black_ink(pdf)
        _trim_marks(pdf)
        srgb = pdf.make_indirect(pikepdf.Stream(pdf, weasy.srgb_profile()))
        srgb.N = 3
        default_rgb = pikepdf.Array([pikepdf.Name.ICCBased, srgb])
        _rgb_shadings(pdf, default_rgb)
        seen: set[tuple[int, int]] = set()
        for page in pdf.pages:
            resources = page.obj.get("/Resources")
            if resources is None:
                continue
            spaces = _colour_spaces(pdf, resources)
            key = spaces.objgen
            if key != (0, 0) and key in seen:
                continue
            seen.add(key)
            spaces.DefaultRGB = default_rgb
        stable_document_id(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _colour_spaces(pdf: pikepdf.Pdf, resources: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """A page's named colour spaces (/ColorSpace of its resources), made empty if it has none."""
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pdf.make_indirect(pikepdf.Dictionary())
    return resources.ColorSpace


def _rgb_shadings(pdf: pikepdf.Pdf, srgb: pikepdf.Array) -> None:
    """Gradients in sRGB. WeasyPrint 70 writes a CSS or SVG gradient's shading in the output intent's
    colour space (the CMYK profile) with its stops' RGB values: three values for a space of four,
    which readers refuse to draw (Poppler: "function with wrong output size") and a preflight
    reports. Such a shading is given the sRGB space its values are in; a gradient of CMYK colours
    keeps its space."""
    for value in pdf.objects:
        if not isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
            continue
        shading = value.get("/Shading") if value.get("/PatternType") == 2 else value
        if shading is None or "/ShadingType" not in shading or "/Function" not in shading:
            continue
        space = shading.get("/ColorSpace")
        if isinstance(space, pikepdf.Array) and space[0] == pikepdf.Name.ICCBased and int(space[1].get("/N", 0)) == 4 \
                and _outputs(shading.Function) == 3:
            shading.ColorSpace = srgb


def _outputs(function: pikepdf.Object) -> int | None:
    """How many values a PDF function gives (a shading's colour components), if it says."""
    if isinstance(function, pikepdf.Array):  # one function per component
        return len(function)
    if "/Range" in function:
        return len(function.Range) // 2
    if function.get("/FunctionType") == 2:
        return len(function.get("/C0", [0]))
    if function.get("/FunctionType") == 3 and len(function.get("/Functions", [])):
        return _outputs(function.Functions[0])
    return None


def _black_ink(pdf: pikepdf.Pdf) -> None:
    """Greys, black and white in black ink only (DeviceCMYK 0 0 0 K, K from the grey's level).

    WeasyPrint draws every colour in RGB; a press converts it through the output profile, and a
    grey or black becomes all four inks: running text in a rich black that blurs small type wherever
    the plates do not register exactly. Print shops ask for such text on one plate (スミ文字). The
    pages' and their forms' (drawings') ``rg``/``RG`` with three equal values become ``k``/``K``;
    colours and gradients stay as they are, and so do forms that are soft masks (their greys are
    opacities, not ink).
    """
    masks = {value.SMask.G.objgen for value in pdf.objects
             if isinstance(value, pikepdf.Dictionary) and isinstance(value.get("/SMask"), pikepdf.Dictionary)
             and "/G" in value.SMask}
    done: set[tuple[int, int]] = set()

    def forms(resources: pikepdf.Object | None) -> None:
        for form in (resources or {}).get("/XObject", {}).values():
            if form.get("/Subtype") == "/Form" and form.objgen not in done and form.objgen not in masks:
                done.add(form.objgen)
                converted = _one_plate(pikepdf.parse_content_stream(form))
                if converted is not None:
                    form.write(converted)
                forms(form.get("/Resources"))

    for page in pdf.pages:
        converted = _one_plate(pikepdf.parse_content_stream(page))
        if converted is not None:
            page.obj.Contents = pdf.make_stream(converted)
        forms(page.obj.get("/Resources"))


def _one_plate(instructions: list[Any]) -> bytes | None:
    """A content stream with its neutral RGB colours in black ink, or None if it has none."""
    changed = False
    for index, instruction in enumerate(instructions):
        operands, operator = instruction.operands, str(getattr(instruction, "operator", ""))
        if operator in ("rg", "RG") and len(operands) == 3 and operands[0] == operands[1] == operands[2]:
            black = round(1 - float(operands[0]), 4)
            instructions[index] = pikepdf.ContentStreamInstruction([0, 0, 0, black], pikepdf.Operator("k" if operator == "rg" else "K"))
            changed = True
    return pikepdf.unparse_content_stream(instructions) if changed else None


#: Trim marks (トンボ): their lines' length beyond the bleed, the room left around them, their width.
MARK_LENGTH = 10 / 25.4 * 72
MARK_ROOM = 2 / 25.4 * 72
MARK_WIDTH = 0.25


def _trim_marks(pdf: pikepdf.Pdf) -> None:
    """Japanese trim marks on every page, drawn outside the bleed, where a print shop expects them.

    WeasyPrint's ``marks: crop`` draws its marks inside the bleed (half of it, from the page's
    edge: 1.5 mm lines over any colour that bleeds) and gives the PDF no room outside it. Here the
    CSS bleed box (WeasyPrint's MediaBox) becomes the BleedBox, the MediaBox grows by MARK_LENGTH
    and MARK_ROOM on each side, and each page gets, in the registration colour (every ink), corner
    marks (内トンボ at the trim lines, 外トンボ at the bleed lines, meeting at the bleed's corner)
    and centre marks (センタートンボ) on each side.
    """
    registration = pdf.make_indirect(pikepdf.Array([
        pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK,
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1),
    ]))
    for page in pdf.pages:
        if "/TrimBox" not in page.obj:
            continue
        trim = [float(value) for value in page.obj.TrimBox]
        bleed = [float(value) for value in page.obj.MediaBox]
        out = MARK_LENGTH + MARK_ROOM
        page.obj.BleedBox = pikepdf.Array(bleed)
        page.obj.MediaBox = pikepdf.Array([bleed[0] - out, bleed[1] - out, bleed[2] + out, bleed[3] + out])
        resources = page.obj.get("/Resources")
        if resources is None:
            page.obj.Resources = resources = pikepdf.Dictionary()
        _colour_spaces(pdf, resources).PlanpressRegistration = registration
        # A page's content streams read as one: WeasyPrint's ends on an operator with no line
        # break after it, so the marks' stream starts with one (or its Q reads as "QQ", and a
        # reader that joins the bytes draws the marks scaled into the page).
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(b"\nQ\n" + _marks(trim, bleed)))


def _marks(trim: list[float], bleed: list[float]) -> bytes:
    """The drawing of the trim marks around a page (PDF user space: y up)."""
    lines: list[tuple[float, float, float, float]] = []
    length = MARK_LENGTH
    for x, bleed_x, out_x in ((trim[0], bleed[0], -1), (trim[2], bleed[2], 1)):
        for y, bleed_y, out_y in ((trim[1], bleed[1], -1), (trim[3], bleed[3], 1)):
            for at_x, at_y in ((x, y), (bleed_x, bleed_y)):  # 内トンボ (trim), 外トンボ (bleed)
                lines.append((bleed_x, at_y, bleed_x + out_x * length, at_y))  # beside the page
                lines.append((at_x, bleed_y, at_x, bleed_y + out_y * length))  # above or below it
    middle_x, middle_y = (trim[0] + trim[2]) / 2, (trim[1] + trim[3]) / 2
    for edge_y, out_y in ((bleed[1], -1), (bleed[3], 1)):  # センタートンボ above and below
        lines.append((middle_x, edge_y, middle_x, edge_y + out_y * length))
        lines.append((middle_x - length / 2, edge_y + out_y * length / 2, middle_x + length / 2, edge_y + out_y * length / 2))
    for edge_x, out_x in ((bleed[0], -1), (bleed[2], 1)):  # and beside
        lines.append((edge_x, middle_y, edge_x + out_x * length, middle_y))
        lines.append((edge_x + out_x * length / 2, middle_y - length / 2, edge_x + out_x * length / 2, middle_y + length / 2))
    path = " ".join(f"{x1:.3f} {y1:.3f} m {x2:.3f} {y2:.3f} l" for x1, y1, x2, y2 in lines)
    # An artifact of type Page ("production aids such as cut marks", ISO 32000-1 14.8.2.2): the file
    # stays a tagged PDF, in which all content is either in the structure tree or an artifact.
    return f"/Artifact <</Type /Page>> BDC q /PlanpressRegistration CS 1 SCN {MARK_WIDTH} w 0 J {path} S Q EMC\n".encode("ascii")


def stable_document_id(pdf: pikepdf.Pdf) -> None:
    """A PDF/X DocumentID (WeasyPrint writes a random one) made from the file identifier, which
    names the document: the same from build to build, so that two builds of the same content,
    or a build from the cache and a cold one, give the same bytes."""
    if "/Metadata" in pdf.Root:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            _stable_document_id(pdf, xmp)


def _stable_document_id(pdf: pikepdf.Pdf, xmp: Any) -> None:
    if "xmpMM:DocumentID" in xmp and "/ID" in pdf.trailer:
        xmp["xmpMM:DocumentID"] = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_OID, bytes(pdf.trailer.ID[0]).hex())}"


def sync_xmp_dates(pdf: pikepdf.Pdf) -> None:
    """XMP dates as the document information's: PDF/A and PDF/UA readers compare them; a stable
    PDF/X DocumentID (the metadata read and written once)."""
    if "/Metadata" not in pdf.Root:
        return
    info = pdf.trailer.get("/Info")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        _stable_document_id(pdf, xmp)
        for key, name in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
            if info is not None and key in info:
                xmp[name] = _iso(str(info[key]))
        if info is not None and "/ModDate" in info:
            xmp["xmp:MetadataDate"] = _iso(str(info["/ModDate"]))


def _iso(date: str) -> str:
    """D:YYYYMMDDHHmmSSZ (as planpress writes it) as an XMP date."""
    digits = date.removeprefix("D:")
    stamp = f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:{digits[12:14]}"
    return stamp + ("Z" if digits[14:15] in ("Z", "") else f"{digits[14:17]}:{digits[18:20]}")
