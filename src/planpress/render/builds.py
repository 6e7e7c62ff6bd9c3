"""What the last build of each document's PDF did (``LAST_BUILDS``: for the command's report and
for tests), kept apart from the PDF engine: a build whose PDFs all come from the output cache
records that without importing the engine (render/pdf), which it does not otherwise need."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PartsBuild:
    """What one build did: sections laid out, WeasyPrint passes, whether the merge was cached."""

    parts: int
    laid_out: list[int] = field(default_factory=list)
    batches: int = 0
    #: each section's batch (batch_numbers)
    batch_of: list[int] = field(default_factory=list)
    cached_merge: bool = False
    single_pass: str = ""
    #: the sections submitted at a start guessed from the last build's page counts (``_Planner._submit``)
    guessed: list[int] = field(default_factory=list)


#: The last build of each document, by its name.
LAST_BUILDS: dict[str, PartsBuild] = {}
