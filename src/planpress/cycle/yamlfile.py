"""Write content YAML back the way it was read: every line a change does not touch stays as it was."""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    PlainScalarString,
    SingleQuotedScalarString,
)

from planpress.output import write_atomic


def _yaml() -> YAML:
    """The layout content/ files are written in: two-space maps, lists indented under their key."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long Japanese line
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    return yaml


def load_for_update(path: Path) -> Any:
    """The file's round-trip tree, to change in place and hand to :func:`write`."""
    return _yaml().load(path.read_text(encoding="utf-8"))


def dumps(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def write(path: Path, data: Any) -> bool:
    """Replace the file whole or not at all; returns whether every byte a change does not touch
    was kept.

    Where ``data`` is the file's tree with scalar values changed (a collect's grades and
    commentaries), each changed value's text is replaced where it stands and every other byte
    stays: the office keeps content/ under version control, and a diff shows the values taken in
    and nothing else (a value continued on a second line, a folded block, a flow map, comments,
    blank lines, quotes, trailing spaces, document markers). Anything else (a new file, a key
    added, a changed value that an alias repeats elsewhere) is written whole by ruamel, which keeps
    comments, key order and quotes but lays the rest out its own way. Either way the line ends
    (CRLF, as a Windows editor may save it) and the byte order mark of the file it replaces are kept."""
    try:
        before = path.read_bytes()
    except FileNotFoundError:
        before = b""
    mark = codecs.BOM_UTF8 if before.startswith(codecs.BOM_UTF8) else b""
    original = before[len(mark):].decode("utf-8")
    text = _spliced(original, data) if original else None
    kept = text is not None
    if text is None:
        text = dumps(data)
        if "\r\n" in original:
            text = text.replace("\n", "\r\n")
    write_atomic(path, mark + text.encode("utf-8"))
    return kept


def plain(text: str) -> PlainScalarString:
    """A new value written without quotes when YAML allows it (the emitter quotes it otherwise).

    A bare ``str`` would inherit the quotes of the empty value it replaces.
    """
    return PlainScalarString(text)


def text(text: str) -> PlainScalarString | LiteralScalarString:
    """A written text: plain on one line, a literal block (``|-``) when it has line breaks, so
    the paragraphs an official typed stay paragraphs in the file and in the documents."""
    return LiteralScalarString(text) if "\n" in text else plain(text)


@dataclass(frozen=True)
class _Edit:
    """The characters ``start:end`` of the file's text become ``text``."""

    start: int
    end: int
    text: str


class _PlacedComposer(Composer):
    """Composes the tree with each alias of a scalar (``*name``) at its own place in the text, not
    at the anchored value's: a value written as an alias is replaced where the alias stands."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.parser.check_event(AliasEvent):
            return super().compose_node(parent, index)
        event = self.parser.peek_event()
        node = super().compose_node(parent, index)
        if not isinstance(node, ScalarNode):
            return node  # a change inside a repeated map or list does not read back: written whole
        return ScalarNode(node.tag, node.value, start_mark=event.start_mark, end_mark=event.end_mark)


def _spliced(original: str, data: Any) -> str | None:
    """``original`` with the text of every scalar value ``data`` changed replaced in place; None
    when ``data`` differs in more than scalar values, or when the result would not read back as
    ``data`` (an anchored value that an alias repeats, a merge key)."""
    yaml = _yaml()
    yaml.Composer = _PlacedComposer
    try:
        node, old = yaml.compose(original), yaml.load(original)
    except YAMLError:
        return None
    edits: list[_Edit] = []
    if node is None or not _changes(node, old, data, original, edits, key=None, indent=0, flow=False):
        return None
    line_end = "\r\n" if "\r\n" in original else "\n"
    text = original
    for edit in sorted(edits, key=lambda edit: edit.start, reverse=True):
        text = text[: edit.start] + edit.text.replace("\n", line_end) + text[edit.end :]
    try:
        return text if yaml.load(text) == data else None
    except YAMLError:
        return None


def _changes(node: Node, old: Any, new: Any, original: str, edits: list[_Edit], *, key: Node | None, indent: int,
             flow: bool) -> bool:
    """Add an edit for every scalar of ``old`` that ``new`` has changed; False when ``new`` differs
    otherwise. ``key`` is the value's key (None in a list), ``indent`` the column of that key (or
    of the list's dash), ``flow`` whether the value is inside [...] or {...}."""
    flow = flow or bool(getattr(node, "flow_style", False))
    if isinstance(old, dict):
        if not (isinstance(node, MappingNode) and isinstance(new, dict) and list(new) == list(old) and len(node.value) == len(old)):
            return False
        return all(_changes(value, old[name], new[name], original, edits, key=name_node, indent=name_node.start_mark.column, flow=flow)
                   for (name_node, value), name in zip(node.value, old))
    if isinstance(old, list):
        if not (isinstance(node, SequenceNode) and isinstance(new, list) and len(new) == len(old) == len(node.value)):
            return False
        return all(_changes(item, before, after, original, edits, key=None, indent=node.start_mark.column, flow=flow)
                   for item, before, after in zip(node.value, old, new))
    if _same(old, new):
        return True
    if isinstance(new, (dict, list)) or not isinstance(node, ScalarNode):
        return False
    edits.append(_edit(node, new, original, key=key, indent=indent, flow=flow))
    return True


def _same(old: Any, new: Any) -> bool:
    """An equal value is no change, however the caller would write it (``plain("B")`` for ``B``)."""
    return old == new and isinstance(old, str) == isinstance(new, str) and isinstance(old, bool) == isinstance(new, bool)


def _edit(node: ScalarNode, value: Any, original: str, *, key: Node | None, indent: int, flow: bool) -> _Edit:
    start, end = node.start_mark.index, node.end_mark.index
    text = _rendered(value, node, indent=indent, flow=flow)
    if start == end and key is not None:
        # Nothing written after the colon: the empty value's mark may be on the next line.
        start = end = original.index(":", key.end_mark.index) + 1
        text = " " + text
    elif node.style in ("|", ">"):
        # A block's end mark is past its last line break (and any blank lines after it): the
        # value ends with its last line of text.
        kept = len(original[start:end].rstrip(" \t\r\n"))
        end = _line_end(original, start + kept)
    if "\n" in text:
        # A comment after the old value would end up on the block's last line, inside the text:
        # it goes after the block's indicator (|-  # comment).
        rest = _line_end(original, end)
        head, body = text.split("\n", 1)
        text, end = f"{head}{original[end:rest]}\n{body}", rest
    return _Edit(start, end, text)


def _line_end(text: str, index: int) -> int:
    """Where the line holding ``index`` ends, before its line break."""
    found = [end for end in (text.find("\r\n", index), text.find("\n", index)) if end >= 0]
    return min(found) if found else len(text)


def _rendered(value: Any, node: ScalarNode, *, indent: int, flow: bool) -> str:
    """``value`` written as ruamel writes it in this place: one line inside [...] or {...}
    (a line break as \\n there), else plain, quoted or a literal block whose lines are
    indented under the key."""
    if type(value) is str and node.style in ("'", '"'):
        value = (SingleQuotedScalarString if node.style == "'" else DoubleQuotedScalarString)(value)  # as ruamel keeps them
    if flow:
        one = CommentedSeq([DoubleQuotedScalarString(value) if isinstance(value, str) and "\n" in value else value])
        one.fa.set_flow_style()
        return dumps(one).rstrip("\n")[1:-1]
    written = dumps({"k": value}).rstrip("\n")[len("k:"):].removeprefix(" ")
    first, *lines = written.split("\n")
    return "\n".join([first, *(" " * indent + line if line else line for line in lines)])
