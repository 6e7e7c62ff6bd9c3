"""The web edition's typefaces: print's BIZ UD Gothic faces, cut down to the characters the site
shows and carried in the site as WOFF files (OFL-licensed), so every reader sees the print's
letterforms and nothing is fetched from anywhere else.

The faces are cut by HarfBuzz's subsetter (the system's libharfbuzz-subset, which WeasyPrint uses
too, called through cffi), every layout feature kept, and wrapped as WOFF by fontTools: ~0.1 s a
face. fontTools' own subsetter gave the same glyphs, tables and features at 0.3–1 s a face: 1.5–4 s
of a `serve` save that brings a new character (or drops the last of one) into the booklet's and
the report's sites. (Not the uharfbuzz package: fontTools imports it wherever it is installed, in
every build's PDF workers too.) WOFF rather than WOFF2: Brotli takes seconds, for a third fewer
bytes. Each subset is still kept in the cache. A face this computer lacks is left out: the
stylesheet's fallbacks take over.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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
    cutters = (_harfbuzz_version(), memo.versions("fonttools"))
    faces = []  # (family, weight, path, its slot, its key, its cut face kept there or None)
    for family, weight in FACES:
        path = _font_file(family, weight)
        if path is not None:
            slot = memo.Slot(project, f"site-{document}-{family.replace(' ', '')}-{weight}.woff")
            key = memo.fingerprint("site-font", path, "".join(characters), *cutters)
            faces.append((family, weight, path, slot, key, slot.get(key)))
    missing = [path for _, _, path, _, _, kept in faces if kept is None]
    cut: dict[Path, bytes | None] = {}
    if missing:  # at once: HarfBuzz and zlib let go of Python's lock (a save in serve, 8 faces: 0.74 -> 0.4 s)
        with ThreadPoolExecutor(len(missing)) as pool:
            cut = dict(zip(missing, pool.map(lambda path: _subset_or_none(path, characters), missing)))
    files: dict[str, bytes] = {}
    rules = []
    for family, weight, path, slot, key, kept in faces:
        data = kept if kept is not None else cut[path]
        if data is None:
            log.info("フォント「%s」（%d）を切り出せないため、ウェブ版には含めません", family, weight)
            continue
        if kept is None:
            slot.put(key, data)
        name = f"fonts/{hashlib.sha256(data).hexdigest()[:16]}.woff"
        files[name] = data
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; '
                     f'font-display: swap; src: url("../{name}") format("woff"); }}')
    css = "/* BIZ UD faces cut down to the characters of this site (planpress, site/fonts.py). */\n" + "\n".join(rules) + "\n"
    files["assets/fonts.css"] = css.encode("utf-8")
    return files


def _subset_or_none(path: Path, characters: list[str]) -> bytes | None:
    """``_subset``, or None for a font file HarfBuzz cannot read or cut, or without HarfBuzz: the
    face is then left out, as a missing one."""
    try:
        return _subset(path, characters)
    except OSError:
        return None


def _subset(path: Path, characters: list[str]) -> bytes:
    """The face cut down to ``characters`` and the glyphs its layout features reach, as WOFF."""
    ffi, harfbuzz, subset = _harfbuzz()
    blob = harfbuzz.hb_blob_create_from_file_or_fail(os.fsencode(path))
    if blob == ffi.NULL:
        raise OSError(f"{path}: HarfBuzz cannot read it")
    face = harfbuzz.hb_face_create(blob, 0)
    wanted = subset.hb_subset_input_create_or_fail()
    cut = cut_blob = ffi.NULL
    try:
        unicodes = subset.hb_subset_input_unicode_set(wanted)
        for character in characters:
            harfbuzz.hb_set_add(unicodes, ord(character))
        features = subset.hb_subset_input_set(wanted, _LAYOUT_FEATURE_TAGS)
        harfbuzz.hb_set_clear(features)  # it starts as HarfBuzz's default list: cleared and inverted,
        harfbuzz.hb_set_invert(features)  # every feature (vertical forms, proportional widths: what the text may use)
        cut = subset.hb_subset_or_fail(face, wanted)
        if cut == ffi.NULL:
            raise OSError(f"{path}: HarfBuzz cannot cut it")
        cut_blob = harfbuzz.hb_face_reference_blob(cut)
        length = ffi.new("unsigned int *")
        data = ffi.buffer(harfbuzz.hb_blob_get_data(cut_blob, length), length[0])[:]
    finally:
        for destroy, handle in ((harfbuzz.hb_blob_destroy, cut_blob), (harfbuzz.hb_face_destroy, cut),
                                (subset.hb_subset_input_destroy, wanted), (harfbuzz.hb_face_destroy, face),
                                (harfbuzz.hb_blob_destroy, blob)):
            if handle != ffi.NULL:
                destroy(handle)
    # The tables as HarfBuzz wrote them: nothing recomputed (no bounds, no time: the same bytes each time).
    font = TTFont(io.BytesIO(data), recalcBBoxes=False, recalcTimestamp=False)
    if "cmap" not in font:  # HarfBuzz reads anything as a face, a damaged file as one without tables
        raise OSError(f"{path}: HarfBuzz cannot cut it")
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()


#: hb_subset_sets_t's HB_SUBSET_SETS_LAYOUT_FEATURE_TAG (hb-subset.h).
_LAYOUT_FEATURE_TAGS = 6


@functools.cache
def _harfbuzz() -> tuple[Any, Any, Any]:
    """cffi's ABI mode over the system's HarfBuzz and its subsetter (the calls ``_subset`` makes);
    OSError if either library is missing."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("""
        typedef struct hb_blob_t hb_blob_t;
        typedef struct hb_face_t hb_face_t;
        typedef struct hb_set_t hb_set_t;
        typedef struct hb_subset_input_t hb_subset_input_t;
        hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
        const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
        void hb_blob_destroy(hb_blob_t *blob);
        hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
        hb_blob_t *hb_face_reference_blob(hb_face_t *face);
        void hb_face_destroy(hb_face_t *face);
        void hb_set_add(hb_set_t *set, uint32_t codepoint);
        void hb_set_clear(hb_set_t *set);
        void hb_set_invert(hb_set_t *set);
        hb_subset_input_t *hb_subset_input_create_or_fail(void);
        hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
        hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
        hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
        void hb_subset_input_destroy(hb_subset_input_t *input);
        const char *hb_version_string(void);
    """)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def _harfbuzz_version() -> str:
    """The HarfBuzz that cuts the faces (in each face's cache key), or "" without it."""
    try:
        ffi, harfbuzz, _ = _harfbuzz()
    except OSError:
        return ""
    return "harfbuzz " + ffi.string(harfbuzz.hb_version_string()).decode("ascii")


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
