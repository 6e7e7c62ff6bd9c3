"""Progress lines on stderr for builds that take more than a moment."""

from __future__ import annotations

import os
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
            self._write(f"{prefix} … 作成中")
        started = time.monotonic()
        yield
        if not self.quiet:
            elapsed = time.monotonic() - started
            start = "\r" if interactive else ""
            self._write(f"{start}{prefix} … 完了（{elapsed:.1f}秒）\n")

    def note(self, message: str) -> None:
        """A line the user must see even with --quiet (say, a document left out)."""
        self._write(f"{message}\n")

    def _write(self, text: str) -> None:
        """A reader that closed the pipe (planpress build 2>&1 | head) does not stop the build."""
        try:
            self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            self.quiet = True
            self.stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the rest of the build
