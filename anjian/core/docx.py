"""The layout of every Word document anjian writes (official documents and reports): A4 with the
margins of GB/T 9704-2012, the fonts of Chinese official documents, and a signature block that
never leaves its text.

A document is described once as a ``Layout`` — a list of blocks (the issuing authority, the
title, the number, paragraphs, a table of facts, images, the signature block) — and written to
Word by ``Layout.to_docx()`` or shown as HTML (the print preview) by the template
``core/layout.html``, so that the preview shows exactly what the Word file will hold.

Page (GB/T 9704-2012 §5.2): A4, 210 × 297 mm; top margin 37 mm, left 28 mm; a text block of
156 × 225 mm, so right 26 mm and bottom 35 mm.

Fonts (GB/T 9704 §5.2 and the usual practice of the forms): the body in 仿宋_GB2312, headings in
黑体, the title in 方正小标宋简体; digits and Latin letters in Times New Roman. The east-Asian
names are written to ``w:eastAsia`` of each run's ``w:rFonts`` (Word otherwise keeps the Latin
font for Chinese text). Where a font is not installed, Word substitutes its own (仿宋_GB2312 →
仿宋, 方正小标宋简体 → 宋体) and LibreOffice the CJK font of the system (Noto Serif/Sans CJK).

The signature block (执法人员签名, the authority, the seal, the date) is written with
"keep with next" on every paragraph from the last line of the text before it, and "keep lines
together" on each, so a page break never separates the last item from its signature.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from anjian.core.safe_text import xml_text

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN_TOP = Mm(37)
MARGIN_BOTTOM = Mm(35)
MARGIN_LEFT = Mm(28)
MARGIN_RIGHT = Mm(26)
TEXT_WIDTH_MM = 156

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"
FONTS = {"body": BODY_FONT, "heading": HEADING_FONT, "title": TITLE_FONT}

# Chinese type sizes in points: 二号 22, 三号 16, 四号 14, 小四 12, 五号 10.5.
SIZE_TITLE = 22
SIZE_AUTHORITY = 16
SIZE_HEADING = 14
SIZE_BODY = 12
SIZE_SMALL = 10.5

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


@dataclass
class Block:
    """One piece of a document: ``kind`` is one of paragraph, table, image."""

    kind: str
    text: str = ""
    font: str = "body"
    size: float = SIZE_BODY
    bold: bool = False
    align: str = "left"
    indent: bool = False
    header: Sequence[str] = ()
    rows: Sequence[Sequence[str]] = ()
    widths_mm: Sequence[float] = ()
    data: bytes = b""
    width_mm: float = 0
    keep: bool = False

    @property
    def data_url(self) -> str:
        """The image as a data: URL for the HTML preview."""
        mime = "image/png" if self.data.startswith(b"\x89PNG") else "image/jpeg"
        return f"data:{mime};base64,{base64.b64encode(self.data).decode()}"

    @property
    def size_class(self) -> str:
        """The size as a CSS class suffix: 10.5 → 105."""
        return f"{self.size:g}".replace(".", "")

    @property
    def css_font(self) -> str:
        return {"title": "title", "heading": "heading"}.get(self.font, "body")


@dataclass
class Layout:
    """A document as blocks, written to Word (``to_docx``) or shown as HTML (``core/layout.html``).

    ``context`` holds the document's values by name for an office's own Word template
    (``anjian.enforcement.templates_docx``)."""

    blocks: list[Block] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    _keeping: bool = False

    # --- Building ---------------------------------------------------------------------------

    def _add(self, block: Block) -> Block:
        if self._keeping:
            block.keep = True
        self.blocks.append(block)
        return block

    def authority(self, lines: Sequence[str]) -> None:
        for line in lines:
            self._add(Block("paragraph", line, font="title", size=SIZE_AUTHORITY, align="center"))

    def title(self, text: str, size: float = SIZE_TITLE) -> None:
        self._add(Block("paragraph", text, font="title", size=size, align="center"))

    def number(self, label: str) -> None:
        self._add(Block("paragraph", label, align="center"))

    def heading(self, text: str, size: float = SIZE_HEADING) -> None:
        self._add(Block("paragraph", text, font="heading", size=size))

    def para(
        self,
        text: str = "",
        *,
        align: str = "left",
        size: float = SIZE_BODY,
        bold: bool = False,
        indent: bool = False,
    ) -> None:
        self._add(Block("paragraph", text, size=size, bold=bold, align=align, indent=indent))

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        """A two-column table of named facts (被检查单位, 地址…) over the text block's width."""
        self._add(
            Block(
                "table",
                rows=[(name, value or "—") for name, value in rows],
                widths_mm=(42, TEXT_WIDTH_MM - 42),
            )
        )

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self._add(Block("table", header=header, rows=rows, size=SIZE_SMALL))

    def image(self, data: bytes, width_mm: float) -> None:
        if data:
            self._add(Block("image", data=data, width_mm=width_mm))

    def keep_to_end(self) -> None:
        """From here to the end (the signature block), nothing is separated by a page break,
        nor from the paragraph before."""
        if self.blocks and self.blocks[-1].kind == "paragraph":
            self.blocks[-1].keep = True
        self._keeping = True

    # --- Writing ----------------------------------------------------------------------------

    def to_document(self):
        doc = new_document()
        paragraphs = []
        for block in self.blocks:
            if block.kind == "table":
                _write_table(doc, block)
                continue
            if block.kind == "image":
                if not _picture(doc, block):
                    continue
                p = doc.paragraphs[-1]
            else:
                p = doc.add_paragraph()
                p.alignment = ALIGN[block.align]
                if block.indent:
                    p.paragraph_format.first_line_indent = Pt(block.size * 2)
                if block.text:
                    set_font(p.add_run(xml_text(block.text)), block.font, block.size, block.bold)
            paragraphs.append((p, block))
        keeping = [p for p, block in paragraphs if block.keep]
        for p in keeping:
            p.paragraph_format.keep_together = True
        for p in keeping[:-1]:
            p.paragraph_format.keep_with_next = True
        if keeping and paragraphs and keeping[-1] is not paragraphs[-1][0]:
            keeping[-1].paragraph_format.keep_with_next = True
        return doc

    def to_docx(self) -> bytes:
        return to_bytes(self.to_document())


