"""Citations of the policy tree as the booklet prints them: 基本施策17−3 親しまれる港づくり.

A citation names a 運営方針 or 基本施策 by number, optionally one of its 施策
(``-3``), optionally followed by the name as the author saw it in print. The
printed name is never shown: the booklet prints the tree's name, and a printed
name that differs from the tree is reported so the office can correct one or the other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from planpress.content.fields import Context, Invalid, Kind
from planpress.content.model import KINDS, Policy, PolicyTree, item_code
from planpress.errors import Location

# Hyphen-like characters authors type between the item and the 施策 number.
_DASHES = "-−－‐‑–—ー"
_PATTERN = re.compile(
    rf"^(?P<kind>{'|'.join(KINDS)})\s*(?P<number>\d{{1,3}})"
    rf"(?:\s*[{_DASHES}]\s*(?P<measure>\d{{1,3}}))?"
    r"(?:[\s　]+(?P<name>\S.*))?$"
)

#: How the booklet prints the dash of 基本施策17−3 (a minus sign, as the seed does).
PRINTED_DASH = "−"


@dataclass(frozen=True)
class Citation:
    """What the content wrote: kind, number, optional 施策 number and printed name."""

    kind: str
    number: int
    measure: int | None = None
    printed_name: str | None = None
    location: Location = field(default=Location(""), compare=False)

    @property
    def code(self) -> str:
        """基本施策17−3, or 基本施策17 for a citation of the whole item."""
        base = item_code(self.kind, self.number)
        return base if self.measure is None else f"{base}{PRINTED_DASH}{self.measure}"


@dataclass(frozen=True)
class Resolved:
    """A citation with the tree's policy and, for a 施策 citation, the 施策's name."""

    citation: Citation
    policy: Policy
    measure_name: str | None

    @property
    def code(self) -> str:
        return self.citation.code

    @property
    def name(self) -> str:
        """The name the booklet prints: the 施策's, else the item's, from the tree."""
        return self.measure_name if self.measure_name is not None else self.policy.name


def parse(text: str, location: Location = Location("")) -> Citation:
    """Read ``運営方針06-4`` or ``基本施策17−3 親しまれる港づくり``; raise Invalid if it is not one."""
    normal = unicodedata.normalize("NFKC", text.strip()) if text else ""
    match = _PATTERN.match(_digits_only(normal, text.strip()))
    if match is None:
        raise Invalid(f"「{text}」は引用の形ではありません（例: 基本施策17-3、運営方針06）", location)
    measure = match.group("measure")
    name = match.group("name")
    return Citation(match.group("kind"), int(match.group("number")), int(measure) if measure else None,
                    name.strip() if name else None, location)


def _digits_only(normal: str, original: str) -> str:
    """NFKC only for the number part, so a printed name keeps its full-width letters (ＩＣＴ)."""
    head = re.match(r"^\S+", normal)
    rest = re.match(r"^\S+(.*)$", original, re.S)
    if head is None or rest is None:
        return normal
    return head.group(0) + rest.group(1)


def resolve(citation: Citation, tree: PolicyTree) -> Resolved | str:
    """The cited policy and 施策, or a Japanese message saying why the citation points nowhere."""
    policy = tree.find(citation.kind, citation.number)
    if policy is None:
        last = max(p.number for p in tree.policies(citation.kind))
        return f"{citation.code}: 施策の体系にありません（{citation.kind}は{item_code(citation.kind, last)}まで）"
    if citation.measure is None:
        return Resolved(citation, policy, None)
    name = policy.measure(citation.measure)
    if name is None:
        return f"{citation.code}: {policy.code}（{policy.name}）の施策は{len(policy.measures)}までです"
    return Resolved(citation, policy, name)


def name_mismatch(resolved: Resolved, tree: PolicyTree) -> str | None:
    """If the printed name differs from the tree's, say what the tree has and where that name is."""
    printed = resolved.citation.printed_name
    if printed is None or printed == resolved.name:
        return None
    message = f"{resolved.code}: 記載の名称「{printed}」は施策の体系の名称「{resolved.name}」と異なります"
    elsewhere = find_by_name(printed, tree)
    if elsewhere:
        message += f"（「{printed}」は{'、'.join(elsewhere)}）"
    width = width_difference(printed, resolved.name)
    if width is not None:
        message += f"（違いは全角と半角だけです: 記載は「{width[0]}」、施策の体系は「{width[1]}」）"
    return message


#: Full-width ASCII (Ｉ, １, －) to the half-width character it is a variant of; the ideographic space to a space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def width_difference(printed: str, name: str) -> tuple[str, str] | None:
    """The differing characters (ICT and ＩＣＴ; runs apart joined as ICT」「1) when two names differ only
    in full-width and half-width letters, digits or signs: a reader sees the same name, so the
    warning says that is all the difference is."""
    if printed == name or printed.translate(_HALF_WIDTH) != name.translate(_HALF_WIDTH):
        return None
    runs: list[tuple[str, str]] = []
    previous = -2
    for index, (a, b) in enumerate(zip(printed, name)):
        if a == b:
            continue
        if index == previous + 1:
            runs[-1] = (runs[-1][0] + a, runs[-1][1] + b)
        else:
            runs.append((a, b))
        previous = index
    return "」「".join(a for a, _ in runs), "」「".join(b for _, b in runs)


def find_by_name(name: str, tree: PolicyTree) -> list[str]:
    """Codes of every item or 施策 of the tree printed exactly as ``name``."""
    found = []
    for policy in tree.policies():
        if policy.name == name:
            found.append(policy.code)
        found += [f"{policy.code}{PRINTED_DASH}{i}" for i, m in enumerate(policy.measures, 1) if m == name]
    return found


class CitationKind(Kind):
    """A field holding one citation; whether it resolves is checked against the tree later."""

    def __init__(self, *, measure: bool | None = None) -> None:
        #: True: must cite a 施策; False: must cite a whole item; None: either.
        self.measure = measure

    def read(self, value: Any, container: Any, key: Any, ctx: Context) -> Citation:
        if not isinstance(value, str):
            raise Invalid(f"「基本施策17-3」の形の文字列で書いてください（今の値: {value}）")
        citation = parse(value, ctx.here(container, key))
        if self.measure is True and citation.measure is None:
            raise Invalid(f"「{value}」: 施策の番号まで書いてください（例: 基本施策17-3）")
        if self.measure is False and citation.measure is not None:
            raise Invalid(f"「{value}」: 施策の番号は付けず、項目だけを書いてください（例: 基本施策17）")
        return citation
