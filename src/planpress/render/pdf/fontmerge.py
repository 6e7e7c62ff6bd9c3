"""One font program and one font dictionary per font in a merged PDF: the batches' subsets of a
font joined, and their dictionaries where they agree.

Each batch PDF embeds its own subset of every font it uses, so a PDF merged from four batches
carried each BIZ UD font four times (20% more bytes than a one-pass render at ×1, 85% at ×16).
WeasyPrint 70 subsets with the glyph ids kept (HarfBuzz's RETAIN_GIDS, CIDToGIDMap /Identity)
up to the highest glyph its pages use, and names a font by its file's hash, so the subsets of
one font (one /BaseFont) agree on every glyph id up to that highest one: their union there is
one program that serves every font dictionary.

Above its highest glyph a subset is *not* the font: HarfBuzz's second pass renumbers the glyphs
its closure kept above that one (components of composite glyphs, say) to the ids that follow (in
the booklet, such a glyph once sat at the id another batch uses for 緑, which printed as 社). Such
tail glyphs are never drawn by a page, only by the composites of their own subset: the join
(render/pdf/fontjoin.py, on the raw tables) gives those it needs new ids after all the others and
points the composites at them.

Each batch also writes its own Type0 dictionary per font (its /W, /ToUnicode, descriptor), 3-4%
of the booklet's bytes at ×1 and more the more batches there are. Those of one font that agree
on all but what the glyphs they use decide become one, as WeasyPrint would have written it in one
pass (fonts.py build_fonts_dictionary): widths and text are unions (a glyph id keeps the text of
the first page that has it, as one pass keeps the first drawn), the descriptor's box edge and
fixed-pitch flag follow from the widths. A glyph id with two widths keeps its dictionaries apart,
and so does a glyph id with two texts in a font with missing characters (its /Encoding is not
Identity-H: WeasyPrint numbers each batch's missing characters from the same id).
"""

from __future__ import annotations

import decimal
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pikepdf

from planpress.render.pdf import fontjoin


def join_fonts(pdf: pikepdf.Pdf, drawn: dict[str, set[int]] | None = None, *, joined: dict[str, str] | None = None,
               fresh: Sequence[pikepdf.Object] = (), gone: Sequence[pikepdf.Object] = ()) -> None:
    """One program per font, then one font dictionary per font where the batches' agree.

    ``drawn``: the glyph ids the pages draw, by /BaseFont (render/pdf/canonical.py). A batch's
    fonts also hold the glyphs of its sections that an edit has since replaced; with ``drawn``,
    programs, widths, text and CIDSets hold only what the pages draw, and every font is written
    anew (also when one batch has it all), so a build after an edit has a cold build's bytes.

    ``joined``, ``fresh``, ``gone``: in a merge made in the last merged PDF, the digests of the
    glyphs its fonts were joined for (``glyph_digests``, cache.Placed.fonts), the pages inserted
    and those deleted. A font whose glyphs are those is kept as it is (``keep_joined``).
    """
    resources, widths = _font_resources(page.obj for page in pdf.pages), {}  # read once: no step changes them
    if drawn is not None and joined:
        kept = keep_joined(resources, _font_resources(fresh), _font_resources(gone)[1], drawn, joined, widths)
        resources = (resources[0], [font for font in resources[1] if str(font.BaseFont) not in kept])
    share_subsets(pdf, drawn, resources, widths)
    share_dictionaries(pdf, drawn, resources, widths)


def glyph_digests(drawn: dict[str, set[int]] | None) -> dict[str, str]:
    """By font, a digest of the glyph ids the pages draw (what ``join_fonts`` joins each font
    for); none if they are not known (the fonts were then joined from all their subsets hold)."""
    return {} if drawn is None else {font: _digest(ids) for font, ids in drawn.items() if ids}


def _digest(ids: set[int]) -> str:
    return hashlib.sha256(" ".join(map(str, sorted(ids))).encode("ascii")).hexdigest()[:32]


