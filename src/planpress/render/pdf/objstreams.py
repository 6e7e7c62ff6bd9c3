"""A merged PDF saved so that its bytes depend only on what it holds, not on the order its
objects were made.

QPDF numbers the objects of a PDF written without object streams in the order it walks them
from the trailer, whatever order they were made in; with object streams it numbers each
stream's objects by their numbers in memory, that is by the order they were made
(bench/merge_floor.py: the booklet's pages copied backward and put back in page order give
other bytes with object streams, the same without). A merge that opens the last merged PDF and
replaces a section's pages makes its objects in another order than a merge of every batch: to
give a cold build's bytes, it needs bytes that follow the object graph alone. So QPDF writes
the merged PDF without object streams and ``packed`` puts its objects (all but streams) into
object streams, 100 a stream in number order, with a cross-reference stream, numbering nothing
again (bench/pack_floor.py; at ×16 QPDF's plain save 0.15 s and the packing 0.22 s, against
0.24–0.30 s for QPDF's own save with object streams, for a file 0.7% larger).

After an edit, most object streams hold the same text as in the last merged PDF the merge was made
in (×16, one commentary edited: 443 of 444), and zlib gives the same bytes for the same text: those
are taken from there compressed (``_last_streams``) instead of compressed again.
"""

from __future__ import annotations

import hashlib
import re
import struct
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import pikepdf

#: Objects an object stream holds (QPDF's number).
PER_STREAM = 100
#: zlib's level for the object streams: its default. Level 1 packs the ×16 booklet's 444 streams in
#: 0.034 s of CPU instead of 0.076 s, for a file 3.3% larger (4,948,665 bytes against 4,789,605);
#: after an edit all but a few are taken as they were (``_last_streams``) and cost nothing.
LEVEL = 6
#: The cross-reference stream's: it changes after every edit (the offsets after the edited
#: section), and level 1 compresses it in 0.002 s instead of 0.022 s at ×16 for 2.5 KB more.
TABLE_LEVEL = 1
#: How QPDF ends each object it writes without object streams.
_END = b"\nendobj\n"
#: A row of the cross-reference stream: its kind, then 4 and 2 bytes (/W [ 1 4 2 ]).
_ROW = struct.Struct(">BIH")
#: The file identifier QPDF writes with ``static_id``: the PDF's first part, or QPDF's fixed one
#: (_STATIC) if it had none, then its fixed one; ``packed`` replaces those by a digest.
_ID = re.compile(rb"/ID \[<([0-9a-f]*)><[0-9a-f]*>\]")
_STATIC = b"31415926535897932384626433832795"


def saved(pdf: pikepdf.Pdf, *, min_version: str) -> bytes:
    """``pdf`` as QPDF writes it without object streams (to a file: to a ``BytesIO`` pikepdf hands
    the output over piece by piece, 0.66–0.80 s at ×16 against 0.23–0.29 s), then ``packed``, with
    the object streams of the PDF it was read from, if any, to take as they are.

    QPDF writes a fixed second file identifier (``static_id``), which ``packed`` replaces by the
    digest of the packed bytes: QPDF's ``deterministic_id`` hashes its plain output with MD5 (×16:
    10.9 MB, 14% of its save by perf; its save 0.133 s of CPU against 0.176 s, best of 5), the
    packed bytes' SHA-256 takes 3 ms."""
    last = _last_streams(pdf)
    with tempfile.TemporaryDirectory(prefix="planpress-") as folder:
        path = Path(folder) / "plain.pdf"
        pdf.save(path, static_id=True, min_version=min_version,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
        return packed(path.read_bytes(), last=last)


def packed(data: bytes, *, last: Mapping[bytes, bytes] | None = None) -> bytes:
    """``data`` (a PDF QPDF wrote without object streams: a classic cross-reference table, every
    object of generation 0) with its objects other than streams in object streams of
    PER_STREAM, in number order, and a cross-reference stream; no object is numbered again.

    ``last``: object streams already compressed, by their text (``_last_streams``). The second part
    of the file identifier is the digest of the packed bytes."""
    table_at, offsets = _table(data)
    count = len(offsets)
    trailer = data[data.index(b"trailer", table_at):]
    kept = re.sub(rb"/Size \d+", b"", trailer[trailer.index(b"<<") + 2:trailer.rindex(b">>")]).strip()
    out = bytearray(data[:data.index(b"\n", data.index(b"\n") + 1) + 1])  # %PDF-x.y and the binary line
    # By number: 1, its offset, 0 (a stream), or 2, its object stream, its index there (the others).
    kinds, firsts, seconds = [2] * count, [0] * count, [0] * count
    kinds[0], seconds[0] = 0, 0xFFFF
    numbers, plain = _plain(data, offsets, table_at, out, kinds, firsts)
    last = last or {}
    stream_number = count
    for chunk_at in range(0, len(plain), PER_STREAM):
        chunk = plain[chunk_at:chunk_at + PER_STREAM]
        heads, position = [], 0
        for index, (number, body) in enumerate(zip(numbers[chunk_at:chunk_at + PER_STREAM], chunk)):
            heads.append(b"%d %d" % (number, position))
            position += len(body) + 1
            firsts[number], seconds[number] = stream_number, index
        head = b" ".join(heads) + b"\n"
        text = head + b"\n".join(chunk) + b"\n"
        compressed = last.get(text) or zlib.compress(text, LEVEL)
        kinds.append(1), firsts.append(len(out)), seconds.append(0)
        out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                % (stream_number, len(chunk), len(head), len(compressed)) + compressed + b"\nendstream\nendobj\n")
        stream_number += 1
    kinds.append(1), firsts.append(len(out)), seconds.append(0)  # the cross-reference stream itself
    kept = _identified(kept, out)
    table = zlib.compress(b"".join(map(_ROW.pack, kinds, firsts, seconds)), TABLE_LEVEL)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Filter /FlateDecode /Length %d %s >>\nstream\n"
            % (stream_number, stream_number + 1, len(table), kept) + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % firsts[-1]
    return bytes(out)


