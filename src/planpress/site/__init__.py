"""The web edition (`--format site`): a folder of static HTML pages, its stylesheet, its search
index and the pictures it shows, made from the same document model as print.

Templates are layouts/site/*.html; block templates in layouts/site/blocks/ take the place of
layouts/blocks/ where the screen needs something else (inline SVG drawings, headings renumbered
per page, tables that scroll); the others are shared with print.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from markupsafe import Markup

from planpress import __version__, design, images, memo
from planpress.document import Document
from planpress.drawing import Drawing
from planpress.errors import PlanpressError
from planpress.render.html import LIBRARIES, drawing_svg, iso_date, template_error
from planpress.serve import dates
from planpress.site import fonts, search
from planpress.site.kept import KeptPages
from planpress.site.pages import Site, cut
from planpress.site.terms import linked, term_ids
from planpress.project import Project

#: Files of layouts/site/ copied into the site as they are.
ASSETS = ("site.css", "site.js", "search.js")

SiteFiles = dict[str, bytes]


class Pictures:
    """Image files the pages show, copied into images/ under a name that changes with their bytes."""

    def __init__(self) -> None:
        self.files: SiteFiles = {}
        #: Each picture asked for, in order, and its file name (a kept page asks again: site/kept.py).
        self.asked: list[tuple[str | Path, str]] = []

    def url(self, path: str | Path) -> str:
        scaled = images.scaled(Path(path))
        data, suffix = (Path(path).read_bytes(), Path(path).suffix.lower()) if scaled is None else (
            scaled[0], "." + scaled[1].split("/")[-1].replace("jpeg", "jpg"))
        name = f"images/{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
        self.files[name] = data
        self.asked.append((path, name))
        return name


def render(document: Document, project: Project, *, profile: str = "web", kept: KeptPages | None = None) -> SiteFiles:
    """Every file of the site by its path inside the site's folder (``kept``: the pages of the
    last save, in `planpress serve`, where only the pages whose key changed are made again)."""
    site = cut(document)
    pictures = Pictures()
    terms = term_ids(site)
    env = _environment(project.layouts_dir, site, pictures, terms)
    date = iso_date(project.build_date())
    common = {"site": site, "document": document, "version": __version__, "date": date}
    files: SiteFiles = {}
    try:
        if kept is None:
            for page in site.pages:
                files[page.file] = env.get_template("page.html").render(page=page, **common).encode("utf-8")
        else:
            files.update(_kept_pages(kept, env, site, document, project, pictures, terms, date))
        files[search.PAGE] = env.get_template("search.html").render(page=None, **common).encode("utf-8")
    except jinja2.TemplateError as error:
        raise template_error(error, project, "layouts/site/") from None
    for name in ASSETS:
        path = project.layouts_dir / "site" / name
        try:
            files[f"assets/{name}"] = path.read_bytes()
        except OSError:
            raise PlanpressError(f"layouts/site/{name}: ファイルがありません") from None
    files["assets/design.css"] = design.css_variables().encode("utf-8")  # print's colours and families
    files[search.INDEX] = search.index(site, files) if kept is None else search.index(site, files, lambda name: kept.text(name, date))
    files.update(pictures.files)
    files.update(fonts.web_fonts(project, document.name, _shown(files, kept, date)))
    return files


def _shown(files: SiteFiles, kept: KeptPages | None, date: str) -> str:
    """What the faces must hold: the pages, the scripts' messages and what the stylesheets write
    (content:); a kept page's characters are kept with it (the fonts take the set of them)."""
    shown = [data.decode("utf-8") for name, data in files.items()
             if name.endswith((".html", ".js", ".css")) and (kept is None or name not in kept.made)]
    return "".join(shown) if kept is None else "".join(shown) + "".join(kept.characters(date))


def _kept_pages(kept: KeptPages, env: jinja2.Environment, site: Site, document: Document, project: Project,
                pictures: Pictures, terms: dict[str, tuple[str, str]], date: str) -> SiteFiles:
    """The pages as ``kept`` keeps them, of the date ``date``."""
    folders = (project.layouts_dir / "site", project.layouts_dir)
    when = dates.MARK if dates.printed_only(folders, None) else date
    frame = memo.fingerprint("site-page", memo.page_environment(project), memo.versions(*LIBRARIES), terms, when)
    common = {"site": site, "document": document, "version": __version__, "date": when}
    return {name: dates.dated(html, date).encode("utf-8")
            for name, html in kept.pages(env, site, document, common, pictures, frame).items()}


def _environment(layouts: Path, site: Site, pictures: Pictures, terms: dict[str, tuple[str, str]]) -> jinja2.Environment:
    """layouts/site/ first, then layouts/ (the block templates shared with print)."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(layouts / "site"), jinja2.FileSystemLoader(layouts)]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals["term_id"] = lambda term: terms[term][0] if term in terms else ""
    env.filters["marked"] = lambda text: linked(text, terms)
    env.filters["svg"] = lambda drawing: _inline(env, drawing)
    env.filters["asset_url"] = pictures.url
    env.filters["href"] = site.href
    return env


def _inline(env: jinja2.Environment, drawing: Drawing) -> Markup:
    # The drawing's own SVG (layouts/site/drawing.svg), in the page, so its text is text.
    return Markup(drawing_svg(env, drawing))
