"""Progress lines on stderr for builds that take more than a moment."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Prints one line per step with its number, and its time when done."""

    def __init__(self, total: int, *, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.quiet = quiet

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        self.done += 1
        prefix = f"[{self.done}/{self.total}] {label}"
        interactive = self.stream.isatty()
        if interactive and not self.quiet:
            self.stream.write(f"{prefix} … 作成中")
            self.stream.flush()
        started = time.monotonic()
        yield
        if not self.quiet:
            elapsed = time.monotonic() - started
            start = "\r" if interactive else ""
            self.stream.write(f"{start}{prefix} … 完了（{elapsed:.1f}秒）\n")
            self.stream.flush()

    def note(self, message: str) -> None:
        """A line the user must see even with --quiet (say, a document left out)."""
        self.stream.write(f"{message}\n")
        self.stream.flush()
