"""Load content YAML, keeping the position of every node."""

from __future__ import annotations

import functools
import hashlib
import pickle
import re
from contextvars import ContextVar
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from planpress import memo
from planpress.errors import ContentError, Location, Problem


@dataclass(frozen=True)
class Node:
    """A YAML value together with where it was written."""

    value: Any
    location: Location


# ruamel's parser messages are English; the office reads Japanese.
_YAML_MESSAGES = {
    "mapping values are not allowed here": "ここに「キー: 値」は書けません（字下げや「:」の後の空白を確認してください）",
    "found character '\\t' that cannot start any token": "タブ文字は使えません（字下げは半角スペースで書いてください）",
    "could not find expected ':'": "「:」が見つかりません",
    "found undefined alias": "定義されていない別名（*）があります",
    "expected <block end>, but found '<block sequence start>'": "字下げがそろっていません",
    "expected <block end>, but found '<block mapping start>'": "字下げがそろっていません",
    "found unexpected end of stream": "引用符やかっこが閉じられていません",
    "found unknown escape character": "不明なエスケープ文字があります",
    "expected <block end>, but found '<scalar>'": "値の後ろに余計な文字があります（「{」「[」で始まる値は \"…\" で囲んでください）",
    "expected ',' or ']'": "「[」で始まる値のかっこが閉じられていません（「{」「[」で始まる値は \"…\" で囲んでください）",
    "expected ',' or '}'": "「{」で始まる値のかっこが閉じられていません（「{」「[」で始まる値は \"…\" で囲んでください）",
}


#: ruamel's messages with a part of the text in them, in Japanese ({0}: that part).
_YAML_PATTERNS = (
    (re.compile(r"found character '(.+)' that cannot start any token"),
     "「{0}」で始まる値は \"…\" で囲んでください"),
    (re.compile(r"expected alphabetic or numeric character, but found"),
     "「&」「*」「%」で始まる値は \"…\" で囲んでください"),
    (re.compile(r"expected chomping or indentation indicators, but found"),
     "「|」「>」の後ろに文は続けられません（複数行の文は「|」の次の行から字下げして書くか、値を \"…\" で囲んでください）"),
    (re.compile(r"expected <block end>, but found '-'"), "字下げがそろっていません（「- 」で始まる行の位置を確認してください）"),
    (re.compile(r"expected the node content, but found"),
     "値が書かれていません（かっこの閉じ忘れや「,」の後ろを確認してください）"),
)


#: ruamel's message for a tab where a token starts (in the indentation, or inside a plain value).
_TAB = "found character '\\t' that cannot start any token"


def _line_at(text: str, mark: Any) -> str:
    """The line of the file a mark is on ("" past its end)."""
    lines = text.splitlines()
    return lines[mark.line] if mark.line < len(lines) else ""


def _tab_in_text(text: str, mark: Any) -> str | None:
    """The message for a tab inside a value (text pasted from Excel brings them), or None for one
    in the indentation (the general message)."""
    if mark is None or not _line_at(text, mark)[: mark.column].strip():
        return None
    return "YAMLの書式に誤りがあります: 値の中にタブ文字は使えません（Excel などから貼り付けると入ります。空白に置き換えてください）"


#: ruamel's message for a line read as a key that has no ":" after it.
_NO_COLON = "could not find expected ':'"


def _no_colon(text: str, mark: Any) -> str | None:
    """The message for a key written with a full-width colon or without a space after ":" (both
    read as a key without its ":"), or None (the general message)."""
    line = _line_at(text, mark)[mark.column:]
    if "：" in line:
        return "YAMLの書式に誤りがあります: キーの後ろの「：」が全角です（半角の「:」と半角スペースで書いてください）"
    if re.search(r":[^\s]", line):
        return "YAMLの書式に誤りがあります: 「:」の後ろに半角スペースがありません"
    return None


def _translate(problem: str | None) -> str:
    problem = (problem or "").strip()
    for english, japanese in _YAML_MESSAGES.items():
        if problem.startswith(english):
            return f"YAMLの書式に誤りがあります: {japanese}"
    for pattern, japanese in _YAML_PATTERNS:
        found = pattern.match(problem)
        if found:
            return f"YAMLの書式に誤りがあります: {japanese.format(*found.groups())}"
    return f"YAMLの書式に誤りがあります（{problem}）"


