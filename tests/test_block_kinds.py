"""Every block kind of the document model is known to both renderers: a template and a DOCX handler."""

from __future__ import annotations

from conftest import REPO

from planpress.document import BLOCK_KINDS, Block
from planpress.render.docx import HANDLERS


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_block_kind_is_registered() -> None:
    assert set(BLOCK_KINDS) == _all_subclasses(Block)


def test_every_block_kind_has_a_template_and_a_docx_handler() -> None:
    for kind in BLOCK_KINDS:
        assert kind.kind, kind
        assert (REPO / "layouts" / "blocks" / f"{kind.kind}.html").is_file(), f"layouts/blocks/{kind.kind}.html"
        assert kind in HANDLERS, f"no DOCX handler for {kind.__name__}"
