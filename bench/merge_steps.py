"""Where the CPU of the booklet's merge after an edit goes, with QPDF's parsing charged where it is
paid.

QPDF reads an object of an object stream when something first asks for it (the whole stream at
once), and a save asks for every object it writes. A profile of ``merge_files`` in place therefore
charges the parsing of the last merged PDF to whichever step reads an object first: the structure
tree's kids in one capture (``tags.StructureMerge.in_place``, 0.29 s of a ×16 merge in cProfile),
the pages copied in another, although the save would pay it if they were not read. This script replays the largest merge of a build after
one commentary edit (its arguments captured, its input files copied) and measures, in CPU
(thread_time), alternating:

- ``lazy``: ``merge_files`` as the build runs it;
- ``parsed``: the same with every object of each source read when it is opened: each step then
  costs what it does itself, the parsing sits in ``open``.

Then the objects of the merged PDF by kind (/Type, and /S for structure elements): what QPDF
parses, writes and planpress packs.

    python bench/merge_steps.py --project /tmp/copy --runs 5    # a built copy (bench/scale.py)

The copy's content/ is edited (bench/scale.py edit_evaluation) and built in this process first.
Not a test: it measures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import collections
import io
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: The steps timed: (module, class or "", function, label).
STEPS = (
    ("planpress.render.pdf.merge", "_Source", "__init__", "open a source"),
    ("planpress.render.pdf.tags", "StructureMerge", "in_place", "structure: read the base's"),
    ("planpress.render.pdf.tags", "StructureMerge", "keep", "structure: keep"),
    ("planpress.render.pdf.tags", "StructureMerge", "add", "structure: add"),
    ("planpress.render.pdf.tags", "StructureMerge", "finish", "structure: finish"),
    ("planpress.render.pdf.merge", "", "_append", "copy pages"),
    ("planpress.render.pdf.merge", "", "join_fonts", "fonts"),
    ("planpress.render.pdf.objstreams", "", "saved", "save and pack"),
)


def captured(project: Path) -> tuple[dict[str, Path], list[Any], dict[str, str]]:
    """The arguments of the largest merge of a build after one commentary edit, its files copied."""
    from scale import edit_evaluation

    from planpress.cli import main
    from planpress.render.pdf import pool

    found: list[tuple[dict[str, Path], list[Any], dict[str, str]]] = []
    real = pool.Workers.merge
    copies = Path(tempfile.mkdtemp(prefix="merge-steps-"))  # every merge's files (names by their hash)

    def merge(self: pool.Workers, paths: dict[str, Path], parts: list[Any], dates: dict[str, str]) -> bytes:
        found.append(({batch: Path(shutil.copy(path, copies / path.name)) for batch, path in paths.items()}, parts, dates))
        return real(self, paths, parts, dates)

    pool.Workers.merge = merge  # type: ignore[method-assign]
    edit_evaluation(project, int(time.time()) % 100)
    here = Path.cwd()
    os.chdir(project)
    try:
        if main(["build"]) != 0:
            raise SystemExit("the build failed")
    finally:
        os.chdir(here)
        pool.Workers.merge = real  # type: ignore[method-assign]
    if not found:
        raise SystemExit("nothing merged: the edit gave text a build had laid out (run again)")
    return max(found, key=lambda arguments: len(arguments[1]))


def timed(spent: dict[str, float]) -> Callable[[], None]:
    """Wrap each step to add its CPU to ``spent``; return what puts them back."""
    undo = []
    for module, cls, name, label in STEPS:
        owner: Any = importlib.import_module(module)
        owner = getattr(owner, cls) if cls else owner
        original = owner.__dict__[name]
        function = original.__func__ if isinstance(original, classmethod) else original

        def wrapped(*args: Any, _function: Callable[..., Any] = function, _label: str = label, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.thread_time() - start

        setattr(owner, name, classmethod(wrapped) if isinstance(original, classmethod) else wrapped)
        undo.append((owner, name, original))

    def restore() -> None:
        for owner, name, original in undo:
            setattr(owner, name, original)

    return restore


def replay(arguments: tuple[dict[str, Path], list[Any], dict[str, str]], runs: int) -> bytes:
    from planpress.render.pdf import merge

    real_init = merge._Source.__init__

    def parsed(self: merge._Source, path: Path) -> None:
        real_init(self, path)
        len(self.pdf.objects)  # every object read now

    totals: dict[str, list[float]] = {"lazy": [], "parsed": []}
    steps: dict[str, dict[str, list[float]]] = {"lazy": {}, "parsed": {}}
    data = b""
    for _ in range(runs):
        for mode in totals:
            merge._Source.__init__ = parsed if mode == "parsed" else real_init  # type: ignore[method-assign]
            spent: dict[str, float] = {}
            undo = timed(spent)
            keep: list[Any] = []
            start = time.thread_time()
            data = merge.merge_files(*arguments, keep=keep)
            totals[mode].append(time.thread_time() - start)
            undo()
            for pdf in keep:
                pdf.close()
            for label, seconds in spent.items():
                steps[mode].setdefault(label, []).append(seconds)
    merge._Source.__init__ = real_init  # type: ignore[method-assign]
    print(f"merge of {len(arguments[1])} sections, CPU in s (median, min of {runs}):")
    for mode, values in totals.items():
        print(f"  {mode:8s} {statistics.median(values):.3f} {min(values):.3f}   " + " ".join(f"{v:.3f}" for v in values))
    print("steps (median s, lazy / parsed at open):")
    for *_, label in STEPS:
        lazy, parsed_at_open = (statistics.median(steps[mode].get(label, [0.0])) for mode in ("lazy", "parsed"))
        print(f"  {label:28s} {lazy:.4f} / {parsed_at_open:.4f}")
    return data


def census(data: bytes) -> None:
    import pikepdf

    kinds: collections.Counter[str] = collections.Counter()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for item in pdf.objects:
            if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
                kind = str(item.get("/Type", "")) or ("(stream)" if isinstance(item, pikepdf.Stream) else "(dictionary)")
                kinds[f"{kind} {item.S}" if kind == "/StructElem" else kind] += 1
            else:
                kinds[f"({type(item).__name__})"] += 1
    elements = sum(count for kind, count in kinds.items() if kind.startswith("/StructElem"))
    print(f"objects of the merged PDF: {sum(kinds.values())}, structure elements {elements}")
    for kind, count in kinds.most_common(12):
        print(f"  {kind:24s} {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, required=True, help="a built copy of the project (bench/scale.py)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--save", type=Path, help="also pickle the captured arguments there (the input files are kept)")
    options = parser.parse_args()
    arguments = captured(options.project.resolve())
    copies = next(iter(arguments[0].values())).parent
    if options.save:
        options.save.write_bytes(pickle.dumps(arguments))
        print(f"the merge's input files: {copies}")
    try:
        census(replay(arguments, options.runs))
    finally:
        if not options.save:
            shutil.rmtree(copies)


if __name__ == "__main__":
    main()
