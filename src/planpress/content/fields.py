"""Typed content records read from YAML: each field says its key, Japanese label and kind."""

from __future__ import annotations

import dataclasses
import difflib
import io
import re
import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from planpress.content.source import key_where, where
from planpress.errors import Location, Problem, Problems

T = TypeVar("T")

#: Raised inside a kind's ``read`` when the value is wrong; the reader reports it.
class Invalid(Exception):
    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


@dataclass
class Context:
    """What a kind needs while reading: the file's display name and the problem list."""

    display: str
    problems: list[Problem]
    #: Labels of records that could not be read (so they are not also reported missing).
    failed: set[str] = field(default_factory=set)

    def here(self, container: Any, key: Any = None) -> Location:
        return where(self.display, container, key)


class Kind:
    """How one field's YAML value becomes a Python value."""

    #: An optional field of this kind written with nothing after the colon (``photos:``) is taken
    #: as not written, where nothing can mean nothing else: a list (none, as ``[]`` is), a record
    #: (``counts:``: no counts) or a flag (``reviewed:``: not yet). A name or a number left so is
    #: asked for (or the line to be removed): an office that leaves ``tree:`` empty has not said
    #: that the plan has no tree, which would drop its booklet.
    nothing_is_none: ClassVar[bool] = False

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> Any:
        raise NotImplementedError


#: Characters refused in content: C0/C1 controls except tab and line breaks, lone
#: surrogates (both corrupt a Word file's XML), noncharacters, and the bidirectional
#: controls that make printed text read differently from the file.
_BAD_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
    + "]"
)


def _char_kind(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "対になっていないサロゲート"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "文字の向きを変える制御文字"
    if unicodedata.category(char) == "Cc":
        return "制御文字"
    return "文字として割り当てられていない符号"


def refused(char: str) -> bool:
    """Whether content may not hold this character at all (see :func:`check_characters`)."""
    return _BAD_CHARS.match(char) is not None


def check_characters(text: str) -> None:
    """Refuse characters that corrupt a Word file, print as nothing or mislead the reader."""
    bad = _BAD_CHARS.search(text)
    if bad:
        char = bad.group()
        raise Invalid(f"使えない文字 U+{ord(char):04X}（{_char_kind(char)}）が {bad.start() + 1} 文字目にあります")


#: Line breaks inside a value (YAML gives U+2028 and U+2029 too, from text pasted out of Word).
_LINE_BREAK = re.compile("[\n\u2028\u2029]")


class Text(Kind):
    """A non-empty string on one line, or over several where ``lines`` allows (a commentary, whose
    lines the documents print as paragraphs)."""

    def __init__(self, *, max_length: int | None = None, allow_empty: bool = False, lines: bool = False) -> None:
        self.max_length = max_length
        self.allow_empty = allow_empty
        self.lines = lines

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> str:
        if value is None and self.allow_empty:
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # A figure typed as it should print (50, 45.20): YAML reads it as a number, which would
            # print as Python writes it (45.2). Quoted, it is text and prints as typed.
            shown = _show(value)
            raise Invalid(f"文字列で書いてください。数字だけの値は \"{shown}\" のように引用符で囲んでください（今の値: {shown}）")
        if value is None:
            raise Invalid("空です。内容を書いてください")
        if not isinstance(value, str):
            raise Invalid(f"文字列で書いてください（今の値: {_show(value)}）")
        text = str(value)
        check_characters(text)
        if not self.lines:
            text = _one_line(text)
        if not text.strip() and not self.allow_empty:
            raise Invalid("空です。内容を書いてください")
        if self.max_length is not None and len(text) > self.max_length:
            raise Invalid(f"{len(text)}文字あります（{self.max_length}文字以内で書いてください）")
        return text


def _one_line(text: str) -> str:
    """A value meant for one line: the line break a block value (``|``) ends with is dropped (a Word
    paragraph printed it as an empty line); one inside is refused (the PDF printed it as a space, the
    Word file as a line break)."""
    text = text.rstrip("\n")
    inner = _LINE_BREAK.search(text)
    if inner is not None:
        raise Invalid(f"{inner.start() + 1}文字目で改行されています（PDFでは空白、Wordでは改行として印刷されます。"
                      "改行せずに1行で書いてください）")
    return text


class Integer(Kind):
    """A whole number within bounds."""

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"整数で書いてください（今の値: {_show(value)}）")
        if self.minimum is not None and value < self.minimum or self.maximum is not None and value > self.maximum:
            raise Invalid(f"{value} は範囲外です（{self.minimum}〜{self.maximum}で書いてください）")
        return int(value)


