"""Benchmark: planpress's PDF build against WeasyPrint in one pass and headless Chromium.

For each size (×1 the real content; ×4, ×16 with synthetic policies and text made from the
real ones, in a temporary copy of the project, never in content/) it measures, as the median
of several runs:

- planpress cold (empty cache), after one commentary edit, and with nothing changed;
- WeasyPrint rendering the same HTML (``planpress build --format html``) in one process;
- headless Chromium printing the same HTML;
- what the office runs: ``planpress build`` of every document in PDF and Word, cold, after one
  commentary of the evaluation (printed in both documents) is edited, and with nothing changed.

Each run is a fresh process; wall time, CPU time (the process and every child it reaped) and
peak memory (the resident set of the whole process tree, sampled every 20 ms) are recorded.
Not a test: it measures, it asserts nothing. ``make bench`` runs it and writes the figures into
bench/README.md between the ``bench:start`` and ``bench:end`` markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import edit_evaluation, editor, scaled_copy  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")


@dataclass(frozen=True)
class Sample:
    """One timed run of a command."""

    wall: float
    cpu: float
    peak_mib: float
    pages: int = 0
    size_kib: float = 0.0


def machine() -> str:
    """The machine the figures come from, as the README quotes it."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu}, {int(memory) / 2**20:.1f} GiB RAM, "
            f"load average {load:.1f} at the start, Python {platform.python_version()}")


