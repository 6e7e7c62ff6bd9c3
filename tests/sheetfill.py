"""Fill an evaluation sheet the way Word stores a filled content control (for the tests)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def fill_control(sdt: etree._Element, text: str) -> None:
    """What Word writes once a control is filled: no placeholder flag, the text as a plain run,
    and for a drop-down the chosen value in ``w:lastValue``."""
    properties = sdt.find(w("sdtPr"))
    for flag in properties.findall(w("showingPlcHdr")):
        properties.remove(flag)
    listing = properties.find(w("dropDownList"))
    if listing is not None:
        listing.set(w("lastValue"), text)
    content = sdt.find(w("sdtContent"))
    for child in list(content):
        content.remove(child)
    run = etree.SubElement(content, w("r"))
    etree.SubElement(run, w("t")).text = text


def edit_document(source: Path, target: Path, edit) -> None:  # noqa: ANN001 - a function of the XML root
    """Copy a .docx, changing word/document.xml with ``edit(root)``."""
    with zipfile.ZipFile(source) as package:
        parts = {info.filename: package.read(info.filename) for info in package.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    edit(root)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def fill_paragraphs(sdt: etree._Element, paragraphs: list[str]) -> None:
    """What Word writes when the official presses Enter in the rich-text control: the control
    becomes block-level, around one w:p per paragraph, in place of the paragraph that held it."""
    fill_control(sdt, "")
    holder = sdt.getparent()
    content = sdt.find(w("sdtContent"))
    for child in list(content):
        content.remove(child)
    for text in paragraphs:
        paragraph = etree.SubElement(content, w("p"))
        etree.SubElement(etree.SubElement(paragraph, w("r")), w("t")).text = text
    holder.addprevious(sdt)
    holder.getparent().remove(holder)


def fill_sheet(source: Path, target: Path, answers: dict[str, tuple[str, str]]) -> None:
    """``answers`` maps a field bookmark's item part (``M01``, ``P17``) to (grade, commentary);
    a commentary holding line breaks is typed as that many paragraphs."""

    def edit(root: etree._Element) -> None:
        for code, (grade, commentary) in answers.items():
            for field, text in (("grade", grade), ("commentary", commentary)):
                tag = f"pp_{code}_{field}"
                (sdt,) = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val=$tag]", tag=tag, namespaces=NS)
                if "\n" in text:
                    fill_paragraphs(sdt, text.split("\n"))
                else:
                    fill_control(sdt, text)

    edit_document(source, target, edit)


def sheet_codes(path: Path) -> list[str]:
    """The item parts (M01, P17, …) of every grade field on a sheet, in order."""
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    names = root.xpath("//w:bookmarkStart/@w:name", namespaces=NS)
    return [name.split("_")[1] for name in names if name.startswith("pp_") and name.endswith("_grade")]


def libreoffice_resave(docx: Path, outdir: Path) -> Path:
    """Open and save the sheet again in LibreOffice, as a department without Word would."""
    import subprocess

    outdir.mkdir(parents=True, exist_ok=True)
    from conftest import SOFFICE_PROFILE  # the session's one profile

    subprocess.run(
        ["soffice", f"-env:UserInstallation={SOFFICE_PROFILE.as_uri()}", "--headless", "--convert-to", "docx", "--outdir", str(outdir), str(docx)],
        capture_output=True, check=True, timeout=300,
    )
    return outdir / docx.name


def grade_for(code: str) -> str:
    """The grades the tests fill in: 運営方針 4 A and 4 B; 基本施策 10 A, 20 B, 8 C, 2 D."""
    number = int(code[1:])
    if code.startswith("M"):
        return "A" if number <= 4 else "B"
    return "A" if number <= 10 else "B" if number <= 30 else "C" if number <= 38 else "D"


def fill_all(source: Path, target: Path, *, grade=grade_for, note: str = "",  # noqa: ANN001 - a function
             commentary: dict[str, str] | None = None) -> None:
    """Fill every item of a sheet: the test grades and a commentary naming the item (or as given)."""
    answers = {code: (grade(code), (commentary or {}).get(code, f"{code}の取組は計画どおり進み、成果が得られた。{note}"))
               for code in sheet_codes(source)}
    fill_sheet(source, target, answers)