class Boolean(Kind):
    """true or false."""

    nothing_is_none = True

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> bool:
        if not isinstance(value, bool):
            raise Invalid(f"true か false で書いてください（今の値: {_show(value)}）")
        return value


class Choice(Kind):
    """One of a fixed set of strings (or, if allowed, empty: "" or nothing after the colon).

    ``fold`` reads a value as typed into the option it means (Ａ typed in full width is A).
    """

    def __init__(self, options: Sequence[str], *, allow_empty: bool = False, fold: Callable[[str], str] | None = None) -> None:
        self.options = tuple(options)
        self.allow_empty = allow_empty
        self.fold = fold

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> str:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if text is not None and self.fold is not None:
            text = self.fold(text)
        if self.allow_empty and (value is None or text == ""):
            return ""
        if text not in self.options:
            raise Invalid(f"「{_show(value)}」は使えません（{'・'.join(self.options)}のいずれかで書いてください）")
        return text


class ListOf(Kind):
    """A YAML list whose items are all of one kind; bad items are reported one by one."""

    nothing_is_none = True

    def __init__(self, item: Kind, *, min_items: int = 0, keep_places: bool = False) -> None:
        self.item = item
        self.min_items = min_items
        #: a bad item leaves None in its place (reported), for lists read by position: a values
        #: list then still has as many items as were written, and no count goes wrong because of it
        self.keep_places = keep_places

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> list[Any]:
        if not isinstance(value, CommentedSeq):
            raise Invalid(f"リスト（「- 」で始まる行）で書いてください（今の値: {_show(value)}）")
        if len(value) < self.min_items:
            raise Invalid(f"{self.min_items}件以上書いてください")
        items = []
        for index, item in enumerate(value):
            try:
                items.append(self.item.read(item, value, index, ctx))
            except _Reported:
                if self.keep_places:
                    items.append(None)
            except Invalid as error:
                ctx.problems.append(Problem(error.location or ctx.here(value, index), error.message))
                if self.keep_places:
                    items.append(None)
        return items


class RecordOf(Kind):
    """A YAML mapping read into a record class (a dataclass built with :func:`spec`)."""

    nothing_is_none = True

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> Any:
        if not isinstance(value, CommentedMap):
            raise Invalid(f"「キー: 値」の形で書いてください（今の値: {_show(value)}）")
        record = read_record(self.cls, value, ctx, at=ctx.here(container, key))
        if record is None:
            raise _Reported()
        return record


class _Reported(Invalid):
    """The record's own problems were already reported; report nothing more."""

    def __init__(self) -> None:
        super().__init__("")


@dataclass(frozen=True)
class Spec:
    label: str
    kind: Kind
    required: bool


_NOTHING = object()


def spec(label: str, kind: Kind, *, default: Any = _NOTHING, doc: str = "") -> Any:
    """Declare a content field: its Japanese label for messages and its kind.

    A field with a default is optional in the YAML.
    """
    metadata = {"spec": Spec(label, kind, default is _NOTHING), "doc": doc}
    if default is _NOTHING:
        return field(metadata=metadata)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def located() -> Any:
    """The record's own location, filled by the reader."""
    return field(default=Location(""), compare=False, repr=False)


def positions() -> Any:
    """Where each field's value was written, filled by the reader."""
    return field(default_factory=dict, compare=False, repr=False)


@dataclass(kw_only=True)
class Record:
    """A record read from content. The reader fills in where it was written (``location``) and
    where each field's value was (``positions``); neither is compared or shown."""

    location: Location = located()
    positions: dict[str, Location] = positions()
    #: How messages name the record, from its fields' values: "重点プロジェクト{number}".
    LABEL: ClassVar[str] = ""

    @classmethod
    def label_of(cls, values: dict[str, Any]) -> str | None:
        """The record's name in messages, once the fields its LABEL uses were read."""
        needed = [name for _, name, _, _ in string.Formatter().parse(cls.LABEL) if name]
        if not cls.LABEL or any(name not in values for name in needed):
            return None
        return cls.LABEL.format(**values)


