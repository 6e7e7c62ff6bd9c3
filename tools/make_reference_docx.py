"""Write layouts/reference.docx: the Word styles planpress documents use, and nothing else.

Run it after changing a style here (``make reference-docx``); the office may also
edit layouts/reference.docx in Word directly. Style names match the CSS classes
in layouts/*.css: ``.body-text`` is "Body Text", ``.grade-a`` is "Grade A". The fonts the
styles name are listed in its font table as read from their files (installed: fc-match finds them).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree

from planpress import design
from planpress.render import wordxml

# The design values are planpress's (src/planpress/design.py), as the PDF's stylesheets and
# drawings have them.
C = design.word_colour
GOTHIC = design.font("gothic")
GOTHIC_FIXED = design.font("gothic-fixed")
MINCHO = design.font("mincho")
NAVY = C("navy")


#: A heading's left bar as the PDF's (print.css h2.heading-2: a 5 pt border, 3 mm padding, the bar's
#: left edge on the text's left edge). Word draws a paragraph's left border outside its left indent,
#: ``w:space`` points before the text (whole points: 8, the PDF's 8.5), so the text is indented by the
#: bar and the gap: the bar stands on the text's edge, the heading's text 0.5 pt left of the PDF's.
BAR_EIGHTHS = 40  # the bar's width in eighths of a point
BAR_GAP = 8  # points between the bar and the text

#: A dashed box's side: 4 pt from the text and its 1 pt rule, in points (the "Missing" style).
DASHED_SIDE = 5

#: The widest paragraph border Word draws (eighths of a point: 12 pt) and its largest distance
#: from the text (points; ECMA-376 ST_PointMeasure allows 0–31).
WIDEST_BORDER, FARTHEST_BORDER = 96, 31


@dataclass(frozen=True)
class ParagraphStyle:
    name: str
    font: str
    size: float
    bold: bool = False
    color: str | None = None
    align: str | None = None  # left, center, right, both
    first_line_chars: int = 0
    space_before: int = 0  # twentieths of a point
    space_after: int = 0
    keep_next: bool = False
    shading: str | None = None
    outline: int | None = None
    based_on: str = "Normal"
    border_left: str | None = None
    border_bottom: str | None = None
    hanging_chars: int = 0
    tab_right: bool = False  # a right tab with dot leaders at the text edge (contents)
    lines: int = 300  # line height in 240ths of a line (300: 1.25 lines)
    indent_chars: int = 0  # left indent in hundredths of a character
    #: The style of the paragraph Enter starts after one of this style (None: this style again).
    #: Headings and captions are followed by body text, as where the office types prose.
    next_style: str | None = None
    #: Padded above and below by borders in the shading's own colour, as wide and as far from the
    #: text as Word allows: a box with the text in its middle ("Photo Placeholder").
    padded: bool = False
    #: A dashed box of 1 pt in this colour around the paragraph, as booklet.css draws .missing.
    dashed: str | None = None


STYLES = (
    ParagraphStyle("Normal", MINCHO, 10.5, based_on=""),
    ParagraphStyle("Title", GOTHIC, 20, bold=True, color=NAVY, align="center", space_before=240, space_after=120,
                   border_bottom=NAVY),
    ParagraphStyle("Subtitle", GOTHIC, 12, align="center", space_after=60),
    ParagraphStyle("Issuer", GOTHIC, 11, align="center", space_after=360),
    # The cover's title block placed on the page as the PDF's cover (booklet.css: .cover .title-block
    # 70 mm down plus its 14 mm padding, issuer 60 mm + 12 mm below): by space before, which Word
    # and LibreOffice both honour.
    ParagraphStyle("Cover Title", GOTHIC, 26, bold=True, color=NAVY, align="center", space_before=4989,
                   space_after=120, border_bottom=NAVY, based_on="Title"),
    ParagraphStyle("Cover Subtitle", GOTHIC, 15, align="center", space_before=340, based_on="Subtitle"),
    ParagraphStyle("Cover Issuer", GOTHIC, 15, align="center", space_before=4082, based_on="Issuer"),
    ParagraphStyle("Heading 1", GOTHIC, 16, bold=True, color=NAVY, space_before=240, space_after=120,
                   keep_next=True, outline=0, next_style="Body Text"),
    ParagraphStyle("Heading 2", GOTHIC, 13, bold=True, color=NAVY, space_before=240, space_after=80,
                   keep_next=True, outline=1, border_left=NAVY, next_style="Body Text"),
    ParagraphStyle("Body Text", MINCHO, 10.5, align="both", first_line_chars=100, space_after=60),
    ParagraphStyle("Table Heading", GOTHIC, 9, bold=True, color=C("white"), align="center", keep_next=True),
    # The header of a figures table (booklet.css table.figures th): small enough that a unit such as
    # （1,000t−CO2/ stays whole in a seventh of the width.
    ParagraphStyle("Figure Heading", GOTHIC, 7, bold=True, color=C("white"), align="center", keep_next=True,
                   based_on="Table Heading"),
    ParagraphStyle("Table Text", GOTHIC_FIXED, 9),
    ParagraphStyle("Table Item", GOTHIC, 9, bold=True),
    ParagraphStyle("Table Center", GOTHIC_FIXED, 9, align="center"),
    ParagraphStyle("Table Number", GOTHIC_FIXED, 9, align="right"),
    ParagraphStyle("Grade A", GOTHIC, 13, bold=True, color=C("grade-a"), align="center", shading=C("grade-a-bg")),
    ParagraphStyle("Grade B", GOTHIC, 13, bold=True, color=C("grade-b"), align="center", shading=C("grade-b-bg")),
    ParagraphStyle("Grade C", GOTHIC, 13, bold=True, color=C("grade-c"), align="center", shading=C("grade-c-bg")),
    ParagraphStyle("Grade D", GOTHIC, 13, bold=True, color=C("grade-d"), align="center", shading=C("grade-d-bg")),
    ParagraphStyle("Caption", GOTHIC, 8, color=C("grey"), space_before=40, space_after=200, next_style="Body Text"),
    ParagraphStyle("Header", GOTHIC, 8, color=C("grey"), align="right"),
    ParagraphStyle("Footer", GOTHIC, 9, align="center"),
    # Evaluation sheets (planpress sheets): instructions, item labels and the fields departments fill.
    ParagraphStyle("Instruction", MINCHO, 10.5, space_after=60, hanging_chars=150),
    # An item's rows keep together ("keep with next") up to the last row, the commentary.
    ParagraphStyle("Sheet Label", GOTHIC, 9.5, bold=True, color=NAVY, keep_next=True),
    ParagraphStyle("Sheet Text", GOTHIC_FIXED, 9.5, keep_next=True),
    ParagraphStyle("Sheet Choice", GOTHIC, 12, bold=True, space_before=40, space_after=40, keep_next=True,
                   shading=C("field-bg")),
    ParagraphStyle("Sheet Last Label", GOTHIC, 9.5, bold=True, color=NAVY),
    ParagraphStyle("Sheet Field", GOTHIC_FIXED, 10.5, space_before=40, space_after=40, shading=C("field-bg")),
    # Grade distribution chart (bar-chart block): a label, a coloured bar, the count.
    ParagraphStyle("Chart Label", GOTHIC, 9, bold=True, align="center"),
    ParagraphStyle("Chart Value", GOTHIC_FIXED, 9),
    ParagraphStyle("Bar A", GOTHIC, 9, shading=C("bar-a")),
    ParagraphStyle("Bar B", GOTHIC, 9, shading=C("bar-b")),
    ParagraphStyle("Bar C", GOTHIC, 9, shading=C("bar-c")),
    ParagraphStyle("Bar D", GOTHIC, 9, shading=C("bar-d")),
    # Year-over-year table: the change of an item's grade, in words and colour.
    ParagraphStyle("Change Up", GOTHIC, 9, bold=True, color=C("grade-a"), align="center"),
    ParagraphStyle("Change Down", GOTHIC, 9, bold=True, color=C("grade-d"), align="center"),
    ParagraphStyle("Change Same", GOTHIC, 9, color=C("grey"), align="center"),
    # The plan booklet.
    ParagraphStyle("Heading 3", GOTHIC, 11, bold=True, color=NAVY, space_before=160, space_after=60,
                   keep_next=True, border_bottom=NAVY, next_style="Body Text"),
    ParagraphStyle("Tree Path", GOTHIC, 9, color=C("grey"), space_after=120),
    ParagraphStyle("Label", GOTHIC, 10.5, bold=True, color=NAVY, space_before=80, space_after=40, keep_next=True),
    ParagraphStyle("Example Item", GOTHIC, 10.5, space_after=20),
    ParagraphStyle("List Item", GOTHIC, 10.5, space_after=20),
    ParagraphStyle("Note", GOTHIC, 9, color=C("grey"), space_after=80),
    ParagraphStyle("Missing", GOTHIC, 10.5, bold=True, color=C("missing"), shading=C("missing-bg"), space_after=80,
                   dashed=C("missing")),
    ParagraphStyle("Figure", GOTHIC, 9, align="center", space_before=80, space_after=40, keep_next=True),
    ParagraphStyle("Table Icon", GOTHIC, 9, align="center"),
    ParagraphStyle("Icon Row", GOTHIC, 9, space_before=40, space_after=80),
    ParagraphStyle("Glossary Term", GOTHIC, 9, bold=True, color=NAVY),
    # A shaded box nearly a photo's height (34 of the PDF's 36 mm frame: Word's widest borders and
    # their distance from the text, above and below one single-spaced line) with the text in its
    # middle, as booklet.css centres it: the tall exact line it was drawn with before put the text at
    # the foot of its box, since Word and LibreOffice put an exact line's extra height above the text.
    ParagraphStyle("Photo Placeholder", GOTHIC, 10.5, bold=True, color=C("missing"), align="center", shading=C("placeholder-bg"),
                   lines=240, padded=True, keep_next=True),
    # A photo in its row of the photo grid, single-spaced so the line is as tall as the picture: Word
    # multiplies a line's height, a picture's included, and puts the extra below it (a quarter of the
    # picture's height at 1.25 lines), so pictures of different heights centred in their cells would
    # not share a middle (LibreOffice lays a picture's line out as tall as the picture either way).
    ParagraphStyle("Photo", GOTHIC, 9, align="center", keep_next=True, lines=240),
    ParagraphStyle("Photo Caption", GOTHIC, 7.5, space_after=120),
    ParagraphStyle("TOC 1", GOTHIC, 10.5, bold=True, space_before=100, tab_right=True),
    ParagraphStyle("TOC 2", GOTHIC, 9, indent_chars=200, tab_right=True),
)


@dataclass(frozen=True)
class CharacterStyle:
    name: str
    color: str


#: Word shows an empty content control's prompt in "Placeholder Text".
CHARACTER_STYLES = (CharacterStyle("Placeholder Text", C("prompt")),)


def _fonts(font: str) -> OxmlElement:
    fonts = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font)
    return fonts


def _lang() -> OxmlElement:
    # Japanese for East Asian text, English for half-width Latin text (Japanese Word's own
    # default): under ja-JP LibreOffice breaks a Latin word anywhere, 1,0|00t−CO2 in a header.
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")
    lang.set(qn("w:bidi"), "ar-SA")
    return lang


def _element(tag: str, **attributes: str) -> OxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def _run_properties(spec: ParagraphStyle) -> OxmlElement:
    rpr = OxmlElement("w:rPr")
    rpr.append(_fonts(spec.font))
    if spec.bold:
        rpr.append(_element("w:b"))
        rpr.append(_element("w:bCs"))
    if spec.color:
        rpr.append(_element("w:color", val=spec.color))
    half_points = str(round(spec.size * 2))
    rpr.append(_element("w:sz", val=half_points))
    rpr.append(_element("w:szCs", val=half_points))
    rpr.append(_lang())
    return rpr


def _paragraph_properties(spec: ParagraphStyle) -> OxmlElement:
    ppr = OxmlElement("w:pPr")
    if spec.keep_next:
        ppr.append(_element("w:keepNext"))
    borders = OxmlElement("w:pBdr")  # schema order: top, left, bottom, right
    padding = {"val": "single", "sz": str(WIDEST_BORDER), "space": str(FARTHEST_BORDER), "color": spec.shading or ""}
    if spec.dashed:
        for side in ("top", "left", "bottom", "right"):
            borders.append(_element(f"w:{side}", val="dashed", sz="8", space="1" if side in ("top", "bottom") else str(DASHED_SIDE - 1),
                                    color=spec.dashed))
    if spec.padded:
        borders.append(_element("w:top", **padding))
    if spec.border_left:
        borders.append(_element("w:left", val="single", sz=str(BAR_EIGHTHS), space=str(BAR_GAP), color=spec.border_left))
    if spec.padded:
        borders.append(_element("w:bottom", **padding))
    elif spec.border_bottom:
        borders.append(_element("w:bottom", val="single", sz="12", space="4", color=spec.border_bottom))
    if len(borders):
        ppr.append(borders)
    if spec.shading:
        ppr.append(_element("w:shd", val="clear", color="auto", fill=spec.shading))
    if spec.tab_right:  # schema order: shd, tabs, spacing, ind, jc
        tabs = OxmlElement("w:tabs")
        tabs.append(_element("w:tab", val="right", leader="dot", pos="9627"))
        ppr.append(tabs)
    ppr.append(_element("w:spacing", before=str(spec.space_before), after=str(spec.space_after),
                        line=str(spec.lines), lineRule="auto"))
    if spec.border_left:
        ppr.append(_element("w:ind", left=str((BAR_EIGHTHS // 8 + BAR_GAP) * 20)))
    if spec.dashed:  # the box's sides on the text's edges, as the PDF's: Word draws them outside the indents
        ppr.append(_element("w:ind", left=str(DASHED_SIDE * 20), right=str(DASHED_SIDE * 20)))
    if spec.indent_chars:
        ppr.append(_element("w:ind", leftChars=str(spec.indent_chars), left="420"))
    if spec.first_line_chars:
        ppr.append(_element("w:ind", firstLineChars=str(spec.first_line_chars), firstLine="210"))
    if spec.hanging_chars:
        ppr.append(_element("w:ind", leftChars=str(spec.hanging_chars), left="315",
                            hangingChars=str(spec.hanging_chars), hanging="315"))
    if spec.align:
        ppr.append(_element("w:jc", val=spec.align))
    if spec.outline is not None:
        ppr.append(_element("w:outlineLvl", val=str(spec.outline)))
    return ppr


def _define(document: Document, spec: ParagraphStyle) -> None:
    styles = document.styles
    try:
        style = styles[spec.name]
    except KeyError:
        style = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    element = style.element
    for old in element.findall(qn("w:pPr")) + element.findall(qn("w:rPr")):
        element.remove(old)
    if spec.based_on:
        style.base_style = styles[spec.based_on]
    style.quick_style = True
    element.append(_paragraph_properties(spec))
    element.append(_run_properties(spec))


def _character_style(document: Document, spec: CharacterStyle) -> None:
    try:
        style = document.styles[spec.name]
    except KeyError:
        style = document.styles.add_style(spec.name, WD_STYLE_TYPE.CHARACTER)
    element = style.element
    for old in element.findall(qn("w:rPr")):
        element.remove(old)
    rpr = OxmlElement("w:rPr")
    rpr.append(_element("w:color", val=spec.color))
    element.append(rpr)


def _grid_table_style(document: Document, name: str) -> OxmlElement:
    """A table style with a thin grid and roomy cell margins; returns its element."""
    style = document.styles.add_style(name, WD_STYLE_TYPE.TABLE)
    element = style.element
    tblpr = OxmlElement("w:tblPr")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(f"w:{side}", val="single", sz="4", space="0", color=C("rule")))
    tblpr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", "57"), ("left", "85"), ("bottom", "57"), ("right", "85")):
        margins.append(_element(f"w:{side}", w=width, type="dxa"))
    tblpr.append(margins)
    element.append(tblpr)
    return element


def _table_style(document: Document) -> None:
    """"Data Table": thin grid, navy header row with white bold text."""
    element = _grid_table_style(document, "Data Table")
    first_row = _element("w:tblStylePr", type="firstRow")
    first_row.append(OxmlElement("w:rPr"))
    first_row[0].append(_element("w:b"))
    first_row[0].append(_element("w:color", val=C("white")))
    row_props = OxmlElement("w:trPr")
    row_props.append(_element("w:tblHeader"))
    first_row.append(row_props)
    cell_props = OxmlElement("w:tcPr")
    cell_props.append(_element("w:shd", val="clear", color="auto", fill=NAVY))
    first_row.append(cell_props)
    element.append(first_row)


def _chart_table_style(document: Document) -> None:
    element = _grid_table_style(document, "Chart Table")
    borders = element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    for border in borders:
        border.set(qn("w:val"), "nil")


def _photo_grid_style(document: Document) -> None:
    """"Photo Grid": a borderless table that places photos side by side."""
    style = document.styles.add_style("Photo Grid", WD_STYLE_TYPE.TABLE)
    tblpr = OxmlElement("w:tblPr")
    margins = OxmlElement("w:tblCellMar")
    for side, width in (("top", "57"), ("left", "57"), ("bottom", "57"), ("right", "57")):
        margins.append(_element(f"w:{side}", w=width, type="dxa"))
    tblpr.append(margins)
    style.element.append(tblpr)


def _defaults(document: Document) -> None:
    """Document defaults: BIZ UD fonts for every script, Japanese language, no theme fonts."""
    styles_element = document.styles.element
    rpr_default = styles_element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    for old in list(rpr):
        if old.tag in (qn("w:rFonts"), qn("w:lang")):
            rpr.remove(old)
    rpr.insert(0, _fonts(MINCHO))
    rpr.append(_lang())
    for fonts in styles_element.iter(qn("w:rFonts")):
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)


def _compatibility(document: Document) -> None:
    """Word 2013's own layout (compatibilityMode 15), not Word 2010's (14, python-docx's template):
    Word opened a 14 file in 互換モード, and laid tables out shifted left by their cells' margin, so
    that their lines stood 1.5 mm outside the text's left edge and stopped 1.5 mm short of its right
    edge, where the PDF has them on the text's edges (LibreOffice follows the mode too; with 15
    nothing else of its pages moves: tests/test_docx_package.py)."""
    settings = document.settings.element
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


def _default_tab_stop(document: Document) -> None:
    """Tab stops every 4 characters of the body's 10.5 pt (840 twips), Japanese Word's default
    (タブとリーダー: 既定値 4字), not python-docx's template's half inch (720): a tab an official
    types in a sheet or the booklet goes where it would in any Word file of theirs."""
    for stop in document.settings.element.iter(qn("w:defaultTabStop")):
        stop.set(qn("w:val"), "840")


def _font_table(document: Document) -> None:
    """An entry in word/fontTable.xml for each font the styles name that it lacks (python-docx's
    template lists its own: Calibri, ＭＳ 明朝, …). Word picks a substitute for a font a PC lacks by
    the entry's alternate names, panose, charset and pitch: without one a Japanese font may be
    replaced by a Latin one."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    listed = {font.get(qn("w:name")) for font in table.iterchildren(qn("w:font"))}
    named = {fonts.get(qn(f"w:{script}")) for fonts in document.styles.element.iter(qn("w:rFonts"))
             for script in ("ascii", "hAnsi", "eastAsia", "cs")}
    for family in sorted(named - listed - {None}):
        table.append(_font_entry(family))
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _font_entry(family: str) -> OxmlElement:
    """A font's entry as Word writes one, from the installed font file's OS/2 and name tables."""
    font = TTFont(_font_file(family), lazy=True)
    os2 = font["OS/2"]
    panose = [getattr(os2.panose, field) for field in ("bFamilyType", "bSerifStyle", "bWeight", "bProportion",
              "bContrast", "bStrokeVariation", "bArmStyle", "bLetterForm", "bMidline", "bXHeight")]
    fixed, sans = bool(font["post"].isFixedPitch), 11 <= panose[1] <= 13  # panose serif styles 11–13: sans serif
    # The Japanese name (the file's), then the name Windows gives its own copy where that differs.
    alternates = [record.toUnicode() for record in font["name"].names
                  if (record.nameID, record.platformID, record.langID) == (1, 3, 0x411)]
    alternates += [design.WINDOWS_FAMILIES[family]] if family in design.WINDOWS_FAMILIES else []
    entry = _element("w:font", name=family)  # schema order: altName, panose1, charset, family, pitch, sig
    if alternates:
        entry.append(_element("w:altName", val=",".join(alternates)))
    entry.append(_element("w:panose1", val="".join(f"{digit:02X}" for digit in panose)))
    # 80: SHIFTJIS_CHARSET, for a font holding the Japanese code page (OS/2 code page bit 17).
    entry.append(_element("w:charset", val="80" if os2.ulCodePageRange1 & 1 << 17 else "00"))
    # As Word lists ＭＳ 明朝 (roman), ＭＳ ゴシック (modern: fixed pitch sans serif) and proportional sans (swiss).
    entry.append(_element("w:family", val="modern" if fixed and sans else "swiss" if sans else "roman"))
    entry.append(_element("w:pitch", val="fixed" if fixed else "variable"))
    ranges = (os2.ulUnicodeRange1, os2.ulUnicodeRange2, os2.ulUnicodeRange3, os2.ulUnicodeRange4,
              os2.ulCodePageRange1, os2.ulCodePageRange2)
    entry.append(_element("w:sig", **{name: f"{value:08X}" for name, value in
                                     zip(("usb0", "usb1", "usb2", "usb3", "csb0", "csb1"), ranges)}))
    return entry


