"""The merged PDF's object streams packed by planpress (render/pdf/objstreams.py): bytes that follow
the objects alone, not the order they were made, in a file pikepdf and poppler read as QPDF's own."""

from __future__ import annotations

import contextlib
import io
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pikepdf
import pytest
from weasyprint import HTML

from conftest import pdf_pages
from planpress.render.pdf import objstreams

#: Five pages of Japanese text with a link, a heading (bookmark) and a gradient: fonts, shadings,
#: annotations, a structure tree (pdf_variant pdf/ua-1), enough objects for several streams.
PAGES = "".join(f'<h1 id="s{n}">第{n}章</h1><p>{"基本施策の評価と今後の方向性。" * 40}<a href="#s{(n + 1) % 5}">次へ</a></p>'
                '<div style="height: 8mm; background: linear-gradient(#fde, #def)"></div>'
                '<p style="break-after: page"></p>' for n in range(5))
HTML_TEXT = f'<html lang="ja"><head><title>試験</title></head><body style="font-family: BIZ UDGothic">{PAGES}</body></html>'


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("objstreams") / "source.pdf"
    HTML(string=HTML_TEXT).write_pdf(path, pdf_variant="pdf/ua-1")
    return path


def _copied(source: Path, order: Iterable[int], save: str) -> bytes:
    """The source's pages copied in ``order`` into a new PDF, placed in page order, saved by QPDF
    with object streams (``qpdf``) or as the merge saves (``packed``)."""
    with pikepdf.open(source) as pdf:
        base = pikepdf.new()
        copies = {number: base.copy_foreign(pdf.pages[number].obj) for number in order}
        for number in range(len(pdf.pages)):
            base.pages.append(pikepdf.Page(copies[number]))
        base.Root.Lang = pikepdf.String("ja")
        if save == "packed":
            return objstreams.saved(base, min_version="1.7")
        target = source.parent / "qpdf.pdf"
        base.save(target, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return target.read_bytes()


def test_the_bytes_do_not_depend_on_the_order_objects_were_made(source: Path) -> None:
    """QPDF's own object streams number their objects in the order they were made (the pages
    copied backward give other bytes); packed after QPDF's plain save, the same bytes."""
    count = len(pikepdf.open(source).pages)
    assert count >= 5
    forward, backward = range(count), reversed(range(count))
    assert _copied(source, forward, "qpdf") != _copied(source, backward, "qpdf")  # why the module exists
    assert _copied(source, forward, "packed") == _copied(source, reversed(range(count)), "packed")


def test_a_packed_pdf_reads_as_qpdfs_own(source: Path, tmp_path: Path) -> None:
    """The packed file: in object streams and a cross-reference stream, no syntax problem for
    QPDF, the same objects, pages and text for pikepdf and poppler as QPDF's save with object
    streams, its annotations intact."""
    packed, qpdf = tmp_path / "packed.pdf", tmp_path / "qpdf.pdf"
    packed.write_bytes(_copied(source, range(5), "packed"))
    qpdf.write_bytes(_copied(source, range(5), "qpdf"))
    assert b"/Type /ObjStm" in packed.read_bytes() and b"/Type /XRef" in packed.read_bytes()
    with pikepdf.open(packed) as ours, pikepdf.open(qpdf) as theirs:
        assert ours.check_pdf_syntax() == []
        assert len(ours.objects) == len(theirs.objects) and len(ours.pages) == len(theirs.pages) == 5
        assert [len(page.obj.get("/Annots", [])) for page in ours.pages] == [1] * 5
        for mine, other in zip(ours.pages, theirs.pages):
            assert mine.obj.Contents.read_bytes() == other.obj.Contents.read_bytes()
    info = subprocess.run(["pdfinfo", str(packed)], capture_output=True, text=True, check=True)
    assert "Pages:           5" in info.stdout and info.stderr == ""
    assert pdf_pages(packed) == pdf_pages(qpdf) and "基本施策の評価" in pdf_pages(packed)[0]


def test_a_pdf_not_written_by_qpdf_without_object_streams_is_refused(source: Path) -> None:
    with pytest.raises(ValueError, match="without object streams"):
        objstreams.packed(_copied(source, range(5), "qpdf"))


def _booklet(source: Path, *, level: int | None = None) -> bytes:
    """Eight copies of the source's pages in one PDF with a file identifier (as a merge copies a
    batch's), saved as the merge saves: several object streams; ``level``: theirs, for another
    zlib's."""
    with contextlib.ExitStack() as stack:
        base = pikepdf.new()
        for _ in range(8):
            pdf = stack.enter_context(pikepdf.open(source))
            for page in pdf.pages:
                base.pages.append(pikepdf.Page(base.copy_foreign(page.obj)))
        base.trailer.ID = pikepdf.Array([pikepdf.String(b"booklet"), pikepdf.String(b"booklet")])
        if level is None:
            return objstreams.saved(base, min_version="1.7")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(objstreams, "LEVEL", level)
            return objstreams.saved(base, min_version="1.7")


def _object_streams(data: bytes) -> dict[bytes, bytes]:
    """A packed file's object streams as read back by pikepdf: their text and their bytes."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {stream.read_bytes(): stream.read_raw_bytes() for stream in pdf.objects
                if isinstance(stream, pikepdf.Stream) and stream.get("/Type") == pikepdf.Name.ObjStm}


def _resaved(data: bytes, *, last: bool) -> bytes:
    """The packed file ``data`` opened, its catalog's /Lang changed (an object of its first object
    stream), and saved as the merge saves, or packed without the streams of ``data`` to take."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.Lang = pikepdf.String("ja-JP")
        if last:
            return objstreams.saved(pdf, min_version="1.7")
        plain = io.BytesIO()
        pdf.save(plain, static_id=True, min_version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.disable)
        return objstreams.packed(plain.getvalue())


