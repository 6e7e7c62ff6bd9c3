"""One TrueType program from subsets of one font, joined on the raw tables (render/pdf/fontmerge.py
decides which subsets; this module joins their bytes).

A subset made by WeasyPrint keeps the font's glyph ids up to the highest one its pages draw (its
*count* of true ids); above that sit its *tail* glyphs, components of its composite glyphs that
HarfBuzz renumbered to the ids that follow (see fontmerge.py). The join reads each subset's sfnt
table directory, loca, glyf, hmtx/vmtx and cmap with ``struct`` and copies glyphs as bytes: glyph
id g below the largest count comes from the first subset that has an outline there (every subset
holding g agrees on it), tail glyphs that a copied composite reaches get new ids after all others
and the composite's component ids (at fixed offsets in its component records) are rewritten. The
other tables are the first subset's, with the bounds of head, maxp, hhea and vhea the extremes of
the subsets'. Decompiling with fontTools did the same in about 0.25 s per font of the booklet.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections import deque
from dataclasses import dataclass, field
from itertools import compress
from operator import ne

#: Tables with an entry per glyph that the join does not rebuild: left out, as a subset may lack them.
_DROPPED = ("hdmx", "LTSH", "VDMX", "kern", "DSIG")
#: Composite glyph component flags (OpenType glyf): what follows the glyph index in a record.
_WORDS, _SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080


class _Unjoinable(Exception):
    """A program this join does not read (no glyf table, truncated or unknown tables)."""


@dataclass
class _Subset:
    """One subset: its tables as bytes, its count of true ids, where each glyph is, its metrics."""

    tables: dict[str, bytes]
    count: int
    offsets: array[int]  # loca as stored: in bytes, or in pairs of bytes (short loca)
    scale: int
    metrics: dict[str, tuple[list[int], list[int]]]  # hmtx, vmtx: advances and side bearings (uint16)
    tails: dict[int, int] = field(default_factory=dict)  # its tail glyph id -> the joined font's

    @property
    def size(self) -> int:
        return len(self.offsets) - 1

    def glyph(self, gid: int) -> bytes:
        return self.tables["glyf"][self.offsets[gid] * self.scale:self.offsets[gid + 1] * self.scale]

    def drawn(self, limit: int) -> tuple[list[int], list[int]]:
        """The ids below ``limit`` with an outline, and those with an advance (a space has no outline)."""
        offsets = self.offsets
        outlined = list(compress(range(limit), map(ne, offsets[:limit], offsets[1:limit + 1])))
        advances = self.metrics["hmtx"][0] if "hmtx" in self.metrics else []
        return outlined, list(compress(range(limit), advances[:limit]))


def join(programs: list[tuple[bytes, int]], keep: set[int] | None = None) -> bytes | None:
    """One program from subsets of one font, each given with its count of true glyph ids (one
    more than the highest id its pages draw); None if one of them is not a TrueType this reads.

    ``keep``: the glyph ids the merged document's pages draw. A subset may hold glyphs of pages
    that are no longer in the document (its batch's other sections, since edited and laid out
    anew); with ``keep`` the program holds only the glyphs drawn (and the components of those),
    as a cold build's would.
    """
    try:
        subsets = [_read(data, count) for data, count in programs]
        if keep is not None:
            if not keep:
                return None
            for subset in subsets:  # ids above the highest drawn are only ever components: tails
                subset.count = min(subset.count, max(keep) + 1)
        return _joined(subsets, keep)
    except (_Unjoinable, struct.error, IndexError, ValueError):
        return None


def _read(data: bytes, count: int) -> _Subset:
    tables = _tables(data)
    if "glyf" not in tables or "loca" not in tables or "maxp" not in tables or "head" not in tables:
        raise _Unjoinable("no glyf")
    number = struct.unpack_from(">H", tables["maxp"], 4)[0]
    long_loca = struct.unpack_from(">h", tables["head"], 50)[0] == 1
    offsets = _words(tables["loca"][: (number + 1) * (4 if long_loca else 2)], "I" if long_loca else "H")
    scale = 1 if long_loca else 2
    if len(offsets) != number + 1 or offsets[-1] * scale > len(tables["glyf"]):
        raise _Unjoinable("loca")
    metrics = {}
    for tag, header in (("hmtx", "hhea"), ("vmtx", "vhea")):
        if tag in tables and header in tables:
            longs = struct.unpack_from(">H", tables[header], 34)[0]
            words = _words(tables[tag][: 4 * longs + 2 * (number - longs)], "H")
            if not 0 < longs <= number or len(words) != longs + number:
                raise _Unjoinable(tag)
            # the file stores the advance of the glyphs after the long metrics once
            advances = words[0:2 * longs:2].tolist() + [words[2 * longs - 2]] * (number - longs)
            metrics[tag] = (advances, words[1:2 * longs:2].tolist() + words[2 * longs:].tolist())
    return _Subset(tables, count, offsets, scale, metrics)


def _tables(data: bytes) -> dict[str, bytes]:
    version, number = struct.unpack_from(">IH", data, 0)
    if version not in (0x00010000, 0x74727565):  # TrueType outlines ("true" on old Apple fonts)
        raise _Unjoinable("not TrueType")
    tables = {}
    for index in range(number):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        if offset + length > len(data):
            raise _Unjoinable("truncated")
        tables[tag.decode("latin-1")] = data[offset:offset + length]
    return tables


def _joined(subsets: list[_Subset], keep: set[int] | None) -> bytes:
    base = subsets[0]
    sources = _sources(subsets)
    if keep is not None:
        sources = _kept(sources, keep)
    placed: list[tuple[_Subset | None, int]] = [(subset, gid) for gid, subset in enumerate(sources)]
    queue = deque(range(len(placed)))
    glyphs: list[bytes] = []
    while queue:  # the true glyphs, then each tail glyph a copied composite reaches, in that order
        new_id = queue.popleft()
        subset, gid = placed[new_id]
        glyph = subset.glyph(gid) if subset is not None else b""
        if len(glyph) >= 10 and glyph[0] & 0x80:  # numberOfContours < 0: a composite
            glyph = _pointed(glyph, subset, placed, queue)  # type: ignore[arg-type]
        glyphs.append(glyph)
    tables = {tag: data for tag, data in base.tables.items() if tag not in _DROPPED}
    tables["glyf"], tables["loca"], long_loca = _glyf_loca(glyphs)
    tables["head"] = _head(subsets, long_loca)
    tables["maxp"] = _maxp(subsets, len(glyphs))
    for tag, header in (("hmtx", "hhea"), ("vmtx", "vhea")):
        if tag in tables and all(tag in subset.metrics for subset in subsets):
            pairs = [(subset.metrics[tag][0][gid], subset.metrics[tag][1][gid]) if subset is not None else (0, 0)
                     for subset, gid in placed]
            tables[tag], longs = _compact_metrics(pairs)
            tables[header] = _metrics_header(subsets, header, longs)
        else:
            tables.pop(tag, None)
            tables.pop(header, None)
    if "cmap" in tables:
        codes = _codes(subsets)
        if keep is not None:  # no character maps to a glyph left out
            codes = {code: gid for code, gid in codes.items() if gid >= len(sources) or sources[gid] is not None}
        tables["cmap"] = _write_cmap(codes)
        if "OS/2" in tables and len(tables["OS/2"]) >= 68:
            tables["OS/2"] = _os2(subsets, codes)
    if "post" in tables and len(tables["post"]) >= 32:
        tables["post"] = b"\x00\x03\x00\x00" + tables["post"][4:32]  # no glyph names: they would be stale
    return _sfnt(tables)


def _sources(subsets: list[_Subset]) -> list[_Subset | None]:
    """For each true glyph id, the subset the joined font takes it from: the first with an outline
    there, else the first with an advance there (a space), else the first that has the id at all
    (a subset leaves the ids it does not use empty, with no advance)."""
    true_count = max(subset.count for subset in subsets)
    sources: list[_Subset | None] = [None] * true_count
    limits = [min(subset.count, subset.size) for subset in subsets]
    drawn = [subset.drawn(limit) for subset, limit in zip(subsets, limits)]
    for subset, limit in reversed(list(zip(subsets, limits))):  # the earlier subset written last wins
        sources[:limit] = [subset] * limit
    for kind in (1, 0):  # those with an advance, then (winning over them) those with an outline
        for subset, ids in reversed(list(zip(subsets, drawn))):
            for gid in ids[kind]:
                sources[gid] = subset
    return sources


def _kept(sources: list[_Subset | None], keep: set[int]) -> list[_Subset | None]:
    """Only the sources of the ids in ``keep`` and of the true-id components of their composites."""
    kept: list[_Subset | None] = [None] * len(sources)
    queue = deque(gid for gid in sorted(keep) if gid < len(sources))
    while queue:
        gid = queue.popleft()
        subset = sources[gid]
        if kept[gid] is not None or subset is None:
            continue
        kept[gid] = subset
        glyph = subset.glyph(gid) if gid < subset.size else b""
        if len(glyph) >= 10 and glyph[0] & 0x80:  # a composite: its components below the count are true ids
            queue.extend(component for component in _components(glyph) if component < subset.count)
    return kept


def _components(glyph: bytes) -> list[int]:
    """The component glyph ids of a composite glyph."""
    found, offset, flags = [], 10, _MORE
    while flags & _MORE:
        flags, component = struct.unpack_from(">HH", glyph, offset)
        found.append(component)
        offset += 4 + (4 if flags & _WORDS else 2)
        offset += 2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
    return found


def _pointed(glyph: bytes, subset: _Subset, placed: list[tuple[_Subset | None, int]], queue: deque[int]) -> bytes:
    """A composite glyph with each component id that is one of its subset's tail glyphs replaced by
    the joined font's id for it (given on first sight, and queued to be copied)."""
    out = bytearray(glyph)
    offset, flags = 10, _MORE
    while flags & _MORE:
        flags, component = struct.unpack_from(">HH", out, offset)
        if component >= subset.count:
            if component >= subset.size:
                raise _Unjoinable("component outside the font")
            if component not in subset.tails:
                subset.tails[component] = len(placed)
                placed.append((subset, component))
                queue.append(subset.tails[component])
            struct.pack_into(">H", out, offset + 2, subset.tails[component])
        offset += 4 + (4 if flags & _WORDS else 2)
        offset += 2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
    return bytes(out)


