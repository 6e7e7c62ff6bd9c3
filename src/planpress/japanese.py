"""Japanese conventions: era years, numbers with ▲, percentages, enumerations and 五十音順."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

# (first Gregorian year, era name). A fiscal year takes the era in force when it
# starts on 1 April; FY2019 is printed 令和元年度 by Japanese municipalities.
_ERAS = ((2019, "令和"), (1989, "平成"), (1926, "昭和"), (1912, "大正"), (1868, "明治"))


def era_year(year: int) -> str:
    """2021 → 令和3, 2019 → 令和元, 2018 → 平成30."""
    for first, era in _ERAS:
        if year >= first:
            number = year - first + 1
            return f"{era}{'元' if number == 1 else number}"
    raise ValueError(f"year before Meiji: {year}")


def fiscal_year(year: int) -> str:
    """令和3年度（2021年度）: the era year with the Gregorian year in full-width parentheses."""
    return f"{era_year(year)}年度（{year}年度）"


def fiscal_year_short(year: int) -> str:
    """令和3年度, for running text that already named the Gregorian year."""
    return f"{era_year(year)}年度"


def number(value: int) -> str:
    """168,299; negatives with ▲ as Japanese public documents print them (▲1,229)."""
    if value < 0:
        return f"▲{-value:,}"
    return f"{value:,}"


def percent(part: int, whole: int) -> str:
    """Share as a percentage rounded half up to one decimal, with a full-width ％."""
    if whole == 0:
        return "－"
    return f"{percent_value(part, whole)}％"


def percent_value(part: int, whole: int) -> Decimal:
    """The share ``percent`` prints: a percentage rounded half up to one decimal."""
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def enumerate_ja(words: Sequence[str]) -> str:
    """A、B及びC: commas between, 及び before the last."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{'、'.join(words[:-1])}及び{words[-1]}"


#: Katakana ァ–ヶ to the hiragana of the same sound: a reading typed in katakana sorts among the others.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def gojuon_key(reading: str) -> str:
    """The key that puts readings in 五十音順 whether typed in hiragana, katakana or half-width
    katakana (アイシーティー, ｱｲｼｰﾃｨｰ and あいしーてぃー are one reading): by code point, every
    katakana sorted after every hiragana."""
    return unicodedata.normalize("NFKC", reading).translate(_KATAKANA_TO_HIRAGANA)


def grade_summary(counts: Sequence[tuple[str, int]]) -> str:
    """全48項目のうち、A評価が18項目（37.5％）、B評価が30項目（62.5％）、C評価及びD評価は0.

    ``counts`` holds every grade of the scale in order, zero counts included; the
    grades with no items are named together at the end, as the seed words it. Where every item
    has one grade the sentence says so (全48項目がB評価): 「全48項目のうち、B評価が48項目（100.0％）、
    A評価、C評価及びD評価は0」 counted the whole twice and named three grades to say there were none.
    """
    total = sum(count for _, count in counts)
    used = [grade for grade, count in counts if count]
    if total and len(used) == 1:
        return f"全{total}項目が{used[0]}評価"
    parts = [f"全{total}項目のうち"]
    parts += [f"{grade}評価が{count}項目（{percent(count, total)}）" for grade, count in counts if count]
    empty = [f"{grade}評価" for grade, count in counts if not count]
    if empty:
        parts.append(f"{enumerate_ja(empty)}は0")
    return "、".join(parts)
