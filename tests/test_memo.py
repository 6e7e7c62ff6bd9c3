"""The cache keys (memo.fingerprint): every value deep in the model is in them, they are the same
in every process, and a digest kept for an object is never that of another value."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from planpress import memo
from planpress.document import Cell, Column, Document, Figure, Paragraph, Photos, PhotoSlot, Section, Table
from planpress.drawing import Drawing, Label, Rect


def _drawing(text: str) -> Drawing:
    shapes = tuple(Rect(i, i, 2.0, 3.0, fill="#123456") for i in range(30))
    return Drawing("chart", 80.0, 40.0, (*shapes, Label(10.0, 20.0, text)), "グラフ")


def _document(label: str = "令和3年度", cell: str = "100,297,503", photo: Path | None = None) -> Document:
    table = Table((Column("項目", 3), Column("金額", 1)),
                  tuple((Cell((f"行{i}",)), Cell((cell if i == 7 else str(i),))) for i in range(20)))
    sections = [Section(f"第{n}章", f"chapter-{n}", (Paragraph("本文" * n), table, Figure((_drawing(label),))))
                for n in range(1, 4)]
    if photo is not None:
        sections.append(Section("写真", "photos", (Photos((PhotoSlot("写真1", photo),)),)))
    return Document("booklet", "総合計画", "市", tuple(sections), keywords=("計画",))


def test_a_changed_value_deep_in_the_model_changes_the_key() -> None:
    base = memo.fingerprint(_document())
    assert memo.fingerprint(_document()) == base  # equal values, other objects: the same key
    # A label inside a drawing inside a figure of a section; a cell of a table's row.
    assert memo.fingerprint(_document(label="令和4年度")) != base
    assert memo.fingerprint(_document(cell="100,297,504")) != base
    document = _document()
    section = document.sections[1]
    figure = section.blocks[2]
    moved = replace(figure.drawings[0], shapes=(*figure.drawings[0].shapes[:-1], replace(figure.drawings[0].shapes[-1], x=10.5)))
    edited = replace(document, sections=(document.sections[0], replace(section, blocks=(*section.blocks[:2], replace(figure, drawings=(moved,)))),
                                         document.sections[2]))
    assert memo.fingerprint(edited) != memo.fingerprint(document)
    # The sections that did not change keep their keys (the Word layout is kept per section).
    assert memo.fingerprint(edited.sections[0]) == memo.fingerprint(document.sections[0])
    assert memo.fingerprint(edited.sections[1]) != memo.fingerprint(document.sections[1])


def test_kinds_and_shapes_of_values_are_told_apart() -> None:
    pairs = [(("a", "b"), ("ab",)), ((1,), ("1",)), ((1.0,), (1,)), ((True,), (1,)), (((),), ()), ((None,), ("None",)),
             ([1, 2], (1, 2)), ({"a": 1}, {"a": 2}), ({"a": 1}, {"b": 1}), ((Column("a", 1),), (Column("a", 2),))]
    for left, right in pairs:
        assert memo.fingerprint(left) != memo.fingerprint(right), (left, right)
    assert memo.fingerprint({"b": 1, "a": 2}) == memo.fingerprint({"a": 2, "b": 1})
    with pytest.raises(TypeError):
        memo.fingerprint(object())


def test_keys_are_the_same_in_another_process() -> None:
    """No hash(), id() or pickle in a key: a fresh interpreter with another hash seed agrees."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from test_memo import _document; "
            "from planpress import memo; print(memo.fingerprint(_document(), {'x', 'y', 'z'}, frozenset({'p', 'q'})))")
    here = memo.fingerprint(_document(), {"x", "y", "z"}, frozenset({"p", "q"}))
    for seed in ("1", "2"):
        found = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], capture_output=True, text=True,
                               check=True, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
        assert found.stdout.strip() == here


def test_a_kept_digest_is_that_of_its_object_only() -> None:
    document = _document()
    first = memo.fingerprint(document)
    assert memo.fingerprint(document) == first  # from the digests kept for its sections
    memo._DIGESTS.clear()
    assert memo.fingerprint(document) == first  # computed again: the same
    other = _document(label="別の値")
    del document
    assert memo.fingerprint(other) != first  # an id freed and reused never brings back a digest


def test_a_value_remembered_by_object_is_that_objects_only() -> None:
    """memo.ByObject (a document's print, an output key, LibreOffice's early run): an equal but
    other object, or another plain part of the key, finds nothing; past its limit the oldest goes."""
    memory = memo.ByObject(2)
    first, equal = _document(), _document()
    assert first == equal
    memory.put("pdf", first, value="a")
    assert memory.get("pdf", first) == "a"
    assert memory.get("pdf", equal) is None and memory.get("docx", first) is None
    assert memory.get("pdf", first, take=True) == "a" and memory.get("pdf", first) is None
    others = [_document(str(n)) for n in range(3)]
    for n, document in enumerate(others):
        memory.put("pdf", document, value=n)
    assert [memory.get("pdf", document) for document in others] == [None, 1, 2]
    memory.clear()
    assert memory.get("pdf", others[2]) is None


def test_a_file_replaced_under_its_name_changes_the_key_of_the_same_object(tmp_path: Path) -> None:
    """A Path's digest is never kept with its object: the photo is read each time the key is made."""
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), "#FF0000").save(photo)
    document = _document(photo=photo)
    before = memo.fingerprint(document)
    Image.new("RGB", (40, 30), "#0000FF").save(photo)
    assert memo.fingerprint(document) != before


