"""Write content YAML back the way it was read: comments, key order and quoting kept."""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString, PlainScalarString

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
    """The file's round-trip tree, to change in place and hand to :func:`dump`."""
    return _yaml().load(path.read_text(encoding="utf-8"))


def dumps(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def write(path: Path, data: Any) -> None:
    """Replace the file whole or not at all, with the line ends (CRLF, as a Windows editor may
    save it) and the byte order mark the file it replaces has: a collect changes its values only."""
    text = dumps(data)
    try:
        with path.open("rb") as file:
            before = file.read()
    except FileNotFoundError:
        before = b""
    if b"\r\n" in before:
        text = text.replace("\n", "\r\n")
    write_atomic(path, (codecs.BOM_UTF8 if before.startswith(codecs.BOM_UTF8) else b"") + text.encode("utf-8"))


def plain(text: str) -> PlainScalarString:
    """A new value written without quotes when YAML allows it (the emitter quotes it otherwise).

    A bare ``str`` would inherit the quotes of the empty value it replaces.
    """
    return PlainScalarString(text)


def text(text: str) -> PlainScalarString | LiteralScalarString:
    """A written text: plain on one line, a literal block (``|-``) when it has line breaks, so
    the paragraphs an official typed stay paragraphs in the file and in the documents."""
    return LiteralScalarString(text) if "\n" in text else plain(text)
