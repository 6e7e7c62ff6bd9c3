"""Problems found in content, with their locations, and the one expected exception family."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, order=True)
class Location:
    """A position in a content file, 1-based as editors show it."""

    path: str
    line: int = 0
    col: int = 0

    @classmethod
    def in_text(cls, path: str, text: str, index: int) -> Location:
        """The line and column of ``text[index]``, ``text`` being the file ``path`` holds."""
        return cls(path, text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index))

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, said in Japanese for the office staff."""

    location: Location
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "警告: " if self.severity is Severity.WARNING else ""
        return f"{self.location}: {prefix}{self.message}"


class PlanpressError(Exception):
    """An expected failure: bad content, a missing file, a bad command line.

    Anything else that escapes is a bug in planpress and may show a traceback.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def lines(self) -> list[str]:
        """The lines to show the user, each starting with its location."""
        if self.location is None:
            return [self.message]
        return [f"{self.location}: {self.message}"]


class ContentError(PlanpressError):
    """The content has problems; all of them are listed, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)}件の問題があります")
        self.problems = sorted(problems, key=lambda p: p.location)

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class Problems:
    """Collects every problem found so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message))

    def warning(self, location: Location, message: str) -> None:
        self.items.append(Problem(location, message, Severity.WARNING))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity is Severity.WARNING]

    def raise_if_any(self, *, strict: bool = False) -> None:
        """Stop once, with every error (and with --strict every warning)."""
        failing = self.items if strict else self.errors
        if failing:
            raise ContentError(failing)