def test_a_mutable_value_inside_is_never_kept() -> None:
    @dataclasses.dataclass(frozen=True)
    class Holder:
        items: list[str]
        padding: tuple[str, ...] = tuple("x" * 60)

    holder = Holder(["a"])
    before = memo.fingerprint(holder)
    holder.items.append("b")
    assert memo.fingerprint(holder) != before


def test_an_icon_replaced_under_the_same_name_changes_the_key(tmp_path: Path) -> None:
    """The booklet's SDG icon names its file by a Path, so the file's bytes are in every key made
    from the drawing (the Word section layouts, the PNG shelf, the output files)."""
    from planpress.content.booklet import Goal
    from planpress.documents.booklet.charts import sdg_icon

    icon = tmp_path / "sdg-01.png"
    Image.new("RGB", (8, 8), "red").save(icon)
    goal = Goal(number=1, title="貧困をなくそう", description="あらゆる場所のあらゆる形態の貧困を終わらせる", color="#E5243B")
    section = Section("SDGs", "sdgs", (Figure((sdg_icon(goal, image=icon),)),))
    before = memo.fingerprint(section)
    Image.new("RGB", (8, 8), "blue").save(icon)
    again = Section("SDGs", "sdgs", (Figure((sdg_icon(goal, image=icon),)),))  # the next build's model
    assert memo.fingerprint(again) != before


@pytest.mark.parametrize("damage", [lambda data: data[: len(data) // 2], lambda data: data[:-1] + b"X"],
                         ids=["cut short", "a byte changed"])
def test_a_kept_result_damaged_outside_planpress_is_a_miss(tmp_path: Path, damage) -> None:
    from planpress.project import Project

    project = Project(tmp_path)
    slot, shelf = memo.Slot(project, "booklet.web.pdf"), memo.Shelf(project, "png")
    value = b"%PDF-1.7 " + bytes(range(256)) * 40
    slot.put("k" * 40, value)
    shelf.put("drawing.png", value)
    assert slot.get("k" * 40) == value and shelf.get("drawing.png") == value
    for path in (slot.path, shelf.folder / "drawing.png"):
        path.write_bytes(damage(path.read_bytes()))
    assert slot.get("k" * 40) is None
    assert shelf.get("drawing.png") is None


def test_a_shelf_keeps_its_newest_entries_up_to_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its limit a shelf goes down to a tenth under it, the oldest entries first (not to the
    limit itself: a full shelf was listed again on every write after)."""
    import os

    from planpress.project import Project

    monkeypatch.setattr(memo, "MAX_ENTRIES", 10)
    shelf = memo.Shelf(Project(tmp_path), "png")
    for number in range(11):
        shelf.put(f"{number}.png", bytes([number]))
        os.utime(shelf.folder / f"{number}.png", ns=(number * 10**9, number * 10**9))  # written in this order
    assert sorted(int(path.stem) for path in shelf.folder.iterdir()) == list(range(2, 11))
    assert memo.Shelf(Project(tmp_path), "png").get("10.png") == bytes([10])


def test_a_shelf_keeps_the_entries_builds_use_past_its_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries that every build reads (a Word section that did not change) or asks for (a picture
    kept once) outlive newer ones no build uses any more: reading an entry marks it used."""
    import os

    from planpress.project import Project

    monkeypatch.setattr(memo, "MAX_ENTRIES", 10)
    shelf = memo.Shelf(Project(tmp_path), "docx-layout")
    for number in range(10):
        shelf.put(f"{number}", bytes([number]))
        os.utime(shelf.folder / f"{number}", ns=(number * 10**9, number * 10**9))  # the first, written long ago
    in_use = memo.Shelf(Project(tmp_path), "docx-layout")  # the next build's
    assert in_use.get("0") == bytes([0]) and in_use.has("1") and not in_use.has("new")
    for number in range(10, 13):  # laid out after an edit: the shelf passes its limit
        in_use.put(f"{number}", bytes([number]))
    kept = {path.name for path in shelf.folder.iterdir()}
    assert {"0", "1"} <= kept and len(kept) <= 10
    assert "2" not in kept  # written after them, used by no build since
    assert in_use.get("0") == bytes([0])


def test_a_kept_parse_damaged_outside_planpress_is_parsed_again(tmp_path: Path) -> None:
    """A content file's kept parse (.planpress-cache/yaml/) with a byte changed is read anew,
    never used: a changed byte inside a kept string would print a wrong character."""
    from planpress.content import source

    token = source.KEPT_PARSES.set(tmp_path)
    try:
        source.keep("k1", {"commentary": "港湾機能の強化"})
        source._PARSES.clear()  # as in the next build's process
        assert source.kept("k1") == {"commentary": "港湾機能の強化"}
        source._PARSES.clear()
        entry = tmp_path / "k1"
        data = entry.read_bytes()
        at = data.index("強".encode("utf-8"))
        entry.write_bytes(data[:at] + "弱".encode("utf-8") + data[at + 3:])  # still a valid pickle
        assert source.kept("k1") is None
    finally:
        source.KEPT_PARSES.reset(token)
        source._PARSES.clear()