def keep_joined(resources: _Resources, fresh: _Resources, gone: list[pikepdf.Dictionary], drawn: dict[str, set[int]],
                joined: dict[str, str], widths: _Widths) -> set[str]:
    """The fonts of a merge in place to keep as the last merge joined them, their dictionaries of
    the pages inserted (``fresh``) replaced by that font's (found on the pages kept, or on those
    deleted: ``gone``'s fonts, as a font only the edited section used).

    fontjoin keeps what the pages draw, whichever subsets it joins, and the dictionary's widths
    and text are those of the glyphs drawn: a font joined for the glyphs the pages draw now
    (``joined``, a digest by font: cache.Placed.fonts) comes out of a join anew as it is, if it is
    the merged PDF's only dictionary of that font and the inserted pages' dictionaries of it would
    join it (``_joins``). ×16 booklet after a commentary edited (its 6 fonts draw the same glyphs),
    the merge alone on its captured inputs, 3 runs in each of 3 processes alternating with the
    code before: the fonts 0.038–0.046 s of CPU against 0.111–0.136 s, the same bytes. Kept
    fonts are still compressed at the save (``_made_anew``).
    """
    tables, fonts = resources
    new = {font.objgen for font in fresh[1]}
    by_font: dict[str, tuple[list[pikepdf.Dictionary], list[pikepdf.Dictionary]]] = {}
    reached = {font.objgen for font in fonts}
    for font in [*fonts, *(font for font in gone if font.objgen not in reached)]:
        by_font.setdefault(str(font.BaseFont), ([], []))[font.objgen in new].append(font)
    kept: set[str] = set()
    pointed: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for base_font, (held, added) in by_font.items():
        ids = drawn.get(base_font)
        if not ids or joined.get(base_font) != _digest(ids) or len(held) != 1:
            continue  # other glyphs (or none known), or dictionaries the last merge kept apart: joined anew
        if _joins(held[0], added, ids, widths):
            kept.add(base_font)
            pointed.update((font.objgen, held[0]) for font in added)
            _made_anew(held[0])
    for table in fresh[0]:
        for name in list(table.keys()):
            if table[name].objgen in pointed:
                table[name] = pointed[table[name].objgen]
    return kept


def _made_anew(font: pikepdf.Dictionary) -> None:
    """A kept font's streams (program, text, CIDSet) given their data as the join makes them, to
    be compressed at the save: QPDF writes a stream it compresses with /Filter after /Length, and
    one read compressed with /Filter where its dictionary has it, so the kept font would not
    have a cold build's bytes (whose fonts are made at its merge)."""
    descriptor = font.DescendantFonts[0].FontDescriptor
    for stream in (font.get("/ToUnicode"), descriptor.get("/FontFile2"), descriptor.get("/CIDSet")):
        if isinstance(stream, pikepdf.Stream):
            stream.write(stream.read_bytes())


def _joins(held: pikepdf.Dictionary, added: list[pikepdf.Dictionary], drawn: set[int], memo: _Widths) -> bool:
    """Whether ``added`` (font dictionaries of one font) would join ``held`` and leave it as it
    is: each a program share_subsets joins, the same all but what the glyphs decide (the
    program aside), the same width and text for every glyph id drawn that both give."""
    if not all(_joinable(font) for font in (held, *added)):
        return False
    if not added:
        return True
    read, memo_shapes = _readable(held, memo), {}
    if read is None:
        return False
    widths, text = read
    shape = _font_shape(held, memo_shapes, program=False)
    for font in added:
        other = _readable(font, memo)
        if other is None or _font_shape(font, memo_shapes, program=False) != shape:
            return False
        if any(gid in drawn and widths.get(gid) != width for gid, width in other[0].items()):
            return False
        if any(gid in drawn and text.get(gid) != chars for gid, chars in other[1].items()):
            return False
    return True


