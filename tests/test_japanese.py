"""Japanese wording of numbers, years and the grade summary."""

from __future__ import annotations

import pytest

from planpress import japanese


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2021, "令和3年度（2021年度）"), (2019, "令和元年度（2019年度）"), (2018, "平成30年度（2018年度）"), (2027, "令和9年度（2027年度）")],
)
def test_fiscal_year_prints_era_with_gregorian_year(year: int, expected: str) -> None:
    assert japanese.fiscal_year(year) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(168299, "168,299"), (-1229, "▲1,229"), (0, "0"), (100297503, "100,297,503")]
)
def test_numbers_have_separators_and_triangle_for_negatives(value: int, expected: str) -> None:
    assert japanese.number(value) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(18, 48, "37.5％"), (30, 48, "62.5％"), (1, 48, "2.1％"), (1, 16, "6.3％"), (1, 3, "33.3％"), (2, 3, "66.7％"), (48, 48, "100.0％")],
)
def test_percent_rounds_half_up_to_one_decimal(part: int, whole: int, expected: str) -> None:
    assert japanese.percent(part, whole) == expected


def test_summary_matches_the_seeds_sentence() -> None:
    counts = [("A", 18), ("B", 30), ("C", 0), ("D", 0)]
    assert japanese.grade_summary(counts) == "全48項目のうち、A評価が18項目（37.5％）、B評価が30項目（62.5％）、C評価及びD評価は0"


def test_summary_names_one_empty_grade_alone() -> None:
    counts = [("A", 18), ("B", 29), ("C", 1), ("D", 0)]
    assert japanese.grade_summary(counts) == "全48項目のうち、A評価が18項目（37.5％）、B評価が29項目（60.4％）、C評価が1項目（2.1％）、D評価は0"


def test_summary_joins_two_empty_grades_with_oyobi() -> None:
    counts = [("A", 0), ("B", 40), ("C", 8), ("D", 0)]
    assert japanese.grade_summary(counts) == "全48項目のうち、B評価が40項目（83.3％）、C評価が8項目（16.7％）、A評価及びD評価は0"


@pytest.mark.parametrize("grade", "ABCD")
def test_summary_of_items_all_of_one_grade_says_so(grade: str) -> None:
    """Not 「全48項目のうち、B評価が48項目（100.0％）、A評価、C評価及びD評価は0」."""
    counts = [(g, 48 if g == grade else 0) for g in "ABCD"]
    assert japanese.grade_summary(counts) == f"全48項目が{grade}評価"


def test_summary_with_every_grade_used_has_no_zero_clause() -> None:
    counts = [("A", 1), ("B", 1), ("C", 1), ("D", 1)]
    assert japanese.grade_summary(counts) == "全4項目のうち、A評価が1項目（25.0％）、B評価が1項目（25.0％）、C評価が1項目（25.0％）、D評価が1項目（25.0％）"
