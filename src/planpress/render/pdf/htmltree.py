"""The element tree of a page's HTML, parsed by libxml2 (lxml) where that gives the tree WeasyPrint's
own parser would.

WeasyPrint 70 parses HTML with tinyhtml5, an HTML5 parser written in Python: 8 ms a section and
0.1 s for the evaluation table, in every batch (×4 booklet cold: 1.6 s of its layout's time; after
a commentary edit, 0.2 s of the two batches laid out again). libxml2's HTML parser reads the same
text in a fortieth of that. The two follow different rules where a page leaves something
implied (a table row without its tbody, a paragraph left open before a block, text outside the
body), uses what HTML5 reads its own way (foreign elements, legacy entities, carriage returns,
HTML5's void elements) or nests what libxml2's HTML 4 rules close or move (an address in a list).

planpress's layouts write every element out, so for its pages the trees are the same but for
where the white space outside the body goes, which ``quick_tree`` moves where HTML5 puts it. A page
gets None, and is parsed by WeasyPrint as before (render/pdf/weasy.py), if it has anything on
that list, or if libxml2's tree does not nest its elements exactly as the page's own tags do.
tests/test_htmltree.py compares both parsers' trees for every page of the shipped documents and
for random pages of every kind of element.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from typing import Any

import lxml.etree

#: Pages with these elements are left to tinyhtml5: foreign content (svg, math), elements whose
#: content or end HTML5 reads its own way, a base URL.
_UNSAFE = {"svg", "math", "template", "noscript", "frameset", "frame", "select", "option", "optgroup", "textarea",
           "plaintext", "xmp", "iframe", "noembed", "noframes", "base", "image", "isindex", "button", "form",
           # a line break after the start tag is dropped by HTML5, kept by libxml2
           "pre", "listing",
           # void in HTML5, not in libxml2's HTML 4 (which nests what follows inside them)
           "wbr", "source", "track", "keygen", "embed", "menuitem"}
#: A character reference either parser reads the same: the XML five, nbsp and numeric ones (checked below).
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos|nbsp)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}))?(;?)")
#: What is not markup: raw text (style, script), comments; their tags are not elements.
_RAW = re.compile(r"<(style|script)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
#: A start or end tag (an attribute value holding ">" misreads it: the page is then left to tinyhtml5).
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^>]*?(/?)>")
#: Before the root: a doctype and white space only (anything else makes HTML5 imply the root).
_PROLOGUE = re.compile(r"\s*(?:<!DOCTYPE[^>]*>\s*)?<html[\s>]", re.IGNORECASE)
#: Void in both parsers (HTML5's other void elements are in ``_UNSAFE``).
_VOID = {"area", "br", "col", "hr", "img", "input", "link", "meta", "param"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: Elements HTML5 does not nest in themselves (a start tag ends, or for a link mends, the open one)
#: unless one of these elements lies between.
#: (A paragraph is not here: ``_open_p`` refuses any block, a paragraph too, while one is open.)
_SELF_NESTING_SCOPE = {"a": {"td", "th", "caption", "table"}, "li": {"ul", "ol"}, "dd": {"dl"}, "dt": {"dl"}, "nobr": set(), "rb": {"ruby"},
                       "rt": {"ruby"}, "rp": {"ruby"}}
#: Elements that end the scope in which a start tag looks for an open paragraph.
_P_SCOPE = {"td", "th", "caption", "table", "button", "html", "marquee", "object", "applet", "template"}
#: HTML5's white space (str.strip's also takes no-break and ideographic spaces, which HTML5 reads as text).
_SPACE = " \t\n\f\r"
#: The root elements and the depth each stands at (HTML5 merges another one into the first).
_ROOTS = {"html": 0, "head": 1, "body": 1}
#: What the head may hold (anything else starts the body in HTML5).
_HEAD = {"meta", "title", "link", "style", "script"}
#: Children each table element may have (anything else HTML5 moves or wraps: foster parenting, tbody).
_TABLE_CHILDREN = {
    "table": {"caption", "colgroup", "thead", "tbody", "tfoot"},
    "thead": {"tr"}, "tbody": {"tr"}, "tfoot": {"tr"}, "tr": {"td", "th"}, "colgroup": {"col"},
}
#: Where each part of a table may stand (its parents): the same relation, read the other way.
_TABLE_PARTS = {part: {parent for parent, parts in _TABLE_CHILDREN.items() if part in parts}
                for part in set().union(*_TABLE_CHILDREN.values())}
#: Elements a paragraph may hold (phrasing content); a block start tag ends an open <p> in HTML5.
_PHRASING = {"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img", "ins",
             "kbd", "mark", "q", "ruby", "rb", "rp", "rt", "s", "samp", "small", "span", "strong", "sub", "sup",
             "time", "u", "var", "wbr"}


class _Builder(ElementTree.TreeBuilder):
    """The standard library's tree, as tinyhtml5 builds it (WeasyPrint reads such elements)."""

    def start(self, tag: str, attrs: Any) -> ElementTree.Element:
        return super().start(tag, dict(attrs))  # lxml gives a read-only mapping


