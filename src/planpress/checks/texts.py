"""Every text written in content/, with where it was written and which item it belongs to.

Checks that look at printed characters (glyphs) or printed lines (overflow) use this
to point at the exact file:line:col of a character and name the item it is in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from planpress.errors import ContentError, Location
from planpress.content.model import KINDS, item_code
from planpress.project import Project
from planpress.content.source import load_yaml, where


@dataclass(frozen=True)
class TextSpot:
    """One string value of a content file."""

    text: str
    location: Location
    #: The item it belongs to and the key path inside it: 基本施策04 / commentary.
    item: str
    source: str

    def location_of(self, index: int) -> Location:
        """Where character ``index`` of the text is in the file, if it is written literally.

        Escapes ("\\u3042") and folded lines move characters; then the value's start is used.
        """
        found = self.source.find(self.text[index], self.start, self.start + 4 * len(self.text) + 16)
        return self.location if found < 0 else _location_at(self, found)

    @cached_property
    def start(self) -> int:
        """Where the value starts in the file (found once: each text check asks)."""
        return _offset(self.source, self.location)


#: How much of a comment a warning quotes.
QUOTED = 20


def cut_by_comment(spot: TextSpot) -> tuple[Location, str] | None:
    """Where YAML cut a text short at a ``#``, and what it left out; None if it did not.

    In YAML a ``#`` after a space starts a comment, even in the middle of a sentence:
    ``commentary: 港湾 #1 の整備`` is read as 「港湾」 and the rest never reaches a page, without an
    error. A comment meant as one stands two spaces or more after its value (yamllint's rule, and
    the shipped content's); a ``#`` one space after a plain value (on its last line, for a value
    written over several lines) is taken as a sentence cut short. Quoted values and block values
    (``|``, ``>``) are left alone: there ``#`` is text.
    """
    start = spot.start
    end = spot.source.find("\n", start)
    line = spot.source[start:] if end < 0 else spot.source[start:end]
    if not spot.text or spot.text[0] in "\"'|>[{":
        return None
    if line.startswith(spot.text):
        rest, at = line[len(spot.text):], start + len(spot.text)
    else:
        lines = plain_lines(spot)
        if lines is None or lines[-1].cut is None:
            return None
        at = lines[-1].cut
        line_end = spot.source.find("\n", at)
        rest = spot.source[at:] if line_end < 0 else spot.source[at:line_end]
    if not rest.startswith(" #"):
        return None
    left_out = rest[1:].rstrip()
    shown = left_out if len(left_out) <= QUOTED else left_out[:QUOTED] + "…"
    return _location_at(spot, at + 1), shown


@dataclass(frozen=True)
class ValueLine:
    """One line of a value written over several lines (plain or quoted), as YAML reads it."""

    offset: int  # where its text starts in the file
    text: str
    glue: str  # what YAML put between it and the line before: a space, a line break per empty line, or nothing (an escaped break)
    cut: int | None = None  # where a comment ended the value on this line (the first space after its text)


def plain_lines(spot: TextSpot) -> list[ValueLine] | None:
    """The lines of a plain (unquoted) value written over several lines; None for a value on one
    line, a quoted or block value, or one these lines do not give back exactly."""
    source, text = spot.source, spot.text
    start = spot.start
    end = source.find("\n", start)
    if not text or end < 0 or text[0] in "\"'|>[{" or source[start:end].startswith(text):
        return None
    first = source[start:end].rstrip()
    lines, joined, blank, position = [ValueLine(start, first, "")], first, 0, end + 1
    while len(joined) < len(text) and position < len(source):
        stop = source.find("\n", position)
        stop = len(source) if stop < 0 else stop
        raw = source[position:stop]
        content, at = raw.strip(), position + len(raw) - len(raw.lstrip())
        position = stop + 1
        if not content:
            blank += 1
            continue
        glue, blank = "\n" * blank or " ", 0
        cut = content.find(" #")
        if cut >= 0:  # a comment ends the value here, after the spaces that follow its text
            content = content[:cut].rstrip()
            lines.append(ValueLine(at, content, glue, at + len(content)))
            joined += glue + content
            break
        lines.append(ValueLine(at, content, glue))
        joined += glue + content
    return lines if joined == text else None


def quoted_lines(spot: TextSpot) -> list[ValueLine] | None:
    """The lines of a quoted value ("…" or '…') written over several lines, as YAML joins them;
    None for a value on one line, one not quoted, or one not closed (the loader reports it).

    Inside quotes YAML folds a line break as in a plain value (a space; a line break per empty
    line), except after a backslash in "…" (an escaped break joins the lines without a space).
    """
    source, start = spot.source, spot.start
    quote = source[start:start + 1]
    if quote not in ("\"", "'"):
        return None
    written: list[tuple[int, str]] = []  # each line's offset and text as written
    line_start = position = start + 1
    while True:
        if position >= len(source):
            return None
        char = source[position]
        if char == "\\" and quote == "\"":
            position += 1 if source.startswith("\n", position + 1) else 2  # an escape: \" does not end the value
            continue
        if char == quote and quote == "'" and source.startswith("'", position + 1):
            position += 2  # '' is a quote inside '…'
            continue
        if char in (quote, "\n"):
            written.append((line_start, source[line_start:position]))
            if char == quote:
                break
            line_start = position + 1
        position += 1
    if len(written) < 2:
        return None
    lines: list[ValueLine] = []
    blank, escaped = 0, False
    for index, (offset, raw) in enumerate(written):
        text = raw.strip() if index else raw.rstrip()
        if index and not text:
            blank += 1
            continue
        glue = "" if not index or escaped else "\n" * blank or " "
        escaped = quote == "\"" and (len(text) - len(text.rstrip("\\"))) % 2 == 1
        lines.append(ValueLine(offset + len(raw) - len(raw.lstrip()) if index else offset, text[:-1] if escaped else text, glue))
        blank = 0
    return lines


def folded_space(spot: TextSpot) -> tuple[Location, str] | None:
    """Where YAML joined two lines of a value with a space between two Japanese characters (a
    value continued on the next line, plain or quoted, reads as one line, with a space where the
    line broke), and the characters around it; None if it did not."""
    lines = plain_lines(spot) or quoted_lines(spot) or []
    for before, line in zip(lines, lines[1:]):
        if (line.glue == " " and before.text and line.text and not before.text[-1].isascii()
                and not line.text[0].isascii() and f"{before.text[-1]} {line.text[0]}" in spot.text):
            return _location_at(spot, line.offset), f"{before.text[-6:]} {line.text[:6]}"
    return None


def _location_at(spot: TextSpot, offset: int) -> Location:
    return Location.in_text(spot.location.path, spot.source, offset)


def content_texts(project: Project) -> list[TextSpot]:
    """Every string value in content/**/*.yaml, in file order; unreadable files are skipped

    (the loader reports those).
    """
    spots: list[TextSpot] = []
    for path in content_files(project):
        spots += file_texts(project, path)
    return spots


def content_files(project: Project) -> list[Path]:
    """The files content_texts reads, in its order."""
    return sorted(project.content_dir.rglob("*.yaml"))


def file_texts(project: Project, path: Path) -> list[TextSpot]:
    """Every string value of one content file (none if it cannot be read: the loader reports it)."""
    display = project.display(path)
    try:
        data = load_yaml(path, display)
        source = path.read_text(encoding="utf-8")
    except (ContentError, OSError, UnicodeError):
        return []
    return list(_walk(data, display, source, item="", path="", top=True))


def _walk(data: Any, display: str, source: str, *, item: str, path: str, top: bool = False) -> Iterator[TextSpot]:
    if isinstance(data, CommentedMap):
        label, named_by = ("", None) if top else _label(data)
        for key, value in data.items():
            if label and key != named_by:  # a name or title is reported under the item holding it
                yield from _child(value, data, key, display, source, label, str(key))
            else:
                yield from _child(value, data, key, display, source, item, _join(path, str(key)))
    elif isinstance(data, CommentedSeq):
        for index, value in enumerate(data):
            yield from _child(value, data, index, display, source, item, f"{path}[{index + 1}]")


def _child(value: Any, container: Any, key: Any, display: str, source: str, item: str, path: str) -> Iterator[TextSpot]:
    if isinstance(value, str):
        name = f"{item}: {path}" if item else path
        yield TextSpot(str(value), where(display, container, key), name, source)
    else:
        yield from _walk(value, display, source, item=item, path=path)


def _label(mapping: CommentedMap) -> tuple[str, str | None]:
    """How the office names an item (基本施策04, 用語「…」, its name or title) and the key naming it."""
    kind, number = mapping.get("kind"), mapping.get("number")
    if kind in KINDS and isinstance(number, int):
        return item_code(str(kind), number), None
    for key, shown in (("term", "用語「{}」"), ("name", "「{}」"), ("title", "「{}」")):
        if isinstance(mapping.get(key), str):
            return shown.format(mapping[key]), key
    return "", None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _offset(source: str, location: Location) -> int:
    """Character offset of a 1-based line and column."""
    starts = _line_starts(source)
    if location.line > len(starts):
        raise ValueError(f"line {location.line} is past the end of the text")
    return starts[location.line - 1] + location.col - 1


@lru_cache(maxsize=8)
def _line_starts(source: str) -> list[int]:
    """Where each line of a file's text starts, found once per file (walking the lines to each
    value's took a ×16 booklet's check 7 s: its 6,000 values each walked thousands of lines)."""
    return [0, *(match.end() for match in _NEWLINE.finditer(source))]


_NEWLINE = re.compile("\n")
