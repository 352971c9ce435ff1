"""The school report: a PDF for the school team and the medezeggenschapsraad, its charts as
PNG and a short text for sending in chat, all from one :class:`SchoolResults`.

::

    results = school_results(dataset, "12AB00", "2026-2027")
    files = write_report(results, dataset.questionnaire, Path("report.pdf"), today=date.today())
    files.pdf, files.charts, files.text   # report.pdf, report-scores.png ..., report.txt

Modules: :mod:`~analytics.report.content` (what is said), :mod:`~analytics.report.advice`
(what to do next), :mod:`~analytics.report.charts` (matplotlib), :mod:`~analytics.report.pdf`
(reportlab), :mod:`~analytics.report.i18n` and :mod:`~analytics.report.catalogue` (the
``report`` gettext domain), :mod:`~analytics.report.numbers` (rounding and number format).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analytics.report.content import TEXT_LIMIT, build
from analytics.report.document import Document
from analytics.report.pdf import render_pdf
from analytics.school_results import SchoolResults
from flows.model import Questionnaire
from veilig.errors import InvalidInput

__all__ = ["TEXT_LIMIT", "Report", "ReportFiles", "make_report", "write_report"]


@dataclass(frozen=True, slots=True)
class Report:
    """The report in memory: the document, the PDF, the charts (name -> PNG) and the text."""

    document: Document
    pdf: bytes
    charts: dict[str, bytes]
    text: str


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Where :func:`write_report` put the report."""

    pdf: Path
    charts: tuple[Path, ...]
    text: Path


def make_report(
    results: SchoolResults,
    questionnaire: Questionnaire,
    *,
    language: str = "nl",
    today: date,
) -> Report:
    """The report of ``results`` in ``language`` (``nl`` or ``en``), dated ``today``."""
    document, text = build(results, questionnaire, language, today)
    footer = f"{document.title} · {results.name} ({results.school}) · {results.school_year}"
    pdf = render_pdf(document, footer=footer)
    charts = {chart.name: chart.png for chart in document.charts}
    return Report(document=document, pdf=pdf, charts=charts, text=text)


def write_report(
    results: SchoolResults,
    questionnaire: Questionnaire,
    out: Path,
    *,
    language: str = "nl",
    today: date,
) -> ReportFiles:
    """Write the PDF to ``out``, each chart beside it as ``<stem>-<chart>.png`` and the text
    summary as ``<stem>.txt``. Files of an earlier run with the same names are replaced."""
    if out.suffix.lower() != ".pdf":
        raise InvalidInput(f"{out}: the report is a PDF; give a file name ending in .pdf")
    if not out.parent.is_dir():
        raise InvalidInput(f"{out.parent} is not a folder; create it or choose another folder")
    report = make_report(results, questionnaire, language=language, today=today)
    out.write_bytes(report.pdf)
    charts = []
    for name, png in report.charts.items():
        path = out.with_name(f"{out.stem}-{name}.png")
        path.write_bytes(png)
        charts.append(path)
    text = out.with_suffix(".txt")
    text.write_text(report.text, encoding="utf-8")
    return ReportFiles(pdf=out, charts=tuple(charts), text=text)
