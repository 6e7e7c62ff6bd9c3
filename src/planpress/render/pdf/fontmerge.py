"""One font program per font in a merged PDF: the batches' subsets of a font joined.

Each batch PDF embeds its own subset of every font it uses, so a PDF merged from four batches
carried each BIZ UD font four times (20% more bytes than a one-pass render at ×1, 85% at ×16).
WeasyPrint 70 subsets with the glyph ids kept (HarfBuzz's RETAIN_GIDS, CIDToGIDMap /Identity)
up to the highest glyph its pages use, and names a font by its file's hash, so the subsets of
one font (one /BaseFont) agree on every glyph id up to that highest one: their union there is
one program that serves every font dictionary, each keeping its own widths (/W) and /ToUnicode.

Above its highest glyph a subset is *not* the font: HarfBuzz's second pass renumbers the glyphs
its closure kept above that one (components of composite glyphs, say) to the ids that follow (in
the booklet, such a glyph once sat at the id another batch uses for 緑, which printed as 社). Such
tail glyphs are never drawn by a page, only by the composites of their own subset: the join
(render/pdf/fontjoin.py, on the raw tables) gives those it needs new ids after all the others and
points the composites at them.
"""

from __future__ import annotations

import pikepdf

from planpress.render.pdf import fontjoin


def share_subsets(pdf: pikepdf.Pdf) -> None:
    """Give all font dictionaries of one font a single embedded program holding every glyph used."""
    groups: dict[str, list[pikepdf.Dictionary]] = {}
    for font in _type0_fonts(pdf):
        descendant = font.DescendantFonts[0]
        descriptor = descendant.get("/FontDescriptor")
        if descriptor is None or "/FontFile2" not in descriptor or descendant.get("/CIDToGIDMap") != "/Identity":
            continue
        groups.setdefault(str(font.BaseFont), []).append(descendant)
    for descendants in groups.values():
        descriptors = [descendant.FontDescriptor for descendant in descendants]
        programs: dict[tuple[int, int], tuple[pikepdf.Stream, int]] = {}
        for descendant, descriptor in zip(descendants, descriptors):
            stream, used = descriptor.FontFile2, _highest_cid(descendant)
            if used is None:
                break  # a subset whose drawn glyphs are unknown cannot be joined safely
            known = programs.get(stream.objgen, (stream, -1))[1]
            programs[stream.objgen] = (stream, max(known, used))
        else:
            if len(programs) < 2:
                continue
            joined = fontjoin.join([(stream.read_bytes(), used + 1) for stream, used in programs.values()])
            if joined is None:
                continue  # not a font this can join (no glyf table): left as it was
            stream = pikepdf.Stream(pdf, joined)
            stream.Length1 = len(joined)
            cidsets = [d.CIDSet.read_bytes() for d in descriptors if "/CIDSet" in d]
            cidset = pikepdf.Stream(pdf, _union_bits(cidsets)) if cidsets else None
            for descriptor in descriptors:
                descriptor.FontFile2 = stream
                if cidset is not None and "/CIDSet" in descriptor:
                    descriptor.CIDSet = cidset


def _highest_cid(descendant: pikepdf.Dictionary) -> int | None:
    """The highest glyph id a font dictionary's pages draw: the last one its widths (/W) give."""
    widths = descendant.get("/W")
    if not isinstance(widths, pikepdf.Array) or not len(widths):
        return None
    highest, index, items = None, 0, list(widths)
    while index < len(items):
        first = int(items[index])
        if index + 1 < len(items) and isinstance(items[index + 1], pikepdf.Array):
            last, index = first + len(items[index + 1]) - 1, index + 2
        else:
            last, index = int(items[index + 1]), index + 3
        highest = last if highest is None else max(highest, last)
    return highest


def _type0_fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every composite font the pages and their forms (drawings) use, in page order, each once."""
    found: dict[tuple[int, int], pikepdf.Dictionary] = {}
    seen: set[tuple[int, int]] = set()
    pending = [page.obj.get("/Resources") for page in pdf.pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, pikepdf.Dictionary) or (resources.is_indirect and resources.objgen in seen):
            continue
        if resources.is_indirect:
            seen.add(resources.objgen)
        for font in dict(resources.get("/Font", {})).values():
            if font.get("/Subtype") == "/Type0":
                found.setdefault(font.objgen, font)
        for form in dict(resources.get("/XObject", {})).values():
            if form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                pending.append(form.get("/Resources"))
    return [found[key] for key in sorted(found)]


def _union_bits(sets: list[bytes]) -> bytes:
    width = max(len(bits) for bits in sets)
    joined = bytearray(width)
    for bits in sets:
        for index, byte in enumerate(bits):
            joined[index] |= byte
    return bytes(joined)

