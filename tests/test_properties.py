"""Random Unicode and random structures thrown at the loader and renderers.

The only acceptable outcomes are a clean build or a ContentError listing problems
with locations: never another exception, never a Word file that is not XML.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.dom import minidom
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, copy_project, squash
from planpress.build import load
from planpress.checks.glyphs import layout_fonts
from planpress.documents import available
from planpress.errors import ContentError
from planpress.render import FORMATS
from planpress.project import Project

#: Builds the documents many times over (make test-all, CI).
pytestmark = pytest.mark.slow

EVALUATION = Path("content/evaluations/2021.yaml")
CITY = Path("content/city.yaml")
LINES = {
    "title": (EVALUATION, "title: 第6次基本計画の総括について\n"),
    "commentary": (EVALUATION, "    commentary: 平和の推進について、成果は見えにくいが、多くの市民理解が得られている。\n"),
    "city": (CITY, "city: 苫小牧市\n"),
}
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Every character the layout fonts have, so that random text also gets past the glyph check.
WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PRINTABLE = sorted(chr(code) for code in set.intersection(*(set(f.characters) for f in layout_fonts(Project(REPO)))))


@contextmanager
def project_copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield copy_project(Path(folder) / "project")


def _replace(root: Path, field: str, value: str, *, ascii_only: bool) -> None:
    """Write ``value`` as a double-quoted YAML string (JSON's escapes are YAML's)."""
    path, line = LINES[field]
    indent = line[: len(line) - len(line.lstrip())]
    key = line.strip().split(":")[0]
    text = (root / path).read_text(encoding="utf-8")
    new = f"{indent}{key}: {json.dumps(value, ensure_ascii=ascii_only)}\n"
    (root / path).write_text(text.replace(line, new), encoding="utf-8", errors="surrogatepass")


def _build_in_memory(root: Path, formats: tuple[str, ...]) -> list[bytes] | None:
    """Load and render like `planpress build`, without writing; None when the content is refused."""
    project = Project.at(root)
    try:
        content, _ = load(project)
        # The evaluation report shows every field changed here; the 82-page booklet would take minutes.
        reports = [spec for spec in available(content) if spec.name.startswith("evaluation-")]
        return [FORMATS[name].render(spec.make(), project) for spec in reports for name in formats]
    except ContentError as error:
        assert error.problems and all(str(problem.location) for problem in error.problems)
        return None


def _assert_word_is_xml(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith(".xml"):
                minidom.parseString(package.read(name))


@SETTINGS
@given(field=st.sampled_from(sorted(LINES)), value=st.text(max_size=60), ascii_only=st.booleans())
def test_any_unicode_builds_or_is_refused(field: str, value: str, ascii_only: bool) -> None:
    with project_copy() as root:
        _replace(root, field, value, ascii_only=ascii_only)
        built = _build_in_memory(root, ("html", "docx"))
        if built is not None:
            html, docx = built
            _assert_word_is_xml(docx)
            assert b"<script" not in html.lower() or "<script" not in value.lower()


ASTRAL = [char for char in PRINTABLE if ord(char) > 0xFFFF]

#: The longest text each field takes (content/model.py): a longer one is refused, rightly.
LIMITS = {"title": 80, "commentary": 400, "city": 40}


def printable(field: str) -> st.SearchStrategy[str]:
    """Text the field must take: characters of every layout font, within its length, not blank."""
    # Characters beyond U+FFFF (𠀋, 𩸽) are drawn as often as the rest: 314 of 11741 would seldom come up.
    alphabet = st.sampled_from(PRINTABLE) | st.sampled_from(ASTRAL)
    return st.text(alphabet=alphabet, min_size=1, max_size=LIMITS[field]).filter(str.strip)


def _load_or_fail(root: Path, formats: tuple[str, ...]) -> list[bytes]:
    """The rendered report; a refusal fails the test with the problems named."""
    project = Project.at(root)
    try:
        content, _ = load(project)
    except ContentError as error:
        pytest.fail("refused: " + "; ".join(str(problem) for problem in error.problems))
    reports = [spec for spec in available(content) if spec.name.startswith("evaluation-")]
    return [FORMATS[name].render(spec.make(), project) for spec in reports for name in formats]


def _html_text(data: bytes) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", data.decode("utf-8")))


def _word_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = ElementTree.fromstring(package.read("word/document.xml"))
    return "".join(node.text or "" for node in root.iter(f"{{{WORD}}}t"))


@SETTINGS
@given(data=st.data(), field=st.sampled_from(sorted(LINES)))
def test_printable_text_reaches_both_renderers(data: st.DataObject, field: str) -> None:
    """Text of printable characters within the field's length is taken (typed as the office types
    it, not as \\u escapes: YAML reads an escaped surrogate pair as two lone surrogates) and is
    printed whole in the HTML and the Word file."""
    value = data.draw(printable(field))
    with project_copy() as root:
        _replace(root, field, value, ascii_only=False)
        page, docx = _load_or_fail(root, ("html", "docx"))
        _assert_word_is_xml(docx)
        wanted = squash(value)
        assert wanted in squash(_html_text(page))
        assert wanted in squash(_word_text(docx))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=printable("commentary"))
def test_printable_commentary_lays_out_or_overflows(value: str) -> None:
    """A printable commentary lays out; the one refusal allowed is text sticking out of its box
    (a long run without a break), reported as such."""
    with project_copy() as root:
        _replace(root, "commentary", value, ascii_only=False)
        try:
            built = _load_or_fail(root, ("pdf",))
        except ContentError as error:
            assert all("はみ出します" in problem.message for problem in error.problems), error.problems
            return
        assert built[0].startswith(b"%PDF-")


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
STRUCTURES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)


@SETTINGS
@given(target=st.sampled_from([EVALUATION, CITY]), data=STRUCTURES, ascii_only=st.booleans())
def test_any_structure_is_refused_or_read(target: Path, data: object, ascii_only: bool) -> None:
    with project_copy() as root:
        (root / target).write_text(json.dumps(data, ensure_ascii=ascii_only), encoding="utf-8", errors="surrogatepass")
        _build_in_memory(root, ("html", "docx"))


@SETTINGS
@given(data=STRUCTURES)
def test_any_structure_as_an_item_is_refused(data: object) -> None:
    item = "  - kind: 運営方針\n    number: 4\n"
    with project_copy() as root:
        path = root / EVALUATION
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(item, f"  - {json.dumps({'kind': '運営方針', 'number': 4, 'x': data})}\n  - number: 4\n"), encoding="utf-8")
        assert _build_in_memory(root, ("html",)) is None