def _font_file(family: str) -> str:
    """The installed file of a family's regular face; the tool stops if the family is not installed."""
    found = subprocess.run(["fc-match", "-f", "%{file}\n%{family}", f"{family}:style=Regular"],
                           capture_output=True, text=True, check=True).stdout
    path, _, families = found.partition("\n")
    if family not in families.split(","):
        sys.exit(f"{family}: フォントがインストールされていません（fc-match の結果: {families}）。"
                 "インストールしてからもう一度実行してください")
    return path


def main(target: Path) -> None:
    document = Document()
    _defaults(document)
    for spec in STYLES:
        _define(document, spec)
    for spec in STYLES:  # once every style exists (Body Text comes after the headings)
        if spec.next_style:
            document.styles[spec.name].next_paragraph_style = document.styles[spec.next_style]
    for character in CHARACTER_STYLES:
        _character_style(document, character)
    _table_style(document)
    # "Sheet Table": the evaluation sheet's item tables, a grid without a header row.
    _grid_table_style(document, "Sheet Table")
    # "Chart Table": the bar chart's grid, without lines.
    _chart_table_style(document)
    _photo_grid_style(document)
    _defaults(document)
    _font_table(document)
    _compatibility(document)
    _default_tab_stop(document)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    document.core_properties.title = "planpress reference styles"
    document.core_properties.author = "planpress"
    document.core_properties.language = "ja-JP"
    wordxml.own_package(document, "reference")
    target.write_bytes(package(document))


def package(document: Document) -> bytes:
    """The reference document's bytes, each zip entry dated as the document says it was made
    (its core properties' modified date, the template's): ``Document.save`` dated every entry
    by the clock, so running the tool again on the same styles gave another file to commit."""
    modified = document.core_properties.modified.replace(tzinfo=timezone.utc)
    return wordxml.package_bytes(document, modified.timestamp())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("layouts/reference.docx"))
