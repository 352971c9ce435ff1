"""Cut-out code slips for pupils: the web chat's address, the code in large type and a QR
code of the link with the code in its fragment (``#code=...``, which a browser never sends to
a server, so the code reaches no log). Ten slips per A4 page, with cutting lines.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from flows.i18n import translator

COLUMNS, ROWS = 2, 5
MARGIN = 10 * mm
QR_SIZE = 30 * mm


def link(chat_url: str, code: str) -> str:
    """The address on a slip's QR code: the chat, with the code in the fragment."""
    return f"{chat_url}#code={code}"


def slips_pdf(chat_url: str, codes: Sequence[str], heading: str, language: str = "nl") -> bytes:
    """A PDF with one slip per code; ``heading`` (school and group) is printed small on each."""
    t = translator(language)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=True)
    canvas.setTitle(t.ui("web_slip_title"))
    width, height = A4
    slip_w = (width - 2 * MARGIN) / COLUMNS
    slip_h = (height - 2 * MARGIN) / ROWS
    for index, code in enumerate(codes):
        if index and index % (COLUMNS * ROWS) == 0:
            canvas.showPage()
        place = index % (COLUMNS * ROWS)
        x = MARGIN + (place % COLUMNS) * slip_w
        y = height - MARGIN - (place // COLUMNS + 1) * slip_h
        _slip(canvas, x, y, slip_w, slip_h, chat_url, code, heading, t.ui)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _slip(
    canvas: Canvas,
    x: float,
    y: float,
    w: float,
    h: float,
    chat_url: str,
    code: str,
    heading: str,
    words: Callable[[str], str],
) -> None:
    canvas.setDash(3, 3)
    canvas.setLineWidth(0.4)
    canvas.rect(x, y, w, h)
    canvas.setDash()
    pad = 5 * mm
    text_w = w - QR_SIZE - 3 * pad
    top = y + h - pad - 10
    canvas.setFont("Helvetica-Bold", 11)
    for line in _wrap(words("web_slip_title"), "Helvetica-Bold", 11, text_w, canvas):
        canvas.drawString(x + pad, top, line)
        top -= 13
    canvas.setFont("Helvetica", 8.5)
    for line in _wrap(words("web_slip_howto"), "Helvetica", 8.5, text_w, canvas):
        top -= 1.5
        canvas.drawString(x + pad, top, line)
        top -= 10
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(x + pad, top - 2, chat_url)
    # The code as large as fits beside the QR code (monospaced: no look-alike widths).
    size = min(24.0, text_w / canvas.stringWidth(code, "Courier-Bold", 1))
    canvas.setFont("Courier-Bold", size)
    canvas.drawString(x + pad, y + pad + 14, code)
    canvas.setFont("Helvetica", 7)
    canvas.drawString(x + pad, y + pad, heading)
    _qr(canvas, link(chat_url, code), x + w - pad - QR_SIZE, y + (h - QR_SIZE) / 2)


def _wrap(text: str, font: str, size: float, width: float, canvas: Canvas) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and canvas.stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _qr(canvas: Canvas, data: str, x: float, y: float) -> None:
    """The QR code as filled squares (vector, sharp at any printer resolution)."""
    matrix = segno.make(data, error="m").matrix
    cell = QR_SIZE / len(matrix)
    canvas.setFillGray(0)
    for row, bits in enumerate(matrix):
        for column, bit in enumerate(bits):
            if bit:
                canvas.rect(
                    x + column * cell, y + QR_SIZE - (row + 1) * cell, cell, cell, stroke=0, fill=1
                )