def _joinable(font: pikepdf.Dictionary) -> bool:
    """A composite font of the kind share_subsets joins (an embedded TrueType by glyph id)."""
    descendants = font.get("/DescendantFonts")
    if font.get("/Encoding") != "/Identity-H" or not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        return False
    descriptor = descendants[0].get("/FontDescriptor")
    return (isinstance(descriptor, pikepdf.Dictionary) and "/FontFile2" in descriptor
            and descendants[0].get("/CIDToGIDMap") == "/Identity")


_Resources = tuple[list[pikepdf.Dictionary], list[pikepdf.Dictionary]]
#: /W arrays read, by the objgen of their CIDFont dictionary.
_Widths = dict[tuple[int, int], "dict[int, object] | None"]


def share_subsets(pdf: pikepdf.Pdf, drawn: dict[str, set[int]] | None = None, resources: _Resources | None = None,
                  widths: _Widths | None = None) -> None:
    """Give all font dictionaries of one font a single embedded program holding every glyph used."""
    groups: dict[str, list[pikepdf.Dictionary]] = {}
    widths = {} if widths is None else widths
    for font in (resources or _font_resources(page.obj for page in pdf.pages))[1]:
        descendant = font.DescendantFonts[0]
        descriptor = descendant.get("/FontDescriptor")
        if descriptor is None or "/FontFile2" not in descriptor or descendant.get("/CIDToGIDMap") != "/Identity":
            continue
        groups.setdefault(str(font.BaseFont), []).append(descendant)
    for base_font, descendants in groups.items():
        keep = drawn.get(base_font) if drawn is not None else None
        descriptors = [descendant.FontDescriptor for descendant in descendants]
        programs: dict[tuple[int, int], tuple[pikepdf.Stream, int]] = {}
        for descendant, descriptor in zip(descendants, descriptors):
            stream, used = descriptor.FontFile2, _highest_cid(descendant, widths)
            if used is None:
                break  # a subset whose drawn glyphs are unknown cannot be joined safely
            known = programs.get(stream.objgen, (stream, -1))[1]
            programs[stream.objgen] = (stream, max(known, used))
        else:
            if len(programs) < (1 if keep is not None else 2):
                continue
            joined = fontjoin.join([(stream.read_bytes(), used + 1) for stream, used in programs.values()], keep)
            if joined is None:
                continue  # not a font this can join (no glyf table): left as it was
            stream = pikepdf.Stream(pdf, joined)
            stream.Length1 = len(joined)
            cidsets = [d.CIDSet.read_bytes() for d in descriptors if "/CIDSet" in d]
            if cidsets and keep is not None:
                cidsets = [_bits(keep)]
            cidset = pikepdf.Stream(pdf, _union_bits(cidsets)) if cidsets else None
            for descriptor in descriptors:
                descriptor.FontFile2 = stream
                if cidset is not None and "/CIDSet" in descriptor:
                    descriptor.CIDSet = cidset


def _highest_cid(descendant: pikepdf.Dictionary, memo: _Widths) -> int | None:
    """The highest glyph id a font dictionary's pages draw: the last one its widths (/W) give."""
    widths = _widths_of(descendant, memo)
    return max(widths) if widths else None


def _widths_of(descendant: pikepdf.Dictionary, memo: _Widths) -> dict[int, object] | None:
    if descendant.objgen not in memo:
        memo[descendant.objgen] = _widths(descendant.get("/W"))
    return memo[descendant.objgen]