def load_yaml(path: Path, display: str) -> Any:
    """Parse one YAML file safely (no tags that build objects), or raise ContentError."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ContentError([Problem(Location(display), f"ファイルを読めません（{error.strerror}）")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContentError([_not_utf8(display, data, error.start)]) from None
    key = _parse_key(data)
    found = kept(key)
    if found is not None:
        return found
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        data = yaml.load(text)
    except ReaderError as error:
        raise ContentError([_unacceptable(display, text, error)]) from None
    except DuplicateKeyError as error:
        mark = error.problem_mark
        key = str(error.problem).split('"')[1] if '"' in str(error.problem) else ""
        message = f"キー「{key}」が同じ場所に2回書かれています"
        raise ContentError([Problem(_mark_location(display, mark), message)]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = _tab_in_text(text, mark) if (error.problem or "").startswith(_TAB) else None
        if (error.problem or "").startswith(_NO_COLON) and error.context_mark is not None:
            mark = error.context_mark  # the key that lacks it, not the line after it
            message = _no_colon(text, mark)
        raise ContentError([Problem(_mark_location(display, mark), message or _translate(error.problem))]) from None
    except YAMLError as error:
        raise ContentError([Problem(Location(display), _translate(str(error)))]) from None
    except RecursionError:
        raise ContentError([Problem(Location(display, 1, 1), "入れ子（字下げやかっこ）が深すぎて読めません")]) from None
    refused = _refused_nodes(display, data)
    if refused:
        raise ContentError(refused)
    keep(key, data)
    return data


#: Where parsed files are kept between builds (the build sets it; ``check`` writes nothing).
KEPT_PARSES: ContextVar[Path | None] = ContextVar("kept_parses", default=None)
#: Parsed files kept between builds, beyond which the oldest go (one per version of a file).
MAX_KEPT_PARSES = 200
#: Parses (and files' records, content/files.py) of this process (a build reads a changed file twice:
#: for the records and for the glyph check).
_PARSES: dict[str, bytes] = {}


def _parse_key(data: bytes) -> str:
    """The file's bytes, ruamel.yaml's version and this module (which refuses nodes) name a parse."""
    digest = hashlib.sha256(data)
    digest.update(_parser_identity())
    return digest.hexdigest()[:40]


@functools.cache
def _parser_identity() -> bytes:
    """ruamel.yaml's version and this module's bytes: read once per process, not once per file."""
    return metadata.version("ruamel.yaml").encode() + Path(__file__).read_bytes()


def kept(key: str) -> Any:
    """A fresh copy of what ``keep`` kept under ``key`` in this process or in the build's folder
    (KEPT_PARSES), or None (unpickled: callers may change it). Parsing with positions is slow
    (ruamel.yaml takes a tenth of a second for a booklet file); after one edit, a build parses
    only the file that changed."""
    blob = _PARSES.get(key)
    folder = KEPT_PARSES.get()
    if blob is None and folder is not None:
        try:
            blob = memo.checked((folder / key).read_bytes())  # None if damaged outside planpress: parsed again
        except OSError:
            return None
    try:
        return None if blob is None else pickle.loads(blob)
    except Exception:  # noqa: BLE001 - an unreadable entry is a miss: made again
        return None


def keep(key: str, data: Any) -> None:
    """Keep a copy of ``data`` (a parse, a file's record) under ``key``, a hash of all it comes from."""
    blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    if len(_PARSES) >= 64:
        _PARSES.pop(next(iter(_PARSES)))
    _PARSES[key] = blob
    folder = KEPT_PARSES.get()
    if folder is None:
        return
    memo.write_quietly(folder / key, memo.sealed(blob))  # a cache not written costs only time
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.stat().st_mtime_ns)
        for entry in entries[: max(0, len(entries) - MAX_KEPT_PARSES)]:
            entry.unlink(missing_ok=True)
    except OSError:
        pass


def _not_utf8(display: str, data: bytes, start: int) -> Problem:
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    col = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    message = "文字コードがUTF-8ではありません（Shift_JIS などで保存されています。UTF-8で保存し直してください）"
    return Problem(Location(display, line, col), message)


def _unacceptable(display: str, text: str, error: ReaderError) -> Problem:
    """A character YAML itself refuses (a control character typed into the file)."""
    before = text[: error.position]
    line = before.count("\n") + 1
    col = error.position - (before.rfind("\n") + 1) + 1
    code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
    return Problem(Location(display, line, col), f"使えない文字 U+{code:04X}（制御文字）があります")


def _refused_nodes(display: str, data: Any) -> list[Problem]:
    """Tagged nodes (``!!python/object`` …) and aliases (``*name``) of lists and mappings.

    The round-trip loader never builds objects from tags, but it would silently read a
    tagged mapping as an ordinary one; and aliases of aliases make a few lines stand
    for millions of values (a "billion laughs"). Content is plain data written out.
    """
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[Any, Any, Any]] = [(data, None, None)]
    while stack:
        node, container, key = stack.pop()
        at = where(display, container, key) if container is not None else Location(display, 1, 1)
        tag = getattr(getattr(node, "tag", None), "value", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(Problem(at, f"YAMLのタグ「{shown}」は使えません（値だけを書いてください）"))
        elif isinstance(node, (CommentedMap, CommentedSeq)):
            if id(node) in seen:
                message = "ここに &名前 を付けた内容を別名（*名前）で繰り返し使うことはできません（使う場所ごとにそのまま書いてください）"
                problems.append(Problem(at, message))
                continue
            seen.add(id(node))
            children = node.items() if isinstance(node, CommentedMap) else enumerate(node)
            stack.extend((child, node, index) for index, child in reversed(list(children)))
    return list(dict.fromkeys(problems))  # ruamel places every alias at its anchor


def _mark_location(display: str, mark: Any) -> Location:
    if mark is None:
        return Location(display)
    return Location(display, mark.line + 1, mark.column + 1)


def where(display: str, container: Any, key: Any = None) -> Location:
    """Location of a mapping's value for ``key``, a sequence item, or the container itself."""
    lc = getattr(container, "lc", None)
    if lc is None:
        return Location(display)
    try:
        if key is None:
            line, col = lc.line, lc.col
        elif isinstance(container, CommentedMap):
            line, col = lc.value(key)
        elif isinstance(container, CommentedSeq):
            line, col = lc.item(key)
        else:
            line, col = lc.line, lc.col
    except (KeyError, IndexError, TypeError):
        line, col = lc.line, lc.col
    return Location(display, line + 1, col + 1)


def key_where(display: str, mapping: CommentedMap, key: Any) -> Location:
    """Location of a mapping's key (where an unknown key is reported)."""
    try:
        line, col = mapping.lc.key(key)
    except (KeyError, AttributeError, TypeError):
        return where(display, mapping)
    return Location(display, line + 1, col + 1)


def not_a_file(path: Path, why: str = "") -> str:
    """What to say of a content file that cannot be read as one: a folder in its place, or none."""
    if path.is_dir():
        return "ファイルではなくフォルダです（同じ名前のフォルダを移すか、名前を変えてください）"
    return f"ファイルがありません{why}"
