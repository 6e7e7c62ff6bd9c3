"""The documents planpress builds, by name, in one registry."""

from __future__ import annotations

from planpress.content import Content
from planpress.document import DocumentSpec, RunningHead
from planpress.documents import booklet, evaluation


def available(content: Content) -> list[DocumentSpec]:
    """Every document the content holds, in build order."""
    return evaluation.specs(content) + booklet.specs(content)


def skipped(content: Content) -> dict[str, str]:
    """Documents the content names but cannot make yet, by name, with the reason in Japanese."""
    return evaluation.skipped(content)


def unmade(content: Content) -> dict[str, str]:
    """Every document the content names but cannot make, with the reason: those ``skipped``, and
    the booklet whose plan has no tree (a content warning already, so not among ``skipped``,
    which a build of every document notes)."""
    return {**skipped(content), **booklet.waiting(content)}


def running_heads(content: Content) -> list[RunningHead]:
    """The running headers every document prints from names in content/, at those names."""
    return evaluation.running_heads(content) + booklet.running_heads(content)