def quick_tree(source: str) -> ElementTree.Element | None:
    """The root element of ``source`` as tinyhtml5 builds it (``namespace_html_elements=False``),
    parsed by libxml2; None if the page has something the parsers may read differently."""
    if "\r" in source or "\x00" in source or not _PROLOGUE.match(source) or not _plain_references(source):
        return None  # character data HTML5 changes (CR, NUL); something before the root; a reference
    end = source.rfind("</body>")
    after = source[end + len("</body>"):].replace("</html>", "", 1) if end >= 0 else "x"
    markup = _RAW.sub(_emptied, source)
    shape = _tag_shape(markup) if not after.strip(_SPACE) and "<!--" not in markup else None
    if shape is None:
        return None  # no closing body or more after it, a comment left open, a tag left open or crossed
    parser = lxml.etree.HTMLParser(target=_Builder(insert_comments=True), huge_tree=True, no_network=True)
    try:
        root = lxml.etree.fromstring(source, parser)
    except lxml.etree.Error:
        return None
    if root is None or root.tag != "html" or (root.text or "").strip(_SPACE):
        return None
    if _tree_shape(root) != shape:
        return None  # libxml2 implied, dropped or moved an element (its HTML 4 rules)
    children = list(root)
    if [child.tag for child in children] != ["head", "body"] or not _as_html5_nests(root.iter()):
        return None
    head, body = children
    if (head.tail or "").strip(_SPACE) or any(child.tag not in _HEAD for child in head):
        return None  # HTML5 ends the head (and opens the body) at anything else
    # HTML5 reads white space before <head> as nothing, and white space after </body> as the body's.
    root.text, body.tail = None, None
    if after:
        last = body[-1] if len(body) else None
        if last is None:
            body.text = (body.text or "") + after
        else:
            last.tail = (last.tail or "") + after
    return root


def _emptied(match: re.Match[str]) -> str:
    """A style or script element without its text (its tags stay: they are elements); a comment, nothing."""
    name = match.group(1)
    return f"<{name}></{name}>" if name else ""


def _tag_shape(markup: str) -> list[tuple[int, str]] | None:
    """Each element's depth and name, in the order of its start tag, if every element but the void
    ones is closed by its own end tag, in order (nothing for either parser to imply or to mend its
    own way) and none is one of ``_UNSAFE``; else None."""
    open_: list[str] = []
    shape: list[tuple[int, str]] = []
    for closing, name, empty in _TAG.findall(markup):
        name = name.lower()
        if name in _UNSAFE or empty and name not in _VOID:
            return None  # HTML5 reads "/>" on an element that is not void as a start tag
        if not closing and (open_[-1:] == ["head"] and name not in _HEAD or name not in _PHRASING and _open_p(open_)):
            return None  # HTML5 ends the head, or the paragraph, at this tag
        if closing:
            if not open_ or open_.pop() != name:
                return None
            continue
        shape.append((len(open_), name))
        if name in _VOID:
            continue
        if _closes_open(name, open_) or name in _ROOTS and len(open_) != _ROOTS[name]:
            return None  # HTML5 ends the open one first; or a root element out of its place
        open_.append(name)
    return None if open_ else shape


def _tree_shape(root: ElementTree.Element) -> list[tuple[int, str]]:
    """Each element's depth and name in document order (comments left out)."""
    shape: list[tuple[int, str]] = []
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if isinstance(element.tag, str):
            shape.append((depth, element.tag))
        stack.extend((child, depth + 1) for child in reversed(element))
    return shape


def _open_p(open_: list[str]) -> bool:
    """Whether a paragraph is open in HTML5's button scope (a block start tag would end it)."""
    for open_name in reversed(open_):
        if open_name == "p":
            return True
        if open_name in _P_SCOPE:
            return False
    return False


def _closes_open(name: str, open_: list[str]) -> bool:
    """Whether HTML5 would end (or, for a link, mend) an open element at this start tag."""
    if name in _HEADINGS:
        return bool(_HEADINGS.intersection(open_[-1:]))
    scope = _SELF_NESTING_SCOPE.get(name)
    if scope is None:
        return False
    for open_name in reversed(open_):
        if open_name == name or name in ("dd", "dt") and open_name in ("dd", "dt"):
            return True
        if open_name in scope:
            return False
    return False


def _plain_references(source: str) -> bool:
    """Whether every character reference is one both parsers read alike (with its semicolon;
    numeric ones outside the C1 controls, which HTML5 maps to other characters)."""
    for match in _REFERENCE.finditer(source):
        named, decimal, hexadecimal, semicolon = match.groups()
        if not semicolon:
            return False  # a bare & or a reference without ";": HTML5's legacy rules
        if named is None:
            if decimal is None and hexadecimal is None:
                return False
            value = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if value == 0 or 0x80 <= value <= 0x9F or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
                return False
    return True


def _as_html5_nests(elements: Iterable[ElementTree.Element]) -> bool:
    """Whether tables hold only their own elements, each part in its place (where HTML5 would have
    moved or dropped something that libxml2 keeps). A paragraph holding a block needs no check here:
    ``_tag_shape`` refused its tag, and the tree nests as the tags do."""
    for element in elements:
        for child in element:  # HTML5 drops a table's part outside its place (a cell outside a row)
            if child.tag in _TABLE_PARTS and element.tag not in _TABLE_PARTS[child.tag]:  # type: ignore[operator]
                return False
        allowed = _TABLE_CHILDREN.get(element.tag)  # type: ignore[arg-type]
        if allowed is not None:
            if (element.text or "").strip(_SPACE) or any(
                    child.tag not in allowed or (child.tail or "").strip(_SPACE) for child in element):
                return False
    return True
