"""HTML from the document model through the Jinja2 templates in layouts/."""

from __future__ import annotations

import base64
import functools
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from planpress import __version__, design, images
from planpress.document import Document
from planpress.drawing import Drawing
from planpress.errors import PlanpressError
from planpress.project import Project
from planpress.typeset import runs

#: The stylesheet every document reads first; then its own (Document.stylesheets), then its profile's.
STYLESHEETS = ("print.css",)
#: Extra stylesheets of each output profile.
PROFILE_STYLESHEETS = {"print": ("print-shop.css",)}
DRAWING_TEMPLATE = "drawing.svg"


@dataclass(frozen=True)
class PageContext:
    """What the templates see: the document and the page's furniture, nothing else."""

    document: Document
    styles: Markup
    version: str
    #: The document's date (Project.build_date), for a layout that shows it: read as ``date``, which notes
    #: the reading (a section's HTML kept between builds is keyed on the date only if it read it).
    when: str
    #: Whether the head names the date (dcterms.created, .modified). The PDF engine leaves it out
    #: and gives WeasyPrint the date as data, so a section's HTML holds the date only where a
    #: layout shows it, and an edit elsewhere (which moves the date) does not change it.
    head_dates: bool = True
    #: The design values as CSS custom properties (planpress.design), a <style> of their own so
    #: that WeasyPrint's line numbers in the layouts' styles stay theirs.
    design: Markup = Markup(design.css_variables())
    #: The names of the furniture the templates read that a page's HTML may not depend on ("date").
    read: set[str] = field(default_factory=set, compare=False)

    @property
    def date(self) -> str:
        self.read.add("date")
        return self.when


@functools.lru_cache(maxsize=8)
def environment(layouts_dir: Path) -> jinja2.Environment:
    """Templates autoescape everything and fail on any undefined name.

    One environment per layouts folder and process, so its compiled templates are reused (a
    parallel build renders every section on its own); Jinja reloads a template whose file changed.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(layouts_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["drawing_url"] = lambda drawing: drawing_url(env, drawing)
    env.filters["file_url"] = lambda path: Path(path).resolve().as_uri()
    env.filters["image_url"] = image_url
    env.filters["runs"] = runs
    return env


#: Libraries whose versions shape a page's HTML (Pillow: photos scaled down into data: URLs, the
#: web edition's picture files): in the key of every kept page (render/pdf/sources.py, serve).
LIBRARIES = ("jinja2", "markupsafe", "pillow")


def drawing_svg(env: jinja2.Environment, drawing: Drawing) -> str:
    """The drawing as SVG, through layouts/drawing.svg."""
    return env.get_template(DRAWING_TEMPLATE).render(drawing=drawing)


def drawing_url(env: jinja2.Environment, drawing: Drawing) -> str:
    """A data: URL of the drawing's SVG, so an <img> carries it with its alt text (tagged PDF)."""
    data = base64.b64encode(drawing_svg(env, drawing).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{data}"


def image_url(path: Path) -> str:
    """A photo's URL: the file, or a data: URL of its copy scaled to print size when it is huge."""
    copy = images.scaled(Path(path))
    if copy is None:
        return Path(path).resolve().as_uri()
    data, mime = copy
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def iso_date(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def stylesheets(document: Document, profile: str) -> tuple[str, ...]:
    """The layouts/ stylesheets of a document's pages, in the order they are joined."""
    return STYLESHEETS + document.stylesheets + PROFILE_STYLESHEETS.get(profile, ())


def render(document: Document, project: Project, *, profile: str = "web", date: float | None = None,
           head_dates: bool = True) -> str:
    """The whole document as one self-contained HTML page (styles inlined), of the document's
    date ``date`` (Project.build_date unless given); ``head_dates``: see PageContext."""
    when = project.build_date() if date is None else date
    return render_dated(document, project, page_styles(document, project, profile), when, head_dates)[0]


def page_styles(document: Document, project: Project, profile: str) -> str:
    """The document's stylesheets joined, as a page inlines them."""
    return "\n".join(_read_layout(project, name) for name in stylesheets(document, profile))


def render_dated(document: Document, project: Project, styles: str, date: float, head_dates: bool) -> tuple[str, bool]:
    """``render`` with its styles (page_styles); and whether the page read the date (the HTML of
    a page that did not is the same on any date: deterministic templates see only PageContext)."""
    return render_when(document, project, styles, iso_date(date), head_dates)


def render_when(document: Document, project: Project, styles: str, when: str, head_dates: bool) -> tuple[str, bool]:
    """``render_dated`` with the date as the templates read it (``when``: iso_date's text, or
    `serve`'s stand-in for it, serve/dates.py)."""
    page = PageContext(document, Markup(styles), __version__, when, head_dates)
    try:
        template = environment(project.layouts_dir).get_template("base.html")
        return template.render(page=page), "date" in page.read
    except jinja2.TemplateError as error:
        raise template_error(error, project) from None


def template_error(error: jinja2.TemplateError, project: Project, folder: str = "layouts/") -> PlanpressError:
    """The office's message for a template that is missing or goes wrong (``folder``: where
    templates are looked for first, and the place when nothing better is known)."""
    if isinstance(error, jinja2.TemplateNotFound):
        return PlanpressError(f"{folder}{error.name}: テンプレートがありません")
    return PlanpressError(f"{template_place(error, project, folder)}: テンプレートの誤り（{error.message}）")


def template_place(error: jinja2.TemplateError, project: Project, unknown: str) -> str:
    """Where a template went wrong, as the office's editor opens it (layouts/blocks/table.html:4):
    the file and line jinja2 names (a syntax error), else the innermost template line of the
    traceback (an error while a page is made, such as a misspelt attribute: jinja2 gives each
    template's frames its file and line), else ``unknown``."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not filename:
        layouts = project.layouts_dir.resolve()
        frame = error.__traceback__
        while frame is not None:
            path = Path(frame.tb_frame.f_code.co_filename)
            if path.resolve().is_relative_to(layouts):  # a template's frame (its own file)
                filename, line = str(path), frame.tb_lineno
            frame = frame.tb_next
    if not filename:
        return unknown
    return f"{project.display(Path(filename))}:{line}" if line else project.display(Path(filename))


def _read_layout(project: Project, name: str) -> str:
    path = project.layouts_dir / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise PlanpressError(f"layouts/{name}: ファイルがありません") from None