def _font_resources(pages: Iterable[pikepdf.Object]) -> tuple[list[pikepdf.Dictionary], list[pikepdf.Dictionary]]:
    """The /Font resource dictionaries of the pages and of their forms (drawings), and the
    composite fonts they name, both in page order (a page's own before its forms'), each once."""
    tables: list[pikepdf.Dictionary] = []
    fonts: dict[tuple[int, int], pikepdf.Dictionary] = {}
    seen: set[tuple[int, int]] = set()

    def visit(resources: object) -> None:
        if not isinstance(resources, pikepdf.Dictionary) or (resources.is_indirect and resources.objgen in seen):
            return
        if resources.is_indirect:
            seen.add(resources.objgen)
        table = resources.get("/Font")
        if isinstance(table, pikepdf.Dictionary) and not (table.is_indirect and table.objgen in seen):
            if table.is_indirect:
                seen.add(table.objgen)
            tables.append(table)
            for name in sorted(table.keys()):
                font = table[name]
                if font.is_indirect and font.get("/Subtype") == "/Type0":
                    fonts.setdefault(font.objgen, font)
        forms = resources.get("/XObject")
        for name in sorted(forms.keys()) if isinstance(forms, pikepdf.Dictionary) else ():
            form = forms[name]
            if form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                visit(form.get("/Resources"))

    for page in pages:
        visit(page.get("/Resources"))
    return tables, list(fonts.values())


