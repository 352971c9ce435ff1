"""Plain-text tables for listings: aligned columns, readable in any terminal or log."""

from __future__ import annotations

from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [list(headers), *([("" if c is None else str(c)) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 school``, ``3 schools``: operator messages read as sentences."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula (``= + - @``,
    tab, carriage return) gets a leading apostrophe (OWASP, CSV injection)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
