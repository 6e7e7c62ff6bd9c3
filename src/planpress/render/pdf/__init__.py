"""The PDF engine: a document's PDF through WeasyPrint, sections laid out in parallel and cached.

Its one entry point is ``render(document, project, profile=..., scratch=..., one_pass=...)``
(``shared_workers(documents)`` around a build's renders gives them one set of workers);
``LAST_BUILDS`` says what the last build of each document did (for the command's report, tests);
``output_profile(project)`` is the print shop's CMYK profile, checked (``planpress check`` asks too);
``generic_profile_warning(project)`` what a print build says once when the generic one stands in.

- parts.py: the build — which sections (*parts*) to lay out, in which *batches*, from the cache;
- pool.py: the worker processes (the page counts they share, the work of one batch);
- forked.py: the processes themselves, forked from one that imported WeasyPrint;
- batch.py: one batch laid out in a worker, its pages numbered as in the whole document;
- cache.py: the section cache (a part's layout facts by content key, its pages by variant);
- weasy.py: WeasyPrint's public API (the single pass, the URL fetcher, its warnings in Japanese);
- merge.py, tags.py, fontmerge.py: the batches' pages joined into one PDF (outline, links,
  structure tree, shared font programs);
- standards.py: PDF/UA, PDF/X-4, PDF/A declarations; justify.py: Japanese justification;
  overflow.py: text sticking out of its box, found in the laid-out pages;
- _weasy_internals.py: every use of WeasyPrint's internals, for the one version they fit.
"""

from __future__ import annotations

from planpress.render.builds import LAST_BUILDS, PartsBuild
from planpress.render.pdf.parts import early_workers, render, shared_workers
from planpress.render.pdf.standards import generic_profile_warning, output_profile

__all__ = ["LAST_BUILDS", "PartsBuild", "early_workers", "generic_profile_warning", "output_profile", "render",
           "shared_workers"]
