"""What object streams packed by planpress itself, after QPDF, would cost (a prototype).

QPDF numbers the objects of a PDF written without object streams in the order it walks them,
whatever order they were made in; with object streams it numbers each stream's objects by their
numbers in memory, that is by the order they were made (bench/merge_floor.py). Packing the
objects into object streams afterwards, keeping every number, gives bytes that do not depend on
the order a merge made its objects: what a merge in place, or one begun before the layouts end,
needs to give a cold build's bytes.

Run on a merged PDF, e.g. ``python bench/pack_floor.py output/booklet.pdf``. It measures, best of 3:
QPDF's save without object streams to a file and to a ``BytesIO``, QPDF's save as the merge saves
(object streams), and the packing below; it writes nothing but prints the sizes, and whether the
packed file opens again with the same pages.

Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import io
import re
import sys
import tempfile
import zlib
from pathlib import Path

import pikepdf

from merge_floor import GENERATE, PLAIN, best, saved  # run as bench/pack_floor.py: bench/ is on the path

#: Objects an object stream holds (QPDF's number).
PER_STREAM = 100
_HEADER = re.compile(rb"(\d+) 0 obj\n")


def packed(data: bytes) -> bytes:
    """``data`` (a PDF QPDF wrote without object streams: a classic cross-reference table, every
    object of generation 0) with its objects other than streams in object streams of
    PER_STREAM, in number order, and a cross-reference stream; no object is numbered again."""
    table_at = int(data[data.rindex(b"startxref") + 9:].split()[0])
    _, counts, entries = data[table_at:].split(b"\n", 2)
    count = int(counts.split()[1])
    offsets = [int(entries[20 * number:20 * number + 10]) for number in range(count)]
    trailer = data[data.index(b"trailer", table_at):]
    kept = re.sub(rb"/Size \d+", b"", trailer[trailer.index(b"<<") + 2:trailer.rindex(b">>")]).strip()
    plain: list[tuple[int, bytes]] = []
    out = io.BytesIO()
    out.write(data[:data.index(b"\n", data.index(b"\n") + 1) + 1])  # %PDF-x.y and the binary line
    where: dict[int, tuple[int, int, int]] = {}  # number -> (1, offset, 0) or (2, stream, index)
    for number, (start, end) in enumerate(zip(offsets[1:], [*offsets[2:], table_at]), start=1):
        body_at = _HEADER.match(data, start).end()  # type: ignore[union-attr]
        body_end = data.rindex(b"endobj", body_at, end)
        body = data[body_at:body_end].rstrip(b"\n")
        if body.endswith(b"endstream"):
            where[number] = (1, out.tell(), 0)
            out.write(data[start:body_end + 6] + b"\n")
        else:
            plain.append((number, body))
    stream_number = count
    for first in range(0, len(plain), PER_STREAM):
        chunk = plain[first:first + PER_STREAM]
        heads, position = [], 0
        for index, (number, body) in enumerate(chunk):
            heads.append(b"%d %d" % (number, position))
            position += len(body) + 1
            where[number] = (2, stream_number, index)
        head = b" ".join(heads) + b"\n"
        text = zlib.compress(head + b"\n".join(body for _, body in chunk) + b"\n")
        where[stream_number] = (1, out.tell(), 0)
        out.write(b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                  % (stream_number, len(chunk), len(head), len(text)) + text + b"\nendstream\nendobj\n")
        stream_number += 1
    where[stream_number] = (1, out.tell(), 0)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"] + [
        bytes([kind]) + first.to_bytes(4, "big") + second.to_bytes(2, "big")
        for kind, first, second in (where[number] for number in range(1, stream_number + 1))]
    table = zlib.compress(b"".join(rows))
    out.write(b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Filter /FlateDecode /Length %d %s >>\nstream\n"
              % (stream_number, stream_number + 1, len(table), kept) + table + b"\nendstream\nendobj\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % where[stream_number][1])
    return out.getvalue()


def main(path: Path) -> None:
    pdf = pikepdf.open(path)
    saved(pdf, PLAIN)  # every object read once, before the timings
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "plain.pdf"

        def to_file() -> bytes:
            pdf.save(target, deterministic_id=True, object_stream_mode=PLAIN)
            return b""

        on_disk, _ = best(to_file)
    in_memory, plain = best(lambda: saved(pdf, PLAIN))
    generate, streamed = best(lambda: saved(pdf, GENERATE))
    packing, ours = best(lambda: packed(plain))
    again = pikepdf.open(io.BytesIO(ours))
    print(f"{path}: {len(pdf.pages)} pages, {len(pdf.objects)} objects")
    print(f"  QPDF without object streams: {on_disk:.3f} s to a file, {in_memory:.3f} s to a BytesIO, {len(plain):,} bytes")
    print(f"  QPDF with object streams (as the merge saves): {generate:.3f} s, {len(streamed):,} bytes")
    print(f"  packed here: {packing:.3f} s, {len(ours):,} bytes; opens again: {len(again.pages)} pages")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
