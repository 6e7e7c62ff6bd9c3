"""Where `planpress build` spends its time after one commentary edit: a timeline of its steps.

Not a test: it measures, it asserts nothing. Each build runs as the office runs it, in a process
of its own, with the build's main steps wrapped to note when they started and ended, in which
process and thread, and the CPU they used (the thread's own; LibreOffice's as its processes had
used it when last seen, sampled every 20 ms: a little short). A build after an edit is bound by
the CPU of 2 cores, so the CPU column says what a change can gain; the wall times say what waits
on what.

    python bench/timeline.py --size 4 --edits 3      # a scaled copy of the project (bench/scale.py)
    python bench/timeline.py --project /tmp/copy     # a copy made before: its content/ is edited

Without --project the copy is made in a temporary folder and built once, cold, first. The modules
whose steps are noted are imported when the build's process starts (python-docx among them, which
a build imports later, on its Word thread): the first steps start a little later than they would.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parent.parent
#: The steps noted: (module, function, label); the label gets the document's name where known.
STEPS = (
    ("planpress.build", "load", "read and check content/"),
    ("planpress.render.pdf.pool", "prepare_workers", "worker: import WeasyPrint"),
    ("planpress.render.pdf.pool", "work", "worker: lay out a batch"),
    ("planpress.render.pdf.pool", "_merge", "worker: merge"),
    ("planpress.render.pdf.parts", "_render_parts", "PDF: plan, wait, merge"),
    ("planpress.render.docx", "render", "Word file"),
    ("planpress.render.docx_toc", "_convert", "LibreOffice (Word contents)"),
)


def _document_of(function: str, args: tuple[Any, ...]) -> str:
    """The document a step works on, where its arguments say."""
    if function == "work":
        return args[1].document.name
    if function in ("_render_parts", "render"):
        return args[0].name
    if function == "_merge":
        return f"{len(args[1])} sections"
    return ""


def _tree_cpu(root: int) -> float:
    """CPU seconds the process ``root`` and its descendants alive now have used (from /proc)."""
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)], cpu[int(entry.name)] = int(fields[1]), int(fields[11]) + int(fields[12])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += cpu.get(pid, 0)
        stack += [child for child, parent in parents.items() if parent == pid]
    return total / os.sysconf("SC_CLK_TCK")


def _office_cpu(done: threading.Event, found: list[float]) -> None:
    """The CPU of the LibreOffice runs under way, sampled until ``done`` (the most seen: a process
    is gone from /proc once it ended, and what it used goes to a parent no one asks)."""
    from planpress.render import docx_toc

    while not done.wait(0.02):
        for process in list(docx_toc._RUNNING):
            found[0] = max(found[0], _tree_cpu(process.pid))


def _noted(log: Path, start: float, function: str, label: str, wrapped: Any) -> Any:
    @functools.wraps(wrapped)
    def step(*args: Any, **kwargs: Any) -> Any:
        began, cpu, office, done = time.time(), time.thread_time(), [0.0], threading.Event()
        if function == "_convert":  # LibreOffice's processes: not this thread's CPU
            threading.Thread(target=_office_cpu, args=(done, office), daemon=True).start()
        try:
            return wrapped(*args, **kwargs)
        finally:
            done.set()
            used = office[0] if function == "_convert" else time.thread_time() - cpu
            record = {"pid": os.getpid(), "thread": threading.current_thread().name, "label": label,
                      "document": _document_of(function, args), "start": began - start,
                      "end": time.time() - start, "cpu": used}
            with log.open("a", encoding="utf-8") as out:  # one short line a write: whole lines from every process
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return step


def child(project: Path, log: Path, start: float, build_args: list[str]) -> int:
    """The build, in this process, with its steps noted in ``log``."""
    for module_name, function, label in STEPS:
        module = importlib.import_module(module_name)
        setattr(module, function, _noted(log, start, function, label, getattr(module, function)))
    os.chdir(project)
    from planpress.cli import main

    code = main(["build", "--quiet", *build_args])
    ours, theirs = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"wall": time.time() - start, "cpu_main": ours.ru_utime + ours.ru_stime,
                              "cpu_children": theirs.ru_utime + theirs.ru_stime}) + "\n")
    return code


def timeline(project: Path, edit: int, build_args: list[str]) -> tuple[float, list[str]]:
    """One edit built in a process of its own: its wall time and its timeline's lines."""
    from scale import edit_evaluation  # here, not in the build's process: it imports planpress's loading

    edit_evaluation(project, edit)
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as log:
        started = time.time()
        subprocess.run([sys.executable, __file__, "--child", str(project), log.name, str(started), *build_args],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        records = [json.loads(line) for line in Path(log.name).read_text(encoding="utf-8").splitlines()]
    total = records.pop() if records and "wall" in records[-1] else {}
    pids = {pid: number for number, pid in enumerate(dict.fromkeys(record["pid"] for record in records))}
    lines = [f"{'start':>6} {'end':>6} {'CPU':>5}  process/thread              step"]
    for record in sorted(records, key=lambda found: found["start"]):
        where = f"{'main' if pids[record['pid']] == 0 else 'worker'}#{pids[record['pid']]} {record['thread'][:18]}"
        lines.append(f"{record['start']:6.2f} {record['end']:6.2f} {record['cpu']:5.2f}  {where:27} {record['label']}"
                     + (f" ({record['document']})" if record["document"] else ""))
    if total:
        lines.append(f"the build: {total['wall']:.2f} s from the command's start; CPU {total['cpu_main']:.2f} s in its "
                     f"own process, {total['cpu_children']:.2f} s in its children (workers, LibreOffice)")
    return total.get("wall", 0.0), lines


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["--child"]:  # the build itself, started by ``timeline``
        return child(Path(arguments[1]), Path(arguments[2]), float(arguments[3]), arguments[4:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a copy of a project (its content/ is edited); default: a new copy")
    parser.add_argument("--size", type=int, default=1, help="with no --project: the copy's size (×N, bench/scale.py)")
    parser.add_argument("--edits", type=int, default=3, help="edits, each built and shown in turn (default 3)")
    parser.add_argument("--first", type=int, help="the first edit's run (scale.edit_evaluation); default: the one "
                        "after the copy's last, so each edit's text is new to its cache (a text laid out before "
                        "finds its Word sections' layouts kept, and LibreOffice does not run as after a real edit)")
    parser.add_argument("build_args", nargs="*", help="more arguments for `planpress build` (after --)")
    args = parser.parse_args(arguments)
    with tempfile.TemporaryDirectory(prefix="planpress-timeline-") as folder:
        project = args.project
        if project is None:
            from scale import scaled_copy

            project = Path(folder) / f"x{args.size}"
            scaled_copy(REPO, project, args.size)
            print(f"timeline: building the ×{args.size} copy once, cold", file=sys.stderr)
            subprocess.run([str(Path(sys.executable).parent / "planpress"), "build", "--quiet"], cwd=project,
                           check=True, capture_output=True)
        from scale import next_evaluation_edit

        first = next_evaluation_edit(project) if args.first is None else args.first
        walls = []
        for edit in range(args.edits):
            wall, lines = timeline(project, first + edit, args.build_args)
            walls.append(wall)
            print(f"\nedit {edit + 1}/{args.edits}:")
            print("\n".join(lines))
        print(f"\nmedian {statistics.median(walls):.2f} s over {len(walls)} edits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
