"""The cycle's commands as the CLI calls them: load and check content, do the step, print."""

from __future__ import annotations

import argparse
import sys

from planpress import build as stages
from planpress.project import Project


def run(project: Project, args: argparse.Namespace) -> bool:
    """Run one cycle command; False when it refused (the messages are already printed)."""
    content, _ = stages.load(project)
    if args.command == "evaluation":
        from planpress.cycle.new import new_evaluation

        print(project.display(new_evaluation(project, content, args.year)))
        return True
    if args.command == "sheets":
        from planpress.cycle.sheets import write_sheets

        for path in write_sheets(project, content, args.year):
            print(project.display(path))
        return True
    from planpress.cycle.collect import collect

    return collect(project, content, args.year, args.files, dry_run=args.dry_run, out=sys.stdout, err=sys.stderr)
