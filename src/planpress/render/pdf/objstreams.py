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
"""

from __future__ import annotations

import re
import struct
import tempfile
import zlib
from pathlib import Path

import pikepdf

#: Objects an object stream holds (QPDF's number).
PER_STREAM = 100
#: How QPDF ends each object it writes without object streams.
_END = b"\nendobj\n"
#: A row of the cross-reference stream: its kind, then 4 and 2 bytes (/W [ 1 4 2 ]).
_ROW = struct.Struct(">BIH")


def saved(pdf: pikepdf.Pdf, *, min_version: str) -> bytes:
    """``pdf`` as QPDF writes it without object streams (to a file: to a ``BytesIO`` pikepdf hands
    the output over piece by piece, 0.66–0.80 s at ×16 against 0.23–0.29 s), then ``packed``."""
    with tempfile.TemporaryDirectory(prefix="planpress-") as folder:
        path = Path(folder) / "plain.pdf"
        pdf.save(path, deterministic_id=True, min_version=min_version,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
        return packed(path.read_bytes())


def packed(data: bytes) -> bytes:
    """``data`` (a PDF QPDF wrote without object streams: a classic cross-reference table, every
    object of generation 0) with its objects other than streams in object streams of
    PER_STREAM, in number order, and a cross-reference stream; no object is numbered again."""
    table_at, offsets = _table(data)
    count = len(offsets)
    trailer = data[data.index(b"trailer", table_at):]
    kept = re.sub(rb"/Size \d+", b"", trailer[trailer.index(b"<<") + 2:trailer.rindex(b">>")]).strip()
    out = bytearray(data[:data.index(b"\n", data.index(b"\n") + 1) + 1])  # %PDF-x.y and the binary line
    kinds, firsts, seconds = [0], [0], [0xFFFF]  # by number: 1, offset, 0 (a stream) or 2, its object stream, index
    plain: list[bytes] = []
    numbers: list[int] = []
    ends = [*offsets[2:], table_at]
    for number, start in enumerate(offsets[1:], start=1):
        header = b"%d 0 obj\n" % number
        end = ends[number - 1] - len(_END)
        if not (data.startswith(header, start) and data.startswith(_END, end)):
            raise ValueError(f"object {number} is not where the cross-reference table says")
        if data.startswith(b"endstream", end - 9):
            kinds.append(1), firsts.append(len(out)), seconds.append(0)
            out += data[start:end + len(_END)]
        else:
            kinds.append(2), firsts.append(0), seconds.append(0)
            numbers.append(number)
            plain.append(data[start + len(header):end])
    stream_number = count
    for chunk_at in range(0, len(plain), PER_STREAM):
        chunk = plain[chunk_at:chunk_at + PER_STREAM]
        heads, position = [], 0
        for index, (number, body) in enumerate(zip(numbers[chunk_at:chunk_at + PER_STREAM], chunk)):
            heads.append(b"%d %d" % (number, position))
            position += len(body) + 1
            firsts[number], seconds[number] = stream_number, index
        head = b" ".join(heads) + b"\n"
        text = zlib.compress(head + b"\n".join(chunk) + b"\n")
        kinds.append(1), firsts.append(len(out)), seconds.append(0)
        out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                % (stream_number, len(chunk), len(head), len(text)) + text + b"\nendstream\nendobj\n")
        stream_number += 1
    kinds.append(1), firsts.append(len(out)), seconds.append(0)  # the cross-reference stream itself
    table = zlib.compress(b"".join(map(_ROW.pack, kinds, firsts, seconds)))
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Filter /FlateDecode /Length %d %s >>\nstream\n"
            % (stream_number, stream_number + 1, len(table), kept) + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % firsts[-1]
    return bytes(out)


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