def read_record(cls: type[T], mapping: CommentedMap, ctx: Context, *, at: Location) -> T | None:
    """Read a mapping into ``cls``; report unknown keys, missing and invalid fields.

    Problems about the record are prefixed with its label (``cls.label_of``) so the
    user knows which item is meant. Returns None when a required field is unusable.
    """
    found: dict[str, Any] = {}
    spots: dict[str, Location] = {}
    own: list[Problem] = []
    inner = Context(ctx.display, own, ctx.failed)
    specs = {f.name: f.metadata["spec"] for f in dataclasses.fields(cls) if "spec" in f.metadata}
    for key in mapping:
        if key not in specs:
            own.append(Problem(key_where(ctx.display, mapping, key), _unknown_key(str(key), list(specs))))
    usable = True
    for name, field_spec in specs.items():
        if name not in mapping:
            if field_spec.required:
                own.append(Problem(at, f"必須のキー「{name}」（{field_spec.label}）がありません"))
                usable = False
            continue
        nothing = mapping[name] is None
        spots[name] = _nothing_at(ctx, mapping, name) if nothing else ctx.here(mapping, name)
        if nothing and not field_spec.required and field_spec.kind.nothing_is_none:
            continue  # `photos:` with nothing after it: none, the field's default
        try:
            found[name] = field_spec.kind.read(mapping[name], mapping, name, inner)
        except _Reported:
            usable = False
        except Invalid as error:
            message = _left_empty(field_spec, name) if nothing and not field_spec.required else error.message
            own.append(Problem(error.location or spots[name], f"{field_spec.label}（{name}）: {message}"))
            usable = False
    label_of: Callable[[dict[str, Any]], str | None] = getattr(cls, "label_of", lambda values: None)
    label = label_of(found)
    ctx.problems.extend(_prefixed(own, label))
    if not usable:
        if label:
            ctx.failed.add(label)
        return None
    record = cls(**found)
    if isinstance(record, Record):
        record.location = at
        record.positions = spots
    return record


def _nothing_at(ctx: Context, mapping: CommentedMap, name: str) -> Location:
    """Where a key with nothing after its colon was written: YAML places the nothing at the next
    token, the next line's key (or the file's end); a comment on the key's line (``color: #E5243B``)
    keeps it on that line, at the comment, which is what is to be quoted."""
    value, key = ctx.here(mapping, name), key_where(ctx.display, mapping, name)
    return value if value.line == key.line else key


def _left_empty(field_spec: Spec, name: str) -> str:
    """An optional name or number written with nothing after its colon: what it was meant to say is
    not known, so the office is asked for it, or to remove the line (not written, the default)."""
    return f"値がありません。{field_spec.label}を書いてください（書かないときは「{name}:」の行を消してください）"


def _unknown_key(key: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(key, known, n=1)
    hint = f"「{guess[0]}」の書き間違いではありませんか。" if guess else ""
    return f"不明なキー「{key}」があります（{hint}使えるキー: {'、'.join(known)}）"


def _prefixed(problems: list[Problem], label: str | None) -> list[Problem]:
    if not label:
        return problems
    return [
        p if p.message.startswith(label) else dataclasses.replace(p, message=f"{label}: {p.message}")
        for p in problems
    ]


def _show(value: Any) -> str:
    if value is None:
        return "空"
    text = _as_typed(value) if type(value).__module__.startswith("ruamel.") else str(value)
    return text if len(text) <= 20 else text[:20] + "…"


def _as_typed(value: Any) -> str:
    """A number as it was written (``1.10``, ``1_000``, ``0x1F``), not as Python prints it (``1.1``):
    ruamel keeps how a scalar was written, and writes it back so."""
    written = io.StringIO()
    YAML().dump(value, written)
    return written.getvalue().split("\n", 1)[0]