def _bits(ids: set[int]) -> bytes:
    """A CIDSet as WeasyPrint writes it: bit ``cid`` (from the first byte's high bit) set for each id."""
    bits = bytearray((max(ids) + 8) // 8)
    for cid in ids:
        bits[cid // 8] |= 0x80 >> (cid % 8)
    return bytes(bits)


def _union_bits(sets: list[bytes]) -> bytes:
    width = max(len(bits) for bits in sets)
    joined = bytearray(width)
    for bits in sets:
        for index, byte in enumerate(bits):
            joined[index] |= byte
    return bytes(joined)



@dataclass
class _Joined:
    """Font dictionaries of one font that become one: what they all have, their widths and text."""

    shape: object
    identity: bool  # /Encoding /Identity-H: a glyph id is the font's glyph, never a missing character
    widths: dict[int, object]
    text: dict[int, str]
    members: list[pikepdf.Dictionary] = field(default_factory=list)

    def take(self, font: pikepdf.Dictionary, shape: object, widths: dict[int, object], text: dict[int, str]) -> bool:
        """Join ``font`` if it agrees: same everything else, the same width for every glyph id both
        give, and (with missing characters, whose ids each batch gives out anew) the same text."""
        if shape != self.shape or any(self.widths.get(gid, width) != width for gid, width in widths.items()):
            return False
        if not self.identity and any(self.text.get(gid, chars) != chars for gid, chars in text.items()):
            return False
        self.members.append(font)
        self.widths.update(widths)
        for gid, chars in text.items():
            self.text.setdefault(gid, chars)  # the first page's text, as one pass keeps the first drawn
        return True


def share_dictionaries(pdf: pikepdf.Pdf, drawn: dict[str, set[int]] | None = None, resources: _Resources | None = None,
                       widths: _Widths | None = None) -> None:
    """Give each font one Type0 dictionary (one CIDFont, one descriptor, one /ToUnicode) where its
    batches' dictionaries agree on everything but the glyphs they use, and point every /Font
    resource of the pages and forms at it. Dictionaries that disagree (a glyph id with two widths,
    another /Encoding, another program) stay apart."""
    tables, fonts = resources or _font_resources(page.obj for page in pdf.pages)
    read_widths = {} if widths is None else widths
    joined: dict[str, list[_Joined]] = {}
    memo: dict[tuple[int, int], str] = {}
    for font in fonts:
        read = _readable(font, read_widths)
        if read is None:
            continue
        widths, text = read
        keep = drawn.get(str(font.BaseFont)) if drawn is not None else None
        if keep is not None:
            widths = {gid: width for gid, width in widths.items() if gid in keep}
            text = {gid: chars for gid, chars in text.items() if gid in keep}
        shape = _font_shape(font, memo)
        classes = joined.setdefault(str(font.BaseFont), [])
        if not any(known.take(font, shape, widths, text) for known in classes):
            classes.append(_Joined(shape, font.get("/Encoding") == "/Identity-H", dict(widths), dict(text), [font]))
    replaced: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for base_font, classes in joined.items():
        for known in classes:
            if len(known.members) > 1 or (drawn is not None and base_font in drawn):
                _write(pdf, known, sort=drawn is not None)
                replaced.update((member.objgen, known.members[0]) for member in known.members[1:])
    for table in tables:
        for name in list(table.keys()):
            if table[name].objgen in replaced:
                table[name] = replaced[table[name].objgen]


def _readable(font: pikepdf.Dictionary, memo: _Widths) -> tuple[dict[int, object], dict[int, str]] | None:
    """A font dictionary's widths by glyph id and text by glyph id, if it is one WeasyPrint writes
    (one CIDFont with a descriptor, /W, a /ToUnicode of bfchar lines), else None."""
    descendants = font.get("/DescendantFonts")
    if not isinstance(descendants, pikepdf.Array) or len(descendants) != 1:
        return None
    descendant = descendants[0]
    if not isinstance(descendant.get("/FontDescriptor"), pikepdf.Dictionary):
        return None
    widths = _widths_of(descendant, memo)
    text = _to_unicode(font.get("/ToUnicode"))
    return None if widths is None or text is None else (widths, text)


def _widths(array: object) -> dict[int, object] | None:
    """/W as glyph id -> width (both of its forms: ``first [w1 w2 ...]`` and ``first last w``).

    Read from the array's text in one call: item by item, pikepdf costs a call per width (some
    150k of them in the ×16 booklet)."""
    if not isinstance(array, pikepdf.Array):
        return None
    tokens = bytes(array.unparse()).split()
    if tokens[:1] != [b"["] or tokens[-1:] != [b"]"] or b"R" in tokens:
        return None  # not the direct numbers WeasyPrint writes
    found: dict[int, object] = {}
    index, end = 1, len(tokens) - 1
    try:
        while index < end:
            first = int(tokens[index])
            if tokens[index + 1] == b"[":
                close = tokens.index(b"]", index + 2)
                found.update(zip(range(first, first + close - index - 2), _numbers(tokens[index + 2:close])))
                index = close + 1
            else:
                width = _number(tokens[index + 2])
                found.update((gid, width) for gid in range(first, int(tokens[index + 1]) + 1))
                index += 3
    except (IndexError, ValueError, decimal.InvalidOperation):
        return None
    return found


def _numbers(tokens: list[bytes]) -> list[object]:
    try:
        return list(map(int, tokens))  # WeasyPrint's widths are whole numbers
    except ValueError:
        return [_number(token) for token in tokens]


def _number(token: bytes) -> object:
    """A number of a PDF's text as pikepdf gives it: an int, or a Decimal for a real."""
    return int(token) if token.lstrip(b"+-").isdigit() else decimal.Decimal(token.decode("ascii"))


_BFCHAR = re.compile(rb"(\d+) beginbfchar\n(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9a-fA-F]{4})> <((?:[0-9a-fA-F]{4})*)>")


def _to_unicode(stream: object) -> dict[int, str] | None:
    """A /ToUnicode CMap as WeasyPrint writes it (bfchar blocks only) as glyph id -> text, in its order."""
    if not isinstance(stream, pikepdf.Stream):
        return None
    data = stream.read_bytes()
    if b"bfrange" in data or b"begincmap" not in data:
        return None
    found: dict[int, str] = {}
    for count, block in _BFCHAR.findall(data):
        pairs = _PAIR.findall(block)
        if len(pairs) != int(count) or len(block.split(b"\n")) - 1 != int(count):
            return None
        for gid, chars in pairs:
            found.setdefault(int(gid, 16), bytes.fromhex(chars.decode("ascii")).decode("utf-16-be", "replace"))
    return found


def _font_shape(font: pikepdf.Dictionary, memo: dict[tuple[int, int], str], *, program: bool = True) -> object:
    """All of a font dictionary but what the glyphs it uses decide: /ToUnicode, /W, the CIDSet,
    and in the descriptor the box's right edge and the fixed-pitch flag (WeasyPrint derives both
    from the widths). ``program``: with its embedded program (not when share_subsets is to join it)."""
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    box = descriptor.get("/FontBBox")
    box = [_shape(value, memo) for i, value in enumerate(box) if i != 2] if isinstance(box, pikepdf.Array) else None
    skip = ("/CIDSet", "/FontBBox", "/Flags") + (() if program else ("/FontFile2",))
    return (_shape(font, memo, ("/ToUnicode", "/DescendantFonts")), _shape(descendant, memo, ("/W", "/FontDescriptor")),
            _shape(descriptor, memo, skip), box, int(descriptor.get("/Flags", 0)) & ~1)


def _shape(value: object, memo: dict[tuple[int, int], str], skip: tuple[str, ...] = ()) -> object:
    """A comparable copy of a PDF object (a stream as its dictionary and a hash of its data)."""
    if isinstance(value, pikepdf.Stream):
        if value.objgen not in memo:
            memo[value.objgen] = hashlib.sha256(value.read_bytes()).hexdigest()
        return ("stream", _shape(value.stream_dict, memo, ("/Length", "/Filter", "/DecodeParms")), memo[value.objgen])
    if isinstance(value, pikepdf.Dictionary):
        return tuple(sorted((key, _shape(value[key], memo)) for key in value.keys() if key not in skip))
    if isinstance(value, pikepdf.Array):
        return tuple(_shape(item, memo) for item in value)
    return (type(value).__name__, str(value))


def _write(pdf: pikepdf.Pdf, known: _Joined, *, sort: bool = False) -> None:
    """The first member becomes the joined font: the union of widths and text, the descriptor's
    box edge and fixed-pitch flag from them (as WeasyPrint's build_fonts_dictionary sets them),
    the union of the CIDSets."""
    font = known.members[0]
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    # Sorted by glyph id when the dictionaries may come from batches laid out at different times:
    # the first page's order would then depend on which sections were laid out together.
    font.ToUnicode = pikepdf.Stream(pdf, _cmap(dict(sorted(known.text.items())) if sort else known.text))
    descendant.W = _w_array(known.widths)
    if isinstance(descriptor.get("/FontBBox"), pikepdf.Array) and len(descriptor.FontBBox) == 4:
        descriptor.FontBBox[2] = max(known.widths.values(), default=0)
    flags = int(descriptor.get("/Flags", 0)) & ~1
    descriptor.Flags = flags | (1 if len(known.widths) > 1 and len(set(known.widths.values())) == 1 else 0)
    cidsets = [member.DescendantFonts[0].FontDescriptor.get("/CIDSet") for member in known.members]
    if all(isinstance(cidset, pikepdf.Stream) for cidset in cidsets):
        descriptor.CIDSet = pikepdf.Stream(pdf, _bits(set(known.widths)) if sort and known.widths
                                           else _union_bits([cidset.read_bytes() for cidset in cidsets]))


def _w_array(widths: dict[int, object]) -> pikepdf.Array:
    """/W as WeasyPrint writes it: each run of consecutive glyph ids as ``first [w1 w2 ...]``."""
    out: list[object] = []
    previous = None
    for gid in sorted(widths):
        if previous is None or gid != previous + 1:
            out += [gid, pikepdf.Array()]
        out[-1].append(widths[gid])
        previous = gid
    return pikepdf.Array(out)


def _cmap(text: dict[int, str]) -> bytes:
    """A /ToUnicode CMap as WeasyPrint writes it (fonts.py build_fonts_dictionary): bfchar blocks of 100."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def", b"/CMapName /Adobe-Identity-UCS def",
             b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = list(text.items())
    for start in range(0, len(items), 100):
        block = items[start:start + 100]
        lines.append(f"{len(block)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{chars.encode('utf-16-be').hex()}>".encode() for gid, chars in block]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
