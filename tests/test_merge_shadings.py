"""The merge copies a shading that the batches repeat once (render/pdf/shadings.py), and the
pages draw as before: on PDFs WeasyPrint really made, read back and rendered by poppler."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from weasyprint import HTML

from planpress.render.pdf.shadings import MARK, SharedShadings, mark

#: Striped boxes as the booklet's placeholders draw them: one shading per box, all alike.
PAGE = """<html lang="ja"><style>@page { size: 120mm 80mm; margin: 5mm }
div { height: 12mm; margin: 2mm; border: 1px dashed red;
      background: repeating-linear-gradient(45deg, #fde, #fde 2mm, #fff 2mm, #fff 4mm) }
.other { background: repeating-linear-gradient(45deg, #def, #def 2mm, #fff 2mm, #fff 4mm) }</style>
<div></div><div class="other"></div><div></div><p style="break-before: page">2</p><div></div></html>"""


def _batch(path: Path) -> Path:
    HTML(string=PAGE).write_pdf(path)
    return path


def _merged(batches: list[Path], target: Path, *, share: bool, into: Path | None = None) -> Path:
    """The batches' pages in one PDF, copied as the merge copies them: into a new PDF, or added
    to the merged PDF ``into`` as a merge in place adds them (its own shadings held first)."""
    base = pikepdf.open(into) if into is not None else pikepdf.new()
    shared = SharedShadings(base)
    if into is not None:
        shared.hold(list(base.pages))
    sources = [pikepdf.open(path) for path in batches]
    for source in sources:
        if share:
            shared.take(source, 0, len(source.pages))
        for page in source.pages:
            base.pages.append(pikepdf.Page(base.copy_foreign(page.obj)))
    base.save(target, deterministic_id=True)
    for source in [base, *sources]:
        source.close()
    return target


def _shadings(path: Path) -> list[bytes]:
    with pikepdf.open(path) as pdf:
        return [bytes(o.unparse(resolved=True)) for o in pdf.objects
                if isinstance(o, pikepdf.Dictionary) and "/ShadingType" in o]


def _pixels(path: Path, folder: Path) -> list[bytes]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(folder / "page")], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("*.png"))]


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("shadings")
    return [_batch(folder / f"batch{number}.pdf") for number in range(3)]


def test_a_repeated_shading_is_copied_once_and_draws_the_same(batches: list[Path], tmp_path: Path) -> None:
    apart = _merged(batches, tmp_path / "apart.pdf", share=False)
    shared = _merged(batches, tmp_path / "shared.pdf", share=True)
    assert len(_shadings(apart)) == 3 * 4  # WeasyPrint: one per box, in every batch
    assert sorted(_shadings(shared)) == sorted(set(_shadings(apart)))  # each of the two once
    assert len(set(_shadings(shared))) == 2
    assert _pixels(shared, tmp_path / "shared") == _pixels(apart, tmp_path / "apart")
    assert shared.stat().st_size < apart.stat().st_size


def test_a_shading_that_names_another_object_is_not_shared(tmp_path: Path) -> None:
    """Two shadings with the same text whose functions are other objects: the text does not say
    that they are the same (here they are not), so each keeps its own."""
    paths = []
    for number, colour in enumerate(([1, 0, 0], [0, 0, 1])):
        pdf = pikepdf.new()
        function = pdf.make_indirect(pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 1, 1], C1=colour, N=1))
        shading = pdf.make_indirect(pikepdf.Dictionary(ShadingType=2, ColorSpace=pikepdf.Name.DeviceRGB,
                                                       Coords=[0, 0, 100, 0], Function=function))
        pdf.add_blank_page(page_size=(100, 100))
        pdf.pages[0].obj.Resources = pikepdf.Dictionary(Shading=pikepdf.Dictionary(s0=shading))
        pdf.pages[0].obj.Contents = pdf.make_stream(b"/s0 sh")
        pdf.save(tmp_path / f"{number}.pdf")
        paths.append(tmp_path / f"{number}.pdf")
    merged = _merged(paths, tmp_path / "merged.pdf", share=True)
    with pikepdf.open(merged) as pdf:
        colours = [list(page.obj.Resources.Shading.s0.Function.C1) for page in pdf.pages]
    assert colours == [[1, 0, 0], [0, 0, 1]]


def _image_page(pages: int) -> str:
    """``pages`` pages, each drawing the same image (an icon, as a policy page draws its SDG icons)."""
    import base64
    import io

    from PIL import Image

    icon = Image.new("RGB", (32, 32))
    icon.putdata([((x * 7) % 256, (y * 5) % 256, (x * y) % 256) for y in range(32) for x in range(32)])
    data = io.BytesIO()
    icon.save(data, "PNG")
    img = f'<img src="data:image/png;base64,{base64.b64encode(data.getvalue()).decode()}" style="width: 20mm">'
    return ('<html lang="ja"><style>@page { size: 80mm 60mm; margin: 5mm }</style>'
            + '<p style="break-before: page">'.join([img] * pages) + "</html>")


def _images(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return sum(1 for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.stream_dict.get("/Subtype") == "/Image")


def test_an_image_drawn_in_several_batches_is_copied_once(tmp_path: Path) -> None:
    """Two pages drawing one icon: laid out together, one image; laid out apart (a section laid
    out alone after an edit), the merge still copies it once, and the pages draw as they did."""
    together = tmp_path / "together.pdf"
    HTML(string=_image_page(2)).write_pdf(together)
    apart = [tmp_path / "first.pdf", tmp_path / "second.pdf"]
    for path in apart:
        HTML(string=_image_page(1)).write_pdf(path)
    assert _images(_merged([together], tmp_path / "cold.pdf", share=True)) == 1
    unshared = _merged(apart, tmp_path / "unshared.pdf", share=False)
    assert _images(unshared) == 2
    shared = _merged(apart, tmp_path / "edited.pdf", share=True)
    assert _images(shared) == 1
    assert _pixels(shared, tmp_path / "shared") == _pixels(unshared, tmp_path / "unshared")
    assert shared.stat().st_size < unshared.stat().st_size


def test_a_marked_batch_merges_as_an_unmarked_one(batches: list[Path], tmp_path: Path) -> None:
    """The worker marks each shading with its text's digest (shadings.mark) so that the merge
    need not write the text out: the merge shares the same shadings, and the mark is not in the
    merged PDF."""
    marked = []
    for number, path in enumerate(batches):
        with pikepdf.open(path) as pdf:
            mark(pdf)
            pdf.save(tmp_path / f"marked{number}.pdf")
        marked.append(tmp_path / f"marked{number}.pdf")
    with pikepdf.open(marked[0]) as pdf:
        assert all(MARK in o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/ShadingType" in o)
    plain = _merged(batches, tmp_path / "plain.pdf", share=True)
    from_marked = _merged(marked, tmp_path / "from-marked.pdf", share=True)
    assert sorted(_shadings(from_marked)) == sorted(_shadings(plain))
    with pikepdf.open(from_marked) as pdf:
        assert not any(MARK in o for o in pdf.objects if isinstance(o, pikepdf.Dictionary))


def test_a_merged_pdfs_shadings_are_shared_with_a_batchs(batches: list[Path], tmp_path: Path) -> None:
    """A build after an edit merges the other sections from the last merged PDF, whose shadings
    carry no mark, and the edited one from its batch, whose shadings do: each shading once still."""
    with pikepdf.open(batches[0]) as pdf:
        mark(pdf)
        pdf.save(tmp_path / "marked.pdf")
    last_merged = _merged([batches[1]], tmp_path / "last-merged.pdf", share=True)
    mixed = _merged([last_merged, tmp_path / "marked.pdf"], tmp_path / "mixed.pdf", share=True)
    assert len(_shadings(mixed)) == 2
    assert sorted(_shadings(mixed)) == sorted(_shadings(_merged(batches[:2], tmp_path / "plain.pdf", share=True)))


def test_a_merge_in_place_shares_the_merged_pdfs_shadings_and_images(batches: list[Path], tmp_path: Path) -> None:
    """A merge in place (merge._in_place) keeps the last merged PDF's pages where they are and adds
    the edited section's: that section's shadings and images point at the merged PDF's, as they
    would at the first copies in a merge of every batch; no mark is left in the merged PDF."""
    with pikepdf.open(batches[0]) as pdf:
        mark(pdf)
        pdf.save(tmp_path / "marked.pdf")
    last_merged = _merged([batches[1]], tmp_path / "last-merged.pdf", share=True)
    into = _merged([tmp_path / "marked.pdf"], tmp_path / "into.pdf", share=True, into=last_merged)
    assert sorted(_shadings(into)) == sorted(_shadings(_merged(batches[:2], tmp_path / "plain.pdf", share=True)))
    with pikepdf.open(into) as pdf:
        assert not any(MARK in o for o in pdf.objects if isinstance(o, pikepdf.Dictionary))
    icons = [tmp_path / "first.pdf", tmp_path / "second.pdf"]
    for path in icons:
        HTML(string=_image_page(1)).write_pdf(path)
    assert _images(_merged(icons[1:], tmp_path / "both.pdf", share=True,
                           into=_merged(icons[:1], tmp_path / "icons.pdf", share=True))) == 1
