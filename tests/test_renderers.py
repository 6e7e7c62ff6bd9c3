"""Both renderers know every block kind; builds are repeatable byte for byte."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, run_cli
from planpress.document import BLOCK_KINDS, Block
from planpress.render.docx import HANDLERS


def test_every_block_kind_has_a_template_and_a_word_handler() -> None:
    kinds = {cls.kind for cls in BLOCK_KINDS}
    templates = {path.stem for path in (REPO / "layouts" / "blocks").glob("*.html")}
    assert kinds == templates
    assert set(HANDLERS) == set(BLOCK_KINDS)


def test_every_block_class_is_registered() -> None:
    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(sub) for sub in found)) if found else found

    assert subclasses(Block) == set(BLOCK_KINDS)


def test_building_twice_gives_the_same_bytes(project: Path) -> None:
    outputs = {}
    for attempt in range(2):
        result = run_cli(project, "build", "evaluation-2021", env={"SOURCE_DATE_EPOCH": "1700000000"})
        assert result.returncode == 0, result.stderr
        outputs[attempt] = {p.name: p.read_bytes() for p in (project / "output").iterdir()}
    assert outputs[0].keys() == {"evaluation-2021.pdf", "evaluation-2021.docx"}
    assert outputs[0] == outputs[1]
