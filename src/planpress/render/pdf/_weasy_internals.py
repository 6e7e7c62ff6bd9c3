"""Every use of WeasyPrint's internals, in one place, for the one version they were written for.

planpress uses WeasyPrint's public API (``HTML``, ``render``, ``write_pdf``, URL fetchers) in
render/pdf/weasy.py. Three things reach below it, and take what they need from here only:

- render/pdf/batch.py replaces four module attributes while a batch of sections is laid out
  (``PAGINATION_HOOKS``) and subclasses ``TargetCollector`` (a section's pages numbered as in the
  whole document);
- render/pdf/justify.py replaces ``inline.justify_line`` and lays text boxes out again with Pango
  (Japanese justification);
- render/pdf/overflow.py walks the laid-out box tree of each page (``page_box``);
- render/pdf/standards.py gives a laid-out document a CMYK ``ColorProfile`` and embeds the sRGB
  profile WeasyPrint ships (``srgb_profile``) for PDF/X-4.

These names and their behaviour are not WeasyPrint's promise. On another version ``unsupported()``
says why: the PDF is then laid out in one pass without the hooks (render/pdf/parts.py) and Japanese
lines are not justified (render/pdf/justify.py), each with a warning; the overflow check still walks
the boxes (it only reads them).
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

#: The WeasyPrint version the code below was written against (pinned in pyproject.toml).
SUPPORTED = "70.0"

_LOADED: dict[str, Any] = {}


def version() -> str:
    """The installed WeasyPrint's version, read without importing it (a cached build never does)."""
    return metadata.version("weasyprint")


def unsupported() -> str | None:
    """Why the internals cannot be used with the installed WeasyPrint, or None when they can."""
    if version() != SUPPORTED:
        return f"WeasyPrint {version()} には対応していません（planpress は {SUPPORTED} 用に作られています）"
    return None


def page_box(page: Any) -> Any:
    """The laid-out box tree of a ``weasyprint.Page`` (WeasyPrint keeps it in a private attribute)."""
    return page._page_box


def srgb_profile() -> bytes:
    """The sRGB ICC profile WeasyPrint ships in its package data (render/pdf/standards.py's DefaultRGB)."""
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def _load() -> dict[str, Any]:
    """WeasyPrint's internal names, imported on first use (importing WeasyPrint takes a while)."""
    if not _LOADED:
        import weasyprint.document
        import weasyprint.layout
        import weasyprint.layout.inline as inline
        import weasyprint.layout.page
        from weasyprint.css import ColorProfile
        from weasyprint.css.targets import TargetCollector, TargetLookupItem, anchor_name_from_token
        from weasyprint.formatting_structure import boxes
        from weasyprint.text.line_break import create_layout, line_size
        from weasyprint.urls import get_url_tuple

        _LOADED.update(
            inline=inline, ColorProfile=ColorProfile, TargetCollector=TargetCollector, TargetLookupItem=TargetLookupItem,
            anchor_name_from_token=anchor_name_from_token, get_url_tuple=get_url_tuple,
            create_layout=create_layout, line_size=line_size,
            **{name: getattr(boxes, name) for name in ("BlockContainerBox", "Box", "InlineBox", "LineBox", "MarginBox", "TextBox")},
            # The attributes render/pdf/batch.py replaces while a batch is laid out: (module, name).
            PAGINATION_HOOKS=(
                (weasyprint.document, "TargetCollector"),
                (weasyprint.layout, "initialize_page_maker"),
                (weasyprint.layout.page, "PageType"),
                (weasyprint.layout, "make_margin_boxes"),
            ),
        )
    return _LOADED


def __getattr__(name: str) -> Any:
    """``inline``, ``TargetCollector``, the box classes, ``PAGINATION_HOOKS``…: see ``_load``."""
    try:
        return _load()[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
