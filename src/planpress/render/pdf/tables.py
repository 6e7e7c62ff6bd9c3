"""A table's header on every page it continues on, in WeasyPrint's table layout.

WeasyPrint 70 (``layout/table.py``, ``all_groups_layout``) follows CSS Tables 3 (17.6): where a
repeated header and no row fit on a page, it drops the header. At the top of a page that means a
row taller than the page less the header: it is printed whole without the header above it, or,
taller than the page, split with its first part headerless. A reader of a printed table expects
its header on every page the table runs over (DESIGN.md: header rows repeat on every page).

The same function keeps the header where the first row group avoids breaks inside: it then lays
the rows out under the header as on an empty page, so a row that does not fit under it is split
there (a row is never moved to a later page from the top of one). This module wraps
``table_layout`` and, for a table with a header at the top of a page (``page_is_empty``), gives its
first row group that mark for the one call. A page's first row is still whole wherever it fits
under the header; one taller is split under the header instead, its rest on the next page under
the header again.

A heading kept with its table (``break-after: avoid``) that opens a page counts as that page's top
for the table under it (``block_level_layout``). WeasyPrint lays such a table out as on a page with
content above: a first row that does not fit under the heading moves the table to the next page,
and since the heading cannot end a page it goes too, where the same happens again; WeasyPrint then
breaks between them anyway, leaving the heading alone at the foot of its page. Moving them on gains
nothing, so the first row is split under the heading and the header, as at the top of a page.

The wrappers depend on WeasyPrint's box tree: they are installed only for the WeasyPrint version
they were written for; any other lays tables out as WeasyPrint does, with a warning (see ``install``).
"""

from __future__ import annotations

import logging
from typing import Any
from weakref import WeakKeyDictionary

from planpress.render.pdf import _weasy_internals as weasy

log = logging.getLogger(__name__)

_original_table_layout: Any = None  # WeasyPrint's, kept by install()
_original_block_level_layout: Any = None
#: The layouts (by WeasyPrint's layout context) whose last block laid out is a heading kept with what
#: follows, at the top of its page or under others such from the top.
_KEPT_FROM_TOP: WeakKeyDictionary[Any, bool] = WeakKeyDictionary()
_AVOID = ("avoid", "avoid-page")


def install() -> bool:
    """Replace WeasyPrint's ``table_layout`` and ``block_level_layout`` (once); False, with a
    warning, on another version."""
    global _original_table_layout, _original_block_level_layout
    _original_table_layout = weasy.replace("block", "table_layout", table_layout, log,
                                           "表の見出し行を表の続くすべてのページに付けられない場合があります")
    _original_block_level_layout = weasy.replace("block", "block_level_layout", block_level_layout, log,
                                                 "表の見出しがページの最後に残る場合があります")
    return _original_table_layout is not None and _original_block_level_layout is not None


def block_level_layout(context: Any, box: Any, bottom_space: float, skip_stack: Any, containing_block: Any,
                       page_is_empty: bool = True, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's ``block_level_layout``; a table starting under a heading that opens its page
    laid out as at the page's top."""
    kept_above = _KEPT_FROM_TOP.pop(context, False)
    table = box.is_table_wrapper or isinstance(box, weasy.TableBox)  # a table, or one under its caption
    if kept_above and table and skip_stack is None:
        page_is_empty = True
    result = _original_block_level_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                                          *args, **kwargs)
    laid_out, resume_at = result[0], result[1]
    if (page_is_empty or kept_above) and laid_out is not None and resume_at is None and not table \
            and box.style["break_after"] in _AVOID:
        _KEPT_FROM_TOP[context] = True
    return result


def table_layout(context: Any, table: Any, bottom_space: float, skip_stack: Any, containing_block: Any,
                 page_is_empty: bool, absolute_boxes: list[Any], fixed_boxes: list[Any]) -> Any:
    """WeasyPrint's ``table_layout``; at the top of a page, the header kept above the first row."""
    group = _first_row_group(table, skip_stack) if page_is_empty else None
    if group is None or group.style["break_inside"] in ("avoid", "avoid-page"):
        return _original_table_layout(
            context, table, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes, fixed_boxes)
    style = group.style
    group.style = style.copy()
    group.style["break_inside"] = "avoid"
    try:
        result = _original_table_layout(
            context, table, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes, fixed_boxes)
    finally:
        marked, group.style = group.style, style
    laid_out = result[0]
    for child in laid_out.children if laid_out is not None else ():
        if child.style is marked:  # the laid-out copy: later page-break searches read its own value
            child.style = style
    return result


def _first_row_group(table: Any, skip_stack: Any) -> Any:
    """The row group a table's layout starts with (where it resumes), when the table has a header;
    else None."""
    if not table.children or not table.children[0].is_header:
        return None
    start = next(iter(skip_stack)) if skip_stack else 0
    return next((group for group in table.children[start:] if not group.is_header and not group.is_footer), None)
