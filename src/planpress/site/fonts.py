"""The web edition's typefaces: print's BIZ UD Gothic faces, cut down to the characters the site
shows and carried in the site as WOFF files (OFL-licensed), so every reader sees the print's
letterforms and nothing is fetched from anywhere else.

The faces are cut by HarfBuzz's subsetter (uharfbuzz), every layout feature kept, and wrapped as
WOFF by fontTools: ~0.1 s a face. fontTools' own subsetter gave the same glyphs, tables and
features at 0.3–1 s a face: 1.5–4 s of a `serve` save that brings a new character (or drops the
last of one) into the booklet's and the report's sites. WOFF rather than WOFF2: Brotli takes
seconds, for a third fewer bytes. Each subset is still kept in the cache. A face this computer
lacks is left out: the stylesheet's fallbacks take over.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import subprocess
from pathlib import Path

import uharfbuzz
from fontTools.ttLib import TTFont

from planpress import memo
from planpress.project import Project

log = logging.getLogger(__name__)

#: (family, CSS weight): the proportional face for text, the fixed-width one for tables (as in print).
FACES = (("BIZ UDPGothic", 400), ("BIZ UDPGothic", 700), ("BIZ UDGothic", 400), ("BIZ UDGothic", 700))
#: Kept whatever the pages hold, for what a reader types into the search box.
ALWAYS = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0x3041, 0x3097))) + "".join(map(chr, range(0x30A1, 0x30FD)))


def web_fonts(project: Project, document: str, text: str) -> dict[str, bytes]:
    """fonts/*.woff for the characters of ``text`` and assets/fonts.css declaring them.

    A face's subset is kept in .planpress-cache/ under a key of the font file, the characters and
    HarfBuzz's and fontTools' versions: a rebuild with the same characters does not cut the faces
    again. Each document (``document``: its name) keeps its own: the booklet and the report have other
    characters, and `serve` makes both sites on every save (with one subset a face, each took the
    other's place: all eight faces cut again every time, ~3 s of a save at ×1).
    """
    characters = sorted(set(text) | set(ALWAYS))
    files: dict[str, bytes] = {}
    rules = []
    for family, weight in FACES:
        path = _font_file(family, weight)
        if path is None:
            continue
        slot = memo.Slot(project, f"site-{document}-{family.replace(' ', '')}-{weight}.woff")
        key = memo.fingerprint("site-font", path, "".join(characters), memo.versions("uharfbuzz", "fonttools"))
        data = slot.get(key)
        if data is None:
            try:
                data = _subset(path, characters)
            except (OSError, RuntimeError):  # a font file HarfBuzz cannot read or cut: as if missing
                log.info("フォント「%s」（%d）を切り出せないため、ウェブ版には含めません", family, weight)
                continue
            slot.put(key, data)
        name = f"fonts/{hashlib.sha256(data).hexdigest()[:16]}.woff"
        files[name] = data
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
                     f'font-display: swap; src: url("../{name}") format("woff"); }}')
    css = "/* BIZ UD faces cut down to the characters of this site (planpress, site/fonts.py). */\n" + "\n".join(rules) + "\n"
    files["assets/fonts.css"] = css.encode("utf-8")
    return files


def _subset(path: Path, characters: list[str]) -> bytes:
    """The face cut down to ``characters`` and the glyphs its layout features reach, as WOFF."""
    wanted = uharfbuzz.SubsetInput()
    wanted.unicode_set.update(ord(character) for character in characters)
    features = wanted.sets(uharfbuzz.SubsetInputSets.LAYOUT_FEATURE_TAG)
    features.clear()  # it starts as HarfBuzz's default list: cleared and inverted, every feature
    features.invert()  # (vertical forms, proportional widths: what the text may use)
    cut = uharfbuzz.subset(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path))), wanted)
    # The tables as HarfBuzz wrote them: nothing recomputed (no bounds, no time: the same bytes each time).
    font = TTFont(io.BytesIO(cut.blob.data), recalcBBoxes=False, recalcTimestamp=False)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


def _font_file(family: str, weight: int) -> Path | None:
    """The file fontconfig has for the family at that weight; None if it would give another family or weight."""
    pattern = f"{family}:weight={'bold' if weight >= 700 else 'regular'}"
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{family}\n%{weight}", pattern], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    raw_path, raw_names, raw_weight = (found.split(b"\n") + [b"", b""])[:3]
    names = [name.strip() for name in raw_names.decode("utf-8", errors="replace").split(",")]
    bold = raw_weight.strip().isdigit() and int(raw_weight) >= 200  # fontconfig: 80 regular, 200 bold
    if family not in names or bold != (weight >= 700):
        log.info("フォント「%s」（%d）がないため、ウェブ版には含めません", family, weight)
        return None
    return Path(os.fsdecode(raw_path))
