"""Print a :class:`~analytics.report.document.Document` as an A4 PDF with reportlab.

reportlab's Platypus flows paragraphs, tables and images over pages (wrapping, page breaks,
keeping a heading with what follows), which a text-heavy report needs. The text font is
DejaVu Sans, taken from matplotlib's own font folder, so the charts and the text match and
every accented or typographic character prints on any machine. The document is written in
reportlab's invariant mode: no creation date and a fixed document id, so the same report
gives the same bytes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib as mpl
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from analytics.report import document as doc

__all__ = ["render_pdf"]

MARGIN = 2 * cm
TEXT_WIDTH = A4[0] - 2 * MARGIN
# A chart never taller than most of a page: a school with many groups makes a tall chart,
# which reportlab cannot place at all (LayoutError) unless it is scaled down to fit.
CHART_MAX_HEIGHT = 0.8 * (A4[1] - 2 * MARGIN)
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK = colors.HexColor("#1A1A1A")
ACCENT = colors.HexColor("#0072B2")
RULE = colors.HexColor("#BBBBBB")
SHADE = colors.HexColor("#EEF4FA")


@functools.cache
def _fonts() -> None:
    """Register DejaVu Sans (regular and bold) from matplotlib's bundled fonts, once."""
    folder = Path(mpl.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=9, leading=12.6, textColor=INK, spaceAfter=4
    )
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=20, leading=24, textColor=ACCENT
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12.5, leading=16),
        "meta": ParagraphStyle("meta", parent=body, fontSize=8.5, textColor=colors.grey),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=BOLD,
            fontSize=14,
            leading=18,
            textColor=ACCENT,
            spaceBefore=4,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=7, spaceAfter=2
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=BOLD, fontSize=9, leading=12, spaceBefore=5, spaceAfter=2
        ),
        "body": body,
        "lead": ParagraphStyle("lead", parent=body, fontSize=9.5, leading=13.5, spaceAfter=6),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8, leading=11, textColor=colors.HexColor("#444444")
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=4, alignment=TA_LEFT
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.5, spaceAfter=0),
        "head": ParagraphStyle(
            "head", parent=body, fontName=BOLD, fontSize=7.5, leading=9.5, spaceAfter=0
        ),
    }


def _paragraph(text: str, style: str) -> Paragraph:
    styles = _styles()
    if style == "bullet":
        return Paragraph(escape(text), styles["bullet"], bulletText="•")
    return Paragraph(escape(text), styles[style])


def _table(block: doc.Table) -> list[Flowable]:
    styles = _styles()
    data = [[Paragraph(escape(cell), styles["head"]) for cell in block.header]]
    data += [[Paragraph(escape(cell), styles["cell"]) for cell in row] for row in block.rows]
    table = Table(
        data, colWidths=[share * TEXT_WIDTH for share in block.widths], repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    parts: list[Flowable] = [table]
    if block.note:
        parts += [Spacer(1, 2), _paragraph(block.note, "small")]
    return [*parts, Spacer(1, 6)]


def _chart(block: doc.Chart) -> list[Flowable]:
    reader = ImageReader(io.BytesIO(block.png))
    width, height = reader.getSize()
    scale = min(TEXT_WIDTH / width, CHART_MAX_HEIGHT / height)
    image = Image(io.BytesIO(block.png), width=width * scale, height=height * scale, hAlign="LEFT")
    return [image, Spacer(1, 8)]


def _flowables(document: doc.Document) -> list[Flowable]:
    story: list[Flowable] = [
        _paragraph(document.title, "title"),
        _paragraph(document.subtitle, "subtitle"),
        *(_paragraph(line, "meta") for line in document.meta),
        Spacer(1, 8),
    ]
    pending: list[Flowable] = []  # a heading waits for what follows it
    for block in document.blocks:
        if isinstance(block, doc.Heading):
            pending.append(_paragraph(block.text, f"h{min(block.level, 3)}"))
            continue
        if isinstance(block, doc.PageBreak):
            story += pending
            pending = []
            story.append(PageBreak())
            continue
        flowables: list[Flowable]
        if isinstance(block, doc.Text):
            flowables = [_paragraph(block.text, block.style)]
        elif isinstance(block, doc.Table):
            flowables = _table(block)
        else:
            flowables = _chart(block)
        if pending or len(flowables) > 1:
            story.append(KeepTogether([*pending, *flowables]))
            pending = []
        else:
            story += flowables
    story += pending
    return story


def _footer(title: str) -> Callable[[Canvas, BaseDocTemplate], None]:
    def draw(canvas: Canvas, template: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 1.2 * cm, title)
        canvas.drawRightString(A4[0] - MARGIN, 1.2 * cm, str(canvas.getPageNumber()))
        canvas.restoreState()

    return draw


def render_pdf(document: doc.Document, *, footer: str) -> bytes:
    """The document as PDF bytes; the same document gives the same bytes."""
    _fonts()
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=document.title,
        subject=document.subtitle,
        author="veilig",
        creator="veilig",
        lang=document.language,
        invariant=True,
    )
    page = _footer(footer)
    template.build(_flowables(document), onFirstPage=page, onLaterPages=page)
    return out.getvalue()
