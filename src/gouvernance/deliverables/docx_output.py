"""DOCX output, built with python-docx from the structured document (not converted from HTML).

Agents edit these files in Word or LibreOffice, so everything uses real styles: headings ("Titre 1" in a
French Word), bullet and numbered lists, bordered tables with a repeating header row, page numbers as
fields ("Page X / Y"), and the French language for spell-checking.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import UTC
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.font import Font
from docx.text.paragraph import Paragraph as DocxParagraph

from gouvernance.deliverables.french import format_date
from gouvernance.deliverables.model import (
    PLACEHOLDER,
    BulletList,
    DeliverableDocument,
    Figure,
    KeyValueList,
    OutlineEntry,
    Paragraph,
    Table,
    outline,
)

SvgRasterizer = Callable[[str], bytes | None]
"""Turns an SVG document into PNG bytes, or None when it cannot."""

FIGURE_FALLBACK = "Figure disponible dans la version HTML/PDF"

FONT = "Arial"
BLUE = RGBColor(0x00, 0x00, 0x91)
INK = RGBColor(0x1E, 0x1E, 0x1E)
GREY = RGBColor(0x55, 0x55, 0x55)
PLACEHOLDER_COLOUR = RGBColor(0xB3, 0x40, 0x00)
HEADER_FILL = "E3E3FD"
LABEL_FILL = "F6F6F6"
NOTE_STYLE = "Encadré"

_THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def render_docx(document: DeliverableDocument, *, rasterize: SvgRasterizer | None = None) -> bytes:
    doc = Document()
    _set_up_styles(doc)
    _set_up_page(doc, document)
    _title_block(doc, document)
    entries = outline(document)
    if document.table_of_contents and entries:
        _table_of_contents(doc, entries)
    writer = _BlockWriter(doc, _usable_width(doc), rasterize)
    for entry in entries:
        writer.section(entry)
    _set_properties(doc, document)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable_zip(buffer.getvalue(), document)


# Styles and page


def _set_font(font: Font, name: str) -> None:
    font.name = name
    r_pr = font.element.rPr
    r_fonts = r_pr.find(qn("w:rFonts")) if r_pr is not None else None
    if r_fonts is not None:
        for attribute in _THEME_FONT_ATTRIBUTES:
            r_fonts.attrib.pop(qn(attribute), None)
        r_fonts.set(qn("w:eastAsia"), name)
        r_fonts.set(qn("w:cs"), name)


def _set_up_styles(doc: DocxDocument) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal.font, FONT)
    normal.font.size = Pt(10)
    normal.font.color.rgb = INK
    normal.paragraph_format.space_after = Pt(5)
    normal.paragraph_format.line_spacing = 1.15
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    lang.set(qn("w:eastAsia"), "fr-FR")
    lang.set(qn("w:bidi"), "ar-SA")
    normal.element.get_or_add_rPr().append(lang)

    for level, size, colour in ((1, 14, BLUE), (2, 12, BLUE), (3, 10.5, INK), (4, 10, INK)):
        heading = styles[f"Heading {level}"]
        _set_font(heading.font, FONT)
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = colour
        heading.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        heading.paragraph_format.space_after = Pt(5)
        heading.paragraph_format.keep_with_next = True

    title = styles["Title"]
    _set_font(title.font, FONT)
    title.font.size = Pt(20)
    title.font.color.rgb = INK
    title.font.bold = True
    borders = title.element.pPr.find(qn("w:pBdr")) if title.element.pPr is not None else None
    if borders is not None:
        title.element.pPr.remove(borders)

    for name in ("Subtitle", "Caption", "List Bullet", "List Number", "TOC Heading"):
        if name in [s.name for s in styles]:
            _set_font(styles[name].font, FONT)
    styles["Caption"].font.color.rgb = GREY
    styles["Caption"].font.size = Pt(8.5)

    note = styles.add_style(NOTE_STYLE, 1)  # 1: paragraph style
    note.style_id = "Encadre"  # ASCII identifier; the accented name is what users see
    note.base_style = normal
    note.font.size = Pt(9)
    note.font.color.rgb = RGBColor(0x3A, 0x3A, 0x3A)
    _shade(note.element.get_or_add_pPr(), LABEL_FILL)  # before the indent: OOXML orders w:shd before w:ind
    note.paragraph_format.left_indent = Mm(3)


def _set_up_page(doc: DocxDocument, document: DeliverableDocument) -> None:
    section = doc.sections[0]
    if document.orientation == "landscape":
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(18)
    section.header_distance = section.footer_distance = Mm(9)
    section.different_first_page_header_footer = True

    header = section.header.paragraphs[0]
    header.text = f"{document.territory.name} – {document.title}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _small(header, GREY)
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        paragraph.paragraph_format.tab_stops.add_tab_stop(_usable_width(doc), WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run(f"{document.kind_label}\tPage ")
        _field(paragraph, "PAGE", "1")
        paragraph.add_run(" / ")
        _field(paragraph, "NUMPAGES", "1")
        _small(paragraph, GREY)


def _usable_width(doc: DocxDocument) -> Length:
    section = doc.sections[0]
    width, left, right = section.page_width, section.left_margin, section.right_margin
    if width is None or left is None or right is None:  # never for a section we set up ourselves
        raise ValueError("page size and margins must be set")
    return Length(width - left - right)


def _title_block(doc: DocxDocument, document: DeliverableDocument) -> None:
    territory = document.territory
    kind_line = territory.kind_label.upper()
    if territory.insee_code:
        kind_line += f" · CODE INSEE {territory.insee_code}"
    _small(doc.add_paragraph(kind_line), GREY)
    name = doc.add_paragraph()
    run = name.add_run(territory.name)
    run.bold = True
    run.font.size = Pt(13)
    run.font.color.rgb = BLUE
    kind = doc.add_paragraph()
    kind.paragraph_format.space_before = Pt(12)
    kind.add_run(document.kind_label.upper()).font.color.rgb = GREY
    doc.add_paragraph(document.title, style="Title")
    if document.subtitle:
        doc.add_paragraph(document.subtitle, style="Subtitle")
    author = f"{document.author}, {document.organisation}" if document.organisation else document.author
    meta = [
        ("Démarche\u00a0: ", document.engagement_reference),
        ("Version du ", format_date(document.local_generated_at.date())),
        ("Rédaction\u00a0: ", author),
    ]
    for label, value in meta:
        line = doc.add_paragraph()
        line.paragraph_format.space_after = Pt(1)
        line.add_run(label).bold = True
        line.add_run(value)
        _small(line, None)
    doc.add_paragraph()


def _table_of_contents(doc: DocxDocument, entries: tuple[OutlineEntry, ...]) -> None:
    """A real TOC field (F9 or "Mettre à jour" adds page numbers) whose cached result lists the headings."""
    doc.add_paragraph("Sommaire", style="TOC Heading")
    flat: list[tuple[OutlineEntry, int]] = []
    for entry in entries:
        flat.append((entry, 0))
        flat.extend((child, 1) for child in entry.children)
    paragraphs = []
    for index, (entry, indent) in enumerate(flat):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(6 * indent)
        paragraph.paragraph_format.space_after = Pt(2)
        if index == 0:
            _field_start(paragraph, 'TOC \\o "1-2" \\h \\z \\u')
        paragraph.add_run(entry.label)
        paragraphs.append(paragraph)
    _field_end(paragraphs[-1])
    doc.add_page_break()


# Content


class _BlockWriter:
    def __init__(self, doc: DocxDocument, width: Length, rasterize: SvgRasterizer | None) -> None:
        self.doc = doc
        self.width = width
        self.rasterize = rasterize
        self._lists = 0

    def section(self, entry: OutlineEntry) -> None:
        self.doc.add_heading(entry.label, level=min(entry.depth, 4))
        for block in entry.section.blocks:
            self.block(block)
        for child in entry.children:
            self.section(child)

    def block(self, block: Paragraph | BulletList | Table | KeyValueList | Figure) -> None:
        if isinstance(block, Paragraph):
            style = NOTE_STYLE if block.style == "note" else None
            _write_text(self.doc.add_paragraph(style=style), block.text)
        elif isinstance(block, BulletList):
            self.bullets(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, KeyValueList):
            self.key_values(block)
        else:
            self.figure(block)

    def bullets(self, block: BulletList) -> None:
        style = "List Number" if block.ordered else "List Bullet"
        num_id = _restarted_numbering(self.doc) if block.ordered else None
        for item in block.items:
            paragraph = self.doc.add_paragraph(style=style)
            paragraph.paragraph_format.space_after = Pt(2)
            if num_id is not None:
                _use_numbering(paragraph, num_id)
            _write_text(paragraph, item)

    def table(self, block: Table) -> None:
        if block.caption:
            caption = self.doc.add_paragraph(style="Caption")
            caption.add_run(block.caption).bold = True
            caption.paragraph_format.keep_with_next = True
        table = self._new_table(len(block.headers), block.column_widths)
        header = table.rows[0]
        _repeat_as_header(header)
        for cell, text in zip(header.cells, block.headers, strict=True):
            _shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
            _write_text(cell.paragraphs[0], text, bold=True)
        for values in block.rows:
            row = table.add_row()
            _keep_row_together(row)
            if block.variant == "signatures":
                row.height = Mm(12)
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            for cell, text in zip(row.cells, values, strict=True):
                _write_text(cell.paragraphs[0], text)
        self._widths(table, block.column_widths or [1] * len(block.headers))
        self.doc.add_paragraph().paragraph_format.space_after = Pt(2)

    def key_values(self, block: KeyValueList) -> None:
        table = self._new_table(2, None)
        table._tbl.remove(table.rows[0]._tr)
        for item in block.items:
            row = table.add_row()
            _keep_row_together(row)
            label, value = row.cells
            _shade(label._tc.get_or_add_tcPr(), LABEL_FILL)
            _write_text(label.paragraphs[0], item.label, bold=True)
            _write_text(value.paragraphs[0], item.value)
        self._widths(table, [32, 68])
        self.doc.add_paragraph().paragraph_format.space_after = Pt(2)

    def figure(self, block: Figure) -> None:
        png = self.rasterize(block.svg) if self.rasterize else None
        if png:
            picture = self.doc.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.keep_with_next = True  # the caption stays under its picture
            run = picture.add_run()
            run.add_picture(io.BytesIO(png), width=min(self.width, Mm(160)))
            for doc_pr in run.element.xpath(".//wp:docPr"):  # Word's « Texte de remplacement »
                doc_pr.set("descr", block.alt)
                doc_pr.set("title", block.caption)
        else:
            fallback = self.doc.add_paragraph(style=NOTE_STYLE)
            fallback.add_run(f"{FIGURE_FALLBACK}.").italic = True
            fallback.add_run(f" {block.alt}")
        caption = self.doc.add_paragraph(style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.add_run(block.caption).italic = True

    def _new_table(self, columns: int, widths: list[int] | None) -> DocxTable:
        table = self.doc.add_table(rows=1, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        return table

    def _widths(self, table: DocxTable, weights: list[int]) -> None:
        total = sum(weights)
        widths = [Length(int(self.width * weight / total)) for weight in weights]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
            for cell in column.cells:
                cell.width = width


def _write_text(paragraph: DocxParagraph, text: str, *, bold: bool = False) -> None:
    run = paragraph.add_run()
    for index, line in enumerate(text.split("\n")):
        if index:
            run.add_break()
        run.add_text(line)
    if bold:
        run.bold = True
    if text.strip() == PLACEHOLDER:
        run.italic = True
        run.font.color.rgb = PLACEHOLDER_COLOUR


def _small(paragraph: DocxParagraph, colour: RGBColor | None) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(8)
        if colour is not None:
            run.font.color.rgb = colour


# Low-level OOXML helpers (python-docx has no API for these)


def _shade(properties: BaseOxmlElement, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


# A table row, as python-docx's ``Table.rows`` yields it (its class is private to python-docx).
TableRow = Any


def _repeat_as_header(row: TableRow) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)
    _keep_row_together(row)


def _keep_row_together(row: TableRow) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _fld_char(kind: str) -> BaseOxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _field_start(paragraph: DocxParagraph, instruction: str) -> None:
    paragraph.add_run()._r.append(_fld_char("begin"))
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    paragraph.add_run()._r.append(_fld_char("separate"))


def _field_end(paragraph: DocxParagraph) -> None:
    paragraph.add_run()._r.append(_fld_char("end"))


def _field(paragraph: DocxParagraph, instruction: str, cached: str) -> None:
    _field_start(paragraph, instruction)
    paragraph.add_run(cached)
    _field_end(paragraph)


def _restarted_numbering(doc: DocxDocument) -> int:
    """A new numbering instance for 'List Number' starting again at 1 (Word otherwise continues the count)."""
    numbering = doc.part.numbering_part.element
    style = doc.styles["List Number"]
    style_num = style.element.pPr.numPr.numId.val
    abstract_id = next(num.abstractNumId.val for num in numbering.num_lst if num.numId == style_num)
    num = numbering.add_num(abstract_id)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(1)
    return int(num.numId)


def _use_numbering(paragraph: DocxParagraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


# Metadata and reproducible bytes


def _set_properties(doc: DocxDocument, document: DeliverableDocument) -> None:
    created = document.generated_at.astimezone(UTC).replace(tzinfo=None)
    properties = doc.core_properties
    properties.title = document.title
    properties.subject = document.kind_label
    properties.author = document.author
    properties.last_modified_by = document.author
    properties.keywords = f"{document.territory.name}; {document.engagement_reference}"
    properties.language = "fr-FR"
    properties.comments = "Document généré par gouvernance ; modifiable."
    properties.category = document.kind
    properties.created = created
    properties.modified = created
    properties.revision = 1


def _stable_zip(data: bytes, document: DeliverableDocument) -> bytes:
    """Rewrites the package with fixed timestamps so the same document gives the same bytes."""
    stamp = document.local_generated_at.timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return output.getvalue()
