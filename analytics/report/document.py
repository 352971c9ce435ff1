"""The report as a sequence of plain blocks, independent of how it is printed.

:mod:`analytics.report.content` fills a :class:`Document` from the school's results;
:mod:`analytics.report.pdf` prints it. Keeping the two apart lets tests read every word and
number of the report without parsing a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Block", "Chart", "Document", "Heading", "PageBreak", "Table", "Text"]


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph; ``style`` is ``body``, ``lead`` (larger), ``small`` or ``bullet``."""

    text: str
    style: str = "body"


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row; ``widths`` are shares of the text width, one per column."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: ``name`` is the PNG's file stem, ``title`` its description (alt text)."""

    name: str
    title: str
    png: bytes


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Heading | Text | Table | Chart | PageBreak


@dataclass(frozen=True, slots=True)
class Document:
    """The whole report in one language: title lines and the blocks in reading order."""

    language: str
    title: str
    subtitle: str
    meta: tuple[str, ...]
    blocks: tuple[Block, ...]

    @property
    def charts(self) -> tuple[Chart, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Chart))

    def words(self) -> str:
        """Every text of the document, one block a line (for tests and the text summary)."""
        lines = [self.title, self.subtitle, *self.meta]
        for block in self.blocks:
            if isinstance(block, Heading | Text):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.append(" | ".join(block.header))
                lines.extend(" | ".join(row) for row in block.rows)
                if block.note:
                    lines.append(block.note)
        return "\n".join(lines)
