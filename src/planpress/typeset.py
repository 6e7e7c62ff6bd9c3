"""Japanese line-composition rules for running text, as runs the templates wrap in spans.

WeasyPrint breaks lines by UAX #14, which keeps 、。」） off the start of a line but allows a
break between a number and its counter (17万|人), before a ※ mark (用語|※) and before the last
character of a paragraph (…の実|現). JLREQ asks for none of these. ``runs`` cuts a text into
segments: a segment that must not break (``nobr``) holds the number with its unit, the ※ mark
with the end of its term, and the last two characters of the text; half-width Latin letters and
digits are marked (``latin``) so that body text sets them in a proportional face.

Brackets and the comma and full stop take a full em, half of it blank. Where two of them meet,
JLREQ (3.1.4) sets the pair closer by half an em: 」、「 takes two ems, not three. The first mark of
such a pair is marked ``tight`` (the half em after it is taken away, print.css), and a closing mark
followed by an opening bracket is kept on one line, so that a taken half em never ends a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words before a number that belong to it (和暦, ordinals, the ▲ of a negative figure).
_PREFIX = "令和|平成|昭和|第|▲|約|全"
#: Units and counters after a number; 万/億/千 may come first (17万人).
_COUNTERS = (
    "年度|年|か年|か月|ヶ月|月|日|時間|分|項目|人|件|回|歳|世帯|戸|円|倍|ポイント|校|箇所|か所|"
    "次|位|割|点|期|号|条|社|台|団体|地区|施設|km|ha|t[-−]CO2|％|%"
)
_NUMBER = re.compile(
    rf"(?:{_PREFIX})?[0-9０-９]+(?:[,，][0-9０-９]{{3}})*(?:[.．][0-9０-９]+)?(?:[万億千](?:{_COUNTERS})?|(?:{_COUNTERS}))?"
)
#: A ※ mark stays with the character before it (the end of its term or its closing bracket).
_MARK = re.compile(r".※")
_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[!-~]+(?: +[!-~]+)*")
#: Closing punctuation that never starts a line on its own: it rides with the characters before it
#: (here and in drawing.py's labels, where it does not count as a line's character either).
CLOSING = "。、，．」』）】〕”,.!?！？"
#: Full-width marks set in the left half of their em (blank after them) and opening brackets set in
#: the right half (blank before them): where two meet, half an em of blank goes (``_tight``).
_BLANK_AFTER = "」』）】〕］｝〉》、。，．"
_BLANK_BEFORE = "「『（【〔［｛〈《"


@dataclass(frozen=True)
class Part:
    """A piece of a segment; ``latin`` for half-width letters and digits."""

    text: str
    latin: bool = False
    #: one mark, followed by another: the blank half em after it goes
    tight: bool = False


@dataclass(frozen=True)
class Segment:
    """Consecutive parts; ``nobr``: no line break inside it."""

    parts: tuple[Part, ...]
    nobr: bool = False


def runs(text: str) -> list[Segment]:
    """The text as segments, in order; joined, their parts give back the text."""
    tight = _tight(text)
    pairs = [(at, at + 2) for at in tight if text[at] in _BLANK_AFTER and text[at + 1] in _BLANK_BEFORE]
    keep = _merge([m.span() for m in _NUMBER.finditer(text)] + [m.span() for m in _MARK.finditer(text)] + _tail(text) + pairs)
    segments: list[Segment] = []
    position = 0
    for start, end in keep:
        if start > position:
            segments.append(Segment(_parts(text, position, start, tight)))
        segments.append(Segment(_parts(text, start, end, tight), nobr=True))
        position = end
    if position < len(text):
        segments.append(Segment(_parts(text, position, len(text), tight)))
    return segments


def _tight(text: str) -> set[int]:
    """Where a mark is followed by one whose blank half meets its own: a closing mark before another
    mark, or an opening bracket before another (「（)."""
    return {at for at in range(len(text) - 1)
            if (text[at] in _BLANK_AFTER and text[at + 1] in _BLANK_AFTER + _BLANK_BEFORE)
            or (text[at] in _BLANK_BEFORE and text[at + 1] in _BLANK_BEFORE)}


def _tail(text: str) -> list[tuple[int, int]]:
    """The last two (Japanese) characters with any closing punctuation after them: no last line of one character."""
    body = text.rstrip(CLOSING)
    if len(body) < 4 or not all(_JAPANESE.match(char) for char in body[-2:]):
        return []
    return [(len(body) - 2, len(text))]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _parts(text: str, start: int, end: int, tight: set[int]) -> tuple[Part, ...]:
    """``text[start:end]`` as parts: Latin runs, tight marks (each a part of its own), the rest."""
    parts: list[Part] = []
    position = start
    cuts = sorted({match.span() for match in _LATIN.finditer(text, start, end)} | {(at, at + 1) for at in tight if start <= at < end})
    for first, last in cuts:
        if first > position:
            parts.append(Part(text[position:first]))
        parts.append(Part(text[first:last], latin=first not in tight, tight=first in tight))
        position = last
    if position < end:
        parts.append(Part(text[position:end]))
    return tuple(parts)
