"""The PDF standard each output profile declares: PDF/UA-1 (web), PDF/X-4 (print), PDF/A-2u (archive).

WeasyPrint 70 writes each of them (``pdf_variant``: XMP identification, output intent, trim and
bleed boxes); planpress adds what WeasyPrint leaves to the caller: the print shop's CMYK output
profile for PDF/X-4, with sRGB declared as the default RGB space (WeasyPrint draws the layouts'
colours as DeviceRGB, which PDF/X-4 accepts only with a DefaultRGB colour space), and XMP dates
that follow the document information dates when a merged PDF gets new ones.
"""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path
from typing import Any

import pikepdf

from planpress.errors import PlanpressError
from planpress.render.pdf import _weasy_internals as weasy
from planpress.project import Project

log = logging.getLogger(__name__)

#: WeasyPrint's ``pdf_variant`` per output profile.
VARIANTS = {"web": "pdf/ua-1", "print": "pdf/x-4", "archive": "pdf/a-2u"}
#: The print shop's output condition, put into layouts/ by the office (e.g. Japan Color 2011 Coated).
PRINT_PROFILE = "print-output.icc"
#: A generic CMYK press profile from Debian's libgs-common (tools/system-deps.sh installs it).
FALLBACK_CMYK = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


def output_profile(project: Project) -> Path:
    """The CMYK profile of the print shop's output condition (the PDF/X output intent)."""
    chosen = project.layouts_dir / PRINT_PROFILE
    if chosen.is_file():
        return chosen
    if FALLBACK_CMYK.is_file():
        log.warning(
            "layouts/%s がないため、PDF/X-4 の出力条件に汎用のCMYKプロファイル（%s）を使います。"
            "入稿前に印刷所が指定するプロファイル（例: Japan Color 2011 Coated）を layouts/%s として置いてください",
            PRINT_PROFILE, FALLBACK_CMYK, PRINT_PROFILE,
        )
        return FALLBACK_CMYK
    raise PlanpressError(
        f"layouts/{PRINT_PROFILE}: 印刷所の出力条件のICCプロファイル（CMYK）がありません"
        "（--profile print の PDF/X-4 に必要です。印刷所が指定するプロファイルを置いてください）"
    )


def attach_output_profile(rendering: Any, project: Project) -> None:
    """Give a laid-out WeasyPrint document the CMYK profile its PDF/X output intent names."""
    path = output_profile(project)
    with path.open("rb") as profile:
        rendering.color_profiles["device-cmyk"] = weasy.ColorProfile(  # WeasyPrint 70's class for @color-profile
            profile, path.name, "relative-colorimetric", (["c"], ["m"], ["y"], ["k"]))


def finish(data: bytes, profile: str) -> bytes:
    """What the standard needs beyond WeasyPrint's file: DefaultRGB for PDF/X-4, and a DocumentID
    that does not change from build to build."""
    if profile != "print":
        return data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        srgb = pdf.make_indirect(pikepdf.Stream(pdf, weasy.srgb_profile()))
        srgb.N = 3
        default_rgb = pikepdf.Array([pikepdf.Name.ICCBased, srgb])
        seen: set[tuple[int, int]] = set()
        for page in pdf.pages:
            resources = page.obj.get("/Resources")
            if resources is None:
                continue
            spaces = resources.get("/ColorSpace")
            if spaces is None:
                resources.ColorSpace = spaces = pdf.make_indirect(pikepdf.Dictionary())
            key = spaces.objgen
            if key != (0, 0) and key in seen:
                continue
            seen.add(key)
            spaces.DefaultRGB = default_rgb
        stable_document_id(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


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
