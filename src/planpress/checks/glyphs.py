"""Every printed character must exist in every font the layouts name.

Without this check WeasyPrint silently takes the character from some other installed
font (a different design on the page) or prints an empty box, and Word on a
department's PC does the same.

The same walk over each file's texts finds a sentence YAML cut short at a ``#``
(checks/texts.py ``cut_by_comment``): a warning, as the rest of the line is never printed; a value
continued on the next line (plain or quoted), which YAML joins with a space between two Japanese characters
(``folded_space``); and a paragraph typed with a full-width space at its start, which the layouts'
own indent doubles.

What a file's texts lack depends on its bytes, the fonts and planpress's code only: a build keeps
each file's findings (.planpress-cache/results/glyphs.pickle) under a key of those, so after an
edit only the changed file's texts are walked again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import subprocess
from array import array
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

from planpress import design, memo
from planpress.cache import CACHE_DIR
from planpress.checks.texts import TextSpot, content_files, cut_by_comment, file_texts, folded_space
from planpress.errors import Location, PlanpressError, Problem, Problems
from planpress.content.fields import refused
from planpress.memo import write_quietly
from planpress.project import Project

_FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)")
_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "inherit", "initial"}
#: Characters that are layout rather than glyphs: line breaks and tabs; and those that print as
#: nothing (text pasted from a web page brings them): zero-width spaces and joiners, the byte order
#: mark, and the variation selectors that choose a glyph of the character before them (辻󠄀: the
#: BIZ UD fonts map such pairs, and HarfBuzz falls back to the plain character where one does not).
_NOT_PRINTED = set("\n\r\t\u200b\u200c\u200d\u2060\ufeff") | {chr(code) for code in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))}
_NOT_PRINTED_CODES = {ord(char) for char in _NOT_PRINTED}


@dataclass(frozen=True)
class Font:
    """A font family the layouts use and the characters its file has."""

    family: str
    path: Path
    characters: frozenset[int]
    #: The font file's path, size and time (what its characters are kept under)
    identity: str = ""


def check_glyphs(project: Project, problems: Problems, *, keep: bool = False) -> None:
    """Report each character of the content that a layout font lacks, where it is written
    (``keep``: the fonts' character tables and each file's findings are kept in the project's cache)."""
    fonts = layout_fonts(project, problems, keep=keep)
    frame = memo.fingerprint("glyphs", memo.code(), memo.versions("ruamel.yaml", "fonttools"),
                             [(font.family, font.identity) for font in fonts])
    slot = memo.Slot(project, "glyphs.pickle")
    kept = slot.get_object(frame)
    kept = kept if isinstance(kept, dict) else {}
    fresh: dict[str, list[Problem]] = {}
    for path in content_files(project):
        key = memo.fingerprint(project.display(path), memo.file_digest(path))
        found = kept.get(key)
        if found is None:
            file_problems = Problems()
            for spot in file_texts(project, path):
                _check_text(spot, fonts, file_problems)
                _check_fold(spot, file_problems)
                _check_cut(spot, file_problems)
                _check_indent(spot, file_problems)
            found = file_problems.items
        fresh[key] = found
        problems.extend(found)
    if keep and fresh != kept:
        slot.put_object(frame, fresh)


def _check_text(spot: TextSpot, fonts: list[Font], problems: Problems) -> None:
    for index, message in missing_glyphs(spot.text, fonts):
        problems.error(spot.location_of(index), f"{spot.item}: {message}")


def _check_cut(spot: TextSpot, problems: Problems) -> None:
    cut = cut_by_comment(spot)
    if cut is not None:
        location, left_out = cut
        problems.warning(location, f"{spot.item}: 「#」の前が半角スペース1つのため、「{left_out}」は YAML のコメントとして"
                                   "読み飛ばされ、印刷されません（文の一部なら値全体を \"…\" で囲んでください。"
                                   "コメントなら「#」の前を2文字以上空けてください）")


def _check_fold(spot: TextSpot, problems: Problems) -> None:
    found = folded_space(spot)
    if found is not None:
        location, joined = found
        problems.warning(location, f"{spot.item}: 値が次の行に続いているため、YAML は行の継ぎ目を半角スペースにして読み、"
                                   f"「{joined}」のように空白が入って印刷されます（1行に続けて書いてください）")


def _check_indent(spot: TextSpot, problems: Problems) -> None:
    """A paragraph typed with a full-width space at its start, as on paper: the layouts indent
    body paragraphs themselves (text-indent), so it would print indented twice."""
    found = _INDENTED.search(spot.text)
    if found is not None:
        problems.warning(spot.location_of(found.start()), f"{spot.item}: 文頭に全角スペースがあります。段落の字下げはレイアウトが"
                                                          "付けるため、印刷では二重に下がります（表の中では空白になります）。削除してください")


#: A full-width space at the start of a paragraph (a line of the text).
_INDENTED = re.compile("^\u3000", re.MULTILINE)


def missing_glyphs(text: str, fonts: list[Font]) -> list[tuple[int, str]]:
    """(index, message) for the first place of each character a font lacks (collect uses it too)."""
    used = {ord(char) for char in set(text)} - _NOT_PRINTED_CODES
    if all(used <= font.characters for font in fonts):
        return []  # the common case, without a look at each character
    found: list[tuple[int, str]] = []
    reported: set[str] = set()
    for index, char in enumerate(text):
        if char in reported or char in _NOT_PRINTED or refused(char):
            continue
        missing = [font.family for font in fonts if ord(char) not in font.characters]
        if missing:
            reported.add(char)
            found.append((index, f"文字「{char}」（U+{ord(char):04X}）はフォント「{'」「'.join(missing)}」にありません"
                                 "（別の書体や空白の四角で印刷されます。別の文字に置き換えてください）"))
    return found


def layout_fonts(project: Project, problems: Problems | None = None, *, keep: bool = False) -> list[Font]:
    """The first family of every font-family declaration in layouts/*.css, in order.

    A family this computer does not have is reported where the layout names it (or
    raised, without ``problems``): WeasyPrint would silently use another font.
    """
    fonts: list[Font] = []
    seen: set[str] = set()
    for css in sorted(project.layouts_dir.glob("*.css")):
        text = css.read_text(encoding="utf-8")
        for match in _FONT_FAMILY.finditer(text):
            family = design.resolve_font(match.group(1)).split(",")[0].strip().strip("\"'")
            if family.lower() in _GENERIC or family in seen:
                continue
            seen.add(family)
            try:
                fonts.append(_font(family, project.root / CACHE_DIR / "fonts", keep))
            except PlanpressError as error:
                if problems is None:
                    raise
                problems.error(Location.in_text(project.display(css), text, match.start(1)), error.message)
    return fonts


@functools.cache
def _font(family: str, kept: Path, keep: bool) -> Font:
    path = _font_file(family)
    try:
        stat = path.stat()
        return Font(family, path, _characters(path, kept, keep), f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    except (OSError, TTLibError) as error:
        raise PlanpressError(f"フォント「{family}」のファイル {path} を読めません（{error}）") from None


def _characters(path: Path, kept: Path, keep: bool) -> frozenset[int]:
    """The characters a font file maps, read once per file (a CJK font's table takes fontTools a
    few tenths of a second) and kept in ``kept`` (if ``keep``) under the file's name, size and time."""
    stat = path.stat()
    entry = kept / hashlib.sha256(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:32]
    try:
        kept_characters = memo.checked(entry.read_bytes())  # None if damaged outside planpress: read again
        if kept_characters is not None:
            return frozenset(array("I", kept_characters))
    except (OSError, ValueError):
        pass
    with TTFont(path, lazy=True, fontNumber=0) as font:
        characters = frozenset(font.getBestCmap() or {})
    if keep:
        write_quietly(entry, memo.sealed(array("I", sorted(characters)).tobytes()))
    return characters


def _font_file(family: str) -> Path:
    """The file fontconfig gives for ``family``; it must be that family, not a fallback."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n%{family}", family], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        raise PlanpressError("fc-match を実行できません（fontconfig を入れてください）") from None
    # Bytes, whatever the locale (LANG=C): the path as the file system names it, the names in UTF-8.
    raw_path, _, raw_names = found.partition(b"\n")
    path, names = os.fsdecode(raw_path), raw_names.decode("utf-8", errors="replace")
    if family not in [name.strip() for name in names.split(",")]:
        raise PlanpressError(
            f"フォント「{family}」がこのコンピューターにありません（README の Quick start のパッケージを入れるか、別のフォントを指定してください）"
        )
    return Path(path)