def test_a_save_takes_the_object_streams_of_the_pdf_it_was_read_from_as_they_are(source: Path) -> None:
    """A merge in place saves a PDF read from the last merged one: the object streams whose text
    did not change are taken from there (_last_streams), the others compressed; the bytes are
    those of a save that compresses every stream."""
    first = _booklet(source)
    streams = _object_streams(first)
    assert len(streams) >= 3
    with pikepdf.open(io.BytesIO(first)) as pdf:
        assert objstreams._last_streams(pdf) == streams
    again = _resaved(first, last=True)
    assert again == _resaved(first, last=False)
    kept = _object_streams(again)
    assert len(kept) == len(streams) and len(kept.keys() & streams.keys()) == len(streams) - 1
    assert all(kept[text] == streams[text] for text in kept.keys() & streams.keys())
    with pikepdf.open(io.BytesIO(again)) as pdf:
        assert pdf.check_pdf_syntax() == [] and str(pdf.Root.Lang) == "ja-JP" and len(pdf.pages) == 40


def test_object_streams_another_zlib_wrote_are_compressed_again(source: Path) -> None:
    """Streams whose text zlib here compresses to other bytes (another zlib, here another level)
    are not taken: the save gives the bytes it gives from streams this zlib wrote."""
    ours, other = _booklet(source), _booklet(source, level=1)
    assert other != ours and _object_streams(other).keys() == _object_streams(ours).keys()
    with pikepdf.open(io.BytesIO(other)) as pdf:
        assert objstreams._last_streams(pdf) == {}
    assert _resaved(other, last=True) == _resaved(ours, last=True)


def test_the_file_identifier_follows_what_the_file_holds(source: Path) -> None:
    """/ID: its first part the PDF's own (the merge copies a batch's), its second a digest of the
    file, not QPDF's fixed one (which planpress asks it for): another content, another digest."""
    identifiers = []
    for data in (_booklet(source), _resaved(_booklet(source), last=True)):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            first, second = (bytes(part) for part in pdf.trailer.ID)
        assert first == b"booklet" and len(second) == 16 and second.hex() != "31415926535897932384626433832795"
        identifiers.append(second)
    assert identifiers[0] != identifiers[1]
