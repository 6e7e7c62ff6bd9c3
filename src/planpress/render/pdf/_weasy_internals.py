"""Every use of WeasyPrint's internals, in one place, for the one version they were written for.

planpress uses WeasyPrint's public API (``HTML``, ``render``, ``write_pdf``, URL fetchers) in
render/pdf/weasy.py. Six things reach below it, and take what they need from here only:

- render/pdf/batch.py replaces four module attributes while a batch of sections is laid out
  (``PAGINATION_HOOKS``) and subclasses ``TargetCollector`` (a section's pages numbered as in the
  whole document);
- render/pdf/justify.py replaces ``inline.justify_line`` and lays text boxes out again with Pango
  (Japanese justification);
- render/pdf/tables.py wraps ``layout.block.table_layout`` (a table's header kept on a page where
  no whole row fits under it) and ``layout.block.block_level_layout`` (a table under a heading that
  opens its page laid out as at the page's top);
- render/pdf/overflow.py walks the laid-out box tree of each page (``page_box``);
- render/pdf/weasy.py makes an ``HTML`` from a tree parsed already (``parsed_html``: what
  ``HTML.__init__`` does after its own parse; render/pdf/htmltree.py);
- render/pdf/standards.py gives a laid-out document a CMYK ``ColorProfile`` and embeds the sRGB
  profile WeasyPrint ships (``srgb_profile``) for PDF/X-4.

These names and their behaviour are not WeasyPrint's promise. On another version ``unsupported()``
says why: the PDF is then laid out in one pass without the hooks (render/pdf/parts.py), Japanese
lines are not justified (render/pdf/justify.py) and tables lay out as WeasyPrint's do
(render/pdf/tables.py), each with a warning; the overflow check still walks
the boxes (it only reads them). A name that version does not have at all stops the build with a
message saying which (a PlanpressError), never a traceback.

WeasyPrint's C bindings (``weasyprint.text.ffi``) are loaded from precompiled cffi declarations
by render/pdf/_weasy_ffi.py, installed here and in render/pdf/weasy.py before either imports
WeasyPrint; it checks that they are the ones this WeasyPrint declares, else imports it normally.
"""

from __future__ import annotations

import importlib
import logging
from importlib import metadata
from typing import Any

from planpress.errors import PlanpressError
from planpress.render.pdf import _weasy_ffi

_weasy_ffi.install()  # whichever of this module and weasy.py imports WeasyPrint first

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


#: WeasyPrint's functions that ``replace`` replaced, by (internal module, function name).
_REPLACED: dict[tuple[str, str], Any] = {}


def replace(module: str, name: str, replacement: Any, log: logging.Logger, without: str) -> Any:
    """Replace the function ``name`` of the internal module ``module`` (``inline``, ``block``:
    see ``_NAMES``) with ``replacement``, once; WeasyPrint's own function, for the replacement to
    call. On another WeasyPrint version nothing is replaced: ``log`` warns that the layout goes
    ``without`` (what the office then does not get, in Japanese) and None is returned."""
    if (module, name) not in _REPLACED:
        reason = unsupported()
        if reason is not None:
            log.warning("%s: %s", without, reason)
            return None
        found = _load(module)
        _REPLACED[module, name] = getattr(found, name)
        setattr(found, name, replacement)
    return _REPLACED[module, name]


def page_box(page: Any) -> Any:
    """The laid-out box tree of a ``weasyprint.Page`` (WeasyPrint keeps it in a private attribute)."""
    try:
        return page._page_box
    except AttributeError:
        raise _lacking("Page._page_box") from None


def srgb_profile() -> bytes:
    """The sRGB ICC profile WeasyPrint ships in its package data (render/pdf/standards.py's DefaultRGB)."""
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def parsed_html(root: Any, base_url: str, url_fetcher: Any) -> Any:
    """``weasyprint.HTML`` of a page's root element (xml.etree, as tinyhtml5 builds it) without a
    <base> element: what ``HTML.__init__`` sets once it has parsed the page itself."""
    from weasyprint import HTML
    from weasyprint.urls import ensure_url
    import cssselect2

    html = HTML.__new__(HTML)
    html.base_url, html.url_fetcher, html.media_type = ensure_url(base_url), url_fetcher, "print"
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html


#: Each internal name: (module, attribute; None for the module itself).
_NAMES: dict[str, tuple[str, str | None]] = {
    "inline": ("weasyprint.layout.inline", None),
    "block": ("weasyprint.layout.block", None),
    "ColorProfile": ("weasyprint.css", "ColorProfile"),
    **{name: ("weasyprint.css.targets", name) for name in ("TargetCollector", "TargetLookupItem", "anchor_name_from_token")},
    "get_url_tuple": ("weasyprint.urls", "get_url_tuple"),
    **{name: ("weasyprint.text.line_break", name) for name in ("create_layout", "line_size")},
    **{name: ("weasyprint.formatting_structure.boxes", name)
       for name in ("BlockContainerBox", "Box", "InlineBox", "LineBox", "MarginBox", "TableBox", "TextBox")},
}
#: The attributes render/pdf/batch.py replaces while a batch is laid out: (module, name).
_HOOKS = (("weasyprint.document", "TargetCollector"), ("weasyprint.layout", "initialize_page_maker"),
          ("weasyprint.layout.page", "PageType"), ("weasyprint.layout", "make_margin_boxes"))


def _load(name: str) -> Any:
    """One of WeasyPrint's internal names, imported on first use (importing WeasyPrint takes a while)."""
    if name not in _LOADED:
        if name == "PAGINATION_HOOKS":
            for module, attribute in _HOOKS:
                _import(module, attribute)  # each is there to be replaced
            _LOADED[name] = tuple((importlib.import_module(module), attribute) for module, attribute in _HOOKS)
        else:
            _LOADED[name] = _import(*_NAMES[name])
    return _LOADED[name]


def _import(module: str, attribute: str | None) -> Any:
    """``module.attribute`` (or the module); one this WeasyPrint lacks is said in Japanese, never
    as a traceback."""
    try:
        found = importlib.import_module(module)
        return getattr(found, attribute) if attribute else found
    except (ImportError, AttributeError):
        raise _lacking(f"{module}.{attribute}" if attribute else module) from None


def _lacking(what: str) -> PlanpressError:
    return PlanpressError(f"WeasyPrint {version()} に {what} がありません（planpress は WeasyPrint {SUPPORTED} 用に作られています）")


def __getattr__(name: str) -> Any:
    """``inline``, ``block``, ``TargetCollector``, the box classes, ``PAGINATION_HOOKS``…: see ``_NAMES``."""
    if name != "PAGINATION_HOOKS" and name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _load(name)