# --- Word primitives -------------------------------------------------------------------------------


def set_page(section) -> None:
    """A4 portrait with the margins of GB/T 9704-2012."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT


def _east_asian(element, name: str) -> None:
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def set_font(run, font: str = "body", size: float | None = None, bold: bool = False) -> None:
    """A run in one of the document fonts (``body``, ``heading``, ``title``)."""
    _east_asian(run._element, FONTS.get(font, BODY_FONT))
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def new_document():
    """An empty document: A4, GB/T 9704 margins, the body font as the Normal style."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(SIZE_BODY)
    _east_asian(style.element, BODY_FONT)
    spacing = style.paragraph_format
    spacing.space_before = spacing.space_after = Pt(0)
    spacing.line_spacing = 1.15
    for section in doc.sections:
        set_page(section)
    return doc


def _picture(doc, block: Block) -> bool:
    """Add an image; an unreadable one (a damaged photo) is left out, as before."""
    try:
        doc.add_picture(io.BytesIO(block.data), width=Mm(block.width_mm))
    except Exception:  # python-docx raises several kinds for a file it cannot read
        return False
    return True


def _write_table(doc, block: Block) -> None:
    columns = len(block.header) or max((len(r) for r in block.rows), default=1)
    table = doc.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    bold_first = not block.header

    def row(values: Sequence[str], bold: bool) -> None:
        cells = table.add_row().cells
        for n, (cell, text) in enumerate(zip(cells, values, strict=False)):
            if block.widths_mm:
                cell.width = Mm(block.widths_mm[n])
            set_font(
                cell.paragraphs[0].add_run(xml_text(str(text))),
                size=block.size,
                bold=bold or (bold_first and n == 0),
            )

    if block.header:
        row(block.header, True)
    for values in block.rows:
        row(values, False)


def to_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
