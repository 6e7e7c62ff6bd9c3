"""planpress's PDF of one document laid out in one WeasyPrint pass, without sections or cache:
what the merged PDF of a sectioned build is compared with (size), as ``bench.py`` runs it.

    python bench/one_pass.py PROJECT DOCUMENT OUT.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

from planpress.build import load
from planpress.documents import available
from planpress.render import pdf
from planpress.project import Project


def main(argv: list[str]) -> int:
    root, name, target = Path(argv[0]), argv[1], Path(argv[2])
    project = Project.at(root)
    content, _ = load(project, keep=False)
    [spec] = [spec for spec in available(content) if spec.name == name]
    target.write_bytes(pdf.render(spec.make(), project, one_pass=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
