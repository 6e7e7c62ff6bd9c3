"""The documents planpress builds, by name, in one registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planpress.document import Document
from planpress.content.model import Content


@dataclass(frozen=True)
class DocumentSpec:
    """A document the content can produce: its name and how to lay it out."""

    name: str
    title: str
    make: Callable[[], Document]


def available(content: Content) -> list[DocumentSpec]:
    """Every document the content holds, in build order."""
    from planpress.documents import booklet, evaluation

    return evaluation.specs(content) + booklet.specs(content)


def skipped(content: Content) -> dict[str, str]:
    """Documents the content names but cannot make yet, by name, with the reason in Japanese."""
    from planpress.documents import evaluation

    return evaluation.skipped(content)
