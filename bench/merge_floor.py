"""What a merge from the last merged PDF (instead of one that copies every page) would cost.

Run on a merged PDF, e.g. ``python bench/merge_floor.py output/booklet.pdf`` after ``planpress
build``, or on the ×16 booklet of ``make bench``'s copy of the project. It measures, best of 3:

- ``order``: whether the bytes QPDF writes depend on the order the merge made the objects: the
  PDF's pages copied into a new PDF in page order and in reverse order (then put back in page
  order), both saved as the merge saves, and both saved without object streams;
- ``resave``: the PDF opened and saved again as the merge saves it (object streams), the least
  an in-place merge would pay (it must read every object to write it);
- ``canonical``: the PDF saved without object streams (objects numbered in the order QPDF walks
  them), opened again and saved with object streams: numbers that no longer depend on the order
  the objects were made, which an in-place merge needs to give the bytes of a cold build.

Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import hashlib
import io
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pikepdf

GENERATE = pikepdf.ObjectStreamMode.generate
PLAIN = pikepdf.ObjectStreamMode.disable


def saved(pdf: pikepdf.Pdf, mode: pikepdf.ObjectStreamMode) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=mode)
    return out.getvalue()


def copied(source: pikepdf.Pdf, order: Iterable[int], mode: pikepdf.ObjectStreamMode = GENERATE) -> bytes:
    """The source's pages copied in ``order``, placed in page order, saved as the merge saves
    (``mode``: with object streams, or without)."""
    base = pikepdf.new()
    copies = {number: base.copy_foreign(source.pages[number].obj) for number in order}
    for number in range(len(source.pages)):
        base.pages.append(pikepdf.Page(copies[number]))
    return saved(base, mode)


def _same(same: bool) -> str:
    return "the same" if same else "different"


def best(step: Callable[[], bytes]) -> tuple[float, bytes]:
    times, data = [], b""
    for _ in range(3):
        start = time.perf_counter()
        data = step()
        times.append(time.perf_counter() - start)
    return min(times), data


def main(path: Path) -> None:
    data = path.read_bytes()
    source = pikepdf.open(io.BytesIO(data))
    count = len(source.pages)
    forward, backward = copied(source, range(count)), copied(source, reversed(range(count)))
    plain_same = copied(source, range(count), PLAIN) == copied(source, reversed(range(count)), PLAIN)
    print(f"{path}: {count} pages, {len(data) / 1024 / 1024:.1f} MiB")
    print(f"order: pages copied forward and backward give {_same(forward == backward)} bytes "
          f"({hashlib.md5(forward).hexdigest()[:8]} / {hashlib.md5(backward).hexdigest()[:8]}); "
          f"without object streams {_same(plain_same)}")
    resave, _ = best(lambda: saved(pikepdf.open(io.BytesIO(data)), GENERATE))
    print(f"resave: open and save with object streams {resave:.3f} s")
    plain, flat = best(lambda: saved(pikepdf.open(io.BytesIO(data)), PLAIN))
    again, _ = best(lambda: saved(pikepdf.open(io.BytesIO(flat)), GENERATE))
    print(f"canonical: save without object streams {plain:.3f} s, open that and save with them {again:.3f} s, "
          f"{plain + again:.3f} s in all")


if __name__ == "__main__":
    for argument in sys.argv[1:] or ["output/booklet.pdf"]:
        main(Path(argument))