def _glyf_loca(glyphs: list[bytes]) -> tuple[bytes, bytes, bool]:
    """The glyf table (each glyph padded to an even length) and its loca, short if it fits."""
    offsets, position, chunks = [0], 0, []
    for glyph in glyphs:
        padded = glyph + b"\x00" * (len(glyph) % 2)
        chunks.append(padded)
        position += len(padded)
        offsets.append(position)
    long_loca = position // 2 > 0xFFFF
    loca = struct.pack(f">{len(offsets)}I", *offsets) if long_loca else struct.pack(f">{len(offsets)}H", *(o // 2 for o in offsets))
    return b"".join(chunks), loca, long_loca


def _head(subsets: list[_Subset], long_loca: bool) -> bytes:
    """The first subset's head with the bounding box around all glyphs and the loca format."""
    boxes = [struct.unpack_from(">4h", subset.tables["head"], 36) for subset in subsets]
    head = bytearray(subsets[0].tables["head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment: set once the file is whole
    struct.pack_into(">4h", head, 36, min(b[0] for b in boxes), min(b[1] for b in boxes),
                     max(b[2] for b in boxes), max(b[3] for b in boxes))
    struct.pack_into(">h", head, 50, 1 if long_loca else 0)
    return bytes(head)


def _maxp(subsets: list[_Subset], number: int) -> bytes:
    """numGlyphs, and each bound (points, contours, components, depth...) the largest of the subsets'."""
    maxp = bytearray(subsets[0].tables["maxp"])
    struct.pack_into(">H", maxp, 4, number)
    if len(maxp) >= 32 and all(len(subset.tables["maxp"]) >= 32 for subset in subsets):
        bounds = [struct.unpack_from(">13H", subset.tables["maxp"], 6) for subset in subsets]
        struct.pack_into(">13H", maxp, 6, *(max(values) for values in zip(*bounds)))
    return bytes(maxp)


def _compact_metrics(pairs: list[tuple[int, int]]) -> tuple[bytes, int]:
    """hmtx/vmtx bytes: long metrics up to the last change of advance, bearings after it."""
    longs = len(pairs)
    while longs > 1 and pairs[longs - 2][0] == pairs[-1][0]:
        longs -= 1
    flat = [value for pair in pairs[:longs] for value in pair]
    return struct.pack(f">{len(flat)}H", *flat) + struct.pack(f">{len(pairs) - longs}H", *(p[1] for p in pairs[longs:])), longs


def _metrics_header(subsets: list[_Subset], header: str, longs: int) -> bytes:
    """hhea/vhea: the count of long metrics; the largest advance and extent, the least bearings."""
    values = [struct.unpack_from(">H3h", subset.tables[header], 10) for subset in subsets]
    out = bytearray(subsets[0].tables[header])
    struct.pack_into(">H3h", out, 10, max(v[0] for v in values), min(v[1] for v in values),
                     min(v[2] for v in values), max(v[3] for v in values))
    struct.pack_into(">H", out, 34, longs)
    return bytes(out)


def _codes(subsets: list[_Subset]) -> dict[int, int]:
    """The union of the subsets' character maps (formats 4 and 12; the first subset wins a
    character), under the joined font's ids; variation sequences (format 14) are left out: the PDF
    draws glyph ids, and the join could not keep their glyph ids right."""
    codes: dict[int, int] = {}
    for subset in subsets:
        for code, gid in _read_cmap(subset.tables.get("cmap", b"")).items():
            joined = gid if gid < subset.count else subset.tails.get(gid)
            if joined is not None:
                codes.setdefault(code, joined)
    return codes


def _os2(subsets: list[_Subset], codes: dict[int, int]) -> bytes:
    """The first subset's OS/2 with what the subsetter computed from each subset's characters made
    the union's: the Unicode ranges (bits 42-57) and the first and last character (64, 66). So the
    joined font does not depend on which sections were laid out together."""
    out = bytearray(subsets[0].tables["OS/2"])
    ranges = [0, 0, 0, 0]
    for table in (subset.tables.get("OS/2", b"") for subset in subsets):
        for index, value in enumerate(struct.unpack_from(">4I", table, 42) if len(table) >= 58 else ()):
            ranges[index] |= value
    if codes:  # a range keeps its bit only while a character of it is left (fontTools' pruning)
        from fontTools.ttLib.tables.O_S_2f_2 import intersectUnicodeRanges

        present = intersectUnicodeRanges(codes)
        ranges = [value & sum(1 << bit for bit in range(32) if 32 * index + bit in present)
                  for index, value in enumerate(ranges)]
    struct.pack_into(">4I", out, 42, *ranges)
    if codes:
        struct.pack_into(">HH", out, 64, min(min(codes), 0xFFFF), min(max(codes), 0xFFFF))
    return bytes(out)


def _read_cmap(data: bytes) -> dict[int, int]:
    """Character -> glyph id from a cmap's Unicode subtables of format 4 and 12."""
    codes: dict[int, int] = {}
    if len(data) < 4:
        return codes
    number = struct.unpack_from(">H", data, 2)[0]
    for index in range(number):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * index)
        if platform == 0 or (platform, encoding) in ((3, 1), (3, 10)):
            kind = struct.unpack_from(">H", data, offset)[0]
            found = _read_format4(data, offset) if kind == 4 else _read_format12(data, offset) if kind == 12 else {}
            for code, gid in found.items():
                codes.setdefault(code, gid)
    return codes


def _read_format4(data: bytes, offset: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", data, offset + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, offset + 14)
    starts = struct.unpack_from(f">{segments}H", data, offset + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}H", data, offset + 16 + 4 * segments)
    at = offset + 16 + 6 * segments  # idRangeOffset[0]; an offset counts from its own place
    ranges = struct.unpack_from(f">{segments}H", data, at)
    codes = {}
    for index, (start, end, delta, spot) in enumerate(zip(starts, ends, deltas, ranges)):
        for code in range(start, min(end, 0xFFFE) + 1):
            stored = code if not spot else struct.unpack_from(">H", data, at + 2 * index + spot + 2 * (code - start))[0]
            gid = (stored + delta) & 0xFFFF if stored or not spot else 0
            if gid:
                codes[code] = gid
    return codes


def _read_format12(data: bytes, offset: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", data, offset + 12)[0]
    codes = {}
    for index in range(groups):
        start, end, first = struct.unpack_from(">III", data, offset + 16 + 12 * index)
        codes.update((code, first + code - start) for code in range(start, end + 1))
    return codes


def _write_cmap(codes: dict[int, int]) -> bytes:
    """A cmap: format 4 for the BMP (runs of consecutive characters, an idDelta where the glyph ids
    run along, else a glyph id array), and format 12 for all when there is more or it does not fit."""
    subtables = []
    small = _format4({code: gid for code, gid in codes.items() if code < 0xFFFF})
    if small is not None:
        subtables += [((0, 3), small), ((3, 1), small)]
    if small is None or max(codes, default=0) > 0xFFFF:
        large = _format12(codes)
        subtables += [((0, 4), large), ((3, 10), large)]
    subtables.sort()
    out, body, offsets = [struct.pack(">HH", 0, len(subtables))], [], {}
    position = 4 + 8 * len(subtables)
    for (platform, encoding), table in subtables:
        if id(table) not in offsets:
            offsets[id(table)] = position
            body.append(table)
            position += len(table)
        out.append(struct.pack(">HHI", platform, encoding, offsets[id(table)]))
    return b"".join(out + body)


def _format4(codes: dict[int, int]) -> bytes | None:
    runs: list[list[int]] = []  # consecutive characters
    for code in sorted(codes):
        if runs and code == runs[-1][-1] + 1:
            runs[-1].append(code)
        else:
            runs.append([code])
    count = len(runs) + 1  # and the closing 0xFFFF segment
    starts, ends, deltas, spots, ids = [], [], [], [], []
    for index, run in enumerate(runs):
        starts.append(run[0])
        ends.append(run[-1])
        if all(codes[code] - code == codes[run[0]] - run[0] for code in run):
            deltas.append((codes[run[0]] - run[0]) & 0xFFFF)
            spots.append(0)
        else:
            deltas.append(0)
            spots.append(2 * (count - index) + 2 * len(ids))
            ids += [codes[code] for code in run]
    starts.append(0xFFFF), ends.append(0xFFFF), deltas.append(1), spots.append(0)
    length = 16 + 8 * count + 2 * len(ids)
    if length > 0xFFFF or max(spots) > 0xFFFF:
        return None
    power = 1 << (count.bit_length() - 1)
    return b"".join([struct.pack(">7H", 4, length, 0, 2 * count, 2 * power, power.bit_length() - 1, 2 * count - 2 * power),
                     struct.pack(f">{count}H", *ends), b"\x00\x00", struct.pack(f">{count}H", *starts),
                     struct.pack(f">{count}H", *deltas), struct.pack(f">{count}H", *spots), struct.pack(f">{len(ids)}H", *ids)])


def _format12(codes: dict[int, int]) -> bytes:
    groups: list[list[int]] = []  # [first character, last, first glyph id]
    for code in sorted(codes):
        if groups and code == groups[-1][1] + 1 and codes[code] == groups[-1][2] + code - groups[-1][0]:
            groups[-1][1] = code
        else:
            groups.append([code, code, codes[code]])
    flat = [value for group in groups for value in group]
    return struct.pack(">HHIII", 12, 0, 16 + 12 * len(groups), 0, len(groups)) + struct.pack(f">{len(flat)}I", *flat)


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """The font file: table directory (tags sorted), tables 4-byte aligned, head's checksum adjustment."""
    tags = sorted(tables)
    number = len(tags)
    power = 1 << (number.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, number, power * 16, power.bit_length() - 1, number * 16 - power * 16)
    directory, body, offset = [], [], 12 + 16 * number
    for tag in tags:
        data = tables[tag]
        padded = data + b"\x00" * (-len(data) % 4)
        directory.append(struct.pack(">4sIII", tag.encode("latin-1"), _checksum(padded), offset, len(data)))
        body.append(padded)
        offset += len(padded)
    font = bytearray(header + b"".join(directory) + b"".join(body))
    head = 12 + 16 * number + sum(len(chunk) for chunk in body[:tags.index("head")])
    struct.pack_into(">I", font, head + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(data: bytes) -> int:
    return sum(_words(data + b"\x00" * (-len(data) % 4), "I")) & 0xFFFFFFFF


def _words(data: bytes, kind: str) -> array[int]:
    """Big-endian unsigned 16-bit ("H") or 32-bit ("I") numbers."""
    words = array(kind, data)
    if words.itemsize != {"H": 2, "I": 4}[kind]:
        raise _Unjoinable("array sizes")
    if sys.byteorder == "little":
        words.byteswap()
    return words
