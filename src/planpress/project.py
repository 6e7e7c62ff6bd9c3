"""Find the project's folders: content/, layouts/ and output/."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from planpress.errors import PlanpressError


@dataclass(frozen=True)
class Project:
    """A planpress project: the folder holding content/, layouts/ and output/."""

    root: Path
    #: The documents' date, fixed for one run (``pinned``); None: read from the files on each call.
    date: float | None = field(default=None, compare=False)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def print_profile(self) -> Path:
        """Where the office puts the print shop's CMYK output profile (render/pdf/standards.py)."""
        return self.layouts_dir / "print-output.icc"

    def build_date(self) -> float:
        """The documents' date: SOURCE_DATE_EPOCH, else the newest content or layout file.

        Never the clock, so the same content builds the same bytes.
        """
        if self.date is not None:
            return self.date
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return float(epoch)
        files = [p for folder in (self.content_dir, self.layouts_dir) for p in folder.rglob("*") if p.is_file()]
        return max((p.stat().st_mtime for p in files), default=0.0)

    def pinned(self) -> Project:
        """The project with its build date fixed, for a run that writes several files (a build,
        check, the sheets, one save in serve): a file saved while the run goes on gives its files
        no other date, and a cached file no other date than its key was made with."""
        return self if self.date is not None else replace(self, date=self.build_date())

    def display(self, path: Path) -> str:
        """The path as the user should see it: relative to the project, with slashes."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    @classmethod
    def at(cls, root: Path) -> Project:
        """The project in ``root``; it must have a content/ folder."""
        root = root.resolve()
        if not (root / "content").is_dir():
            raise PlanpressError(f"{root}: content/ フォルダがありません（planpress はプロジェクトのフォルダで実行してください）")
        return cls(root)
