"""The web edition's typefaces: print's BIZ UD Gothic faces, cut down to the characters the site
shows and carried in the site as WOFF files (OFL-licensed), so every reader sees the print's
letterforms and nothing is fetched from anywhere else.

WOFF rather than WOFF2: a subset compresses in about 0.1 s instead of 4 s (Brotli), at a third more
bytes; cutting the four faces still takes about 3 s, so each subset is kept in the cache. A face this computer lacks is left out: the stylesheet's fallbacks take over.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import subprocess
from pathlib import Path

from fontTools import subset

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
    fontTools' version: a rebuild whose text uses no new character does not cut the faces again.
    Each document (``document``: its name) keeps its own: the booklet and the report have other
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
        key = memo.fingerprint("site-font", path, "".join(characters), memo.versions("fonttools"))
        data = slot.get(key)
        if data is None:
            data = _subset(path, characters)
            slot.put(key, data)
        name = f"fonts/{hashlib.sha256(data).hexdigest()[:16]}.woff"
        files[name] = data
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
                     f'font-display: swap; src: url("../{name}") format("woff"); }}')
    css = "/* BIZ UD faces cut down to the characters of this site (planpress, site/fonts.py). */\n" + "\n".join(rules) + "\n"
    files["assets/fonts.css"] = css.encode("utf-8")
    return files


def _subset(path: Path, characters: list[str]) -> bytes:
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]  # vertical forms, proportional widths: what the text may use
    options.drop_tables += ["meta"]  # font metadata fontTools cannot cut (it would say so in English)
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters])
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
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