def _plain(data: bytes, offsets: list[int], table_at: int, out: bytearray,
           kinds: list[int], firsts: list[int]) -> tuple[list[int], list[bytes]]:
    """The numbers and text of the objects other than streams; the streams written to ``out`` as
    they are, with their kind (1) and offset in the cross-reference stream's ``kinds`` and ``firsts``."""
    numbers: list[int] = []
    plain: list[bytes] = []
    ends = [end - len(_END) for end in offsets[2:]]
    ends.append(table_at - len(_END))
    starts = data.startswith
    for number, start, end in zip(range(1, len(offsets)), offsets[1:], ends):
        header = b"%d 0 obj\n" % number
        if not (starts(header, start) and starts(_END, end)):
            raise ValueError(f"object {number} is not where the cross-reference table says")
        if starts(b"endstream", end - 9):
            kinds[number], firsts[number] = 1, len(out)
            out += data[start:end + len(_END)]
        else:
            numbers.append(number)
            plain.append(data[start + len(header):end])
    return numbers, plain


def _identified(kept: bytes, written: bytearray) -> bytes:
    """The trailer's entries ``kept`` with the file identifier's second part (and its first, if
    QPDF made it up) the digest of the bytes ``written`` before the cross-reference stream and of
    the entries themselves: it changes with what the file holds, as QPDF's deterministic one."""
    digest = hashlib.sha256(written)
    digest.update(kept)
    made = digest.hexdigest()[:32].encode()
    return _ID.sub(lambda found: b"/ID [<%s><%s>]" % (made if found[1] == _STATIC else found[1], made), kept, count=1)


def _last_streams(pdf: pikepdf.Pdf) -> dict[bytes, bytes]:
    """The object streams of the PDF ``pdf`` was read from, compressed, by their text: as ``packed``
    wrote them, numbered after every other object, before the cross-reference stream (/Size − 1).

    None when zlib here compresses their text otherwise (another zlib than the one that wrote
    them): taken as they are, they would give other bytes than a cold build. ×16 booklet after an
    edit: read and checked in ~0.025 s of CPU, against 0.076 s to compress them all."""
    found: dict[bytes, bytes] = {}
    size = pdf.trailer.get("/Size")
    number = size - 2 if isinstance(size, int) else 0
    try:
        while number > 0:
            stream = pdf.get_object(number, 0)
            if not (isinstance(stream, pikepdf.Stream) and stream.get("/Type") == pikepdf.Name.ObjStm
                    and stream.get("/Filter") == pikepdf.Name.FlateDecode and "/DecodeParms" not in stream):
                break
            compressed = stream.read_raw_bytes()
            found[zlib.decompress(compressed)] = compressed
            number -= 1
    except (pikepdf.PdfError, zlib.error):
        return {}
    if not found:
        return {}
    text, compressed = next(iter(found.items()))  # the last stream, the shortest
    return found if zlib.compress(text, LEVEL) == compressed else {}


def _table(data: bytes) -> tuple[int, list[int]]:
    """Where the classic cross-reference table starts, and each object's offset by number."""
    try:
        table_at = int(data[data.rindex(b"startxref") + 9:].split()[0])
        keyword, counts, entries = data[table_at:].split(b"\n", 2)
        first, count = map(int, counts.split())
        if keyword == b"xref" and first == 0:
            return table_at, [int(entries[20 * number:20 * number + 10]) for number in range(count)]
    except ValueError:
        pass
    raise ValueError("not a PDF QPDF wrote without object streams")
