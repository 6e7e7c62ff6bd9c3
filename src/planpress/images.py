"""Photo files of the content: checked before anything is laid out, downsampled when huge.

An image that cannot be read (a damaged file, a text file named .png) would print its caption
where the photo should be in the PDF and stop the Word build; a picture of 12000 pixels would be
embedded whole. ``problem`` says what is wrong with a file, ``for_documents`` gives the bytes the
documents embed: the file itself, or a copy scaled to print size (turned upright, a CMYK JPEG or
an Adobe RGB or Display P3 photo in sRGB, a 16-bit grey PNG in 8 bits).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

#: Formats both the PDF (WeasyPrint) and Word take.
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF"}
#: More pixels than this is refused outright (Pillow's decompression-bomb guard is 89 million).
MAX_PIXELS = 50_000_000
#: The longest side the documents need: a 53 mm photo at 300 dpi is 626 pixels; room for larger use.
#: A copy this long is at 1150 ppi or more in its frame: scaling never makes a photo too coarse to print.
PRINT_SIDE = 2400
#: The resolution print shops ask of a photo at the size it prints (pixels per inch), and the one
#: below which their preflight flags it: its pixels show as steps and its edges blur on paper.
PRINT_PPI, COARSE_PPI = 300, 200


def problem(path: Path) -> str | None:
    """Why the file cannot be a photo of the booklet, in Japanese, or None."""
    try:
        with Image.open(path) as image:
            kind, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                return f"画像が大きすぎます（{width}×{height}ピクセル。{MAX_PIXELS // 10_000}万ピクセル以下にしてください）"
            image.verify()
    except Image.DecompressionBombError:
        return "画像が大きすぎます（画素数が多すぎて安全に開けません）"
    except (OSError, SyntaxError, ValueError):
        return "画像として読めません（壊れているか、画像でないファイルです。PNG か JPEG で保存し直してください）"
    if kind not in FORMATS:
        return f"この形式（{kind}）の画像は使えません（PNG か JPEG にしてください）"
    return None


#: What check asks a coarse photo to be replaced with (the end of its message): a photo sent by mail
#: or chat has often been scaled down on the way.
PHOTO_INSTEAD = "写真に差し替えてください（縮小していない元の写真。メールやチャットで送ると縮小されることがあります）"


def coarse_for_print(path: Path, frame: tuple[float, float], instead: str = PHOTO_INSTEAD) -> str | None:
    """Why a readable picture is too coarse to print in ``frame`` (width, height in mm; shown whole,
    as large as fits), in Japanese ending with ``instead``, or None when it has pixels enough."""
    with Image.open(path) as image:
        width, height = image.size
        if image.getexif().get(_ORIENTATION, 1) in _SIDEWAYS:
            width, height = height, width  # as it prints: turned upright
    scale = min(frame[0] / width, frame[1] / height)  # mm a pixel
    ppi = 25.4 / scale
    if ppi >= COARSE_PPI:
        return None
    printed = (width * scale, height * scale)
    needed = [round(side * PRINT_PPI / 25.4) for side in printed]
    return (f"{width}×{height}ピクセルで、冊子に印刷する大きさ（{printed[0]:.0f}×{printed[1]:.0f}mm）では{ppi:.0f}ppiです。"
            f"印刷には解像度が足りず、粗く印刷されます。{PRINT_PPI}ppi（この大きさで{needed[0]}×{needed[1]}ピクセル）以上の{instead}")


#: A scaled or turned photo's JPEG quality: for print (Pillow's default, 75, shows its blocks in
#: skies and shadows on paper).
JPEG_QUALITY = 92

#: The EXIF tag saying how the stored pixels are to be turned to be shown.
_ORIENTATION = 0x0112
#: The orientations that turn a picture by a quarter: shown, its width is its stored height.
_SIDEWAYS = {5, 6, 7, 8}


#: The segment python-docx knows a JPEG by, right after its start marker: without one (a CMYK
#: JPEG of a print workflow opens with Adobe's) it refuses the file and the Word build stops.
_WORD_JPEG = (b"JFIF", b"Exif")


@functools.lru_cache(maxsize=64)
def scaled(path: Path) -> tuple[bytes, str] | None:
    """A copy no longer than PRINT_SIDE (bytes, MIME type) when the file is larger, is to be
    turned by its EXIF orientation or is to be written anew (``_rewritten``), else None."""
    with Image.open(path) as image:
        kind = FORMATS[image.format]
        # A phone stores a portrait photo's pixels sideways with an EXIF orientation. WeasyPrint turns
        # the file, Word and LibreOffice show it sideways, and the copy would keep no EXIF (Pillow
        # writes none): a turned photo is always a copy, its pixels turned upright.
        turned = image.getexif().get(_ORIENTATION, 1) != 1
        if max(image.size) <= PRINT_SIDE and not turned and not _rewritten(path, image):
            return None
        upright = _plain(ImageOps.exif_transpose(image))
        upright.thumbnail((PRINT_SIDE, PRINT_SIDE))
        buffer = io.BytesIO()
        upright.save(buffer, format=kind, **({"quality": JPEG_QUALITY} if kind == "JPEG" else {}))
        return buffer.getvalue(), Image.MIME[kind]


def _rewritten(path: Path, image: Image.Image) -> bool:
    """A picture the documents cannot embed as it is: a JPEG in CMYK (PDF/A's sRGB output intent
    allows no DeviceCMYK picture, and web browsers differ on it) or without the JFIF or Exif segment
    python-docx reads a JPEG's size from; a 16-bit grey PNG (Pillow's modes I and I;16), which
    WeasyPrint 70 writes as 8-bit RGB samples: a black box. Its copy is ``_plain``."""
    if _wide_gamut(image):
        return True
    if image.format == "PNG":
        return image.mode.startswith("I")
    if image.format != "JPEG":
        return False
    with path.open("rb") as file:
        head = file.read(10)
    return image.mode == "CMYK" or head[6:10] not in _WORD_JPEG


def _wide_gamut(image: Image.Image) -> bool:
    """An RGB picture whose own ICC profile is not sRGB (Adobe RGB from a camera, Display P3 from a
    phone): WeasyPrint 70 embeds its pixels as DeviceRGB, dropping the profile, so its colours
    would print shifted (Adobe RGB's greens paler). Its copy is converted to sRGB (``_plain``)."""
    profile = image.info.get("icc_profile")
    if image.mode not in ("RGB", "RGBA") or not profile:
        return False
    try:
        return "srgb" not in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile))).lower()
    except (ImageCms.PyCMSError, OSError):
        return False  # a damaged profile: the pixels as they are, as every reader shows them


def _plain(image: Image.Image) -> Image.Image:
    """A CMYK picture in sRGB, through its own ICC profile where it has one; an RGB one with a
    profile other than sRGB in sRGB; a 16-bit grey one in 8 bits; others as they are."""
    if image.mode.startswith("I"):
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    if _wide_gamut(image):
        own = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
        return ImageCms.profileToProfile(image, own, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    if image.mode != "CMYK":
        return image
    profile = image.info.get("icc_profile")
    if profile:
        try:
            return ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                             ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError):
            pass  # a damaged profile: Pillow's own conversion
    return image.convert("RGB")


def for_documents(path: Path) -> bytes:
    """The bytes the documents embed: the file, or its copy scaled to print size."""
    copy = scaled(path)
    return copy[0] if copy else path.read_bytes()
