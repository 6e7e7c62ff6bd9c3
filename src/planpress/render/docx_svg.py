"""Drawings as SVG pictures in Word: the PDF's own SVG (layouts/drawing.svg) rides in an
``asvg:svgBlip`` extension of the picture's blip, the PNG stays the main blip for readers before
Word 2016 — the way Word 2016+ itself writes an SVG picture."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.text.run import Run

from planpress.drawing import Drawing, Picture
from planpress.memo import Shelf, fingerprint
from planpress.render.html import drawing_svg

#: The extension Word gives an SVG picture's blip (Office 2016 SVG schema).
SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class SvgParts:
    """The layouts' SVG template and the SVG parts already in the package (one per distinct drawing)."""

    def __init__(self, env: jinja2.Environment, shelf: tuple[Shelf, str] | None = None) -> None:
        self.env = env
        #: where each drawing's SVG is kept between builds, and what shapes it besides the drawing
        #: (the layouts' template, planpress's code, the template libraries' versions)
        self.shelf = shelf
        self.ids: dict[tuple[str, str], str] = {}
        self.names: set[str] | None = None
        self.next_number = 1
        #: docx_sections.Journal of the ids given out, while the file's sections are kept
        self.journal: Any = None

    def svg(self, drawing: Drawing) -> bytes:
        """The drawing's SVG, from the shelf when it was made before with the same template and
        code (a ×16 booklet's 800 drawings through the template cost 0.85 s on every build)."""
        if self.shelf is None:
            return drawing_svg(self.env, drawing).encode("utf-8")
        store, salt = self.shelf
        return store.made(fingerprint("svg", salt, repr(drawing)) + ".svg",  # repr: tuples of numbers and strings
                          lambda: drawing_svg(self.env, drawing).encode("utf-8"))

    def next_name(self, package: OpcPackage) -> PackURI:
        """``package.next_partname("/word/media/image%d.svg")``, which walks every part each time:
        the names taken are listed once, and only this adds .svg parts while a document is filled."""
        if self.names is None:
            self.names = {str(part.partname) for part in package.iter_parts()}
        while (name := f"/word/media/image{self.next_number}.svg") in self.names:
            self.next_number += 1
        self.names.add(name)
        return PackURI(name)


SVG_PARTS: ContextVar[SvgParts] = ContextVar("svg_parts")


def vector(drawing: Drawing) -> bool:
    """A drawing Word can show as SVG: one without pictures (their file: URLs only resolve for the PDF)."""
    return not any(isinstance(shape, Picture) for shape in drawing.shapes)


def attach(run: Run, drawing: Drawing, relate: Callable[[Part, Part], str] | None = None) -> None:
    """Give the run's last picture the drawing's SVG, the PNG already in it left as the fallback
    (``relate``: docx_parts.Pictures.relate while a document is filled, else python-docx's relate_to)."""
    parts = SVG_PARTS.get(None)
    if parts is None or not vector(drawing):
        return
    data = parts.svg(drawing)
    owner = run.part
    key = (str(owner.partname), hashlib.sha1(data).hexdigest())
    if key not in parts.ids:
        svg = Part(parts.next_name(owner.package), "image/svg+xml", data, owner.package)
        if parts.journal is not None:
            parts.journal.add("svg", key[1], str(svg.partname))
            parts.journal.blobs[key[1]] = data
        parts.ids[key] = owner.relate_to(svg, RT.IMAGE) if relate is None else relate(owner, svg)
    blip = run._r.findall(".//" + qn("a:blip"))[-1]
    blip.append(parse_xml(
        f'<a:extLst xmlns:a="{_A}"><a:ext uri="{SVG_EXTENSION}">'
        f'<asvg:svgBlip xmlns:asvg="{SVG_NS}" xmlns:r="{_R}" r:embed="{parts.ids[key]}"/></a:ext></a:extLst>'))
