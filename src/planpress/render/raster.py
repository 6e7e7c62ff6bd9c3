"""PNG images of drawings for Word, painted with Pillow from the same shapes as the PDF's SVG."""

from __future__ import annotations

import functools
import io
import os
import subprocess
from contextvars import ContextVar
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from planpress.design import colour
from planpress.drawing import Circle, Drawing, Label, Line, Picture, Polyline, Rect, Shape
from planpress.memo import Shelf, file_digest, fingerprint

#: The project's shelf of painted drawings and the key salt (code, fonts, Pillow) while a Word file
#: is rendered: a drawing painted in an earlier build is read back instead of painted again.
SHELF: ContextVar[tuple[Shelf, str] | None] = ContextVar("raster_shelf", default=None)

#: Pixels per millimetre: 300 dpi, print quality for readers that show the PNG (Word before 2016,
#: LibreOffice 7.4) rather than the SVG beside it.
SCALE = 300 / 25.4
_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}


@functools.lru_cache(maxsize=8)
def _font_file(family: str, bold: bool) -> str | None:
    """The font file fontconfig picks for the family (the same BIZ UD fonts the PDF embeds)."""
    pattern = f"{family}:bold" if bold else f"{family}:regular"
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return os.fsdecode(found.stdout.strip()) or None  # bytes: the locale may be C


@functools.lru_cache(maxsize=64)
def _font(family: str, bold: bool, pixels: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file(family, bold)
    return ImageFont.truetype(path, pixels) if path else ImageFont.load_default(pixels)


def text_width_pt(text: str, family: str, bold: bool, size: float) -> float:
    """The advance width in points of one line of text set in the family at ``size`` points."""
    return _font(family, bold, round(size * 10)).getlength(text) / 10


def _px(value: float) -> float:
    return value * SCALE


def _dashes(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], colour: str, width: int) -> None:
    on, off = _px(1.4), _px(0.9)
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1
        position = 0.0
        while position < length:
            end = min(position + on, length)
            draw.line([(x1 + (x2 - x1) * position / length, y1 + (y2 - y1) * position / length),
                       (x1 + (x2 - x1) * end / length, y1 + (y2 - y1) * end / length)], fill=colour, width=width)
            position = end + off


def _paint(draw: ImageDraw.ImageDraw, shape: Shape) -> None:
    if isinstance(shape, Rect):
        box = [_px(shape.x), _px(shape.y), _px(shape.x + shape.w), _px(shape.y + shape.h)]
        fill = None if shape.fill == "none" else shape.fill
        outline = None if shape.stroke == "none" else shape.stroke
        draw.rounded_rectangle(box, radius=_px(shape.radius), fill=fill, outline=outline,
                               width=max(1, round(_px(shape.stroke_width))) if outline else 0)
    elif isinstance(shape, (Line, Polyline)):
        points = [(_px(shape.x1), _px(shape.y1)), (_px(shape.x2), _px(shape.y2))] if isinstance(shape, Line) \
            else [(_px(x), _px(y)) for x, y in shape.points]
        width = max(1, round(_px(shape.stroke_width)))
        if shape.dashed:
            _dashes(draw, points, shape.stroke, width)
        else:
            draw.line(points, fill=shape.stroke, width=width, joint="curve")
    elif isinstance(shape, Circle):
        r = _px(shape.r)
        draw.ellipse([_px(shape.cx) - r, _px(shape.cy) - r, _px(shape.cx) + r, _px(shape.cy) + r], fill=shape.fill)
    elif isinstance(shape, Label):
        font = _font(shape.font, shape.bold, max(1, round(_px(shape.size))))
        draw.text((_px(shape.x), _px(shape.y)), shape.text, fill=shape.fill, font=font, anchor=_ANCHORS[shape.anchor])


def _picture(image: Image.Image, shape: Picture) -> None:
    """A raster picture scaled into its box (an SVG file is drawn by the PDF only: a framed box here)."""
    box = (round(_px(shape.w)), round(_px(shape.h)))
    try:
        with Image.open(shape.path) as source:
            picture = source.convert("RGBA")
    except (OSError, Image.DecompressionBombError):
        ImageDraw.Draw(image).rectangle([_px(shape.x), _px(shape.y), _px(shape.x + shape.w), _px(shape.y + shape.h)], outline=colour("rule"))
        return
    picture.thumbnail(box)
    offset = (round(_px(shape.x)) + (box[0] - picture.width) // 2, round(_px(shape.y)) + (box[1] - picture.height) // 2)
    image.paste(picture, offset, picture)


def picture(drawing: Drawing) -> bytes:
    """The drawing as PNG, from the project's shelf when it was painted before with the same code and fonts."""
    shelf = SHELF.get()
    if shelf is None:
        return png(drawing)
    store, salt = shelf
    # repr: a drawing is tuples of numbers and strings; the files its pictures name count by their bytes.
    files = [file_digest(Path(shape.path)) for shape in drawing.shapes if isinstance(shape, Picture)]
    return store.made(fingerprint("png", salt, repr(drawing), files) + ".png", lambda: png(drawing))


@functools.lru_cache(maxsize=256)
def png(drawing: Drawing) -> bytes:
    """The drawing as PNG bytes at 200 dpi on white."""
    size = (max(1, round(_px(drawing.width))), max(1, round(_px(drawing.height))))
    image = Image.new("RGB", size, colour("white"))
    draw = ImageDraw.Draw(image)
    for shape in drawing.shapes:
        if isinstance(shape, Picture):
            _picture(image, shape)
        else:
            _paint(draw, shape)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(200, 200), compress_level=6)
    return buffer.getvalue()