def _tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc (each process's children
    lists, not every process's stat: the sampler runs every 20 ms beside what it measures)."""
    pages, frontier, seen = 0, [root], set()
    while frontier:
        pid = frontier.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                frontier.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(command: list[str], cwd: Path, output: Path | None = None) -> Sample:
    """Run ``command``; its wall and CPU time, its tree's peak memory, and the PDF it wrote."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss_mib(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{errors[-2000:]}")
    pages, size = _pdf_facts(output) if output is not None else (0, 0.0)
    return Sample(wall, usage.ru_utime + usage.ru_stime, max(peak[0], usage.ru_maxrss / 1024), pages, size)


def _pdf_facts(path: Path) -> tuple[int, float]:
    import pikepdf

    with pikepdf.open(path) as document:
        return len(document.pages), path.stat().st_size / 1024


def median(samples: list[Sample]) -> Sample:
    """The median of each figure over the runs."""
    return Sample(*(statistics.median(getattr(s, name) for s in samples) for name in ("wall", "cpu", "peak_mib")),
                  samples[0].pages, statistics.median(s.size_kib for s in samples))


def measure(root: Path, name: str, runs: int, profile: Path, edits: int = 1) -> dict[str, Sample]:
    """Every measured command at one size, each the median of ``runs`` runs; `planpress build`
    after an edit, the median of ``edits`` edits (each built in turn) in every run."""
    planpress = [str(BIN / "planpress"), "build", name, "--format", "pdf", "--quiet"]
    subprocess.run([str(BIN / "planpress"), "build", name, "--format", "html", "--quiet"], cwd=root, check=True,
                   capture_output=True)
    source, built = root / "output" / f"{name}.html", root / "output" / f"{name}.pdf"
    single, chrome, unsplit = root / "single.pdf", root / "chromium.pdf", root / "one-pass.pdf"
    commands = {
        "one-pass": ([str(BIN / "python"), str(HERE / "one_pass.py"), str(root), name, str(unsplit)], unsplit),
        "weasyprint": ([str(BIN / "weasyprint"), str(source), str(single)], single),
        "chromium": ([shutil.which("chromium") or "chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                      f"--print-to-pdf={chrome}", source.as_uri()], chrome),
    }
    everything = [str(BIN / "planpress"), "build", "--quiet"]
    timed(commands["chromium"][0], root)  # warm-up: Chromium's first start in a profile is slower
    found: dict[str, list[Sample]] = {key: [] for key in LABELS}
    for run in range(runs):
        shutil.rmtree(root / ".planpress-cache", ignore_errors=True)
        found["cold"].append(timed(planpress, root, built))
        editor(name)(root, run)
        found["edit"].append(timed(planpress, root, built))
        found["unchanged"].append(timed(planpress, root, built))
        for key, (command, output) in commands.items():
            found[key].append(timed(command, root, output))
        shutil.rmtree(root / ".planpress-cache", ignore_errors=True)
        found["all-cold"].append(timed(everything, root, built))
        for edit in range(edits):  # one sample is at the mercy of a moment's load: the median of several
            edit_evaluation(root, 50 + run * edits + edit)
            found["all-edit"].append(timed(everything, root, built))
        found["all-unchanged"].append(timed(everything, root, built))
        print(f"  run {run + 1}/{runs} done", file=sys.stderr)
    edited = sorted(found["all-edit"], key=lambda sample: sample.wall)
    return {**{key: median(samples) for key, samples in found.items()},
            "all-edit-fastest": edited[0], "all-edit-slowest": edited[-1]}


#: Each measured command, as the table names it.
LABELS = {"cold": "booklet PDF, cold cache", "edit": "booklet PDF, one policy page edited",
          "unchanged": "booklet PDF, nothing changed", "one-pass": "planpress's PDF in one pass (no sections)",
          "weasyprint": "WeasyPrint CLI, one pass (untagged)",
          "chromium": "Chromium (headless)", "all-cold": "`planpress build` (all, PDF + Word), cold cache",
          "all-edit": "`planpress build`, one commentary edited", "all-unchanged": "`planpress build`, nothing changed"}


def table(results: dict[int, dict[str, Sample]]) -> list[str]:
    """The figures as a Markdown table, with the ratios to Chromium."""
    lines = ["| size | build | pages | wall s | CPU s | peak MiB | PDF KiB | wall ÷ Chromium | s/page |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for size, found in results.items():
        chromium = found["chromium"].wall
        pages = found["cold"].pages
        for key, label in LABELS.items():
            s = found[key]
            lines.append(f"| ×{size} | {label} | {s.pages or pages} | {s.wall:.2f} | {s.cpu:.2f} | {s.peak_mib:.0f} | "
                         f"{s.size_kib:.0f} | {s.wall / chromium:.2f} | {s.wall / max(pages, 1):.3f} |")
    return lines


def targets(results: dict[int, dict[str, Sample]]) -> list[str]:
    """Each target of issue 6, met or not, by how much."""
    sizes = sorted(results)
    lines = []
    for size in sizes:
        found, chromium = results[size], results[size]["chromium"].wall
        lines.append(f"- ×{size}: cold build {found['cold'].wall / chromium:.2f}× Chromium (target ≤ 2); "
                     f"rebuild after one edit {found['edit'].wall / chromium:.2f}× Chromium's full time (target ≤ 0.5); "
                     f"nothing changed {found['unchanged'].wall:.2f} s (target < 1); `planpress build` of everything: "
                     f"nothing changed {found['all-unchanged'].wall:.2f} s (target < 1), one commentary edited "
                     f"{found['all-edit'].wall:.2f} s (target < 3; {found['all-edit-fastest'].wall:.2f}–"
                     f"{found['all-edit-slowest'].wall:.2f} s over its edits)")
    for size in sizes:
        found = results[size]
        lines.append(f"- ×{size}: the merged PDF is {_larger(found['cold'], found['one-pass'])} (cold) and "
                     f"{_larger(found['edit'], found['one-pass'])} (after an edit, from the cache) larger than "
                     "planpress's one-pass PDF (target ≤ 10%)")
    small, large = results[sizes[0]]["cold"], results[sizes[-1]]["cold"]
    if len(sizes) > 1:
        ratio = (large.wall / large.pages) / (small.wall / small.pages)
        lines.append(f"- time per page ×{sizes[-1]} ÷ ×{sizes[0]}: {ratio:.2f} (target ≤ 1.2); "
                     f"peak memory ×{sizes[-1]}: {large.peak_mib:.0f} MiB (target < 1024)")
    return lines


def _larger(merged: Sample, single: Sample) -> str:
    return f"{(merged.size_kib / single.size_kib - 1) * 100:.1f}%"


def write_readme(readme: Path, text: str) -> None:
    content = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in content or end not in content:
        raise SystemExit(f"bench: {readme} has no {start} … {end} markers")
    head, rest = content.split(start, 1)
    readme.write_text(head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs at ×1 (median; default 3)")
    parser.add_argument("--runs-large", type=int, default=1, help="runs at the larger sizes (default 1)")
    parser.add_argument("--sizes", default="1,4,16", help="sizes to build (default 1,4,16)")
    parser.add_argument("--readme", type=Path, help="write the figures into this README between the bench markers")
    parser.add_argument("--edits", type=int, default=5,
                        help="commentary edits built one after another in each run (median; default 5)")
    parser.add_argument("--project", type=Path, default=REPO, help="the project whose content/ and layouts/ are copied")
    args = parser.parse_args(argv)
    about = machine()
    results: dict[int, dict[str, Sample]] = {}
    with tempfile.TemporaryDirectory(prefix="planpress-bench-") as folder:
        for size in (int(part) for part in args.sizes.split(",")):
            root = Path(folder) / f"x{size}"
            name = scaled_copy(args.project, root, size)
            print(f"bench: {name} ×{size}", file=sys.stderr)
            results[size] = measure(root, name, args.runs if size == 1 else args.runs_large, Path(folder) / "chromium",
                                    args.edits)
    runs = (f"median of {args.runs} runs at ×1, {args.runs_large} at larger sizes; `planpress build` after an "
            f"edit: median of {args.edits} edits a run")
    text = "\n".join([f"Measured {time.strftime('%Y-%m-%d')} on {about}; {runs}; document `{name}`.", "",
                      *table(results), "", *targets(results)])
    print(text)
    if args.readme:
        write_readme(args.readme, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
