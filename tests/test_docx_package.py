"""The Word booklet's package as planpress writes it without python-docx's own bookkeeping
(render/docx_parts.py: pictures, relationships, part names; wordxml.package_bytes): every
relationship has the type its target calls for, every rId the text uses exists, pictures are
stored and everything else deflated."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

_TYPES = {"header": "header", "footer": "footer", "media": "image"}
_REL = re.compile(r'<Relationship Id="(rId\d+)" Type="[^"]*/([A-Za-z]+)" Target="([^"]+)"')


def test_every_relationship_has_its_targets_type(built: Path) -> None:
    with zipfile.ZipFile(built / "output" / "booklet.docx") as package:
        relations = _REL.findall(package.read("word/_rels/document.xml.rels").decode("utf-8"))
        document = package.read("word/document.xml").decode("utf-8")
        names = set(package.namelist())
        infos = package.infolist()
    assert len({rid for rid, _, _ in relations}) == len(relations)
    kinds: dict[str, int] = {}
    for rid, kind, target in relations:
        folder = re.sub(r"\d*\.\w+$", "", target).split("/")[0]
        if folder in _TYPES:
            assert kind == _TYPES[folder], (rid, kind, target)
            kinds[kind] = kinds.get(kind, 0) + 1
        assert posixpath.normpath(f"word/{target}") in names, target
    assert kinds.get("header", 0) >= 48 and kinds.get("image", 0) >= 20  # a header per policy page, the drawings
    used = set(re.findall(r'r:(?:embed|id)="(rId\d+)"', document))
    assert used and used <= {rid for rid, _, _ in relations}
    for info in infos:
        stored = info.compress_type == zipfile.ZIP_STORED
        assert stored == info.filename.endswith((".png", ".jpeg", ".jpg")), info.filename
