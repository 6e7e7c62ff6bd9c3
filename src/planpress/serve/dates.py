"""Pages kept across saves in `planpress serve` whatever their date: whether the layouts only print it.

Every page shows the document's date (the newest file of content/ and layouts/), so every save
changes every page's bytes. A page made with MARK in the date's place, then MARK replaced by the
date, is the page made with the date itself if the templates do nothing with the date but print
it: then the date flows into the output as it is (ISO digits, '-', ':', 'T', 'Z': nothing to
escape) and into nothing else. ``printed_only`` proves that from the templates' syntax trees, as
a whitelist: the date may stand only alone in ``{{ }}`` (no filter, test, call or operator),
outside anything that captures output (a macro, a call, filter or set block, a recursive loop, an
autoescape block), in templates that reach no block's output as a value (``self``, ``super()``)
and import nothing with the context; an include or a block (whose output may hold the date) stands
outside those captures too. Anything else, and a page is kept under the date itself.
"""

from __future__ import annotations

import functools
import secrets
from pathlib import Path

import jinja2
from jinja2 import nodes

#: Stands for the date in a kept page: random per process, so no content can hold it.
MARK = f"planpress-date-{secrets.token_hex(16)}"

#: The statements an output (or include, or block) may stand in: their output is written as it comes.
_PLAIN = (nodes.Template, nodes.Output, nodes.If, nodes.For, nodes.With, nodes.Block, nodes.Scope)


def printed_only(folders: tuple[Path, ...], holder: str | None) -> bool:
    """Whether every template file under ``folders`` uses the date only by printing it: the name
    ``date`` (``holder`` None), or ``holder.date`` / ``holder.when`` where ``holder`` is a
    context object that carries it (html.PageContext as ``page``: then ``page`` itself may only
    be read through a plain attribute, never passed on whole)."""
    texts = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            try:
                texts.append(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue  # a file Jinja cannot load as a template (reference.docx)
    return _proven(tuple(texts), holder)


@functools.lru_cache(maxsize=8)
def _proven(texts: tuple[str, ...], holder: str | None) -> bool:
    # The layouts' environments differ from Jinja's defaults in white space only (trim_blocks,
    # lstrip_blocks), which shapes template data, not the tree.
    env = jinja2.Environment()
    for text in texts:
        try:
            tree = env.parse(text)
        except jinja2.TemplateSyntaxError:
            continue  # a template that fails when it is loaded, whatever the date
        if not _plain_tree(tree, [], holder):
            return False
    return True


def _plain_tree(node: nodes.Node, above: list[nodes.Node], holder: str | None) -> bool:
    if not _plain_node(node, above, holder):
        return False
    above.append(node)
    try:
        return all(_plain_tree(child, above, holder) for child in node.iter_child_nodes())
    finally:
        above.pop()


def _plain_node(node: nodes.Node, above: list[nodes.Node], holder: str | None) -> bool:
    parent = above[-1] if above else None
    if isinstance(node, nodes.Name) and node.name in ("self", "super"):
        return False  # a block's output as a value
    if isinstance(node, (nodes.Import, nodes.FromImport)) and node.with_context:
        return False  # the module's body, rendered with the date, as a value
    if isinstance(node, (nodes.Include, nodes.Block)):
        return _written_as_it_comes(above)
    if _is_date(node, holder):
        return isinstance(parent, nodes.Output) and _written_as_it_comes(above)
    if holder is not None and isinstance(node, nodes.Name) and node.name == holder:
        return isinstance(parent, nodes.Getattr) and parent.node is node  # `page` never passed on whole
    return True


def _is_date(node: nodes.Node, holder: str | None) -> bool:
    if holder is None:
        return isinstance(node, nodes.Name) and node.name == "date"
    return (isinstance(node, nodes.Getattr) and node.attr in ("date", "when")
            and isinstance(node.node, nodes.Name) and node.node.name == holder)


def _written_as_it_comes(above: list[nodes.Node]) -> bool:
    return all(isinstance(node, _PLAIN) and not (isinstance(node, nodes.For) and node.recursive) for node in above)


def dated(page: str, date: str) -> str:
    """A page made with MARK, with the date in its place."""
    return page.replace(MARK, date)
